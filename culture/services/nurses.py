"""The nurse team of a partnership and the training adaptations each nurse completed."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from culture.models import Adaptation, AdaptationKind, Nurse, NurseTraining
from culture.services._common import incoming
from partnerships.models import Partnership
from tenancy.access import Action, require
from tenancy.audit import Actor, audit_record, diff
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update

FIELDS = Nurse.EDITABLE_FIELDS


def _training_rows(nurse: Nurse, trainings: list[dict], today: datetime.date) -> list:
    rows: list[NurseTraining] = []
    seen: set[int] = set()
    for item in trainings:
        adaptation: Adaptation = item["adaptation"]
        completed_on: datetime.date = item["completed_on"]
        if adaptation.partnership_id != nurse.partnership_id:
            raise ApplicationError("A training belongs to another partnership.", field="trainings")
        if adaptation.kind != AdaptationKind.TRAINING:
            raise ApplicationError(
                f"“{adaptation.title}” is a {adaptation.get_kind_display().lower()} "
                "adaptation, not a training.",
                field="trainings",
            )
        if adaptation.pk in seen:
            raise ApplicationError(f"“{adaptation.title}” is listed twice.", field="trainings")
        if completed_on > today:
            raise ApplicationError(
                f"“{adaptation.title}”: a training cannot be completed in the future.",
                field="trainings",
            )
        seen.add(adaptation.pk)
        rows.append(
            NurseTraining(
                organization_id=nurse.organization_id,
                partnership_id=nurse.partnership_id,
                nurse=nurse,
                adaptation=adaptation,
                completed_on=completed_on,
            )
        )
    return rows


def _check_name(nurse: Nurse, name) -> None:
    taken = (
        Nurse.objects.filter(
            organization_id=nurse.organization_id,
            partnership_id=nurse.partnership_id,
            name__iexact=name,
        )
        .exclude(pk=nurse.pk)
        .exists()
    )
    if taken:
        raise ApplicationError(f"The team already has a nurse named “{name}”.", field="name")


def _trainings_repr(rows) -> dict[str, str]:
    return {str(row.adaptation_id): row.completed_on.isoformat() for row in rows}


@transaction.atomic
def nurse_create(
    *, actor: Actor, partnership: Partnership, trainings: list[dict] | None = None, **fields: Any
) -> Nurse:
    """Add a nurse to the partnership's team, with the trainings they completed."""
    require(actor.membership, Action.CHANGE_WORK, partnership)
    check_fields(fields, FIELDS)
    nurse = Nurse(organization_id=partnership.organization_id, partnership=partnership, **fields)
    nurse.full_clean(validate_constraints=False)
    _check_name(nurse, nurse.name)
    rows = _training_rows(nurse, trainings or [], actor.organization.local_today())
    nurse.save()
    NurseTraining.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        verb="nurse.added",
        target=nurse,
        changes=diff({}, {**fields, "trainings": _trainings_repr(rows)}),
        partnership=partnership,
    )
    return nurse


@transaction.atomic
def nurse_update(
    *, actor: Actor, nurse: Nurse, trainings: list[dict] | None = None, **fields: Any
) -> Nurse:
    """Change a nurse; `trainings`, when given, replaces the completed trainings as a whole."""
    require(actor.membership, Action.CHANGE_WORK, nurse)
    check_fields(fields, FIELDS)
    _check_name(nurse, incoming(nurse, fields, "name"))
    changes = model_update(instance=nurse, fields=fields, allowed=FIELDS)
    if trainings is not None:
        old = _trainings_repr(nurse.trainings.all())
        rows = _training_rows(nurse, trainings, actor.organization.local_today())
        nurse.trainings.all().delete()
        NurseTraining.objects.bulk_create(rows)
        if old != _trainings_repr(rows):
            changes["trainings"] = [old, _trainings_repr(rows)]
    if changes:
        audit_record(
            actor=actor,
            verb="nurse.updated",
            target=nurse,
            changes=changes,
            partnership=nurse.partnership,
        )
    return nurse


@transaction.atomic
def nurse_delete(*, actor: Actor, nurse: Nurse) -> None:
    """Remove a nurse entered by mistake (one who left the team is set inactive instead)."""
    require(actor.membership, Action.CHANGE_WORK, nurse)
    audit_record(actor=actor, verb="nurse.removed", target=nurse, partnership=nurse.partnership)
    nurse.delete()
