"""Caller populations and their languages. A partnership's populations take at most 100%
of its call volume; a population's languages take at most 100% of its calls."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from culture.models import CallerPopulation, CallerPopulationLanguage, Language
from culture.services._common import HUNDRED, incoming, lock_partnership, pct
from partnerships.models import Partnership
from tenancy.access import Action, require
from tenancy.audit import Actor, audit_record, diff
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update

FIELDS = CallerPopulation.EDITABLE_FIELDS


def _check_volume_total(population: CallerPopulation, share) -> None:
    """`share` (the population's share of volume) and the other populations' fit in 100%."""
    try:
        share = Decimal(share or 0)
    except (InvalidOperation, TypeError, ValueError):
        return  # not a number: `full_clean` names the field
    if not 0 <= share <= HUNDRED:
        return  # out of range: likewise
    others = (
        CallerPopulation.objects.filter(
            organization_id=population.organization_id, partnership_id=population.partnership_id
        )
        .exclude(pk=population.pk)
        .aggregate(total=Sum("share_of_volume"))["total"]
    ) or Decimal(0)
    if others + share > HUNDRED:
        raise ApplicationError(
            f"The populations' shares of call volume would total {pct(others + share)}%, "
            f"more than 100%: the other populations already take {pct(others)}%, so this one "
            f"can take at most {pct(HUNDRED - others)}%.",
            field="share_of_volume",
        )


def _check_name(population: CallerPopulation, name) -> None:
    taken = (
        CallerPopulation.objects.filter(
            organization_id=population.organization_id,
            partnership_id=population.partnership_id,
            name__iexact=name,
        )
        .exclude(pk=population.pk)
        .exists()
    )
    if taken:
        raise ApplicationError(
            f"This partnership already has a population named “{name}”.", field="name"
        )


def _language_rows(population: CallerPopulation, languages: list[dict]) -> list:
    """Validate the population's languages as a whole (field `languages`) and build rows."""
    rows: list[CallerPopulationLanguage] = []
    seen: set[str] = set()
    total = Decimal(0)
    for item in languages:
        code = item.get("language")
        label = Language(code).label if code in Language.values else str(code)
        if code in seen:
            raise ApplicationError(f"{label} is listed twice.", field="languages")
        seen.add(code)
        row = CallerPopulationLanguage(
            organization_id=population.organization_id,
            partnership_id=population.partnership_id,
            population=population,
            language=code,
            share=item.get("share"),
        )
        try:
            row.full_clean(
                exclude=["organization", "partnership", "population"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            raise ApplicationError(f"{label}, {name}: {messages[0]}", field="languages") from error
        total += Decimal(row.share)
        rows.append(row)
    if total > HUNDRED:
        raise ApplicationError(
            f"The languages' shares total {pct(total)}%; they may not exceed 100%.",
            field="languages",
        )
    return rows


def _replace_languages(population: CallerPopulation, languages: list[dict]) -> dict:
    before = {row.language: str(row.share) for row in population.languages.all()}
    rows = _language_rows(population, languages)
    population.languages.all().delete()
    CallerPopulationLanguage.objects.bulk_create(rows)
    after = {row.language: str(Decimal(row.share)) for row in rows}
    return {"languages": [before, after]} if before != after else {}


@transaction.atomic
def caller_population_create(
    *, actor: Actor, partnership: Partnership, languages: list[dict] | None = None, **fields: Any
) -> CallerPopulation:
    """Describe a population of callers; shares of volume of a partnership total ≤ 100%."""
    require(actor.membership, Action.CHANGE_WORK, partnership)
    check_fields(fields, FIELDS)
    lock_partnership(partnership)
    population = CallerPopulation(
        organization_id=partnership.organization_id, partnership=partnership, **fields
    )
    population.full_clean(validate_constraints=False)
    _check_name(population, population.name)
    _check_volume_total(population, population.share_of_volume)
    rows = _language_rows(population, languages or [])
    population.save()
    CallerPopulationLanguage.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        verb="caller_population.created",
        target=population,
        changes=diff({}, {**fields, "languages": {r.language: str(r.share) for r in rows}}),
        partnership=partnership,
    )
    return population


@transaction.atomic
def caller_population_update(
    *,
    actor: Actor,
    population: CallerPopulation,
    languages: list[dict] | None = None,
    **fields: Any,
) -> CallerPopulation:
    """Change a population; `languages`, when given, replaces its languages as a whole."""
    require(actor.membership, Action.CHANGE_WORK, population)
    check_fields(fields, FIELDS)
    lock_partnership(population.partnership)
    _check_name(population, incoming(population, fields, "name"))
    _check_volume_total(population, incoming(population, fields, "share_of_volume"))
    changes = model_update(instance=population, fields=fields, allowed=FIELDS)
    if languages is not None:
        changes.update(_replace_languages(population, languages))
    if changes:
        audit_record(
            actor=actor,
            verb="caller_population.updated",
            target=population,
            changes=changes,
            partnership=population.partnership,
        )
    return population


@transaction.atomic
def caller_population_delete(*, actor: Actor, population: CallerPopulation) -> None:
    """Remove a population that nothing refers to; its history is never deleted with it."""
    require(actor.membership, Action.CHANGE_WORK, population)
    adaptations = population.adaptations.count()
    results = population.satisfaction_results.count()
    if adaptations or results:
        raise ApplicationError(
            f"“{population.name}” has {adaptations} adaptation(s) and {results} satisfaction "
            "result(s); remove those first (or keep the population and set its share to 0).",
            field="population",
            status=409,
        )
    audit_record(
        actor=actor,
        verb="caller_population.deleted",
        target=population,
        partnership=population.partnership,
    )
    population.delete()
