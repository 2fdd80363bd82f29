"""What identity announces, for feature apps to act on: accounts never imports them.

`member_joined(membership=…)` is sent inside the transaction that accepted an invitation,
so a receiver's failure rolls the acceptance back with it.
"""

from django.dispatch import Signal

member_joined = Signal()
