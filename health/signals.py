"""What health announces, for the apps above it to act on: health never imports them.

- `alerts_raised(organization=…, alerts=[Alert, …])` after a check stored new alerts (they
  are bulk-created, so no `post_save` is sent for them). Sent inside the check's
  transaction: a receiver's failure rolls the check back with it. A receiver that delivers
  the alerts to their recipients itself returns True; when none does, the check e-mails
  each alert (`health.services.checks.alert_email`).
"""

from django.dispatch import Signal

alerts_raised = Signal()
