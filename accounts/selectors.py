"""Reads for accounts that more than one place asks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import ApiToken
from tenancy import access

if TYPE_CHECKING:
    from tenancy.models import Membership


def has_active_token(membership: Membership) -> bool:
    """Does the member hold a token in this organization that still works? (Decides whether
    a client executive, who creates none, has any use for the API tokens page.)"""
    return access.visible(membership, ApiToken).active().filter(user_id=membership.user_id).exists()
