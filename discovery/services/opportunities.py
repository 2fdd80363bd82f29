"""Optimization opportunities: proposed only once discovery is signed off and co-signed
(the gate), decided by the client, then implemented."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from discovery import selectors
from discovery.models import Opportunity, OpportunityStatus
from discovery.services._common import lock, require, require_client_executive
from partnerships.models import Partnership
from tenancy.access import Action
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError
from tenancy.services import model_update

DECISIONS = (OpportunityStatus.ACCEPTED, OpportunityStatus.REJECTED)
# What the client's decision writes, and the provider's implementation after it.
DECISION_FIELDS = ("status", "decided_by", "decided_at", "decision_note")
IMPLEMENTATION_FIELDS = ("status", "implemented_at")


def optimization_gate_check(*, partnership: Partnership) -> None:
    """Refuse (409, with the missing checklist items) unless discovery is signed off,
    co-signed and not reopened. Callers hold the partnership's lock."""
    missing = selectors.optimization_gate_missing(partnership=partnership)
    if missing:
        raise ApplicationError(
            "Optimization opportunities can be proposed only after discovery is complete, "
            "signed off by the account manager and co-signed by the client.",
            status=409,
            extra={"missing": [item.as_dict() for item in missing]},
        )


@transaction.atomic
def opportunity_create(*, actor: Actor, partnership: Partnership, **fields: Any) -> Opportunity:
    require(actor, Action.CHANGE_WORK, partnership)
    partnership = lock(partnership)
    optimization_gate_check(partnership=partnership)
    opportunity = Opportunity(
        organization_id=partnership.organization_id,
        partnership=partnership,
        proposed_by=actor.user,
        status=OpportunityStatus.PROPOSED,
    )
    model_update(instance=opportunity, fields=fields, allowed=Opportunity.EDITABLE_FIELDS)
    audit_record(
        actor=actor, verb="opportunity.proposed", target=opportunity, partnership=partnership
    )
    return opportunity


def _ensure_proposed(opportunity: Opportunity, what: str) -> None:
    if opportunity.status != OpportunityStatus.PROPOSED:
        raise ApplicationError(
            f"This opportunity is {opportunity.get_status_display().lower()}; only proposed "
            f"opportunities can be {what}.",
            field="status",
            status=409,
        )


@transaction.atomic
def opportunity_update(*, actor: Actor, opportunity: Opportunity, **fields: Any) -> Opportunity:
    require(actor, Action.CHANGE_WORK, opportunity)
    lock(opportunity.partnership)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    _ensure_proposed(opportunity, "changed")
    optimization_gate_check(partnership=opportunity.partnership)
    changes = model_update(instance=opportunity, fields=fields, allowed=Opportunity.EDITABLE_FIELDS)
    if changes:
        audit_record(
            actor=actor,
            verb="opportunity.updated",
            target=opportunity,
            changes=changes,
            partnership=opportunity.partnership,
        )
    return opportunity


@transaction.atomic
def opportunity_withdraw(*, actor: Actor, opportunity: Opportunity) -> None:
    """The provider takes back a proposal the client has not decided yet."""
    require(actor, Action.CHANGE_WORK, opportunity)
    _ensure_proposed(opportunity, "withdrawn")
    audit_record(
        actor=actor,
        verb="opportunity.withdrawn",
        target=opportunity,
        partnership=opportunity.partnership,
    )
    opportunity.delete()


@transaction.atomic
def opportunity_decide(
    *, actor: Actor, opportunity: Opportunity, decision: str, note: str = ""
) -> Opportunity:
    """The client executive accepts or rejects a proposed opportunity."""
    require_client_executive(actor, opportunity.partnership, "decide on opportunities")
    if decision not in DECISIONS:
        raise ApplicationError("Decide “accepted” or “rejected”.", field="decision")
    lock(opportunity.partnership)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    _ensure_proposed(opportunity, "decided")
    optimization_gate_check(partnership=opportunity.partnership)
    note = (note or "").strip()
    if decision == OpportunityStatus.REJECTED and not note:
        # The provider learns from a "no": it must say why.
        raise ApplicationError("Say why the opportunity is rejected.", field="note")
    model_update(
        instance=opportunity,
        fields={
            "status": decision,
            "decided_by": actor.user,
            "decided_at": timezone.now(),
            "decision_note": note,
        },
        allowed=DECISION_FIELDS,
    )
    audit_record(
        actor=actor,
        verb=f"opportunity.{decision}",
        target=opportunity,
        partnership=opportunity.partnership,
        changes={"status": [OpportunityStatus.PROPOSED.value, decision]},
    )
    return opportunity


@transaction.atomic
def opportunity_implement(*, actor: Actor, opportunity: Opportunity) -> Opportunity:
    """The provider records that an accepted opportunity is in place."""
    require(actor, Action.CHANGE_WORK, opportunity)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.status != OpportunityStatus.ACCEPTED:
        raise ApplicationError(
            "Only an opportunity the client accepted can be implemented.",
            field="status",
            status=409,
        )
    model_update(
        instance=opportunity,
        fields={"status": OpportunityStatus.IMPLEMENTED, "implemented_at": timezone.now()},
        allowed=IMPLEMENTATION_FIELDS,
    )
    audit_record(
        actor=actor,
        verb="opportunity.implemented",
        target=opportunity,
        partnership=opportunity.partnership,
        changes={"status": ["accepted", "implemented"]},
    )
    return opportunity
