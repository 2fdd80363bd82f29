"""Adaptations: what the provider changes for one caller population. Owners are provider
members; `completed_on` follows the status; one that happened is dropped, not deleted.
Each write announces itself (`culture.signals`): the transition plan keeps a task per
adaptation."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from culture.models import Adaptation, AdaptationKind, AdaptationStatus, CallerPopulation
from culture.services._common import incoming
from culture.signals import adaptation_deleted, adaptation_saved
from tenancy.access import Action, require
from tenancy.audit import Actor, audit_record, diff
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update

FIELDS = Adaptation.EDITABLE_FIELDS


def _check_owner(adaptation: Adaptation, owner_id: int | None) -> None:
    from tenancy.models import PROVIDER_ROLES, Membership

    if owner_id is None:
        return
    fits = Membership.objects.filter(
        organization_id=adaptation.organization_id, user_id=owner_id, role__in=PROVIDER_ROLES
    ).exists()
    if not fits:
        raise ApplicationError(
            "The owner must be a provider member of this organization "
            "(admin, account manager or implementation PM).",
            field="owner",
        )


def _check_title(adaptation: Adaptation, population_id: int, title) -> None:
    taken = (
        Adaptation.objects.filter(
            organization_id=adaptation.organization_id,
            population_id=population_id,
            title__iexact=title,
        )
        .exclude(pk=adaptation.pk)
        .exists()
    )
    if taken:
        raise ApplicationError(
            "This population already has an adaptation with this title.", field="title"
        )


def _completed_on(
    adaptation: Adaptation, fields: dict[str, Any], today: datetime.date
) -> datetime.date | None:
    """The completion day once `fields` are written: it follows the status, today when the
    adaptation becomes done (unless a date is given), none when it is no longer done."""
    completed_on = fields.get("completed_on", adaptation.completed_on)
    if fields.get("status", adaptation.status) == AdaptationStatus.DONE:
        completed_on = completed_on or today
        if completed_on > today:
            raise ApplicationError(
                "An adaptation cannot be completed in the future.", field="completed_on"
            )
        return completed_on
    # A date given with an open status is kept, for `clean()` to refuse on its field.
    return fields.get("completed_on")


@transaction.atomic
def adaptation_create(*, actor: Actor, population: CallerPopulation, **fields: Any) -> Adaptation:
    """Plan an adaptation for one population of callers."""
    require(actor.membership, Action.CHANGE_WORK, population)
    fields.pop("population", None)
    check_fields(fields, FIELDS)
    adaptation = Adaptation(
        organization_id=population.organization_id,
        partnership_id=population.partnership_id,
        population=population,
        **fields,
    )
    adaptation.completed_on = _completed_on(adaptation, fields, actor.organization.local_today())
    adaptation.full_clean(validate_constraints=False)
    _check_owner(adaptation, adaptation.owner_id)
    _check_title(adaptation, population.pk, adaptation.title)
    adaptation.save()
    audit_record(
        actor=actor,
        verb="adaptation.created",
        target=adaptation,
        changes=diff({}, {**fields, "population": population}),
        partnership=population.partnership,
    )
    adaptation_saved.send(sender=Adaptation, actor=actor, adaptation=adaptation, created=True)
    return adaptation


@transaction.atomic
def adaptation_update(*, actor: Actor, adaptation: Adaptation, **fields: Any) -> Adaptation:
    """Change an adaptation; marking it done records the day it was completed."""
    require(actor.membership, Action.CHANGE_WORK, adaptation)
    check_fields(fields, FIELDS)
    was_done = adaptation.status == AdaptationStatus.DONE
    population_id = adaptation.population_id
    if "population" in fields:
        population_id = fields["population"].pk
        if fields["population"].partnership_id != adaptation.partnership_id:
            raise ApplicationError(
                "The population belongs to another partnership.", field="population"
            )
    if (
        fields.get("kind", adaptation.kind) != AdaptationKind.TRAINING
        and adaptation.kind == AdaptationKind.TRAINING
        and adaptation.trainings.exists()
    ):
        raise ApplicationError(
            "Nurses have completed this training; it cannot become another kind.", field="kind"
        )
    fields["completed_on"] = _completed_on(adaptation, fields, actor.organization.local_today())
    owner_id = adaptation.owner_id
    if "owner" in fields:
        owner_id = fields["owner"].pk if fields["owner"] is not None else None
    _check_owner(adaptation, owner_id)
    _check_title(adaptation, population_id, incoming(adaptation, fields, "title"))
    changes = model_update(instance=adaptation, fields=fields, allowed=FIELDS)
    if not was_done and adaptation.status == AdaptationStatus.DONE:
        verb = "adaptation.completed"
    else:
        verb = "adaptation.updated"
    if changes:
        audit_record(
            actor=actor,
            verb=verb,
            target=adaptation,
            changes=changes,
            partnership=adaptation.partnership,
        )
        adaptation_saved.send(sender=Adaptation, actor=actor, adaptation=adaptation, created=False)
    return adaptation


@transaction.atomic
def adaptation_delete(*, actor: Actor, adaptation: Adaptation) -> None:
    """Delete a mistaken adaptation. One that was done is history: drop it instead."""
    require(actor.membership, Action.CHANGE_WORK, adaptation)
    if adaptation.status == AdaptationStatus.DONE or adaptation.trainings.exists():
        raise ApplicationError(
            "A completed adaptation (or a training nurses completed) is part of the record; "
            "set its status to dropped instead of deleting it.",
            field="status",
            status=409,
        )
    audit_record(
        actor=actor,
        verb="adaptation.deleted",
        target=adaptation,
        partnership=adaptation.partnership,
    )
    partnership, adaptation_id = adaptation.partnership, adaptation.pk
    adaptation.delete()
    adaptation_deleted.send(
        sender=Adaptation, actor=actor, partnership=partnership, adaptation_id=adaptation_id
    )
