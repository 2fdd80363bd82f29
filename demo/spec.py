"""The shape of the demo data: one `ClientSpec` per demo client (demo/data/<client>.py), held
by an `OrganizationSpec`. `demo/loader.py` walks these structures and writes them through the
project's services.

Most records name their fields after the keywords of the service that creates them, so the
loader passes them on as they are; a field left at its default is not passed (the service's
default applies). Dates (`day()`) are whole days relative to the organization's today
(negative: in the past); amounts (`amount()`) are written as text and become Decimals. Who does
something is named by role on the partnership (`Who`): its account manager, its first
implementation PM, its client's executive, or the organization's admin — the loader stands in
the admin for anyone missing. A client's `health` (KPI series, issues, audits, touchpoints) is
loaded last, once the partnership has reached its status.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field
from typing import Any, Literal

Who = Literal["admin", "manager", "pm", "executive"]
CheckIn = tuple[int, int, str]  # (day, score 1-5, note)


def day(default: Any = MISSING) -> Any:
    """A date field, written as whole days from today."""
    return field(default=default, metadata={"day": True})


def amount(default: Any = MISSING) -> Any:
    """A decimal field, written as text ("7.8")."""
    return field(default=default, metadata={"amount": True})


# --- Organizations, people, clients and partnerships ---------------------------------------


@dataclass(frozen=True)
class PersonSpec:
    email: str
    full_name: str
    role: str
    # The Django admin is platform-wide (it is not scoped to one organization), so only the
    # demo platform operator gets it.
    is_superuser: bool = False


@dataclass(frozen=True)
class PartnershipSpec:
    name: str
    status: str  # reached by walking the status path, with `notes` for each move
    account_manager: str  # e-mail
    contract_start: int
    planned_go_live: int
    description: str
    internal_notes: str
    actual_go_live: int | None = None
    implementation_pms: tuple[str, ...] = ()  # e-mails
    notes: Mapping[str, str] = field(default_factory=dict)  # by the status moved to
    # An admin's reason for moving through a gate the seeded data does not meet (a
    # partnership whose discovery was signed on paper before Switchboard), by status.
    overrides: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClientSpec:
    """One demo client, its partnership and everything recorded about it."""

    name: str
    kind: str
    city: str
    state: str
    time_zone: str
    partnership: PartnershipSpec
    executives: tuple[PersonSpec, ...] = ()  # client-executive members of the provider
    culture: CultureSpec | None = None
    discovery: DiscoverySpec | None = None
    transition: TransitionSpec | None = None
    health: HealthSpec | None = None


@dataclass(frozen=True)
class OrganizationSpec:
    slug: str
    name: str
    time_zone: str
    admin: str  # e-mail of the person whose actor performs the writes
    people: tuple[PersonSpec, ...]  # provider members
    clients: tuple[ClientSpec, ...]

    def everyone(self) -> tuple[PersonSpec, ...]:
        return self.people + tuple(person for c in self.clients for person in c.executives)


# --- Culture (written by the account manager, signed off by the client's executive) --------


@dataclass(frozen=True)
class PopulationSpec:
    name: str
    share_of_volume: str = amount()  # % of the partnership's calls
    languages: Mapping[str, str]  # language code -> share %
    fields: Mapping[str, object]  # the rest, as `caller_population_create` takes them


@dataclass(frozen=True)
class AdaptationSpec:
    population: str
    kind: str
    title: str
    status: str
    owner: Who
    due_date: int | None = day()
    outcome_measure: str
    description: str = ""
    completed_on: int | None = day(None)  # for done ones
    language: str = ""
    internal_notes: str = ""


@dataclass(frozen=True)
class NurseSpec:
    name: str
    languages: tuple[str, ...]
    trainings: Mapping[str, int] = field(default_factory=dict)  # adaptation title -> day done
    is_active: bool = True


@dataclass(frozen=True)
class PreferenceSpec:
    physician: str
    specialty: str
    kind: str
    title: str
    versions: tuple[str, ...]
    signed: int  # how many of the versions the client signed off (in order)


@dataclass(frozen=True)
class CultureSpec:
    profile: Mapping[str, str]
    populations: tuple[PopulationSpec, ...]
    adaptations: tuple[AdaptationSpec, ...]
    nurses: tuple[NurseSpec, ...]
    preferences: tuple[PreferenceSpec, ...]
    # Population name -> one row per calendar month, oldest first, ending last month:
    # (responses, satisfied %, questions answered %).
    satisfaction: Mapping[str, tuple[tuple[int, str, str], ...]]


# --- Discovery -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceSpec:
    kind: str
    name: str
    monthly_volume: int
    hours: str = ""
    description: str = ""
    baselines: tuple[tuple[str, str], ...] = ()  # (KPI key, value) over the baseline period
    baseline_report: str | None = None  # name of the report the baselines come from


@dataclass(frozen=True)
class ReportSpec:
    file_name: str
    content: bytes
    name: str
    source_system: str
    findings: str = ""


@dataclass(frozen=True)
class VersionSpec:
    graph: dict
    note: str
    reviewed: bool = False  # by the discovery lead


@dataclass(frozen=True)
class CallFlowSpec:
    service: str  # service name
    name: str
    state: str
    versions: tuple[VersionSpec, ...]
    description: str = ""


@dataclass(frozen=True)
class SessionSpec:
    held_on: int = day()
    title: str
    attendees: str
    notes: str
    decisions: str


@dataclass(frozen=True)
class GoalSpec:
    statement: str
    kpi: str
    target: str = amount()
    priority: int
    service: str | None = None  # a service's name; None: the whole line


@dataclass(frozen=True)
class OpportunitySpec:
    by: Who
    title: str
    description: str
    service: str
    kpi: str
    expected_effect: str
    effort: str
    expected_value: str | None = amount(None)
    decision: tuple[str, str] | None = None  # (decision, note), by the client's executive


@dataclass(frozen=True)
class DiscoverySpec:
    """Services, reports, baselines and call flows are recorded by `inventory_by`; sessions,
    goals, call-flow reviews and the sign-off are the work of `led_by`."""

    inventory_by: Who
    led_by: Who
    services: tuple[ServiceSpec, ...]
    reports: tuple[ReportSpec, ...] = ()
    call_flows: tuple[CallFlowSpec, ...] = ()
    sessions: tuple[SessionSpec, ...] = ()
    goals: tuple[GoalSpec, ...] = ()
    goals_signed_off: str | None = None  # the client executive's note
    signed_off: str | None = None  # the lead's note; co-signed by the client's executive
    opportunities: tuple[OpportunitySpec, ...] = ()
    baseline_period: tuple[int, int] = (-120, -30)  # also the reports' period


def graph(
    nodes: tuple[tuple[str, str, str], ...], edges: tuple[tuple[str, ...], ...]
) -> dict[str, list[dict[str, str]]]:
    """A call-flow document from (key, kind, label) nodes and (source, target[, condition])
    edges."""
    return {
        "nodes": [{"key": key, "kind": kind, "label": label} for key, kind, label in nodes],
        "edges": [
            {"source": source, "target": target, "condition": condition}
            for source, target, condition in (edge + ("",) * (3 - len(edge)) for edge in edges)
        ],
    }


def revise(document: dict, *, nodes=(), edges=(), drop_edges=()) -> dict:
    """A copy of `document` with nodes and edges added (or replaced in place, by node key or
    by source and target) and edges dropped."""
    change = graph(nodes, edges)
    by_key = {node["key"]: node for node in document["nodes"] + change["nodes"]}
    pairs = {(e["source"], e["target"]): e for e in document["edges"] + change["edges"]}
    return {
        "nodes": list(by_key.values()),
        "edges": [edge for pair, edge in pairs.items() if pair not in drop_edges],
    }


def pdf(title: str) -> bytes:
    """A minimal well-formed PDF: enough for the content check and a viewer."""
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + f"% {title}\n".encode()
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


# --- Transition ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KnowledgeSpec:
    category: str
    title: str
    subject: str
    content: str
    captured_on: int = day()
    status: Literal["captured", "reviewed", "transferred"] = "captured"


@dataclass(frozen=True)
class StaffSpec:
    full_name: str
    role: str
    tenure_years: str = amount()
    work_email: str
    outcome: str
    outcome_status: str
    knowledge_areas: tuple[str, ...] = ()
    notice_date: int | None = day(None)
    last_day: int | None = day(None)
    recognition: str = ""
    support_offered: tuple[str, ...] = ()
    support_details: str = ""
    hr_notes: str = ""
    appointed_pm: bool = False  # the client's call-center manager, appointed implementation PM
    check_ins: tuple[CheckIn, ...] = ()  # one-to-ones with the account manager
    knowledge: tuple[KnowledgeSpec, ...] = ()  # captured from this person by the PM


@dataclass(frozen=True)
class GroupSpec:
    name: str
    headcount: int
    adkar_stage: str
    description: str = ""
    check_ins: tuple[CheckIn, ...] = ()


@dataclass(frozen=True)
class CommunicationSpec:
    audience: str
    message: str
    channel: str
    planned_on: int = day()
    owner: Who
    group: str | None = None  # stakeholder group name
    sent: bool = False  # on the planned day


TaskTest = Callable[..., bool]  # (task, today) -> bool


def due_before_today(task, today: datetime.date) -> bool:
    return task.due < today


def under_way(task, today: datetime.date) -> bool:
    return task.start <= today <= task.due


def in_phase(phase: str) -> TaskTest:
    return lambda task, today: task.phase == phase


def outside_phase(phase: str) -> TaskTest:
    return lambda task, today: task.phase != phase


@dataclass(frozen=True)
class TaskStatuses:
    """Set `status` at once on the plan's tasks that pass `when` or are named in `also`,
    except those named in `unless`."""

    status: str
    when: TaskTest | None = None
    also: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comment:
    by: Who
    body: str
    shared_with_client: bool = True


@dataclass(frozen=True)
class TaskEdit:
    """One template task's story: moved by `move` days, then its due date pushed by `extend`
    and its status set (dependants follow with `auto_schedule`), then comments."""

    key: str
    by: Who = "pm"
    move: int = 0
    extend: int = 0
    status: str | None = None
    auto_schedule: bool = False
    comments: tuple[Comment, ...] = ()


@dataclass(frozen=True)
class GoNoGo:
    by: Who
    decision: str
    rationale: str
    on_task: str = "go-no-go"  # recorded on that task's due date


@dataclass(frozen=True)
class TransitionSpec:
    """A plan laid out from the shipped template around the planned go-live and baselined at
    its kickoff, run by `run_by` (who stands as PM), then what happened to it (`story`, in
    order, after the people are recorded), and the people side of the transition."""

    site: str  # where the roster works
    task_owners: Mapping[str, Who]  # template task key -> owner; anyone else's: the PM
    roster: tuple[StaffSpec, ...]
    groups: tuple[GroupSpec, ...] = ()
    communications: tuple[CommunicationSpec, ...] = ()
    story: tuple[TaskStatuses | TaskEdit | GoNoGo, ...] = ()
    run_by: Who = "pm"


# --- Health (the live phase: KPIs, issues, audits, touchpoints) ------------------------------

Point = tuple[int, str]  # (day, value)


@dataclass(frozen=True)
class KpiSeries:
    """One KPI of one service (None: the whole line), one value a day as the telephony/ACD
    feed sends it: straight lines between `points` (oldest first; the series runs from the
    first point's day to the last one's), plus `weekly` extras by weekday (0 is Monday), plus
    deterministic noise of at most ±`noise`."""

    kpi: str  # the KPI's key in the catalog
    service: str | None
    points: tuple[Point, ...]
    noise: str = "0"
    weekly: Mapping[int, str] = field(default_factory=dict)
    weekdays_only: bool = False  # a daytime service: no figures on Saturdays and Sundays
    decimals: int = 1
    calls: int | None = None  # calls a day behind each value (its sample size)


def creep(start: str, end: str, *, since: int = -90, until: int = -1) -> tuple[Point, ...]:
    """A drift from `start` to `end` over the period (the last day is yesterday's)."""
    return ((since, start), (until, end))


def step(
    before: str, after: str, *, on: int, since: int = -90, until: int = -1
) -> tuple[Point, ...]:
    """A level that jumps from `before` to `after` on day `on` (a change that broke, or fixed,
    something overnight)."""
    return ((since, before), (on - 1, before), (on, after), (until, after))


@dataclass(frozen=True)
class IssueSpec:
    """An issue raised `opened` days ago (fractions are hours: 0.25 is 6 hours), then moved
    along `path`: (status, hours after it was opened), by its owner."""

    title: str
    severity: str
    description: str
    raised_by: Who
    opened: float
    owner: Who | None = None
    service: str | None = None
    path: tuple[tuple[str, float], ...] = ()
    resolution: str = ""
    internal_notes: str = ""


# The order of an audit's answers in `AuditSpec.answers`: the three critical items, then the
# compassion rubric (health.models.audits.COMPASSION_ITEMS).
AUDIT_ITEMS = (
    "guideline_correct",
    "disposition_correct",
    "documentation_complete",
    "introduction",
    "empathy",
    "plain_language",
    "teach_back",
    "safety_net",
    "respectful_closing",
)
AUDIT_ANSWERS = {"y": "yes", "n": "no", "-": "na"}


@dataclass(frozen=True)
class AuditSpec:
    """A QA nurse's audit of one triage call. `answers`: one letter per item of
    `AUDIT_ITEMS` — y (yes), n (no), - (not applicable)."""

    call_reference: str
    call_date: int
    auditor: str  # e-mail of the QA nurse
    answers: str = "yyyyyyyyy"
    service: str | None = None
    triage_error: str = "none"
    red_flag_missed: bool = False
    notes: str = ""


# Compassion rubrics a QA nurse commonly scores, cycled through by `routine_audits`: all
# there; no teach-back; an empathy statement not called for (a clinician calling); plain
# language not checked (an interpreter call); no safety-net advice.
ROUTINE_ANSWERS = ("yyyyyyyyy", "yyyyyynyy", "yyyy-yyyy", "yyyyyyyyy", "yyyyy-yyy", "yyyyyyyny")


def routine_audits(
    prefix: str,
    *,
    services: tuple[str, ...],
    auditors: tuple[str, ...],
    since: int = -88,
    every: int = 5,
    until: int = -1,
) -> tuple[AuditSpec, ...]:
    """Audits of calls that went right (protocol, disposition and documentation correct),
    one every `every` days, the services and QA nurses taking turns; the compassion rubric
    varies as it does on real calls."""
    return tuple(
        AuditSpec(
            call_reference=f"{prefix}-{-day:03d}",
            call_date=day,
            auditor=auditors[n % len(auditors)],
            answers=ROUTINE_ANSWERS[n % len(ROUTINE_ANSWERS)],
            service=services[n % len(services)],
        )
        for n, day in enumerate(range(since, until + 1, every))
    )


@dataclass(frozen=True)
class FollowUpSpec:
    action: str
    owner: Who
    due: int
    done: bool = False  # done on its due day


@dataclass(frozen=True)
class TouchpointSpec:
    date: int
    kind: str
    attendees: str
    notes: str
    follow_ups: tuple[FollowUpSpec, ...] = ()


@dataclass(frozen=True)
class HealthSpec:
    """A partnership's life after go-live (or its parallel run): 90 days of KPI figures sent
    by the telephony/ACD feed, the issue log, call-quality audits by the provider's QA nurses
    and the account manager's touchpoints with the client."""

    kpis: tuple[KpiSeries, ...] = ()
    issues: tuple[IssueSpec, ...] = ()
    audits: tuple[AuditSpec, ...] = ()
    touchpoints: tuple[TouchpointSpec, ...] = ()
