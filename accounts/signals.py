"""What identity announces, for feature apps to act on: accounts never imports them.

`member_joined(membership=…)` is sent inside the transaction that accepted an invitation,
so a receiver's failure rolls the acceptance back with it.
"""

from django.dispatch import Signal

member_joined = Signal()

# `member_leaving(membership=…)` is sent inside the transaction that removes a membership,
# before it goes: a receiver refuses the removal by raising `ApplicationError` (the member
# still holds something only they may hold), or lets go of what the member held.
member_leaving = Signal()

# `user_deactivated(user=…)` is sent when a person's account is switched off, after their API
# tokens were revoked: feature apps revoke the secrets of their own that the person held (a
# calendar feed's key), so that switching the account back on brings none of them back.
# Receivers of `member_leaving` and `user_deactivated` may answer {what: how many} they let go
# of or revoked; the audit event of the removal or the deactivation records it.
user_deactivated = Signal()
