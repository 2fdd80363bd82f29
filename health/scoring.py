"""Health-check arithmetic: pure functions over small value objects, no database (like
`transition/schedule.py`). `health.selectors.check_inputs` feeds them from a fixed number of
queries per organization; `health.services.checks` stores what they return.

Conventions (stated once, relied on everywhere):

- **Components.** A check has up to eight components, each scored 0-100 from its measures:
  quality (KPIs of the last 28 days against discovery baselines and targets), schedule
  (overdue plan tasks, milestone slip against the baseline), experience (the desired-experience
  goals and caller satisfaction), issues (open issues by severity, resolution SLA breaches),
  people (staff outcomes settled, sentiment of the last 30 days), engagement (days since the
  account manager's last touchpoint, overdue follow-ups), discovery (the discovery checklist and
  its sign-off) and data freshness (days since the KPI feed last sent anything; live only).
- **Phase profiles.** Each phase weighs the components differently (`DEFAULT_WEIGHTS`); an
  organization may change the weight of any component of a phase in its health settings (the
  components it does not name keep their defaults; a weight of 0 leaves one out). A component
  the phase does not weigh is not scored.
- **Missing is never zero.** A component without data is left out and the weights of the others
  renormalised to 100; the check lists what was missing. When the components with data carry
  less than `MIN_COVERAGE` of the phase's weight, or fewer than `MIN_COMPONENTS` have data, the
  check says "not enough data" rather than a colour.
- **Bands.** Below `red_below` is red, from `green_from` up is green, amber between (defaults
  50 and 75: red 0-49, amber 50-74, green 75-100). The band is read from the score rounded to
  one decimal.
- **Stale data never looks healthy.** A live partnership whose KPI feed has been quiet for the
  organization's `stale_after_days` scores 0 on data freshness and is at best amber.
- **Trend.** Against the previous check's score: more than `STEADY_POINTS` up is improving,
  more than that down is worsening, otherwise steady; no previous score is "unknown".
- **KPI scores.** A KPI meeting its target scores 100. Between its discovery baseline and its
  target it scores 60 to 100, by how far from the baseline towards the target it got. Worse
  than its reference (the baseline, or the target when there is no baseline) it scores 60
  down to 0 at 50 % worse. Neutral KPIs (handle time, emergency disposition mix) are shown
  but not scored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, is_dataclass
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

import orjson

PHASES = ("discovery", "transition", "live")

COMPONENTS: dict[str, str] = {
    "quality": "Quality",
    "schedule": "Schedule",
    "experience": "Experience",
    "issues": "Issues",
    "people": "People",
    "engagement": "Engagement",
    "discovery": "Discovery",
    "data_freshness": "Data freshness",
}

# The default phase profiles (percent of the score). Why these:
# - discovery: the work is discovery itself (checklist, sign-off); keeping the client engaged,
#   the issue log quiet and the plan (if one is drafted) on time matter alongside it.
# - transition: the plan and the people carry the most risk; quality counts once KPIs arrive
#   (parallel run), discovery only as far as its sign-off still stands.
# - live: quality against the baselines is what the client bought; experience goals, issues,
#   engagement and a feed that keeps sending data complete the picture.
DEFAULT_WEIGHTS: dict[str, dict[str, int]] = {
    "discovery": {"discovery": 40, "engagement": 20, "issues": 20, "schedule": 20},
    "transition": {
        "schedule": 30,
        "people": 20,
        "quality": 15,
        "issues": 15,
        "discovery": 10,
        "engagement": 10,
    },
    "live": {
        "quality": 35,
        "experience": 20,
        "issues": 20,
        "data_freshness": 15,
        "engagement": 10,
    },
}

MIN_COVERAGE = 0.4  # share of the phase's weight that must have data
MIN_COMPONENTS = 2
STEADY_POINTS = 3

# Issue penalties (points off 100) per open issue by severity, and per resolution breach.
SEVERITY_PENALTY = {"critical": 30, "high": 15, "medium": 5, "low": 2}
BREACH_PENALTY = 10
# Engagement: a touchpoint within this many days scores 100, none for ENGAGEMENT_ZERO_DAYS 0.
ENGAGEMENT_FULL_DAYS = 14
ENGAGEMENT_ZERO_DAYS = 60

UNIT_SUFFIX = {"percent": "%", "seconds": " s", "minutes": " min"}


# --- Inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiFigure:
    """A KPI's figure of one service line (or the whole line) against its references."""

    name: str
    unit: str
    direction: str  # lower | higher | neutral
    value: float | None
    target: float | None = None
    baseline: float | None = None
    service: str = ""
    n: int = 0  # days of data behind the value


