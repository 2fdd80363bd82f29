"""Touchpoints: the account manager's meetings, calls, business reviews and site visits with
the client, and the follow-ups agreed at each (action, owner, due date, done or not).

Who: `Action.CHANGE` on the partnership, i.e. its account manager and the admins (a
touchpoint is the account manager's own record of the relationship). A follow-up's owner is
an active member of the organization who works on the partnership: a provider member, or one
of the client's executives.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from health import touchpoint_selectors
from health.models import FollowUp, Touchpoint
from tenancy import access
from tenancy.access import Action
from tenancy.audit import Actor, audit_record, diff
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update

MAX_FOLLOW_UPS = 20


def _require(actor: Actor, partnership) -> None:
    access.require(actor.membership, Action.CHANGE, partnership)


def _clean(row) -> None:
    try:
        row.full_clean()
    except ValidationError as error:
        if hasattr(error, "error_dict") and len(error.message_dict) == 1:
            (field, messages), *_ = error.message_dict.items()
            raise ApplicationError(" ".join(messages), field=field) from error
        raise


def check_owner(partnership, owner, *, field: str = "owner") -> None:
    """A follow-up's owner works on the partnership: a provider member of the organization,
    or an executive of the partnership's client (`touchpoint_selectors.follow_up_owners`)."""
    if owner is None:
        return
    fits = (
        touchpoint_selectors.follow_up_owners(partnership=partnership).filter(pk=owner.pk).exists()
    )
    if not fits:
        raise ApplicationError(
            f"{owner} does not work on this partnership: choose a provider member or one of "
            "the client's executives.",
            field=field,
        )


def _follow_up(partnership, touchpoint: Touchpoint, fields: dict[str, Any]) -> FollowUp:
    check_fields(fields, FollowUp.EDITABLE_FIELDS)
    check_owner(partnership, fields.get("owner"))
    follow_up = FollowUp(
        organization_id=partnership.organization_id,
        partnership=partnership,
        touchpoint=touchpoint,
        **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
    )
    if not follow_up.action:
        raise ApplicationError("Say what is to be done.", field="action")
    _clean(follow_up)
    return follow_up


@transaction.atomic
def touchpoint_create(
    *,
    actor: Actor,
    partnership,
    follow_ups: list[dict[str, Any]] | tuple = (),
    **fields: Any,
) -> Touchpoint:
    """Record a touchpoint, with the follow-ups agreed at it (each: action, owner, due)."""
    _require(actor, partnership)
    check_fields(fields, Touchpoint.EDITABLE_FIELDS)
    if len(follow_ups) > MAX_FOLLOW_UPS:
        raise ApplicationError(f"At most {MAX_FOLLOW_UPS} follow-ups at once.", field="follow_ups")
    touchpoint = Touchpoint(
        organization_id=partnership.organization_id,
        partnership=partnership,
        recorded_by=actor.user,
        **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
    )
    _clean(touchpoint)
    touchpoint.save()
    rows = [_follow_up(partnership, touchpoint, dict(item)) for item in follow_ups]
    FollowUp.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        verb="health_touchpoint.created",
        target=touchpoint,
        partnership=partnership,
        changes=diff(
            {}, {**fields, "follow_ups": [row.action for row in rows]} if rows else fields
        ),
    )
    return touchpoint


@transaction.atomic
def touchpoint_update(*, actor: Actor, touchpoint: Touchpoint, **fields: Any) -> Touchpoint:
    _require(actor, touchpoint.partnership)
    changes = model_update(instance=touchpoint, fields=fields, allowed=Touchpoint.EDITABLE_FIELDS)
    if changes:
        audit_record(
            actor=actor,
            verb="health_touchpoint.updated",
            target=touchpoint,
            partnership=touchpoint.partnership,
            changes=changes,
        )
    return touchpoint


@transaction.atomic
def touchpoint_delete(*, actor: Actor, touchpoint: Touchpoint) -> None:
    """Delete a touchpoint and its follow-ups."""
    _require(actor, touchpoint.partnership)
    audit_record(
        actor=actor,
        verb="health_touchpoint.deleted",
        target=touchpoint,
        partnership=touchpoint.partnership,
    )
    touchpoint.delete()


@transaction.atomic
def follow_up_create(*, actor: Actor, touchpoint: Touchpoint, **fields: Any) -> FollowUp:
    partnership = touchpoint.partnership
    _require(actor, partnership)
    follow_up = _follow_up(partnership, touchpoint, fields)
    follow_up.save()
    audit_record(
        actor=actor,
        verb="health_follow_up.created",
        target=follow_up,
        partnership=partnership,
        changes=diff({}, fields),
    )
    return follow_up


@transaction.atomic
def follow_up_update(*, actor: Actor, follow_up: FollowUp, **fields: Any) -> FollowUp:
    partnership = follow_up.partnership
    _require(actor, partnership)
    if "owner" in fields:
        check_owner(partnership, fields["owner"])
    if "action" in fields and not (fields["action"] or "").strip():
        raise ApplicationError("Say what is to be done.", field="action")
    changes = model_update(instance=follow_up, fields=fields, allowed=FollowUp.EDITABLE_FIELDS)
    if changes:
        audit_record(
            actor=actor,
            verb="health_follow_up.updated",
            target=follow_up,
            partnership=partnership,
            changes=changes,
        )
    return follow_up


@transaction.atomic
def follow_up_set_done(*, actor: Actor, follow_up: FollowUp, done: bool) -> FollowUp:
    """Mark a follow-up done (now) or not done again."""
    partnership = follow_up.partnership
    _require(actor, partnership)
    if done == (follow_up.done_at is not None):
        return follow_up
    before = follow_up.done_at
    follow_up.done_at = timezone.now() if done else None
    follow_up.save(update_fields=["done_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="health_follow_up.done" if done else "health_follow_up.reopened",
        target=follow_up,
        partnership=partnership,
        changes=diff({"done_at": before}, {"done_at": follow_up.done_at}),
    )
    return follow_up


@transaction.atomic
def follow_up_delete(*, actor: Actor, follow_up: FollowUp) -> None:
    partnership = follow_up.partnership
    _require(actor, partnership)
    audit_record(
        actor=actor, verb="health_follow_up.deleted", target=follow_up, partnership=partnership
    )
    follow_up.delete()
