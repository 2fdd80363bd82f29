"""Plan templates: their format, its validation, and the template shipped with Switchboard.

A template is a list of tasks laid out **relative to go-live** in calendar days:

- `key`: a slug unique in the template; dependencies name tasks by key.
- `phase`: one of discovery, build, training, parallel_run, go_live, hypercare.
- `title`, `notes`, `estimate` (hours, optional).
- `duration`: calendar days the task takes (start and due included); 0 for a milestone.
- `offset`: the task's start, in days from go-live (negative before it).
- `milestone`: a zero-length marker; `go_live`: the one milestone whose date is the go-live.
- `depends_on`: finish-to-start links `{"key": …, "lag": days}` on earlier tasks.

Organizations store their own templates in the same format (`PlanTemplate.tasks`, as JSON);
the shipped one lives here in code so that every organization has it and it improves with
the product. Its offsets equal the earliest schedule its dependencies allow with go-live at
offset 0 (a test keeps that true), so a new plan starts without conflicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from transition import schedule
from transition.models import MAX_LAG_DAYS, MIN_LAG_DAYS, Phase

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_TEMPLATE_TASKS = 500
MAX_OFFSET_DAYS = 3 * 365


@dataclass(frozen=True)
class D:
    """A finish-to-start dependency on the task with `key`, `lag` days after it finishes."""

    key: str
    lag: int = 0


@dataclass(frozen=True)
class T:
    """One task of a template (see the module docstring for the fields)."""

    key: str
    phase: str
    title: str
    duration: int
    offset: int
    estimate: float | None = None
    milestone: bool = False
    go_live: bool = False
    notes: str = ""
    depends_on: tuple[D, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "phase": str(self.phase),
            "title": self.title,
            "duration": self.duration,
            "offset": self.offset,
            "estimate": self.estimate,
            "milestone": self.milestone,
            "go_live": self.go_live,
            "notes": self.notes,
            "depends_on": [{"key": d.key, "lag": d.lag} for d in self.depends_on],
        }


class TemplateError(ValueError):
    """The template breaks a rule; the message names the task (by position and key)."""


def _int(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TemplateError(f"{what} must be a whole number of days.")
    if not low <= value <= high:
        raise TemplateError(f"{what} must be between {low} and {high}.")
    return value


def parse_template(raw: Any) -> list[T]:
    """Validate a template in its JSON form and return its tasks; raises TemplateError."""
    if not isinstance(raw, list) or not raw:
        raise TemplateError("A template is a non-empty list of tasks.")
    if len(raw) > MAX_TEMPLATE_TASKS:
        raise TemplateError(f"A template has at most {MAX_TEMPLATE_TASKS} tasks.")
    tasks: list[T] = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise TemplateError(f"Task {position} is not an object.")
        key = item.get("key")
        where = f"Task {position} ({key})" if key else f"Task {position}"
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise TemplateError(f"{where}: the key must be a slug (a-z, 0-9, -).")
        if key in seen:
            raise TemplateError(f"{where}: the key is used twice.")
        seen.add(key)
        if item.get("phase") not in Phase.values:
            raise TemplateError(f"{where}: the phase must be one of {', '.join(Phase.values)}.")
        title = item.get("title")
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            raise TemplateError(f"{where}: the title must have 1 to 200 characters.")
        milestone = bool(item.get("milestone", False))
        duration = _int(item.get("duration"), f"{where}: the duration", 0, MAX_OFFSET_DAYS)
        if milestone and duration != 0:
            raise TemplateError(f"{where}: a milestone has a duration of 0.")
        if not milestone and duration < 1:
            raise TemplateError(f"{where}: a task lasts at least 1 day.")
        offset = _int(item.get("offset"), f"{where}: the offset", -MAX_OFFSET_DAYS, MAX_OFFSET_DAYS)
        estimate = item.get("estimate")
        if estimate is not None and (
            isinstance(estimate, bool) or not isinstance(estimate, int | float) or estimate < 0
        ):
            raise TemplateError(f"{where}: the estimate must be a number of hours.")
        depends_on = []
        for link in item.get("depends_on") or []:
            if not isinstance(link, dict) or not isinstance(link.get("key"), str):
                raise TemplateError(f"{where}: each dependency names a task key.")
            lag = _int(link.get("lag", 0), f"{where}: the lag", MIN_LAG_DAYS, MAX_LAG_DAYS)
            depends_on.append(D(link["key"], lag))
        notes = item.get("notes") or ""
        if not isinstance(notes, str):
            raise TemplateError(f"{where}: the notes must be text.")
        tasks.append(
            T(
                key=key,
                phase=item["phase"],
                title=title.strip(),
                duration=duration,
                offset=offset,
                estimate=estimate,
                milestone=milestone,
                go_live=bool(item.get("go_live", False)),
                notes=notes,
                depends_on=tuple(depends_on),
            )
        )
    check_template(tasks)
    return tasks


def check_template(tasks: list[T]) -> None:
    """Rules across tasks: known dependency keys, one go-live milestone at most, no cycles."""
    keys = {task.key: index for index, task in enumerate(tasks)}
    edges = []
    for task in tasks:
        for link in task.depends_on:
            if link.key not in keys:
                raise TemplateError(f"Task {task.key} depends on an unknown task {link.key}.")
            edges.append(schedule.Edge(keys[link.key], keys[task.key], link.lag))
    go_lives = [task.key for task in tasks if task.go_live]
    if len(go_lives) > 1:
        raise TemplateError(f"Only one task can be the go-live ({', '.join(go_lives)}).")
    if go_lives and not tasks[keys[go_lives[0]]].milestone:
        raise TemplateError(f"The go-live task {go_lives[0]} must be a milestone.")
    loop = schedule.find_cycle(range(len(tasks)), edges)
    if loop:
        names = " → ".join(tasks[index].key for index in loop)
        raise TemplateError(f"The dependencies make a cycle: {names}.")


NURSE_TRIAGE_TEMPLATE_NAME = "Nurse-triage transition (Switchboard standard)"
NURSE_TRIAGE_TEMPLATE_DESCRIPTION = (
    "Eleven weeks from kick-off to go-live, then three weeks of hypercare: discovery, build "
    "(telephony, protocols, physician preferences, EHR reports), training, a two-week "
    "parallel run, the go/no-go decision and the telephony cut-over. The tasks for the "
    "client's caller populations come from the partnership's adaptations (culture tab)."
)

NURSE_TRIAGE_TEMPLATE: tuple[T, ...] = (
    T(
        "kickoff",
        Phase.DISCOVERY,
        "Transition kick-off with client leadership and the account manager",
        duration=1,
        offset=-77,
        estimate=6,
    ),
    T(
        "service-inventory",
        Phase.DISCOVERY,
        "Inventory the services the current center delivers (volumes, hours, baseline KPIs)",
        duration=15,
        offset=-76,
        estimate=24,
        depends_on=(D("kickoff"),),
    ),
    T(
        "call-flow-review",
        Phase.DISCOVERY,
        "Review current call flows, IVR menus and call reports",
        duration=15,
        offset=-76,
        estimate=20,
        depends_on=(D("kickoff"),),
    ),
    T(
        "protocol-gap-analysis",
        Phase.DISCOVERY,
        "Compare the client's protocols and standing orders with the provider's guidelines",
        duration=8,
        offset=-74,
        estimate=16,
        depends_on=(D("kickoff", 2),),
    ),
    T(
        "staff-roster",
        Phase.DISCOVERY,
        "Collect the staff roster, roles and knowledge areas from the client",
        duration=5,
        offset=-76,
        estimate=6,
        depends_on=(D("kickoff"),),
    ),
    T(
        "patient-experience-session",
        Phase.DISCOVERY,
        "Desired patient experience session with the client",
        duration=1,
        offset=-58,
        estimate=8,
        depends_on=(
            D("service-inventory", 3),
            D("call-flow-review", 3),
        ),
    ),
    T(
        "discovery-signoff",
        Phase.DISCOVERY,
        "Discovery signed off by the client",
        duration=0,
        offset=-55,
        estimate=0,
        milestone=True,
        depends_on=(
            D("patient-experience-session", 2),
            D("protocol-gap-analysis"),
        ),
    ),
    T(
        "telephony-design",
        Phase.BUILD,
        "Design telephony routing, IVR changes and the after-hours cut-over",
        duration=5,
        offset=-55,
        estimate=16,
        depends_on=(D("discovery-signoff"),),
    ),
    T(
        "telephony-build",
        Phase.BUILD,
        "Build and test carrier routing, IVR and failover",
        duration=20,
        offset=-50,
        estimate=40,
        depends_on=(D("telephony-design"),),
    ),
    T(
        "protocol-configuration",
        Phase.BUILD,
        "Configure triage protocols and client-specific dispositions",
        duration=20,
        offset=-55,
        estimate=40,
        depends_on=(D("discovery-signoff"),),
    ),
    T(
        "physician-preferences",
        Phase.BUILD,
        "Load physician preferences, on-call schedules and escalation rules",
        duration=15,
        offset=-50,
        estimate=30,
        depends_on=(D("discovery-signoff", 5),),
    ),
    T(
        "standing-orders",
        Phase.BUILD,
        "Load standing orders and clinic procedures",
        duration=10,
        offset=-35,
        estimate=20,
        depends_on=(D("protocol-configuration"),),
    ),
    T(
        "ehr-integration",
        Phase.BUILD,
        "Set up encounter report delivery to the client's EHR",
        duration=30,
        offset=-55,
        estimate=40,
        depends_on=(D("discovery-signoff"),),
    ),
    T(
        "scripts",
        Phase.BUILD,
        "Write greetings and scripts",
        duration=8,
        offset=-52,
        estimate=16,
        depends_on=(D("discovery-signoff", 3),),
    ),
    T(
        "staffing-plan",
        Phase.BUILD,
        "Staffing and scheduling plan from historical call volumes",
        duration=5,
        offset=-55,
        estimate=12,
        depends_on=(D("discovery-signoff"),),
    ),
    T(
        "offer-positions",
        Phase.BUILD,
        "Offer provider positions to interested client nurses",
        duration=15,
        offset=-50,
        estimate=12,
        depends_on=(
            D("staffing-plan"),
            D("staff-roster"),
        ),
    ),
    T(
        "knowledge-interviews",
        Phase.BUILD,
        "Knowledge-capture interviews with experienced client staff",
        duration=15,
        offset=-66,
        estimate=30,
        depends_on=(D("staff-roster", 5),),
    ),
    T(
        "build-complete",
        Phase.BUILD,
        "Build complete",
        duration=0,
        offset=-25,
        estimate=0,
        milestone=True,
        depends_on=(
            D("telephony-build"),
            D("standing-orders"),
            D("physician-preferences"),
            D("ehr-integration"),
            D("scripts"),
        ),
    ),
    T(
        "training-curriculum",
        Phase.TRAINING,
        "Build the training curriculum from client protocols and caller populations",
        duration=10,
        offset=-35,
        estimate=24,
        depends_on=(
            D("protocol-configuration"),
            D("scripts"),
        ),
    ),
    T(
        "train-general",
        Phase.TRAINING,
        "Nurse training: client protocols, physician preferences and systems",
        duration=5,
        offset=-25,
        estimate=80,
        depends_on=(
            D("training-curriculum"),
            D("physician-preferences"),
        ),
    ),
    T(
        "escalation-drills",
        Phase.TRAINING,
        "Emergency escalation and on-call paging drills",
        duration=2,
        offset=-20,
        estimate=16,
        depends_on=(
            D("train-general"),
            D("telephony-build"),
        ),
    ),
    T(
        "training-signoff",
        Phase.TRAINING,
        "Training complete and competencies signed off",
        duration=0,
        offset=-18,
        estimate=0,
        milestone=True,
        depends_on=(D("escalation-drills"),),
    ),
    T(
        "knowledge-transfer",
        Phase.TRAINING,
        "Review captured knowledge and transfer it to the provider's knowledge base",
        duration=5,
        offset=-51,
        estimate=16,
        depends_on=(D("knowledge-interviews"),),
    ),
    T(
        "acceptance-testing",
        Phase.PARALLEL_RUN,
        "End-to-end test calls with the client (acceptance testing)",
        duration=3,
        offset=-25,
        estimate=16,
        depends_on=(D("build-complete"),),
    ),
    T(
        "parallel-run",
        Phase.PARALLEL_RUN,
        "Parallel run: the provider takes calls alongside the internal line",
        duration=14,
        offset=-18,
        estimate=60,
        depends_on=(
            D("acceptance-testing"),
            D("training-signoff"),
        ),
    ),
    T(
        "parallel-run-review",
        Phase.PARALLEL_RUN,
        "Compare parallel-run quality with the discovery baselines",
        duration=2,
        offset=-4,
        estimate=8,
        depends_on=(D("parallel-run"),),
    ),
    T(
        "staff-outcomes-communicated",
        Phase.BUILD,
        "Communicate staff outcomes, notice and last days (at least 60 days before last days)",
        duration=2,
        offset=-50,
        estimate=12,
        depends_on=(
            D("staffing-plan"),
            D("staff-roster"),
        ),
    ),
    T(
        "cutover-rehearsal",
        Phase.PARALLEL_RUN,
        "Cut-over rehearsal and rollback test",
        duration=1,
        offset=-4,
        estimate=6,
        depends_on=(D("parallel-run"),),
    ),
    T(
        "go-no-go",
        Phase.PARALLEL_RUN,
        "Go/no-go decision",
        duration=0,
        offset=-2,
        estimate=0,
        milestone=True,
        depends_on=(
            D("parallel-run-review"),
            D("cutover-rehearsal"),
            D("knowledge-transfer"),
            D("staff-outcomes-communicated"),
        ),
    ),
    T(
        "clinic-briefing",
        Phase.GO_LIVE,
        "Brief clinics and physician offices on the go-live",
        duration=1,
        offset=-2,
        estimate=4,
        depends_on=(D("go-no-go"),),
    ),
    T(
        "recognition",
        Phase.GO_LIVE,
        "Recognition event honouring the internal triage team's work",
        duration=1,
        offset=-2,
        estimate=4,
        depends_on=(D("go-no-go"),),
    ),
    T(
        "telephony-cutover",
        Phase.GO_LIVE,
        "Telephony cut-over: route the line to the provider",
        duration=1,
        offset=-1,
        estimate=8,
        depends_on=(D("go-no-go", 1),),
    ),
    T(
        "go-live",
        Phase.GO_LIVE,
        "Go-live",
        duration=0,
        offset=0,
        estimate=0,
        milestone=True,
        go_live=True,
        depends_on=(
            D("telephony-cutover"),
            D("clinic-briefing"),
        ),
    ),
    T(
        "command-center",
        Phase.HYPERCARE,
        "Hypercare command center: daily huddles with the client",
        duration=14,
        offset=0,
        estimate=28,
        depends_on=(D("go-live"),),
    ),
    T(
        "daily-qa",
        Phase.HYPERCARE,
        "Daily QA of triage calls (guideline selection, disposition, compassion)",
        duration=14,
        offset=0,
        estimate=42,
        depends_on=(D("go-live"),),
    ),
    T(
        "kpi-review",
        Phase.HYPERCARE,
        "First-week KPI review against discovery baselines",
        duration=1,
        offset=7,
        estimate=4,
        depends_on=(D("go-live", 7),),
    ),
    T(
        "issue-burn-down",
        Phase.HYPERCARE,
        "Resolve hypercare issues within their SLA",
        duration=21,
        offset=0,
        estimate=30,
        depends_on=(D("go-live"),),
    ),
    T(
        "hypercare-exit",
        Phase.HYPERCARE,
        "Hypercare exit and hand-over to account management",
        duration=0,
        offset=21,
        estimate=0,
        milestone=True,
        depends_on=(
            D("command-center"),
            D("daily-qa"),
            D("issue-burn-down"),
            D("kpi-review"),
        ),
    ),
    T(
        "lessons-learned",
        Phase.HYPERCARE,
        "Lessons-learned review with the client",
        duration=1,
        offset=23,
        estimate=6,
        depends_on=(D("hypercare-exit", 2),),
    ),
)


def default_template_json() -> list[dict[str, Any]]:
    return [task.as_json() for task in NURSE_TRIAGE_TEMPLATE]


# --- Tasks from the partnership's culture ------------------------------------------------
#
# No template names a caller population: the populations and what the provider changes for
# them are the partnership's (its culture tab's adaptations), and `services.plan_sync_culture`
# gives each adaptation a task in the workstream of its kind, between the workstream's task
# (`after`) and its milestone (`before`). `offset` (days from go-live) places it in a plan
# that has no `after` task (one laid out from an organization's own template).


@dataclass(frozen=True)
class Workstream:
    phase: str
    prefix: str
    after: str
    before: str
    duration: int
    estimate: float
    offset: int


CULTURE_WORKSTREAMS: dict[str, Workstream] = {
    # keys: culture's AdaptationKind values (tests/transition/test_culture_tasks.py checks)
    "training": Workstream(
        Phase.TRAINING, "Nurse training", "train-general", "training-signoff", 2, 24, -20
    ),
    "script": Workstream(Phase.BUILD, "Script", "scripts", "build-complete", 3, 8, -44),
    "language_coverage": Workstream(
        Phase.BUILD, "Language coverage", "staffing-plan", "training-signoff", 15, 20, -50
    ),
    "staffing": Workstream(Phase.BUILD, "Staffing", "staffing-plan", "build-complete", 10, 12, -50),
    "protocol": Workstream(
        Phase.BUILD, "Protocol", "protocol-configuration", "build-complete", 5, 10, -35
    ),
}