@dataclass(frozen=True)
class ScheduleFacts:
    tasks: int
    overdue: int
    overdue_milestones: int = 0
    max_milestone_slip_days: int = 0  # forecast due minus baseline due, worst open milestone


@dataclass(frozen=True)
class IssueFacts:
    open_by_severity: Mapping[str, int]
    breached: int = 0  # open issues past their resolution target


@dataclass(frozen=True)
class PeopleFacts:
    staff: int = 0
    settled: int = 0
    sentiment_average: float | None = None  # 1-5, last 30 days
    sentiment_n: int = 0


@dataclass(frozen=True)
class EngagementFacts:
    days_since_touchpoint: int | None = None  # None: no touchpoint recorded
    overdue_follow_ups: int = 0


@dataclass(frozen=True)
class DiscoveryFacts:
    items_done: int
    items_total: int
    signed_off: bool = False
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class SatisfactionFacts:
    satisfied_pct: float
    target: float | None
    previous_pct: float | None = None
    responses: int = 0


@dataclass(frozen=True)
class CheckInputs:
    """Everything one check of one partnership needs; None: no data for that component."""

    phase: str
    quality: Sequence[KpiFigure] = ()
    experience_goals: Sequence[KpiFigure] = ()
    satisfaction: SatisfactionFacts | None = None
    schedule: ScheduleFacts | None = None
    issues: IssueFacts | None = None
    people: PeopleFacts | None = None
    engagement: EngagementFacts | None = None
    discovery: DiscoveryFacts | None = None
    days_since_data: int | None = None  # None: nothing in the last 4 weeks (or ever)
    stale_after_days: int = 3
    previous_score: float | None = None


@dataclass(frozen=True)
class Thresholds:
    red_below: int = 50
    green_from: int = 75


# --- Outputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    name: str
    value: float | None
    unit: str = ""
    target: float | None = None
    baseline: float | None = None
    score: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "baseline": self.baseline,
            "score": self.score,
            "text": describe(self),
        }


@dataclass(frozen=True)
class ComponentScore:
    key: str
    score: float
    reason: str
    measures: tuple[Measure, ...] = ()


@dataclass
class CheckResult:
    score: float | None
    band: str  # green | amber | red | no_data
    trend: str  # improving | steady | worsening | unknown
    components: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)
    stale: bool = False

    def worst_reasons(self, limit: int = 3) -> list[str]:
        ranked = sorted(self.components, key=lambda c: c["score"])
        return [c["reason"] for c in ranked[:limit] if c["score"] < 75]


# --- Small helpers ---------------------------------------------------------------------------


def clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, value))


@lru_cache(maxsize=4096, typed=True)
def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"
    return f"{text}{UNIT_SUFFIX.get(unit, '')}"


def fmt(value: float | None, unit: str = "") -> str:
    # The same few figures recur across partnerships and sweeps: the text is cached (by
    # value and type, and unit).
    return _fmt(value, unit)


@lru_cache(maxsize=8192, typed=True)
def _describe(
    name: str, value: float | None, unit: str, target: float | None, baseline: float | None
) -> str:
    text = f"{name} {_fmt(value, unit)}"
    refs = []
    if baseline is not None:
        refs.append(f"a baseline of {_fmt(baseline, unit)}")
    if target is not None:
        refs.append(f"a target of {_fmt(target, unit)}")
    if refs:
        text += " against " + " and ".join(refs)
    return text


def describe(measure: Measure) -> str:
    """'Abandonment rate 9.8% against a baseline of 6.1% and a target of 5%'."""
    return _describe(measure.name, measure.value, measure.unit, measure.target, measure.baseline)


def _better_or_equal(direction: str, value: float, reference: float) -> bool:
    return value <= reference if direction == "lower" else value >= reference


