"""What culture announces, for the apps of its layer to act on: culture never imports them.

- `adaptation_saved(actor=…, adaptation=…, created=bool)` after an adaptation is created or
  changed;
- `adaptation_deleted(actor=…, partnership=…, adaptation_id=…)` after one is deleted.

Both are sent inside the service's transaction, so a receiver's failure rolls the write back
with it. The transition plan keeps its culture tasks in step with them (transition/apps.py).
"""

from django.dispatch import Signal

adaptation_saved = Signal()
adaptation_deleted = Signal()
