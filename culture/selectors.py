"""Reads for a partnership's culture, above all the culture readiness panel.

`culture_readiness()` answers, per caller population: are the adaptations done (and which are
overdue), does the nurse team speak the callers' languages, has it completed the trainings,
and did satisfaction move after each adaptation was completed? It runs a fixed number of
queries whatever the number of populations, adaptations, nurses or results (the effects are
aggregated in one SQL GROUP BY).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.expressions import CombinedExpression

from culture.models import (
    Adaptation,
    AdaptationKind,
    AdaptationStatus,
    CallerPopulation,
    Nurse,
    PhysicianPreference,
    SatisfactionResult,
)
from tenancy import access

if TYPE_CHECKING:
    from partnerships.models import Partnership

# Below this many survey responses a percentage is shown, but flagged as a small sample.
SMALL_SAMPLE_RESPONSES = 30
ONE_DECIMAL = Decimal("0.1")


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SatisfactionFigure:
    """Response-weighted satisfaction over some periods, with the sample behind it."""

    responses: int
    periods: int
    satisfied_pct: Decimal | None
    questions_answered_pct: Decimal | None

    @property
    def small_sample(self) -> bool:
        return self.responses < SMALL_SAMPLE_RESPONSES

    @classmethod
    def weighted(cls, *, responses, periods, satisfied_sum, answered_sum) -> SatisfactionFigure:
        responses = int(responses or 0)
        if not responses:
            return cls(
                responses=0,
                periods=int(periods or 0),
                satisfied_pct=None,
                questions_answered_pct=None,
            )
        return cls(
            responses=responses,
            periods=int(periods or 0),
            satisfied_pct=_round(Decimal(satisfied_sum or 0) / responses),
            questions_answered_pct=_round(Decimal(answered_sum or 0) / responses),
        )


@dataclass(frozen=True)
class AdaptationEffect:
    """Satisfaction of the population before and after an adaptation was completed.

    Before: periods that ended on or before the completion day. After: periods that started
    after it. A period that straddles the day is in neither.
    """

    adaptation_id: int
    title: str
    kind: str
    completed_on: datetime.date
    outcome_measure: str
    before: SatisfactionFigure
    after: SatisfactionFigure

    def _change(self, name: str) -> Decimal | None:
        before, after = getattr(self.before, name), getattr(self.after, name)
        if before is None or after is None:
            return None
        return after - before

    @property
    def satisfied_change(self) -> Decimal | None:
        return self._change("satisfied_pct")

    @property
    def questions_answered_change(self) -> Decimal | None:
        return self._change("questions_answered_pct")


@dataclass(frozen=True)
class TrainingCoverage:
    adaptation_id: int
    title: str
    status: str
    completed: int
    team_size: int

    @property
    def completion_pct(self) -> Decimal | None:
        if not self.team_size:
            return None
        return _round(Decimal(self.completed) * 100 / self.team_size)


@dataclass(frozen=True)
class OverdueAdaptation:
    adaptation_id: int
    title: str
    due_date: datetime.date
    days_overdue: int


@dataclass
class PopulationReadiness:
    population_id: int
    name: str
    share_of_volume: Decimal
    adaptations_total: int = 0
    adaptations_done: int = 0
    adaptations_planned: int = 0
    adaptations_in_progress: int = 0
    adaptations_dropped: int = 0
    overdue: list[OverdueAdaptation] = field(default_factory=list)
    languages_required: list[str] = field(default_factory=list)
    languages_covered: list[str] = field(default_factory=list)
    trainings: list[TrainingCoverage] = field(default_factory=list)
    effects: list[AdaptationEffect] = field(default_factory=list)

    @property
    def adaptations_overdue(self) -> int:
        return len(self.overdue)

    @property
    def languages_missing(self) -> list[str]:
        covered = set(self.languages_covered)
        return [code for code in self.languages_required if code not in covered]

    @property
    def training_completion_pct(self) -> Decimal | None:
        """Completed trainings over the trainings the whole team should have completed."""
        expected = sum(t.team_size for t in self.trainings)
        if not expected:
            return None
        return _round(Decimal(sum(t.completed for t in self.trainings)) * 100 / expected)


@dataclass
class CultureReadiness:
    partnership_id: int
    as_of: datetime.date
    team_size: int
    team_languages: list[str]
    populations: list[PopulationReadiness]


def _weighted(column: str) -> CombinedExpression:
    """Σ responses x percentage over a population's results (divided by Σ responses later)."""
    results = "population__satisfaction_results"
    return F(f"{results}__responses") * F(f"{results}__{column}")


