"""Accounts' part of the access policy, registered from `AccountsConfig.ready()`:
invitations are an admin's business; an API token is seen by its owner, and by an admin (who
may list and revoke any member's)."""

from __future__ import annotations

from accounts.models import ApiToken, Invitation
from tenancy import access
from tenancy.models import Role


def register_scopes() -> None:
    access.register(
        Invitation, lambda membership, qs: qs if membership.role == Role.ADMIN else qs.none()
    )
    access.register(
        ApiToken,
        lambda membership, qs: (
            qs if membership.role == Role.ADMIN else qs.filter(user_id=membership.user_id)
        ),
    )
