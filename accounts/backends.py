"""The authentication backend: Django's `ModelBackend`, except that the signed-in user is read
with their memberships (organization, client) in one query. Every page and API call of an
organization needs the member's membership (`tenancy.views.membership_for`); it is then
found among these, without a query of its own. A user without membership costs one more."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from tenancy.models import Membership


class MembershipBackend(ModelBackend):
    def get_user(self, user_id):
        memberships = list(
            Membership.objects.select_related("organization", "user", "client")
            .filter(user_id=user_id)
            .order_by("organization__name", "organization_id")
        )
        if memberships:
            user = memberships[0].user
            for membership in memberships:
                membership.user = user
        else:
            user = User._default_manager.filter(pk=user_id).first()
            if user is None:
                return None
        user.loaded_memberships = memberships
        return user if self.user_can_authenticate(user) else None


def loaded_memberships(user) -> list[Membership] | None:
    """The memberships read with the signed-in user (None: not read, e.g. a token's user)."""
    return getattr(user, "loaded_memberships", None)