def kpi_score(figure: KpiFigure) -> float | None:
    """0-100 for a KPI figure (module docstring); None when it cannot be scored."""
    if figure.value is None or figure.direction not in ("lower", "higher"):
        return None
    value, target, baseline = figure.value, figure.target, figure.baseline
    if target is None and baseline is None:
        return None
    if target is not None and _better_or_equal(figure.direction, value, target):
        return 100.0
    if (
        target is not None
        and baseline is not None
        and _better_or_equal(figure.direction, value, baseline)
    ):
        span = abs(baseline - target)
        progress = 1.0 if span == 0 else abs(baseline - value) / span
        return round(60 + 40 * clamp(progress, 0, 1), 1)
    reference = baseline if baseline is not None else target
    if reference == 0:
        return 0.0
    worse_by = abs(value - reference) / abs(reference)
    return round(60 * clamp(1 - worse_by / 0.5, 0, 1), 1)


def _figure_measure(figure: KpiFigure) -> Measure:
    name = f"{figure.name} ({figure.service})" if figure.service else figure.name
    return Measure(
        name=name,
        value=figure.value,
        unit=figure.unit,
        target=figure.target,
        baseline=figure.baseline,
        score=kpi_score(figure),
    )


# --- Components ------------------------------------------------------------------------------


def _memo(function):
    """The components scored from a few counts (schedule, issues, engagement, discovery,
    data freshness) recur across partnerships and sweeps, and their scores are immutable:
    cached by their facts. Facts that cannot be hashed are scored each time."""
    cached = lru_cache(maxsize=4096)(function)

    @wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return cached(*args, **kwargs)
        except TypeError:  # unhashable facts
            return function(*args, **kwargs)

    return wrapper


def score_quality(figures: Sequence[KpiFigure]) -> ComponentScore | None:
    measures = tuple(_figure_measure(f) for f in figures if f.value is not None)
    scored = [m for m in measures if m.score is not None]
    if not scored:
        return None
    score = sum(m.score for m in scored) / len(scored)
    met = sum(1 for m in scored if m.score == 100)
    worst = min(scored, key=lambda m: m.score)
    if worst.score == 100:
        reason = f"All {len(scored)} KPIs with a target meet it over the last 28 days."
    else:
        reason = f"{describe(worst)}; {met} of {len(scored)} KPIs meet their target."
    return ComponentScore("quality", round(score, 1), reason, measures)


def score_experience(
    goals: Sequence[KpiFigure], satisfaction: SatisfactionFacts | None
) -> ComponentScore | None:
    measures = [_figure_measure(f) for f in goals if f.value is not None]
    if satisfaction is not None:
        csat = KpiFigure(
            name="Caller satisfaction (survey)",
            unit="percent",
            direction="higher",
            value=satisfaction.satisfied_pct,
            target=satisfaction.target,
            baseline=satisfaction.previous_pct,
        )
        measure = _figure_measure(csat)
        if measure.score is None:  # no target, no earlier survey: a plain share
            measure = Measure(
                csat.name, csat.value, "percent", None, None, clamp(satisfaction.satisfied_pct)
            )
        measures.append(measure)
    scored = [m for m in measures if m.score is not None]
    if not scored:
        return None
    score = sum(m.score for m in scored) / len(scored)
    met = sum(1 for m in scored if m.score == 100)
    worst = min(scored, key=lambda m: m.score)
    if worst.score == 100:
        reason = "Every experience goal and the caller-satisfaction target are met."
    else:
        reason = f"{describe(worst)}; {met} of {len(scored)} experience measures met."
    return ComponentScore("experience", round(score, 1), reason, tuple(measures))


@_memo
def score_schedule(facts: ScheduleFacts | None) -> ComponentScore | None:
    if facts is None or facts.tasks == 0:
        return None
    share = facts.overdue / facts.tasks
    score = clamp(100 * (1 - 2 * share) - min(40, 2 * max(0, facts.max_milestone_slip_days)))
    measures = (
        Measure("Overdue tasks", facts.overdue, "count", target=0),
        Measure("Overdue milestones", facts.overdue_milestones, "count", target=0),
        Measure(
            "Worst milestone slip against baseline (days)",
            max(0, facts.max_milestone_slip_days),
            "count",
            target=0,
        ),
    )
    if facts.overdue == 0 and facts.max_milestone_slip_days <= 0:
        reason = f"No overdue task among {facts.tasks}, and no milestone slipped."
    else:
        reason = f"{facts.overdue} of {facts.tasks} plan tasks are overdue"
        if facts.max_milestone_slip_days > 0:
            reason += (
                f" and a milestone has slipped {facts.max_milestone_slip_days} days past its"
                " baseline"
            )
        reason += "."
    return ComponentScore("schedule", round(score, 1), reason, measures)


