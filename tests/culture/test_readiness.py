"""The culture readiness panel: exact figures on known data, and a flat query count."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from culture.selectors import culture_readiness
from tests.culture.factories import (
    AdaptationFactory,
    CallerPopulationFactory,
    CallerPopulationLanguageFactory,
    NurseFactory,
    NurseTrainingFactory,
    SatisfactionResultFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 6, 15)


def result(population, start, end, responses, satisfied, answered):
    return SatisfactionResultFactory(
        population=population,
        period_start=start,
        period_end=end,
        responses=responses,
        satisfied_pct=Decimal(satisfied),
        questions_answered_pct=Decimal(answered),
    )


@pytest.fixture
def known(partnership, students, retirees):
    """Students: one training completed on 1 March 2026 and a script completed 15 April."""
    training = AdaptationFactory(
        population=students,
        kind="training",
        title="Physiology CE module",
        status="done",
        completed_on=D(2026, 3, 1),
        due_date=D(2026, 2, 1),
    )
    script = AdaptationFactory(
        population=students,
        kind="script",
        title="Technical-depth script",
        status="done",
        completed_on=D(2026, 4, 15),
    )
    result(students, D(2026, 1, 1), D(2026, 1, 31), 100, "80", "70")  # before both
    result(students, D(2026, 2, 1), D(2026, 3, 1), 50, "85.5", "76.25")  # ends ON the day: before
    result(students, D(2026, 2, 15), D(2026, 3, 14), 1000, "10", "10")  # straddles 1 March
    result(students, D(2026, 3, 2), D(2026, 3, 31), 20, "95", "90")  # after the training
    result(students, D(2026, 4, 1), D(2026, 4, 30), 5, "75", "60")  # after, straddles 15 April
    result(retirees, D(2026, 1, 1), D(2026, 6, 1), 5000, "1", "1")  # another population
    # Open, overdue, dropped and future adaptations of the students.
    AdaptationFactory(
        population=students,
        kind="training",
        title="Pharmacology refresher",
        status="planned",
        due_date=D(2026, 6, 14),
    )
    AdaptationFactory(
        population=students,
        kind="staffing",
        title="Late-night staffing",
        status="in_progress",
        due_date=D(2026, 5, 1),
    )
    AdaptationFactory(
        population=students,
        kind="training",
        title="Dropped module",
        status="dropped",
        due_date=D(2026, 1, 1),
    )
    AdaptationFactory(
        population=students, kind="protocol", title="Due today", status="planned", due_date=TODAY
    )
    # Team: two active nurses (one trained), one inactive (trained, not counted).
    maria = NurseFactory(partnership=partnership, name="Maria", languages=["en", "es"])
    NurseFactory(partnership=partnership, name="Tom", languages=["en"])
    gone = NurseFactory(partnership=partnership, name="Li", languages=["cmn"], is_active=False)
    NurseTrainingFactory(nurse=maria, adaptation=training)
    NurseTrainingFactory(nurse=gone, adaptation=training)
    return {"training": training, "script": script}


def test_effect_before_and_after_each_adaptation(known, partnership, students, retirees):
    readiness = culture_readiness(partnership, today=TODAY)
    assert readiness.as_of == TODAY
    assert [p.name for p in readiness.populations] == [students.name, retirees.name]
    panel = readiness.populations[0]
    training, script = panel.effects
    assert training.adaptation_id == known["training"].pk

    # Before 1 March: Jan (100 x 80) and Feb (50 x 85.5) → 12275 / 150 = 81.83 → 81.8;
    # answered (100 x 70 + 50 x 76.25) / 150 = 72.08 → 72.1. The straddling period is out.
    assert (training.before.responses, training.before.periods) == (150, 2)
    assert training.before.satisfied_pct == Decimal("81.8")
    assert training.before.questions_answered_pct == Decimal("72.1")
    assert training.before.small_sample is False
    # After: March (20 x 95) and April (5 x 75) → 2275 / 25 = 91.0; (1800 + 300) / 25 = 84.0.
    assert (training.after.responses, training.after.periods) == (25, 2)
    assert training.after.satisfied_pct == Decimal("91.0")
    assert training.after.questions_answered_pct == Decimal("84.0")
    assert training.after.small_sample is True  # 25 < 30 responses
    assert training.satisfied_change == Decimal("9.2")
    assert training.questions_answered_change == Decimal("11.9")

    # The script (15 April): before = Jan, Feb, the straddler and March (1170 responses);
    # (8000 + 4275 + 10000 + 1900) / 1170 = 20.66 → 20.7; nothing started after 15 April.
    assert (script.before.responses, script.before.periods) == (1170, 4)
    assert script.before.satisfied_pct == Decimal("20.7")
    assert script.before.questions_answered_pct == Decimal("19.3")
    assert (script.after.responses, script.after.satisfied_pct) == (0, None)
    assert script.after.small_sample is True
    assert script.satisfied_change is None


def test_adaptation_counts_overdue_languages_and_training(known, partnership, students, retirees):
    panel, retiree_panel = culture_readiness(partnership, today=TODAY).populations
    assert (
        panel.adaptations_total,
        panel.adaptations_done,
        panel.adaptations_planned,
        panel.adaptations_in_progress,
        panel.adaptations_dropped,
    ) == (6, 2, 2, 1, 1)
    # Overdue: open and due before today (the dropped one and the one due today are not).
    assert [(o.title, o.days_overdue) for o in panel.overdue] == [
        ("Late-night staffing", 45),
        ("Pharmacology refresher", 1),
    ]
    assert panel.adaptations_overdue == 2
    # Languages: the students need English and Mandarin; the active team speaks en, es.
    assert panel.languages_required == ["en", "cmn"]
    assert panel.languages_covered == ["en"]
    assert panel.languages_missing == ["cmn"]
    assert retiree_panel.languages_missing == []
    # Training: 1 of the 2 active nurses did the physiology module, nobody the refresher;
    # the dropped module is not expected. 1 / (2 + 2) = 25%.
    assert [(t.title, t.completed, t.team_size, t.completion_pct) for t in panel.trainings] == [
        ("Physiology CE module", 1, 2, Decimal("50.0")),
        ("Pharmacology refresher", 0, 2, Decimal("0.0")),
    ]
    assert panel.training_completion_pct == Decimal("25.0")
    assert retiree_panel.trainings == [] and retiree_panel.training_completion_pct is None


def _world(partnership, count: int) -> None:
    for n in range(count):
        population = CallerPopulationFactory(partnership=partnership, name=f"Population {n}")
        CallerPopulationLanguageFactory(population=population, language="en", share=50)
        CallerPopulationLanguageFactory(population=population, language="es", share=20)
        done = AdaptationFactory(population=population, status="done", completed_on=D(2026, 3, 1))
        AdaptationFactory(population=population, status="planned", due_date=D(2026, 1, 1))
        result(population, D(2026, 1, 1), D(2026, 1, 31), 40, "80", "70")
        result(population, D(2026, 4, 1), D(2026, 4, 30), 40, "90", "80")
        nurse = NurseFactory(partnership=partnership, languages=["en", "vi"])
        NurseTrainingFactory(nurse=nurse, adaptation=done)


@pytest.mark.parametrize("count", [3, 30])
def test_readiness_runs_five_queries_whatever_the_rows(
    partnership, count, django_assert_num_queries
):
    _world(partnership, count)
    # 1 populations, 2 their languages, 3 adaptations with trained counts,
    # 4 before/after aggregates, 5 active nurses' languages.
    with django_assert_num_queries(5):
        readiness = culture_readiness(partnership, today=TODAY)
    assert len(readiness.populations) == count
    assert readiness.populations[0].effects[0].after.satisfied_pct == Decimal("90.0")


def test_readiness_sql_groups_once(partnership):
    """The effect aggregate is one GROUP BY over all done adaptations (no per-row query)."""
    _world(partnership, 4)
    with CaptureQueriesContext(connection) as queries:
        culture_readiness(partnership, today=TODAY)
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 2  # trained counts, effects
