"""Helpers shared by the transition services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from tenancy.audit import Actor
from tenancy.errors import ApplicationError
from transition import access as transition_access

REDACTED = "(changed)"


def require_work(actor: Actor, partnership) -> None:
    """Admins, the partnership's account manager and its implementation PMs."""
    if not transition_access.can_change_work(actor.membership, partnership):
        raise PermissionDenied("Your role may not change the transition work of this partnership.")


def require_comment(actor: Actor, partnership) -> None:
    if not transition_access.can_comment(actor.membership, partnership):
        raise PermissionDenied("Your role may not comment on this partnership.")


def same_partnership(obj, partnership, field: str, what: str) -> None:
    if obj is not None and obj.partnership_id != partnership.pk:
        raise ApplicationError(f"The {what} belongs to another partnership.", field=field)


def provider_member(organization_id: int, user, field: str = "owner") -> None:
    """Owners of transition work are provider members of the organization."""
    from tenancy.models import PROVIDER_ROLES, Membership

    if user is None:
        return
    fits = Membership.objects.filter(
        organization_id=organization_id, user=user, role__in=PROVIDER_ROLES
    ).exists()
    if not fits:
        raise ApplicationError(
            f"{user} is not a provider member of this organization.", field=field
        )


def clean(obj, **kwargs) -> None:
    """full_clean, with Django's message for a single-field error turned into an
    ApplicationError naming that field (the API shows both the same way)."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict") and len(error.message_dict) == 1:
            (field, messages), *_ = error.message_dict.items()
            raise ApplicationError(" ".join(messages), field=field) from error
        raise


def snapshot(obj, fields) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def redact(changes: dict[str, list[Any]], sensitive: tuple[str, ...]) -> dict[str, list[Any]]:
    """Audit events say that an HR-sensitive field changed, never its content."""
    return {
        key: ([REDACTED, REDACTED] if key in sensitive else value) for key, value in changes.items()
    }