def score_issues(facts: IssueFacts | None) -> ComponentScore | None:
    if facts is None:
        return None
    return _score_issues(
        tuple(int(facts.open_by_severity.get(sev, 0)) for sev in SEVERITY_PENALTY),
        facts.breached,
    )


@_memo
def _score_issues(open_counts: tuple[int, ...], breached: int) -> ComponentScore:
    counts = dict(zip(SEVERITY_PENALTY, open_counts, strict=True))
    penalty = sum(SEVERITY_PENALTY[sev] * n for sev, n in counts.items())
    penalty += BREACH_PENALTY * breached
    score = clamp(100 - penalty)
    measures = (
        *(Measure(f"Open {sev} issues", n, "count", target=0) for sev, n in counts.items()),
        Measure("Past their resolution target", breached, "count", target=0),
    )
    total = sum(counts.values())
    if total == 0:
        reason = "No open issue."
    else:
        parts = [f"{n} {sev}" for sev, n in counts.items() if n]
        reason = f"{total} open issue{'s' if total != 1 else ''} ({', '.join(parts)})"
        if breached:
            reason += f", {breached} past the resolution target"
        reason += "."
    return ComponentScore("issues", round(score, 1), reason, measures)


def score_people(facts: PeopleFacts | None) -> ComponentScore | None:
    if facts is None:
        return None
    parts: list[tuple[float, float]] = []  # (score, weight)
    measures = []
    reasons = []
    if facts.staff:
        settled = 100 * facts.settled / facts.staff
        parts.append((settled, 0.6))
        measures.append(Measure("Staff outcomes settled", round(settled, 1), "percent", 100))
        reasons.append(f"{facts.settled} of {facts.staff} staff outcomes settled")
    if facts.sentiment_average is not None and facts.sentiment_n:
        sentiment = 100 * (facts.sentiment_average - 1) / 4
        parts.append((clamp(sentiment), 0.4))
        measures.append(
            Measure("Average sentiment (1-5, last 30 days)", round(facts.sentiment_average, 1))
        )
        reasons.append(
            f"average sentiment {fmt(facts.sentiment_average)}/5 over "
            f"{facts.sentiment_n} check-ins in the last 30 days"
        )
    if not parts:
        return None
    score = sum(s * w for s, w in parts) / sum(w for _, w in parts)
    reason = "; ".join(reasons)
    return ComponentScore(
        "people", round(score, 1), reason[0].upper() + reason[1:] + ".", tuple(measures)
    )


@_memo
def score_engagement(facts: EngagementFacts | None) -> ComponentScore | None:
    if facts is None or facts.days_since_touchpoint is None:
        return None
    days = facts.days_since_touchpoint
    span = ENGAGEMENT_ZERO_DAYS - ENGAGEMENT_FULL_DAYS
    score = clamp(100 * (1 - (days - ENGAGEMENT_FULL_DAYS) / span))
    score = clamp(score - 10 * facts.overdue_follow_ups)
    measures = (
        Measure("Days since the last touchpoint", days, "count", target=ENGAGEMENT_FULL_DAYS),
        Measure("Overdue follow-ups", facts.overdue_follow_ups, "count", target=0),
    )
    reason = f"Last touchpoint with the client {days} day{'s' if days != 1 else ''} ago"
    if facts.overdue_follow_ups:
        reason += f"; {facts.overdue_follow_ups} follow-up(s) overdue"
    return ComponentScore("engagement", round(score, 1), reason + ".", measures)


@_memo
def score_discovery(facts: DiscoveryFacts | None) -> ComponentScore | None:
    if facts is None or facts.items_total == 0:
        return None
    if facts.signed_off:
        score = 100.0
        reason = "Discovery is signed off."
    else:
        score = 100 * facts.items_done / facts.items_total
        reason = f"{facts.items_done} of {facts.items_total} discovery checklist items done"
        if facts.missing:
            reason += f"; missing: {', '.join(facts.missing)}"
        reason += "."
    measures = (
        Measure("Checklist items done", facts.items_done, "count", target=facts.items_total),
        Measure("Signed off", 1 if facts.signed_off else 0, "count", target=1),
    )
    return ComponentScore("discovery", round(score, 1), reason, measures)


def is_stale(days_since_data: int | None, stale_after_days: int) -> bool:
    return days_since_data is None or days_since_data >= stale_after_days


