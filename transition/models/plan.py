"""The transition plan: templates, the plan of a partnership, its tasks and milestones, their
finish-to-start dependencies, the go/no-go decisions and the calendar feed keys.

Dates are calendar dates (see transition/schedule.py for the scheduling conventions).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from partnerships.models import PartnershipOwnedModel, PartnershipOwnedQuerySet, partnership_key
from tenancy.models import TenantModel, TenantQuerySet
from tenancy.validators import sane_date

MIN_LAG_DAYS = -60  # a lead: the successor may start before the predecessor finishes
MAX_LAG_DAYS = 365


class Phase(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    BUILD = "build", "Build"
    TRAINING = "training", "Training"
    PARALLEL_RUN = "parallel_run", "Parallel run"
    GO_LIVE = "go_live", "Go-live"
    HYPERCARE = "hypercare", "Hypercare"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"


OPEN_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)


class PlanTemplate(TenantModel):
    """A plan an organization saved for reuse. `tasks` holds the template format documented
    in transition/templates_default.py (keys, phases, durations, offsets from go-live, and
    dependencies by key); it is validated by the service that writes it. The template shipped
    with Switchboard lives in code, not in this table."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    tasks = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_partnership = models.ForeignKey(
        "partnerships.Partnership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partnership whose plan this template was saved from.",
    )

    # What people change after saving it (its tasks are written whole, from a plan or a file).
    EDITABLE_FIELDS = ("name", "description")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="plan_template_unique_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def task_count(self) -> int:
        return len(self.tasks or [])


class TransitionPlan(PartnershipOwnedModel):
    """The one transition plan of a partnership, laid out from a template around go-live."""

    partnership = models.OneToOneField(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="transition_plan"
    )
    template_name = models.CharField(max_length=200, blank=True)
    go_live = models.DateField(
        help_text="The go-live date the template was laid out from.", validators=[sane_date]
    )
    go_live_task = models.ForeignKey(
        "transition.PlanTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The milestone whose forecast is the plan's go-live.",
    )
    baselined_at = models.DateTimeField(null=True, blank=True)
    baselined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["organization", "partnership"])]

    def __str__(self) -> str:
        return f"Transition plan · {self.partnership}"