def _effects(partnership: Partnership) -> dict[int, list[AdaptationEffect]]:
    """One GROUP BY over done adaptations x their population's results (one query)."""
    results = "population__satisfaction_results"
    before = Q(**{f"{results}__period_end__lte": F("completed_on")})
    after = Q(**{f"{results}__period_start__gt": F("completed_on")})
    total = DecimalField(max_digits=24, decimal_places=4)  # Σ responses x pct fits
    rows = (
        Adaptation.objects.filter(
            organization_id=partnership.organization_id,
            partnership_id=partnership.pk,
            status=AdaptationStatus.DONE,
        )
        .order_by("completed_on", "pk")
        .values("pk", "population_id", "title", "kind", "completed_on", "outcome_measure")
        .annotate(
            before_responses=Sum(f"{results}__responses", filter=before),
            before_periods=Count(f"{results}__pk", filter=before),
            before_satisfied=Sum(_weighted("satisfied_pct"), filter=before, output_field=total),
            before_answered=Sum(
                _weighted("questions_answered_pct"), filter=before, output_field=total
            ),
            after_responses=Sum(f"{results}__responses", filter=after),
            after_periods=Count(f"{results}__pk", filter=after),
            after_satisfied=Sum(_weighted("satisfied_pct"), filter=after, output_field=total),
            after_answered=Sum(
                _weighted("questions_answered_pct"), filter=after, output_field=total
            ),
        )
    )
    effects: dict[int, list[AdaptationEffect]] = {}
    for row in rows:
        effect = AdaptationEffect(
            adaptation_id=row["pk"],
            title=row["title"],
            kind=row["kind"],
            completed_on=row["completed_on"],
            outcome_measure=row["outcome_measure"],
            before=SatisfactionFigure.weighted(
                responses=row["before_responses"],
                periods=row["before_periods"],
                satisfied_sum=row["before_satisfied"],
                answered_sum=row["before_answered"],
            ),
            after=SatisfactionFigure.weighted(
                responses=row["after_responses"],
                periods=row["after_periods"],
                satisfied_sum=row["after_satisfied"],
                answered_sum=row["after_answered"],
            ),
        )
        effects.setdefault(row["population_id"], []).append(effect)
    return effects


def culture_readiness(
    partnership: Partnership, *, today: datetime.date | None = None
) -> CultureReadiness:
    """The culture readiness panel's figures, per population, in five queries:

    1 populations, 2 their languages, 3 adaptations with the number of active nurses who
    completed each, 4 the before/after effect aggregates, 5 the active nurses' languages.
    """
    today = today or partnership.organization.local_today()
    scope = {"organization_id": partnership.organization_id, "partnership_id": partnership.pk}
    populations = list(
        CallerPopulation.objects.filter(**scope)
        .order_by("-share_of_volume", "name")
        .prefetch_related("languages")
    )
    adaptations = list(
        Adaptation.objects.filter(**scope)
        .order_by("due_date", "title", "pk")
        .annotate(
            trained=Count(
                "trainings__nurse",
                filter=Q(trainings__nurse__is_active=True),
                distinct=True,
            )
        )
    )
    effects = _effects(partnership)
    nurse_languages = list(
        Nurse.objects.filter(**scope, is_active=True).values_list("languages", flat=True)
    )
    team_size = len(nurse_languages)
    team_languages = sorted({code for languages in nurse_languages for code in languages or []})

    by_population: dict[int, PopulationReadiness] = {}
    for population in populations:
        required = [row.language for row in population.languages.all() if row.share > 0]
        by_population[population.pk] = PopulationReadiness(
            population_id=population.pk,
            name=population.name,
            share_of_volume=population.share_of_volume,
            languages_required=required,
            languages_covered=[code for code in required if code in team_languages],
            effects=effects.get(population.pk, []),
        )
    for adaptation in adaptations:
        readiness = by_population.get(adaptation.population_id)
        if readiness is None:
            continue
        readiness.adaptations_total += 1
        match adaptation.status:
            case AdaptationStatus.DONE:
                readiness.adaptations_done += 1
            case AdaptationStatus.PLANNED:
                readiness.adaptations_planned += 1
            case AdaptationStatus.IN_PROGRESS:
                readiness.adaptations_in_progress += 1
            case AdaptationStatus.DROPPED:
                readiness.adaptations_dropped += 1
        if adaptation.is_overdue(today):
            readiness.overdue.append(
                OverdueAdaptation(
                    adaptation_id=adaptation.pk,
                    title=adaptation.title,
                    due_date=adaptation.due_date,
                    days_overdue=(today - adaptation.due_date).days,
                )
            )
        if (
            adaptation.kind == AdaptationKind.TRAINING
            and adaptation.status != AdaptationStatus.DROPPED
        ):
            readiness.trainings.append(
                TrainingCoverage(
                    adaptation_id=adaptation.pk,
                    title=adaptation.title,
                    status=adaptation.status,
                    completed=adaptation.trained,
                    team_size=team_size,
                )
            )
    return CultureReadiness(
        partnership_id=partnership.pk,
        as_of=today,
        team_size=team_size,
        team_languages=team_languages,
        populations=list(by_population.values()),
    )