@_memo
def score_data_freshness(days: int | None, stale_after_days: int) -> ComponentScore:
    measure = Measure("Days since KPI data last arrived", days, "count", target=1)
    if is_stale(days, stale_after_days):
        reason = (
            "No KPI data received in the last 4 weeks."
            if days is None
            else f"No KPI data received for {days} days (stale after {stale_after_days})."
        )
        return ComponentScore("data_freshness", 0.0, reason, (measure,))
    score = 100.0 if days <= 1 else clamp(100 * (1 - (days - 1) / stale_after_days))
    when = {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")
    reason = f"KPI data last received {when}."
    return ComponentScore("data_freshness", round(score, 1), reason, (measure,))


MISSING_REASONS = {
    "quality": "No KPI measurements with a baseline or target in the last 28 days.",
    "schedule": "No transition plan tasks.",
    "experience": "No experience goal with live data, and no caller-satisfaction survey.",
    "issues": "No issue data.",
    "people": "No staff roster or sentiment check-ins.",
    "engagement": "No touchpoint recorded.",
    "discovery": "No discovery checklist.",
    "data_freshness": "Not measured in this phase.",
}


# --- The check -------------------------------------------------------------------------------


def band_for(score: float | None, thresholds: Thresholds) -> str:
    if score is None:
        return "no_data"
    if score < thresholds.red_below:
        return "red"
    if score >= thresholds.green_from:
        return "green"
    return "amber"


def trend_for(score: float | None, previous: float | None) -> str:
    if score is None or previous is None:
        return "unknown"
    if score - previous > STEADY_POINTS:
        return "improving"
    if previous - score > STEADY_POINTS:
        return "worsening"
    return "steady"


def weights_for(phase: str, configured: Mapping[str, Mapping[str, float]] | None) -> dict:
    """The phase's profile: the default weights, with the organization's for the components
    it named (a component it did not name keeps its default; a weight of 0 leaves it out)."""
    weights = {k: float(v) for k, v in DEFAULT_WEIGHTS.get(phase, {}).items()}
    if configured and configured.get(phase):
        weights.update({k: float(v) for k, v in configured[phase].items() if k in COMPONENTS})
    return weights


def _profile(
    phase: str, configured: Mapping[str, Mapping[str, float]] | None
) -> tuple[dict[str, float], tuple[str, ...]]:
    """The phase's weighed components ({key: weight > 0}) and their order on the page
    (heaviest first, then by key); the same profile recurs for every partnership of a sweep,
    so it is computed once (per phase and weights)."""
    own = configured.get(phase) if configured else None
    try:
        return _profile_of(phase, tuple(own.items()) if own else None)
    except TypeError:  # weights that cannot be a cache key: computed each time
        return _profile_of.__wrapped__(phase, own)


@lru_cache(maxsize=256)
def _profile_of(phase: str, own) -> tuple[dict[str, float], tuple[str, ...]]:
    configured = {phase: dict(own)} if own else None
    profile = {k: w for k, w in weights_for(phase, configured).items() if w > 0}
    return profile, tuple(sorted(profile, key=lambda k: (-profile[k], k)))


def weighing_phases(
    configured: Mapping[str, Mapping[str, float]] | None,
) -> dict[str, frozenset[str]]:
    """{component: the phases whose profile weighs it}. What no phase of a partnership weighs
    is never part of its check, so a sweep need not read it."""
    weighing: dict[str, set[str]] = {key: set() for key in COMPONENTS}
    for phase in PHASES:
        for key in _profile(phase, configured)[0]:
            weighing[key].add(phase)
    return {key: frozenset(phases) for key, phases in weighing.items()}


def component_scores(inputs: CheckInputs) -> dict[str, ComponentScore | None]:
    scores = {
        "quality": score_quality(inputs.quality),
        "schedule": score_schedule(inputs.schedule),
        "experience": score_experience(inputs.experience_goals, inputs.satisfaction),
        "issues": score_issues(inputs.issues),
        "people": score_people(inputs.people),
        "engagement": score_engagement(inputs.engagement),
        "discovery": score_discovery(inputs.discovery),
        "data_freshness": None,
    }
    if inputs.phase == "live":
        scores["data_freshness"] = score_data_freshness(
            inputs.days_since_data, inputs.stale_after_days
        )
    return scores


def evaluate(
    inputs: CheckInputs,
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    thresholds: Thresholds = Thresholds(),
) -> CheckResult:
    """Score one partnership: components, renormalised weights, score, band and trend."""
    profile, ordered = _profile(inputs.phase, weights)
    scores = component_scores(inputs)
    present = {k: scores[k] for k in profile if scores.get(k) is not None}
    total_weight = sum(profile.values())
    covered = sum(profile[k] for k in present)
    stale = inputs.phase == "live" and is_stale(inputs.days_since_data, inputs.stale_after_days)

    components = []
    for key in ordered:
        if key not in present:
            continue
        component = present[key]
        effective = 100 * profile[key] / covered
        components.append(
            {
                "key": key,
                "label": COMPONENTS[key],
                "score": component.score,
                "weight": round(profile[key], 1),
                "effective_weight": round(effective, 1),
                "contribution": round(component.score * effective / 100, 1),
                "reason": component.reason,
                "measures": [m.as_dict() for m in component.measures],
            }
        )
    missing = [
        {
            "key": k,
            "label": COMPONENTS[k],
            "weight": round(profile[k], 1),
            "reason": MISSING_REASONS[k],
        }
        for k in ordered
        if k not in present
    ]

    enough = (
        total_weight > 0
        and len(present) >= MIN_COMPONENTS
        and covered / total_weight >= MIN_COVERAGE
    )
    score = None
    if enough:
        score = round(sum(present[k].score * profile[k] for k in present) / covered, 1)
    band = band_for(score, thresholds)
    if stale and band == "green":
        band = "amber"  # stale data never looks healthy
    return CheckResult(
        score=score,
        band=band,
        trend=trend_for(score, inputs.previous_score),
        components=components,
        missing=missing,
        stale=stale,
    )


# This module's own code: a change to the scoring rules changes every fingerprint.
_RULES_VERSION = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=8).hexdigest()


