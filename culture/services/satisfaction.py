"""Caller satisfaction results: one per population and period (a CSV import of the same
period updates it, see `culture.imports`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from culture.models import CallerPopulation, SatisfactionResult, SatisfactionSource
from tenancy.access import Action, require
from tenancy.audit import Actor, audit_record, diff
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update

FIELDS = SatisfactionResult.EDITABLE_FIELDS


def _check_period_free(
    result: SatisfactionResult, population: CallerPopulation, period_start, period_end
) -> None:
    """One result per population and period (refused on `period_start`, with the period)."""
    taken = (
        SatisfactionResult.objects.filter(
            organization_id=result.organization_id,
            population_id=population.pk,
            period_start=period_start,
            period_end=period_end,
        )
        .exclude(pk=result.pk)
        .exists()
    )
    if taken:
        raise ApplicationError(
            f"{population} already has a result for {period_start} - {period_end}; change "
            "that one (or import the period again to update it).",
            field="period_start",
        )


@transaction.atomic
def satisfaction_result_create(
    *,
    actor: Actor,
    population: CallerPopulation,
    source: str = SatisfactionSource.MANUAL,
    **fields: Any,
) -> SatisfactionResult:
    """Record one population's satisfaction over one period."""
    require(actor.membership, Action.CHANGE_WORK, population)
    fields.pop("population", None)
    check_fields(fields, FIELDS)
    result = SatisfactionResult(
        organization_id=population.organization_id,
        partnership_id=population.partnership_id,
        population=population,
        source=source,
        **fields,
    )
    result.full_clean(validate_unique=False, validate_constraints=False)
    _check_period_free(result, population, result.period_start, result.period_end)
    result.save()
    audit_record(
        actor=actor,
        verb="satisfaction_result.created",
        target=result,
        changes=diff({}, {**fields, "population": population}),
        partnership=population.partnership,
    )
    return result


@transaction.atomic
def satisfaction_result_update(
    *, actor: Actor, result: SatisfactionResult, **fields: Any
) -> SatisfactionResult:
    require(actor.membership, Action.CHANGE_WORK, result)
    check_fields(fields, FIELDS)
    if "population" in fields:
        population = fields["population"]
        if population.partnership_id != result.partnership_id:
            raise ApplicationError(
                "The population belongs to another partnership.", field="population"
            )
    else:
        population = result.population  # loaded with the result by the pages and the API
    _check_period_free(
        result,
        population,
        fields.get("period_start", result.period_start),
        fields.get("period_end", result.period_end),
    )
    changes = model_update(instance=result, fields=fields, allowed=FIELDS)
    if changes:
        audit_record(
            actor=actor,
            verb="satisfaction_result.updated",
            target=result,
            changes=changes,
            partnership=result.partnership,
        )
    return result


@transaction.atomic
def satisfaction_result_delete(*, actor: Actor, result: SatisfactionResult) -> None:
    require(actor.membership, Action.CHANGE_WORK, result)
    audit_record(
        actor=actor,
        verb="satisfaction_result.deleted",
        target=result,
        changes={
            "period": [f"{result.period_start}-{result.period_end}", None],
            "responses": [result.responses, None],
            "satisfied_pct": [str(result.satisfied_pct), None],
            "questions_answered_pct": [str(result.questions_answered_pct), None],
        },
        partnership=result.partnership,
    )
    result.delete()
