"""Helpers shared by the discovery services: permission checks (the rules are the access
policy's; the messages say what discovery asked) and the freeze of discovery records while
discovery is signed off. Fields are written with `tenancy.services.model_update`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from discovery.models import DiscoverySignOff
from partnerships.models import Partnership
from tenancy.access import Action, can
from tenancy.audit import Actor
from tenancy.errors import ApplicationError


def require(actor: Actor, action: Action, obj, *, message: str | None = None) -> None:
    """`obj` is a partnership or one of its rows (the policy decides by the partnership)."""
    if not can(actor.membership, action, obj):
        raise PermissionDenied(message or _DENIED.get(action, "Your role does not allow this."))


_DENIED = {
    Action.CHANGE_WORK: (
        "Only an admin, the dedicated account manager or the partnership's implementation "
        "PMs may change discovery work."
    ),
    Action.SIGN_OFF: "Your role may not sign off or decide for this partnership.",
}


def require_client_executive(actor: Actor, partnership: Partnership, what: str) -> None:
    """Agreements of the client (goal sign-off, co-signature, decisions) are the client's."""
    require(
        actor,
        Action.CLIENT_SIGN_OFF,
        partnership,
        message=f"Only the client's executive may {what}.",
    )


def require_account_manager(actor: Actor, partnership: Partnership, what: str) -> None:
    require(
        actor,
        Action.PROVIDER_SIGN_OFF,
        partnership,
        message=f"Only the dedicated account manager (or an admin) may {what}.",
    )


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
