"""The desired patient experience goals and the client's sign-off of them; the discovery
sign-off, its co-signature, its reopening, and the client's requests to reopen it.

Sign-offs are records, never deleted: a change to signed goals supersedes their sign-off,
and reopening discovery keeps the sign-off with who reopened it, when and why.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from discovery import selectors
from discovery.models import (
    DiscoveryReopenRequest,
    DiscoverySignOff,
    ExperienceGoal,
    GoalSignOff,
    ReopenRequestStatus,
)
from discovery.services._common import (
    ensure_discovery_open,
    lock,
    require,
    require_account_manager,
    require_client_executive,
)
from partnerships.models import Partnership
from tenancy.access import Action
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError
from tenancy.services import model_update


def _goal_snapshot(goal: ExperienceGoal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "statement": goal.statement,
        "kpi": goal.kpi.key,
        "target": format(goal.target.normalize(), "f"),
        "service": goal.service_line.name if goal.service_line_id else None,
        "priority": goal.priority,
    }


def _supersede_goal_sign_off(actor: Actor, partnership: Partnership, reason: str) -> None:
    sign_off = GoalSignOff.objects.filter(
        partnership=partnership, superseded_at__isnull=True
    ).first()
    if sign_off is None:
        return
    sign_off.superseded_at = timezone.now()
    sign_off.superseded_reason = reason[:300]
    sign_off.save(update_fields=["superseded_at", "superseded_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="experience_goals.sign_off_superseded",
        target=sign_off,
        partnership=partnership,
        changes={"reason": [None, sign_off.superseded_reason]},
    )


# --- Goals ---------------------------------------------------------------------------------


@transaction.atomic
def goal_create(*, actor: Actor, partnership: Partnership, **fields: Any) -> ExperienceGoal:
    """Add a goal; a client sign-off of the previous set no longer covers the set."""
    require(actor, Action.CHANGE_WORK, partnership)
    ensure_discovery_open(partnership, "the experience goals")
    goal = ExperienceGoal(organization_id=partnership.organization_id, partnership=partnership)
    model_update(instance=goal, fields=fields, allowed=ExperienceGoal.EDITABLE_FIELDS)
    audit_record(actor=actor, verb="experience_goal.created", target=goal, partnership=partnership)
    _supersede_goal_sign_off(actor, partnership, f"Goal added: {goal.statement}")
    return goal


@transaction.atomic
def goal_update(*, actor: Actor, goal: ExperienceGoal, **fields: Any) -> ExperienceGoal:
    require(actor, Action.CHANGE_WORK, goal)
    ensure_discovery_open(goal.partnership, "the experience goals")
    changes = model_update(instance=goal, fields=fields, allowed=ExperienceGoal.EDITABLE_FIELDS)
    if changes:
        audit_record(
            actor=actor,
            verb="experience_goal.updated",
            target=goal,
            changes=changes,
            partnership=goal.partnership,
        )
        _supersede_goal_sign_off(actor, goal.partnership, f"Goal changed: {goal.statement}")
    return goal


@transaction.atomic
def goal_delete(*, actor: Actor, goal: ExperienceGoal) -> None:
    require(actor, Action.CHANGE_WORK, goal)
    partnership = goal.partnership
    ensure_discovery_open(partnership, "the experience goals")
    audit_record(actor=actor, verb="experience_goal.deleted", target=goal, partnership=partnership)
    statement = goal.statement
    goal.delete()
    _supersede_goal_sign_off(actor, partnership, f"Goal removed: {statement}")


@transaction.atomic
def goals_sign_off(*, actor: Actor, partnership: Partnership, note: str = "") -> GoalSignOff:
    """The client executive signs off the set of goals as it stands now."""
    require_client_executive(actor, partnership, "sign off the experience goals")
    partnership = lock(partnership)
    ensure_discovery_open(partnership, "the experience goals")
    goals = list(
        ExperienceGoal.objects.filter(partnership=partnership).select_related("kpi", "service_line")
    )
    if not goals:
        raise ApplicationError(
            "There are no experience goals to sign off yet.", field="goals", status=409
        )
    if GoalSignOff.objects.filter(partnership=partnership, superseded_at__isnull=True).exists():
        raise ApplicationError("These goals are already signed off.", field="goals", status=409)
    sign_off = GoalSignOff(
        organization_id=partnership.organization_id,
        partnership=partnership,
        signed_by=actor.user,
        signed_at=timezone.now(),
        goals=[_goal_snapshot(goal) for goal in goals],
        note=note.strip(),
    )
    sign_off.full_clean()
    sign_off.save()
    audit_record(
        actor=actor,
        verb="experience_goals.signed_off",
        target=sign_off,
        partnership=partnership,
        changes={"goals": [None, len(goals)]},
    )
    return sign_off


# --- Discovery sign-off --------------------------------------------------------------------


@transaction.atomic
def discovery_sign_off(
    *, actor: Actor, partnership: Partnership, note: str = ""
) -> DiscoverySignOff:
    """The dedicated account manager (or an admin) closes discovery, only when the
    checklist is complete; the checklist is kept with the sign-off as it stood."""
    require_account_manager(actor, partnership, "sign off discovery")
    partnership = lock(partnership)
    if selectors.discovery_open_sign_off(partnership=partnership) is not None:
        raise ApplicationError("Discovery is already signed off.", status=409)
    checklist = selectors.discovery_checklist(partnership=partnership)
    if not checklist.complete:
        raise ApplicationError(
            "Discovery cannot be signed off until the checklist is complete.",
            status=409,
            extra={"missing": [item.as_dict() for item in checklist.missing]},
        )
    sign_off = DiscoverySignOff(
        organization_id=partnership.organization_id,
        partnership=partnership,
        signed_by=actor.user,
        signed_at=timezone.now(),
        note=note.strip(),
        checklist=checklist.as_dict(),
    )
    sign_off.full_clean()
    sign_off.save()
    audit_record(actor=actor, verb="discovery.signed_off", target=sign_off, partnership=partnership)
    return sign_off


@transaction.atomic
def discovery_cosign(*, actor: Actor, partnership: Partnership) -> DiscoverySignOff:
    """The client executive co-signs the discovery sign-off in force."""
    require_client_executive(actor, partnership, "co-sign discovery")
    partnership = lock(partnership)
    sign_off = selectors.discovery_open_sign_off(partnership=partnership)
    if sign_off is None:
        raise ApplicationError(
            "Discovery is not signed off by the account manager yet; there is nothing to co-sign.",
            status=409,
        )
    if sign_off.is_cosigned:
        raise ApplicationError("Discovery is already co-signed.", status=409)
    sign_off.cosigned_by = actor.user
    sign_off.cosigned_at = timezone.now()
    sign_off.save(update_fields=["cosigned_by", "cosigned_at", "updated_at"])
    audit_record(actor=actor, verb="discovery.cosigned", target=sign_off, partnership=partnership)
    return sign_off


@transaction.atomic
def discovery_reopen(*, actor: Actor, partnership: Partnership, reason: str) -> DiscoverySignOff:
    """Reopen signed-off discovery, saying why. The sign-off stays on record; discovery
    records can be changed again and no new opportunity can be proposed until discovery is
    signed off (and co-signed) again.

    The dedicated account manager (or an admin) reopens; the client executive asks for it
    (`discovery_reopen_request`) and the account manager answers."""
    require(
        actor,
        Action.PROVIDER_SIGN_OFF,
        partnership,
        message="Only the dedicated account manager (or an admin) may reopen discovery; "
        "the client executive asks for it to be reopened.",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why discovery is reopened.", field="reason")
    partnership = lock(partnership)
    sign_off = selectors.discovery_open_sign_off(partnership=partnership)
    if sign_off is None:
        raise ApplicationError(
            "Discovery is not signed off; there is nothing to reopen.", status=409
        )
    sign_off.reopened_at = timezone.now()
    sign_off.reopened_by = actor.user
    sign_off.reopen_reason = reason
    sign_off.save(update_fields=["reopened_at", "reopened_by", "reopen_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="discovery.reopened",
        target=sign_off,
        partnership=partnership,
        changes={"reason": [None, reason]},
    )
    return sign_off


# --- The client's requests to reopen discovery ---------------------------------------------


@transaction.atomic
def discovery_reopen_request(
    *, actor: Actor, partnership: Partnership, reason: str
) -> DiscoveryReopenRequest:
    """The client executive asks for signed-off discovery to be reopened, saying why; the
    dedicated account manager sees the request and answers it."""
    require_client_executive(actor, partnership, "ask for discovery to be reopened")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Say why discovery should be reopened; the account manager reads it.", field="reason"
        )
    partnership = lock(partnership)
    sign_off = selectors.discovery_open_sign_off(partnership=partnership)
    if sign_off is None:
        raise ApplicationError(
            "Discovery is not signed off; there is nothing to reopen.", status=409
        )
    if DiscoveryReopenRequest.objects.filter(
        partnership=partnership, status=ReopenRequestStatus.OPEN
    ).exists():
        raise ApplicationError(
            "A request to reopen discovery already awaits the account manager's answer.",
            status=409,
        )
    request = DiscoveryReopenRequest(
        organization_id=partnership.organization_id,
        partnership=partnership,
        sign_off=sign_off,
        requested_by=actor.user,
        reason=reason,
    )
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        verb="discovery.reopen_requested",
        target=request,
        partnership=partnership,
        changes={"reason": [None, reason]},
    )
    return request


ANSWERS = ("accept", "decline")


@transaction.atomic
def discovery_reopen_request_answer(
    *, actor: Actor, request: DiscoveryReopenRequest, decision: str, reply: str = ""
) -> DiscoveryReopenRequest:
    """The dedicated account manager (or an admin) answers the client's request: accepting
    reopens the sign-off (with the client's reason on record); declining says why."""
    require_account_manager(actor, request.partnership, "answer a request to reopen discovery")
    if decision not in ANSWERS:
        raise ApplicationError("Choose to accept or to decline the request.", field="decision")
    reply = (reply or "").strip()
    if decision == "decline" and not reply:
        raise ApplicationError(
            "Say why the request is declined; the client executive reads it.", field="reply"
        )
    partnership = lock(request.partnership)
    request = DiscoveryReopenRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ApplicationError("This request has already been answered.", status=409)
    if decision == "accept":
        sign_off = selectors.discovery_open_sign_off(partnership=partnership)
        # Accepting reopens the sign-off the client asked about; when the account manager
        # already reopened it, the request is simply granted.
        if sign_off is not None and sign_off.pk == request.sign_off_id:
            name = request.requested_by.get_full_name() or request.requested_by.email
            discovery_reopen(
                actor=actor,
                partnership=partnership,
                reason=f"At the request of {name} (client): {request.reason}",
            )
    request.status = (
        ReopenRequestStatus.ACCEPTED if decision == "accept" else ReopenRequestStatus.DECLINED
    )
    request.answered_by = actor.user
    request.answered_at = timezone.now()
    request.reply = reply
    request.full_clean()
    request.save(update_fields=["status", "answered_by", "answered_at", "reply", "updated_at"])
    audit_record(
        actor=actor,
        verb=f"discovery.reopen_request_{request.status}",
        target=request,
        partnership=partnership,
        changes={
            "status": [ReopenRequestStatus.OPEN.value, request.status],
            "reply": [None, reply],
        },
    )
    return request
