"""The health-check arithmetic on hand-built cases: no database."""

from __future__ import annotations

import pytest

from health import scoring as s

ABANDONMENT = dict(name="Abandonment rate", unit="percent", direction="lower")


def live_inputs(**overrides) -> s.CheckInputs:
    values = dict(
        phase="live",
        quality=[s.KpiFigure(**ABANDONMENT, value=4.0, target=5.0, baseline=6.1)],
        issues=s.IssueFacts(open_by_severity={}),
        engagement=s.EngagementFacts(days_since_touchpoint=3),
        days_since_data=0,
    )
    values.update(overrides)
    return s.CheckInputs(**values)


# --- Each component ----------------------------------------------------------------------------


def test_kpi_meeting_its_target_scores_full_marks():
    assert s.kpi_score(s.KpiFigure(**ABANDONMENT, value=4.9, target=5, baseline=6.1)) == 100


def test_kpi_between_baseline_and_target_scores_60_to_100():
    halfway = s.KpiFigure(**ABANDONMENT, value=5.5, target=5, baseline=6)
    at_baseline = s.KpiFigure(**ABANDONMENT, value=6, target=5, baseline=6)
    assert s.kpi_score(halfway) == 80
    assert s.kpi_score(at_baseline) == 60


def test_kpi_far_worse_than_its_baseline_scores_zero_and_says_why():
    figure = s.KpiFigure(**ABANDONMENT, value=9.8, target=5, baseline=6.1)
    component = s.score_quality([figure])
    assert component.score == 0
    assert component.reason.startswith(
        "Abandonment rate 9.8% against a baseline of 6.1% and a target of 5%"
    )


def test_higher_is_better_kpi_without_baseline_compares_with_target():
    figure = s.KpiFigure(
        name="Service level", unit="percent", direction="higher", value=72, target=80
    )
    # 10 % below the target: 60 * (1 - 0.1 / 0.5) = 48
    assert s.kpi_score(figure) == 48


def test_neutral_kpi_is_shown_but_not_scored():
    handle = s.KpiFigure(name="Handle time", unit="minutes", direction="neutral", value=9, target=8)
    assert s.score_quality([handle]) is None


def test_schedule_counts_overdue_tasks_and_milestone_slip():
    on_time = s.score_schedule(s.ScheduleFacts(tasks=20, overdue=0))
    late = s.score_schedule(
        s.ScheduleFacts(tasks=20, overdue=5, overdue_milestones=1, max_milestone_slip_days=10)
    )
    assert on_time.score == 100
    assert late.score == 30  # 100 * (1 - 2 * 0.25) - 2 * 10
    assert "5 of 20 plan tasks are overdue" in late.reason
    assert "slipped 10 days" in late.reason
    assert s.score_schedule(s.ScheduleFacts(tasks=0, overdue=0)) is None


def test_issues_weigh_severity_and_breaches():
    quiet = s.score_issues(s.IssueFacts(open_by_severity={}))
    critical = s.score_issues(s.IssueFacts(open_by_severity={"critical": 1, "low": 1}, breached=1))
    assert quiet.score == 100 and quiet.reason == "No open issue."
    assert critical.score == 58  # 100 - 30 - 2 - 10
    assert critical.reason == "2 open issues (1 critical, 1 low), 1 past the resolution target."


def test_people_mix_settled_outcomes_and_sentiment():
    component = s.score_people(
        s.PeopleFacts(staff=10, settled=5, sentiment_average=3.0, sentiment_n=6)
    )
    assert component.score == 50  # 0.6 * 50 + 0.4 * 50
    assert component.reason.startswith("5 of 10 staff outcomes settled")
    assert s.score_people(s.PeopleFacts()) is None


def test_engagement_fades_after_two_weeks_without_touchpoint():
    assert s.score_engagement(s.EngagementFacts(days_since_touchpoint=10)).score == 100
    assert s.score_engagement(s.EngagementFacts(days_since_touchpoint=37)).score == 50
    assert s.score_engagement(s.EngagementFacts(days_since_touchpoint=90)).score == 0
    assert s.score_engagement(s.EngagementFacts(days_since_touchpoint=None)) is None