# --- For the transition plan ---------------------------------------------------------------


@dataclass(frozen=True)
class PlanAdaptation:
    """What the transition plan needs of an adaptation to keep a task for it (transition
    reads this selector, documented in pyproject.toml, and nothing else of culture)."""

    id: int
    kind: str  # an AdaptationKind value
    kind_label: str
    title: str
    status: str  # an AdaptationStatus value
    population: str
    language: str  # the language's name, for language coverage; "" otherwise
    owner_id: int | None
    due_date: datetime.date | None


def plan_adaptations(partnership: Partnership) -> list[PlanAdaptation]:
    """The partnership's adaptations that call for work in a transition plan: every one but
    the dropped (one query)."""
    rows = (
        Adaptation.objects.filter(
            organization_id=partnership.organization_id, partnership_id=partnership.pk
        )
        .exclude(status=AdaptationStatus.DROPPED)
        .select_related("population")
        .order_by("population__name", "title", "pk")
    )
    return [
        PlanAdaptation(
            id=row.pk,
            kind=row.kind,
            kind_label=row.get_kind_display(),
            title=row.title,
            status=row.status,
            population=row.population.name,
            language=row.get_language_display() if row.language else "",
            owner_id=row.owner_id,
            due_date=row.due_date,
        )
        for row in rows
    ]


# --- The client executive's home page ----------------------------------------------------


def preferences_awaiting_approval(*, membership) -> list[dict]:
    """Physician preferences whose current version the client has not signed off yet, across
    the partnerships the member sees. One query."""
    return list(
        access.visible(membership, PhysicianPreference)
        .filter(current_version__isnull=False, current_version__signed_off_at__isnull=True)
        .order_by("current_version__created_at", "id")
        .values(
            "id",
            "partnership_id",
            "partnership__name",
            "physician",
            "title",
            "current_version_id",
            "current_version__number",
            "current_version__created_at",
        )
    )


@dataclass(frozen=True)
class PopulationSatisfaction:
    population_id: int
    name: str
    period_start: datetime.date
    period_end: datetime.date
    responses: int
    satisfied_pct: Decimal | None
    previous_pct: Decimal | None

    @property
    def small_sample(self) -> bool:
        return self.responses < SMALL_SAMPLE_RESPONSES

    @property
    def change(self) -> Decimal | None:
        if self.satisfied_pct is None or self.previous_pct is None:
            return None
        return self.satisfied_pct - self.previous_pct


def satisfaction_by_population(*, membership, partnership: Partnership) -> list:
    """Per caller population: its latest satisfaction result and the change from the one
    before. One query."""
    latest: dict[int, list] = {}
    rows = (
        access.visible(membership, SatisfactionResult)
        .filter(partnership=partnership)
        .order_by("population__name", "population_id", "-period_start", "-id")
        .values_list(
            "population_id",
            "population__name",
            "period_start",
            "period_end",
            "responses",
            "satisfied_pct",
        )
    )
    for pid, name, start, end, responses, pct in rows:
        seen = latest.get(pid)
        if seen is None:
            latest[pid] = [pid, name, start, end, responses, pct, None, False]
        elif not seen[7]:
            seen[6], seen[7] = pct, True
    return [PopulationSatisfaction(*values[:7]) for values in latest.values()]
