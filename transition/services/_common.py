"""Helpers shared by the transition services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from tenancy import access
from tenancy.access import Action
from tenancy.audit import Actor
from tenancy.errors import ApplicationError
from tenancy.services import model_update


def require_work(actor: Actor, partnership) -> None:
    """Admins, the partnership's account manager and its implementation PMs."""
    if not access.can(actor.membership, Action.CHANGE_WORK, partnership):
        raise PermissionDenied("Your role may not change the transition work of this partnership.")


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


def _one_field(error: ValidationError) -> None:
    """Django's message for a single-field error as an ApplicationError naming that field
    (the API shows both the same way)."""
    if hasattr(error, "error_dict") and len(error.message_dict) == 1:
        (field, messages), *_ = error.message_dict.items()
        raise ApplicationError(" ".join(messages), field=field) from error


def clean(obj, **kwargs) -> None:
    """full_clean, a single-field error naming its field."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        _one_field(error)
        raise


def update(instance, fields: dict[str, Any], *, also: tuple[str, ...] = ()) -> dict[str, list[Any]]:
    """`tenancy.services.model_update` of the model's `EDITABLE_FIELDS` (and of `also`, what
    the service derives from them), a single-field error naming its field; returns the
    changes for the audit."""
    allowed = (*type(instance).EDITABLE_FIELDS, *also)
    try:
        return model_update(instance=instance, fields=fields, allowed=allowed)
    except ValidationError as error:
        _one_field(error)
        raise


def snapshot(obj, fields) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}
