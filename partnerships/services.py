"""Writes for partnerships and clients. Keyword-only, atomic, validated, audited."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from partnerships import gates
from partnerships.models import (
    ClientOrganization,
    Comment,
    Partnership,
    PartnershipStatus,
    PartnershipStatusChange,
)
from tenancy import outbox
from tenancy.access import Action, can
from tenancy.audit import Actor, audit_record, diff
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update

logger = logging.getLogger(__name__)


def _require(actor: Actor, action: Action, obj=None) -> None:
    if not can(actor.membership, action, obj):
        raise PermissionDenied(f"Your role may not {action.value.replace('_', ' ')} this.")


def _snapshot(obj, fields) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


@transaction.atomic
def client_create(*, actor: Actor, **fields: Any) -> ClientOrganization:
    _require(actor, Action.CREATE)
    client = ClientOrganization(organization=actor.organization, **fields)
    client.full_clean()
    client.save()
    audit_record(actor=actor, verb="client.created", target=client)
    return client


@transaction.atomic
def client_update(*, actor: Actor, client: ClientOrganization, **fields: Any) -> ClientOrganization:
    _require(actor, Action.CHANGE, client)
    changes = model_update(
        instance=client, fields=fields, allowed=ClientOrganization.EDITABLE_FIELDS
    )
    if changes:
        audit_record(actor=actor, verb="client.updated", target=client, changes=changes)
    return client


@transaction.atomic
def partnership_create(*, actor: Actor, implementation_pms=(), **fields: Any) -> Partnership:
    """Create a partnership as a prospect (or at the status given, if the rules allow it)."""
    _require(actor, Action.CREATE)
    partnership = Partnership(organization=actor.organization, **fields)
    partnership.full_clean()
    partnership.validate_implementation_pms(implementation_pms)
    partnership.save()
    partnership.implementation_pms.set(implementation_pms)
    audit_record(
        actor=actor,
        verb="partnership.created",
        target=partnership,
        changes=diff(
            {},
            {**_snapshot(partnership, Partnership.EDITABLE_FIELDS), "status": partnership.status},
        ),
    )
    return partnership


@transaction.atomic
def partnership_update(
    *, actor: Actor, partnership: Partnership, implementation_pms=None, **fields: Any
) -> Partnership:
    """Change a partnership's fields. Status moves only through `partnership_transition`."""
    _require(actor, Action.CHANGE, partnership)
    if "status" in fields:
        raise ApplicationError(
            "Change the status with a transition, which records who moved it and why.",
            field="status",
        )
    check_fields(fields, Partnership.EDITABLE_FIELDS)
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    old_manager = partnership.account_manager
    changes = model_update(instance=partnership, fields=fields, allowed=Partnership.EDITABLE_FIELDS)
    if implementation_pms is not None:
        partnership.validate_implementation_pms(implementation_pms)
        old_pms = list(partnership.implementation_pms.all())
        partnership.implementation_pms.set(implementation_pms)
        pm_change = diff(
            {"implementation_pms": old_pms}, {"implementation_pms": implementation_pms}
        )
        changes.update(pm_change)
    if changes:
        audit_record(actor=actor, verb="partnership.updated", target=partnership, changes=changes)
    if "account_manager" in changes:
        audit_record(
            actor=actor,
            verb="partnership.account_manager_reassigned",
            target=partnership,
            changes={
                "account_manager": [str(old_manager or ""), str(partnership.account_manager or "")]
            },
        )
    return partnership


MAX_NOTE = 2000

GATE_MESSAGES = {
    PartnershipStatus.DISCOVERY: "Discovery can start only with a dedicated account manager.",
    PartnershipStatus.TRANSITION: (
        "The transition can start only after discovery is complete, signed off by the account "
        "manager and co-signed by the client."
    ),
    PartnershipStatus.LIVE: (
        "The partnership can go live only after a recent go decision, with the readiness "
        "checklist met."
    ),
}


