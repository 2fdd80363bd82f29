"""Helpers shared by the discovery services: permission checks, the freeze of discovery
records while discovery is signed off, and applying validated fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from discovery.models import DiscoverySignOff
from partnerships.models import Partnership
from tenancy.access import Action, can
from tenancy.audit import Actor, diff
from tenancy.errors import ApplicationError
from tenancy.models import Role


def require(actor: Actor, action: Action, obj) -> None:
    """`obj` is a partnership or one of its rows (the policy decides by the partnership)."""
    if not can(actor.membership, action, obj):
        raise PermissionDenied(_DENIED.get(action, "Your role does not allow this."))


_DENIED = {
    Action.CHANGE_WORK: (
        "Only an admin, the dedicated account manager or the partnership's implementation "
        "PMs may change discovery work."
    ),
    Action.SIGN_OFF: "Your role may not sign off or decide for this partnership.",
}


def require_client_executive(actor: Actor, partnership: Partnership, what: str) -> None:
    """Agreements of the client (goal sign-off, co-signature, decisions) are the client's."""
    if actor.membership.role != Role.CLIENT_EXECUTIVE:
        raise PermissionDenied(f"Only the client's executive may {what}.")
    require(actor, Action.SIGN_OFF, partnership)


def require_account_manager(actor: Actor, partnership: Partnership, what: str) -> None:
    if not actor.membership.is_provider:
        raise PermissionDenied(f"Only the dedicated account manager (or an admin) may {what}.")
    require(actor, Action.SIGN_OFF, partnership)


def lock(partnership: Partnership) -> Partnership:
    """Serialize sign-offs, reopenings and gated writes of one partnership."""
    return Partnership.objects.select_for_update().get(pk=partnership.pk)


def ensure_discovery_open(partnership: Partnership, what: str) -> None:
    """Discovery records are frozen while discovery is signed off: what was signed stays
    what it was. Reopening (with a reason) unfreezes them.

    Takes the partnership's row lock, so a write and a sign-off of the same partnership
    never interleave (the sign-off holds the same lock while it reads the checklist)."""
    list(Partnership.objects.select_for_update().filter(pk=partnership.pk).values_list("pk"))
    sign_off = (
        DiscoverySignOff.objects.filter(partnership=partnership, reopened_at__isnull=True)
        .only("signed_at")
        .first()
    )
    if sign_off is not None:
        when = timezone.localtime(sign_off.signed_at).date().isoformat()
        raise ApplicationError(
            f"Discovery was signed off on {when}; reopen it (with a reason) before changing "
            f"{what}.",
            status=409,
            extra={"signed_off_at": sign_off.signed_at.isoformat()},
        )


def apply(obj, fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """Set `fields` on `obj` (only those in `allowed`); returns the values before."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ApplicationError(f"“{unknown[0]}” cannot be changed here.", field=unknown[0])
    before = {name: getattr(obj, name, None) for name in fields}  # None: relation not set yet
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(obj, name, value)
    return before


def save(obj, **kwargs) -> None:
    obj.full_clean()
    obj.save(**kwargs)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def changes_of(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`tenancy.audit.diff` with decimals as text (the audit log stores JSON)."""
    return diff(
        {name: _plain(value) for name, value in before.items()},
        {name: _plain(value) for name, value in after.items()},
    )