def test_discovery_checklist_and_sign_off():
    partial = s.score_discovery(
        s.DiscoveryFacts(items_done=2, items_total=5, missing=("a discovery session",))
    )
    assert partial.score == 40
    assert "missing: a discovery session" in partial.reason
    assert s.score_discovery(s.DiscoveryFacts(0, 5, signed_off=True)).score == 100


def test_data_freshness_is_zero_when_stale():
    assert s.score_data_freshness(0, 3).score == 100
    assert s.score_data_freshness(3, 3).score == 0
    assert s.score_data_freshness(None, 3).reason == "No KPI data received in the last 4 weeks."


@pytest.mark.parametrize(("days", "said"), [(0, "today"), (1, "yesterday"), (2, "2 days ago")])
def test_data_freshness_says_when_in_words(days, said):
    assert s.score_data_freshness(days, 3).reason == f"KPI data last received {said}."


def test_experience_goals_and_satisfaction():
    goal = s.KpiFigure(
        name="Caller satisfaction (CSAT)", unit="percent", direction="higher", value=92, target=90
    )
    csat = s.SatisfactionFacts(satisfied_pct=81, target=90, previous_pct=85)
    component = s.score_experience([goal], csat)
    assert len(component.measures) == 2
    assert component.score < 100
    assert "Caller satisfaction (survey) 81%" in component.reason


# --- Missing data and renormalisation --------------------------------------------------------


def test_missing_components_are_left_out_and_weights_renormalised():
    # live: quality 35, experience 20, issues 20, data_freshness 15, engagement 10;
    # experience has no data: the other 80 points are scaled to 100.
    result = s.evaluate(live_inputs())
    keys = [c["key"] for c in result.components]
    assert "experience" not in keys
    assert [m["key"] for m in result.missing] == ["experience"]
    assert sum(c["effective_weight"] for c in result.components) == pytest.approx(100, abs=0.2)
    quality = next(c for c in result.components if c["key"] == "quality")
    assert quality["weight"] == 35 and quality["effective_weight"] == 43.8
    assert result.score == 100  # missing counts as nothing, never as zero


def test_contributions_add_up_to_the_score():
    result = s.evaluate(
        live_inputs(
            quality=[s.KpiFigure(**ABANDONMENT, value=9.8, target=5, baseline=6.1)],
            issues=s.IssueFacts(open_by_severity={"high": 1}),
        )
    )
    assert sum(c["contribution"] for c in result.components) == pytest.approx(result.score, abs=0.3)


def test_not_enough_data_below_forty_percent_or_one_component():
    # transition: only engagement (10 %) and issues (15 %) with data: 25 % < 40 %.
    thin = s.evaluate(
        s.CheckInputs(
            phase="transition",
            issues=s.IssueFacts(open_by_severity={}),
            engagement=s.EngagementFacts(days_since_touchpoint=1),
        )
    )
    assert thin.score is None and thin.band == "no_data"
    assert thin.components  # what there is still shows
    one = s.evaluate(
        s.CheckInputs(phase="discovery", discovery=s.DiscoveryFacts(5, 5, signed_off=True)),
        weights={"discovery": {"discovery": 100}},
    )
    assert one.band == "no_data"


def test_organization_weights_change_only_the_components_they_name():
    # Setting one weight keeps the others at their defaults (it used to drop them silently).
    assert s.weights_for("live", {"live": {"quality": 50}}) == {
        **{k: float(v) for k, v in s.DEFAULT_WEIGHTS["live"].items()},
        "quality": 50.0,
    }
    # A weight of 0 leaves a component out.
    zeroed = {k: 0 for k in s.DEFAULT_WEIGHTS["live"] if k not in ("quality", "issues")}
    result = s.evaluate(live_inputs(), weights={"live": {"quality": 50, "issues": 50, **zeroed}})
    assert {c["key"] for c in result.components} == {"quality", "issues"}