class PlanTaskQuerySet(PartnershipOwnedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class PlanTask(PartnershipOwnedModel):
    """A task or milestone of a plan. `start`/`due` are the current (forecast) dates people
    enter; `baseline_*` are frozen when the plan is baselined."""

    partnership = partnership_key(related_name="transition_tasks")
    plan = models.ForeignKey(TransitionPlan, on_delete=models.CASCADE, related_name="tasks")
    key = models.SlugField(
        max_length=64, blank=True, help_text="Stable key from the template, if it came from one."
    )
    phase = models.CharField(max_length=16, choices=Phase.choices)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transition_tasks",
        help_text="A provider member of the organization.",
    )
    start = models.DateField(validators=[sane_date])
    due = models.DateField(validators=[sane_date])
    estimate_hours = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    status = models.CharField(
        max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    is_milestone = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    baseline_start = models.DateField(null=True, blank=True, validators=[sane_date])
    baseline_due = models.DateField(null=True, blank=True, validators=[sane_date])
    completed_at = models.DateTimeField(null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    # A task generated from a culture adaptation (training, script, language coverage,
    # staffing, protocol) names it by id: culture is another app of the same layer, so no
    # foreign key (transition reads it through `culture.selectors`). `services.plan_sync_culture`
    # keeps these tasks in step with the partnership's adaptations.
    culture_adaptation_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    culture_sync_flag = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="Why the culture sync kept this task although its adaptation is gone.",
    )

    objects = PlanTaskQuerySet.as_manager()

    # What people enter and change (the service, the form and the API input use this list).
    EDITABLE_FIELDS = (
        "phase",
        "title",
        "owner",
        "start",
        "due",
        "estimate_hours",
        "status",
        "is_milestone",
        "notes",
    )

    class Meta:
        ordering = ["start", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due__gte=F("start")), name="plan_task_due_gte_start"
            ),
            models.CheckConstraint(
                condition=Q(is_milestone=False) | Q(due=F("start")),
                name="plan_task_milestone_is_one_day",
            ),
            models.UniqueConstraint(
                fields=["organization", "plan", "key"],
                condition=~Q(key=""),
                name="plan_task_unique_key_per_plan",
            ),
            models.UniqueConstraint(
                fields=["organization", "plan", "culture_adaptation_id"],
                condition=Q(culture_adaptation_id__isnull=False),
                name="plan_task_one_per_adaptation",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "partnership", "start"]),
            models.Index(fields=["organization", "owner", "status", "due"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_days(self) -> int:
        """Calendar days, start and due included; 0 for a milestone."""
        return 0 if self.is_milestone else (self.due - self.start).days + 1

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE

    @property
    def from_culture(self) -> bool:
        return self.culture_adaptation_id is not None

    def is_overdue(self, today: datetime.date, *, due: datetime.date | None = None) -> bool:
        """Not done, and the day it is due has passed: `due` when the caller knows when the
        schedule forecasts it (its predecessors may push it later), else the date entered."""
        return not self.is_done and (due or self.due) < today

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.start and self.due and self.due < self.start:
            errors["due"] = "The due date cannot be before the start date."
        if self.is_milestone and self.start and self.due and self.start != self.due:
            errors["due"] = "A milestone happens on one day: its due date is its start date."
        if self.partnership_id and self.plan_id and self.plan.partnership_id != self.partnership_id:
            errors["plan"] = "The plan belongs to another partnership."
        if (
            self.organization_id
            and self.partnership_id
            and self.partnership.organization_id != self.organization_id
        ):
            errors["partnership"] = "The partnership belongs to another organization."
        if errors:
            raise ValidationError(errors)


class TaskDependency(PartnershipOwnedModel):
    """Finish-to-start: the successor starts no earlier than the predecessor's finish plus
    `lag_days` (negative lag is a lead)."""

    predecessor = models.ForeignKey(
        PlanTask, on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        PlanTask, on_delete=models.CASCADE, related_name="predecessor_links"
    )
    lag_days = models.IntegerField(
        default=0, validators=[MinValueValidator(MIN_LAG_DAYS), MaxValueValidator(MAX_LAG_DAYS)]
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "predecessor", "successor"],
                name="task_dependency_unique_pair",
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")), name="task_dependency_not_self"
            ),
        ]
        indexes = [models.Index(fields=["organization", "partnership"])]

    def __str__(self) -> str:
        lag = f" +{self.lag_days}d" if self.lag_days else ""
        return f"{self.predecessor_id} → {self.successor_id}{lag}"


class Decision(models.TextChoices):
    GO = "go", "Go"
    GO_WITH_CONDITIONS = "go_with_conditions", "Go with conditions"
    NO_GO = "no_go", "No go"


class GoNoGoDecision(PartnershipOwnedModel):
    """A recorded go/no-go decision: who decided, why, and what the readiness checklist said
    at that moment (so the record stands even after the plan changes)."""

    partnership = partnership_key(related_name="go_no_go_decisions")
    decision = models.CharField(max_length=24, choices=Decision.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    readiness = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "partnership", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.partnership_id}"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeedKeyQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class CalendarFeedKey(TenantModel):
    """A secret in the URL of one member's iCalendar feed of due dates.

    Calendar applications cannot send headers, so the feed accepts this key in its URL. It
    opens that one feed, in that one organization, and nothing else; only its hash is stored.
    """

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_keys"
    )
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "user"])]

    def __str__(self) -> str:
        return f"Calendar feed {self.prefix}…"

    @staticmethod
    def hash_key(raw: str) -> str:
        return _hash(raw)

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(30)