@transaction.atomic
def partnership_transition(
    *,
    actor: Actor,
    partnership: Partnership,
    to_status: str,
    note: str = "",
    actual_go_live: datetime.date | None = None,
    override_reason: str = "",
) -> Partnership:
    """Move a partnership along prospect → discovery → transition → live → ended.

    Only the defined moves are allowed, each through its lifecycle gate (`partnerships.gates`):
    a closed gate answers 409 with the missing checks, unless an admin overrides it with a
    written reason. Each move is recorded (who, when, from, to, why, any override) and the
    people of the partnership are told by e-mail.
    """
    _require(actor, Action.TRANSITION, partnership)
    partnership = (
        Partnership.objects.select_for_update(of=("self",))
        .select_related("organization", "account_manager")
        .get(pk=partnership.pk)
    )
    if to_status not in PartnershipStatus.values:
        raise ApplicationError(f"“{to_status}” is not a partnership status.", field="status")
    from_status = partnership.status
    if to_status not in partnership.allowed_transitions:
        allowed = ", ".join(partnership.allowed_transitions) or "none (it has ended)"
        raise ApplicationError(
            f"A partnership cannot move from {from_status} to {to_status}. "
            f"Allowed from {from_status}: {allowed}.",
            field="status",
        )
    note = (note or "").strip()
    override_reason = (override_reason or "").strip()
    for name, value in (("note", note), ("override_reason", override_reason)):
        if len(value) > MAX_NOTE:
            raise ApplicationError(
                f"Keep it under {MAX_NOTE} characters ({len(value)} now).", field=name
            )

    # Field rules first (400 naming the field, never overridable), then the gate.
    partnership.status = to_status
    if actual_go_live is not None:
        partnership.actual_go_live = actual_go_live
    try:
        partnership.full_clean()
    except ValidationError as error:
        raise ApplicationError(
            " ".join(message for messages in error.message_dict.values() for message in messages),
            field=next(iter(error.message_dict)),
        ) from error
    gate = gates.gate_for(membership=actor.membership, partnership=partnership, to_status=to_status)
    overridden: list[dict[str, Any]] = []
    if not gate.open:
        if not override_reason:
            raise ApplicationError(
                GATE_MESSAGES.get(to_status, "This move's checks are not met."),
                status=409,
                extra={"missing": [check.as_dict() for check in gate.missing]},
            )
        if not can(actor.membership, Action.OVERRIDE_GATE, partnership):
            raise PermissionDenied(
                "Only an admin may override a lifecycle gate; meet the missing checks instead."
            )
        overridden = [check.as_dict() for check in gate.missing]
    elif override_reason and not note:
        # Nothing to override: keep what was written as the note rather than lose it.
        note = override_reason
    if not overridden:
        override_reason = ""

    partnership.save(update_fields=["status", "actual_go_live", "updated_at"])
    change = PartnershipStatusChange.objects.create(
        organization_id=partnership.organization_id,
        partnership=partnership,
        from_status=from_status,
        to_status=to_status,
        changed_by_id=actor.membership.user_id,
        note=note,
        override_reason=override_reason,
        overridden_checks=overridden,
    )
    audit_record(
        actor=actor,
        verb="partnership.status_changed",
        target=partnership,
        changes={"status": [from_status, to_status]},
    )
    if overridden:
        audit_record(
            actor=actor,
            verb="partnership.gate_overridden",
            target=partnership,
            changes={
                "gate": [from_status, to_status],
                "override_reason": [None, override_reason],
                "checks_not_met": [None, [check["label"] for check in overridden]],
            },
        )
    _notify_status_change(change)
    return partnership


def _notify_status_change(change: PartnershipStatusChange) -> None:
    """E-mail the partnership's people once the move is committed, through the outbox: a
    broker that is down neither undoes the move nor loses the e-mails (they go when it is
    back)."""
    from partnerships.tasks import status_change_notify_task

    outbox.enqueue(
        status_change_notify_task,
        organization_id=change.organization_id,
        status_change_id=change.pk,
    )


# --- Comments ----------------------------------------------------------------------------


def _comment_target(*, actor: Actor, partnership: Partnership, target_type: str, target_id):
    """The object a comment is about: a commentable row of this partnership that the member
    sees (400 naming the field otherwise, the same whether it is missing or hidden)."""
    from partnerships.commentable import commentable
    from tenancy import access

    model = commentable(target_type).model
    try:
        target_id = int(target_id)
    except (TypeError, ValueError):
        raise ApplicationError("Name the object by its id.", field="target_id") from None
    target = (
        access.visible(actor.membership, model)
        .filter(partnership=partnership, pk=target_id)
        .first()
    )
    if target is None:
        raise ApplicationError("There is no such object in this partnership.", field="target_id")
    return target


@transaction.atomic
def comment_create(
    *,
    actor: Actor,
    partnership: Partnership,
    target_type: str,
    target_id: int,
    body: str,
    shared_with_client: bool = False,
) -> Comment:
    """Add a comment to an object's thread. The client's executives' comments are always
    shared with the client; provider staff choose."""
    from tenancy import access

    access.require(actor.membership, Action.COMMENT, partnership)
    target = _comment_target(
        actor=actor, partnership=partnership, target_type=target_type, target_id=target_id
    )
    body = (body or "").strip()
    if not body:
        raise ApplicationError("Write a comment.", field="body")
    comment = Comment(
        organization_id=partnership.organization_id,
        partnership=partnership,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        author=actor.user,
        body=body,
        shared_with_client=shared_with_client or not actor.membership.is_provider,
    )
    comment.full_clean()
    comment.save()
    audit_record(
        actor=actor,
        verb="comment.created",
        target=comment,
        partnership=partnership,
        changes={"shared_with_client": [None, comment.shared_with_client]},
    )
    return comment


@transaction.atomic
def comment_delete(*, actor: Actor, comment: Comment) -> None:
    """Authors take back their own comments; admins may remove any."""
    from tenancy import access

    if not access.can(actor.membership, Action.DELETE_COMMENT, comment):
        raise PermissionDenied("Only its author (or an admin) may delete a comment.")
    audit_record(
        actor=actor,
        verb="comment.deleted",
        target=comment,
        partnership=comment.partnership,
        changes={"body": [comment.body[:200], None]},
    )
    comment.delete()


def partnerships_release_member(*, membership) -> None:
    """Before a member leaves the organization: refuse while they are a partnership's dedicated
    account manager (someone must be assigned first), and take them off the partnerships they
    are an implementation PM of. Runs inside the removal's transaction."""
    partnerships = Partnership.objects.for_organization(membership.organization)
    if partnerships.filter(account_manager_id=membership.user_id).exists():
        raise ApplicationError(
            f"{membership.user} is the dedicated account manager of a partnership; "
            "assign another manager first.",
            field="membership",
        )
    Partnership.implementation_pms.through.objects.filter(
        user_id=membership.user_id, partnership__organization_id=membership.organization_id
    ).delete()