# --- Bands, stale data, trend ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "band"),
    [(49, "red"), (49.9, "red"), (50, "amber"), (74, "amber"), (74.9, "amber"), (75, "green")],
)
def test_band_edges(score, band):
    assert s.band_for(score, s.Thresholds()) == band


def test_band_thresholds_follow_the_organization():
    assert s.band_for(59, s.Thresholds(red_below=60, green_from=90)) == "red"
    assert s.band_for(89, s.Thresholds(red_below=60, green_from=90)) == "amber"


def test_stale_data_never_looks_healthy():
    result = s.evaluate(live_inputs(days_since_data=5))
    freshness = next(c for c in result.components if c["key"] == "data_freshness")
    assert freshness["score"] == 0
    assert result.score >= 75  # the rest is fine …
    assert result.band == "amber"  # … but stale data caps the band
    assert result.stale


@pytest.mark.parametrize(
    ("previous", "trend"),
    [
        (None, "unknown"),
        (70, "improving"),
        (76.9, "improving"),
        (77, "steady"),
        (83, "steady"),
        (83.1, "worsening"),
    ],
)
def test_trend_against_previous_score(previous, trend):
    assert s.trend_for(80, previous) == trend


# --- Settings validation ---------------------------------------------------------------------


def test_weights_validation():
    assert s.weights_problems({}) == []
    assert s.weights_problems({"live": {"quality": 60, "issues": 40}}) == []
    assert s.weights_problems({"launch": {"quality": 1}}) == [
        "Unknown phase 'launch' (use discovery, transition, live)."
    ]
    assert "Unknown component 'vibes'" in s.weights_problems({"live": {"vibes": 1}})[0]
    assert s.weights_problems({"live": {"quality": 120}}) == [
        "The weight of quality in live must be between 0 and 100."
    ]
    assert s.weights_problems({"live": {"quality": "a lot"}}) == [
        "The weight of quality in live must be a number."
    ]
    everything_off = {k: 0 for k in s.DEFAULT_WEIGHTS["live"]}
    assert s.weights_problems({"live": everything_off}) == [
        "The weights of live cannot all be zero."
    ]
    # Zero for two components is fine: the others keep their defaults.
    assert s.weights_problems({"live": {"quality": 0, "issues": 0}}) == []


def test_the_fingerprint_covers_every_input_but_the_previous_score():
    """Equal inputs give equal fingerprints (the previous score only sets the trend); a change
    anywhere, however deep, gives another, so an earlier explanation is never copied wrongly."""
    base = s.CheckInputs(
        phase="live",
        quality=(s.KpiFigure("Abandonment", "%", "lower", 4.0, target=5.0, baseline=6.0),),
        issues=s.IssueFacts(open_by_severity={"high": 1}, breached=0),
        engagement=s.EngagementFacts(days_since_touchpoint=3),
        days_since_data=0,
        previous_score=71.0,
    )
    digest = s.inputs_digest(base)
    assert s.inputs_digest(s.CheckInputs(**{**vars(base), "previous_score": None})) == digest
    changed = [
        {"quality": (s.KpiFigure("Abandonment", "%", "lower", 4.5, target=5.0, baseline=6.0),)},
        {"issues": s.IssueFacts(open_by_severity={"high": 1}, breached=1)},
        {"issues": s.IssueFacts(open_by_severity={"critical": 1}, breached=0)},
        {"engagement": s.EngagementFacts(days_since_touchpoint=3, overdue_follow_ups=1)},
        {"engagement": None},
        {"days_since_data": 1},
        {"phase": "transition"},
    ]
    for change in changed:
        assert s.inputs_digest(s.CheckInputs(**{**vars(base), **change})) != digest, change
    # The phase's weights and the band thresholds are part of it too.
    assert s.inputs_digest(base, thresholds=s.Thresholds(red_below=40)) != digest
    assert s.inputs_digest(base, weights={"live": {"quality": 10}}) != digest