def inputs_digest(
    inputs: CheckInputs,
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    thresholds: Thresholds = Thresholds(),
) -> str:
    """A fingerprint of everything `evaluate` reads but the previous score (which only sets
    the trend): the inputs, the phase's weights, the thresholds and the scoring rules. Two
    checks with the same fingerprint have the same score, band, components and missing, so a
    sweep may copy an earlier snapshot's explanation instead of scoring and storing it again.
    The inputs must be built in a stable order (a different order only costs a re-score)."""
    profile, _ = _profile(inputs.phase, weights)
    encoded = orjson.dumps(
        (inputs, sorted(profile.items()), thresholds, _RULES_VERSION),
        default=_digest_fields,
        option=orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS,
    )
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def _digest_fields(value: Any) -> Any:
    """The fields of a value object, for `inputs_digest` (orjson writes the rest: a C encoder,
    where `repr()` of the nested dataclasses took most of a sweep's scoring time). The check's
    own previous score is left out; the class name goes in, so that two kinds of facts with
    the same fields never read the same."""
    if isinstance(value, CheckInputs):
        fields = {**vars(value)}
        del fields["previous_score"]
        return [type(value).__name__, fields]
    if is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, vars(value)]
    raise TypeError(f"{type(value).__name__} is not part of a check's inputs")


# --- Settings validation (shared by the API, the form and the service) -----------------------


def weights_problems(weights: Any) -> list[str]:
    """What is wrong with an organization's weights JSON (empty list: fine)."""
    if weights in (None, {}):
        return []
    if not isinstance(weights, dict):
        return ["Weights must be an object of phases."]
    problems = []
    for phase, profile in weights.items():
        if phase not in PHASES:
            problems.append(f"Unknown phase '{phase}' (use {', '.join(PHASES)}).")
            continue
        if not isinstance(profile, dict) or not profile:
            problems.append(f"The weights of {phase} must be an object of components.")
            continue
        for key, value in profile.items():
            if key not in COMPONENTS:
                problems.append(
                    f"Unknown component '{key}' in {phase} (use {', '.join(COMPONENTS)})."
                )
            elif isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(f"The weight of {key} in {phase} must be a number.")
            elif not 0 <= value <= 100:
                problems.append(f"The weight of {key} in {phase} must be between 0 and 100.")
        merged = weights_for(
            phase,
            {
                phase: {
                    k: v
                    for k, v in profile.items()
                    if k in COMPONENTS and isinstance(v, int | float) and not isinstance(v, bool)
                }
            },
        )
        if not any(v > 0 for v in merged.values()):
            problems.append(f"The weights of {phase} cannot all be zero.")
    return problems
