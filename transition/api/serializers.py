"""Transition API serializers: input serializers validate shapes and resolve ids through the
access policy; output serializers render, hiding HR-sensitive fields from those who may not
see them (`hr_visible` in the context: `Action.VIEW_HR` on the partnership)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import User
from partnerships import selectors as partnership_selectors
from partnerships.api.serializers import EditsFields, UserSummarySerializer
from tenancy import access
from transition.imports import MAX_IMPORT_BYTES, TOO_LARGE
from transition.models import (
    MAX_LAG_DAYS,
    MIN_LAG_DAYS,
    AdkarStage,
    Channel,
    CommunicationItem,
    Decision,
    GoNoGoDecision,
    KnowledgeCategory,
    KnowledgeItem,
    Outcome,
    OutcomeStatus,
    Phase,
    PlanTask,
    PlanTemplate,
    SentimentCheckIn,
    StaffMember,
    StaffRole,
    StakeholderGroup,
    Support,
    TaskStatus,
)


def _membership(serializer):
    return serializer.context.get("membership")


def _partnership(serializer):
    return serializer.context.get("partnership")


# Named choice sets, so the schema's enums get stable names (see ENUM_NAME_OVERRIDES).
READINESS_STATES = [
    ("done", "Done"),
    ("open", "Open"),
    ("not_available", "Not available"),
]
COVERAGE_STATES = [("red", "Red"), ("amber", "Amber"), ("green", "Green")]
APPOINTMENT_STATES = [("assigned", "Assigned"), ("invited", "Invited")]


class ScopedInputSerializer(serializers.Serializer):
    """Input whose related-object choices come from the access policy, cut to the
    partnership in the context (so another tenant's id is simply "not found")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        membership, partnership = _membership(self), _partnership(self)
        if membership is not None:
            self.scope_fields(membership, partnership)

    def scope_fields(self, membership, partnership) -> None:  # pragma: no cover - hook
        pass


# --- Templates -------------------------------------------------------------------------


class TemplateDependencySerializer(serializers.Serializer):
    key = serializers.CharField()
    lag = serializers.IntegerField()


class TemplateTaskSerializer(serializers.Serializer):
    key = serializers.CharField()
    phase = serializers.ChoiceField(choices=Phase.choices)
    title = serializers.CharField()
    duration = serializers.IntegerField(help_text="Calendar days; 0 for a milestone.")
    offset = serializers.IntegerField(help_text="Start, in days from go-live (negative before).")
    estimate = serializers.FloatField(allow_null=True, required=False)
    milestone = serializers.BooleanField(default=False)
    go_live = serializers.BooleanField(default=False)
    notes = serializers.CharField(allow_blank=True, required=False)
    depends_on = TemplateDependencySerializer(many=True, required=False)


class PlanTemplateSerializer(serializers.ModelSerializer):
    task_count = serializers.IntegerField(read_only=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = PlanTemplate
        fields = [
            "id",
            "name",
            "description",
            "task_count",
            "source_partnership",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanTemplateDetailSerializer(PlanTemplateSerializer):
    tasks = TemplateTaskSerializer(many=True, read_only=True)

    class Meta(PlanTemplateSerializer.Meta):
        fields = [*PlanTemplateSerializer.Meta.fields, "tasks"]
        read_only_fields = fields


class BuiltinTemplateSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    task_count = serializers.IntegerField()
    tasks = TemplateTaskSerializer(many=True)


class PlanTemplateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    tasks = serializers.JSONField(help_text="Tasks in the template format (see `builtin`).")


class PlanTemplateUpdateSerializer(EditsFields, serializers.Serializer):
    model = PlanTemplate
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


# --- Plan ------------------------------------------------------------------------------


class PlanCreateSerializer(ScopedInputSerializer):
    template = serializers.PrimaryKeyRelatedField(
        queryset=PlanTemplate.objects.none(),
        required=False,
        allow_null=True,
        help_text="One of the organization's templates; leave out for the shipped template.",
    )
    go_live = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Defaults to the partnership's planned go-live.",
    )

    def scope_fields(self, membership, partnership) -> None:
        self.fields["template"].queryset = access.visible(membership, PlanTemplate)


class PlanBaselineInputSerializer(serializers.Serializer):
    replace = serializers.BooleanField(
        default=False, help_text="Required to replace an existing baseline (re-baseline)."
    )


class SaveAsTemplateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class GoLiveForecastSerializer(serializers.Serializer):
    task = serializers.IntegerField(allow_null=True)
    planned = serializers.DateField(allow_null=True)
    baseline = serializers.DateField(allow_null=True)
    forecast = serializers.DateField(allow_null=True)
    slip_days = serializers.IntegerField(allow_null=True)
    days_past_planned = serializers.IntegerField(allow_null=True)


class PlanMilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    baseline_due = serializers.DateField(allow_null=True)
    forecast_due = serializers.DateField()
    slip_days = serializers.IntegerField(allow_null=True)
    critical = serializers.BooleanField()


class StaffSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class PlanSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    partnership = serializers.IntegerField()
    template_name = serializers.CharField()
    go_live_anchor = serializers.DateField()
    baselined_at = serializers.DateTimeField(allow_null=True)
    baselined_by = StaffSummarySerializer(allow_null=True)
    task_count = serializers.IntegerField()
    done_count = serializers.IntegerField()
    project_start = serializers.DateField(allow_null=True)
    project_finish = serializers.DateField(allow_null=True)
    go_live = GoLiveForecastSerializer()
    milestones = PlanMilestoneSerializer(many=True)
    conflict_count = serializers.IntegerField()
    calendar_note = serializers.CharField()
    created_at = serializers.DateTimeField()


class TaskDependencySerializer(serializers.Serializer):
    predecessor = serializers.IntegerField()
    lag_days = serializers.IntegerField()


class ScheduleConflictSerializer(serializers.Serializer):
    predecessor = serializers.IntegerField()
    predecessor_title = serializers.CharField()
    successor = serializers.IntegerField()
    successor_title = serializers.CharField()
    lag_days = serializers.IntegerField()
    current_start = serializers.DateField()
    required_start = serializers.DateField()
    days = serializers.IntegerField(help_text="How many days too early the successor starts.")


class GanttRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    phase = serializers.ChoiceField(choices=Phase.choices)
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    is_milestone = serializers.BooleanField()
    owner = UserSummarySerializer(allow_null=True)
    start = serializers.DateField()
    due = serializers.DateField()
    forecast_start = serializers.DateField()
    forecast_due = serializers.DateField()
    baseline_start = serializers.DateField(allow_null=True)
    baseline_due = serializers.DateField(allow_null=True)
    slip_days = serializers.IntegerField(allow_null=True)
    total_float_days = serializers.IntegerField()
    critical = serializers.BooleanField()
    conflict = serializers.BooleanField()
    estimate_hours = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    dependencies = TaskDependencySerializer(many=True)


class GanttSerializer(serializers.Serializer):
    summary = PlanSummarySerializer()
    tasks = GanttRowSerializer(many=True)
    conflicts = ScheduleConflictSerializer(many=True)


class CriticalPathStepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    is_milestone = serializers.BooleanField()
    forecast_start = serializers.DateField()
    forecast_due = serializers.DateField()


class TaskTimingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    early_start = serializers.DateField()
    early_finish = serializers.DateField()
    late_start = serializers.DateField()
    late_finish = serializers.DateField()
    total_float_days = serializers.IntegerField()
    critical = serializers.BooleanField()


class CriticalPathSerializer(serializers.Serializer):
    project_start = serializers.DateField(allow_null=True)
    project_finish = serializers.DateField(allow_null=True)
    critical_task_ids = serializers.ListField(child=serializers.IntegerField())
    path = CriticalPathStepSerializer(many=True)
    tasks = TaskTimingSerializer(many=True)
    conflicts = ScheduleConflictSerializer(many=True)
    calendar_note = serializers.CharField()


class MovedTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    start = serializers.DateField()
    due = serializers.DateField()


class AutoScheduleResultSerializer(serializers.Serializer):
    moved = MovedTaskSerializer(many=True)


# --- Tasks -----------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    duration_days = serializers.IntegerField(read_only=True)
    dependencies = serializers.SerializerMethodField()

    class Meta:
        model = PlanTask
        fields = [
            "id",
            "key",
            "phase",
            "title",
            "owner",
            "start",
            "due",
            "duration_days",
            "estimate_hours",
            "status",
            "is_milestone",
            "notes",
            "baseline_start",
            "baseline_due",
            "completed_at",
            "dependencies",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_dependencies(self, task) -> list[dict[str, int]]:
        # Reads the links the task viewset prefetches: no query per row.
        return TaskDependencySerializer(
            [
                {"predecessor": link.predecessor_id, "lag_days": link.lag_days}
                for link in task.predecessor_links.all()
            ],
            many=True,
        ).data


class TaskDependencyInputSerializer(serializers.Serializer):
    predecessor = serializers.PrimaryKeyRelatedField(queryset=PlanTask.objects.none())
    lag_days = serializers.IntegerField(default=0, min_value=MIN_LAG_DAYS, max_value=MAX_LAG_DAYS)


class TaskInputSerializer(EditsFields, ScopedInputSerializer):
    model = PlanTask
    also = ("dependencies", "auto_schedule")
    phase = serializers.ChoiceField(choices=Phase.choices)
    title = serializers.CharField(max_length=200)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    start = serializers.DateField()
    due = serializers.DateField(required=False, help_text="A milestone's due is its start.")
    estimate_hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, allow_null=True, min_value=0
    )
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    is_milestone = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    dependencies = TaskDependencyInputSerializer(
        many=True,
        required=False,
        help_text="Finish-to-start predecessors; replaces the task's existing ones.",
    )
    auto_schedule = serializers.BooleanField(
        default=False,
        write_only=True,
        help_text="Move dependants later when this task's dates push them.",
    )

    def scope_fields(self, membership, partnership) -> None:
        self.fields["owner"].queryset = partnership_selectors.pm_choices(
            organization=membership.organization
        )
        tasks = access.visible(membership, PlanTask)
        if partnership is not None:
            tasks = tasks.filter(partnership=partnership)
        self.fields["dependencies"].child.fields["predecessor"].queryset = tasks

    def validate(self, attrs):
        if not self.partial and "due" not in attrs and not attrs.get("is_milestone"):
            raise serializers.ValidationError({"due": "A task needs a due date."})
        return attrs


class TaskMoveSerializer(serializers.Serializer):
    start = serializers.DateField()
    auto_schedule = serializers.BooleanField(default=False)


class TaskScheduleConflictSerializer(serializers.Serializer):
    predecessor = serializers.IntegerField()
    successor = serializers.IntegerField()
    lag_days = serializers.IntegerField()
    current_start = serializers.DateField()
    required_start = serializers.DateField()
    days = serializers.IntegerField()


class TaskChangeSerializer(serializers.Serializer):
    task = TaskSerializer()
    moved = MovedTaskSerializer(many=True)
    conflicts = TaskScheduleConflictSerializer(many=True)


class TaskBulkStatusSerializer(serializers.Serializer):
    tasks = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=200
    )
    status = serializers.ChoiceField(choices=TaskStatus.choices)


class TaskBulkStatusResultSerializer(serializers.Serializer):
    updated = serializers.ListField(child=serializers.IntegerField())
    status = serializers.ChoiceField(choices=TaskStatus.choices)


# --- My tasks --------------------------------------------------------------------------


class TaskPartnershipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TaskBlockerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due = serializers.DateField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    owner = UserSummarySerializer(allow_null=True)


class MyTaskRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    phase = serializers.ChoiceField(choices=Phase.choices)
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    start = serializers.DateField()
    due = serializers.DateField()
    is_milestone = serializers.BooleanField()
    partnership = TaskPartnershipSerializer()
    days_overdue = serializers.IntegerField()
    blocked_by = TaskBlockerSerializer(many=True)


class MyTasksSerializer(serializers.Serializer):
    today = serializers.DateField()
    open_count = serializers.IntegerField()
    overdue = MyTaskRowSerializer(many=True)
    due_this_week = MyTaskRowSerializer(many=True, help_text="Due today or in the next 6 days.")
    blocked_by_others = MyTaskRowSerializer(many=True)


class CalendarFeedKeySerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Subscribe to this address; it is shown only once.")
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()


# --- People ----------------------------------------------------------------------------


class HrFieldsMixin:
    """Drop HR-sensitive fields unless the viewer may see them (`Action.VIEW_HR` on the
    partnership, asked once per request: `hr_visible` in the context)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("hr_visible", False):
            for name in type(instance).HR_SENSITIVE_FIELDS:
                data.pop(name, None)
        return data


class StaffSerializer(HrFieldsMixin, serializers.ModelSerializer):
    support_offered = serializers.ListField(
        child=serializers.ChoiceField(choices=Support.choices), read_only=True
    )
    knowledge_areas = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_departing = serializers.BooleanField(read_only=True)
    notice_days = serializers.IntegerField(read_only=True, allow_null=True)
    pm_appointment = serializers.CharField(source="pm_appointment_state", read_only=True)
    # An e-mail address, or empty when none is known (a format of "email" would refuse "").
    work_email = serializers.CharField(read_only=True)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "full_name",
            "role",
            "site",
            "tenure_years",
            "knowledge_areas",
            "work_email",
            "outcome",
            "outcome_status",
            "notice_date",
            "last_day",
            "notice_days",
            "is_departing",
            "support_offered",
            "support_details",
            "hr_notes",
            "recognition",
            "pm_appointment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StaffInputSerializer(EditsFields, serializers.Serializer):
    model = StaffMember
    full_name = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(choices=StaffRole.choices, required=False)
    site = serializers.CharField(max_length=120, required=False, allow_blank=True)
    tenure_years = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True, min_value=0
    )
    knowledge_areas = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False
    )
    work_email = serializers.EmailField(required=False, allow_blank=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    outcome_status = serializers.ChoiceField(choices=OutcomeStatus.choices, required=False)
    notice_date = serializers.DateField(required=False, allow_null=True)
    last_day = serializers.DateField(required=False, allow_null=True)
    support_offered = serializers.ListField(
        child=serializers.ChoiceField(choices=Support.choices), required=False
    )
    support_details = serializers.CharField(required=False, allow_blank=True)
    hr_notes = serializers.CharField(required=False, allow_blank=True)
    recognition = serializers.CharField(required=False, allow_blank=True)


class StaffImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="A CSV file (multipart upload).")
    csv = serializers.CharField(
        required=False,
        max_length=MAX_IMPORT_BYTES,
        help_text="Or the CSV text itself (up to 2 MB, like a file).",
    )

    def validate_file(self, upload):
        if upload is not None and upload.size > MAX_IMPORT_BYTES:
            raise serializers.ValidationError(TOO_LARGE)
        return upload

    def validate(self, attrs):
        if not attrs.get("file") and not attrs.get("csv"):
            raise serializers.ValidationError({"file": "Upload a CSV file (or send csv text)."})
        return attrs


class StaffImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class PmAppointmentSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=APPOINTMENT_STATES,
        help_text="assigned: now a PM of the partnership; invited: assigned on acceptance.",
    )
    staff_member = serializers.IntegerField()
    email = serializers.EmailField()


class NoticePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    notice_date = serializers.DateField(allow_null=True)
    last_day = serializers.DateField(allow_null=True)
    notice_days = serializers.IntegerField(allow_null=True)


class NoticeSiteSerializer(serializers.Serializer):
    site = serializers.CharField()
    layoffs = serializers.IntegerField()
    threshold_reached = serializers.BooleanField()
    short_notice = NoticePersonSerializer(many=True)


class NoticeCheckSerializer(serializers.Serializer):
    rule = serializers.CharField()
    disclaimer = serializers.CharField()
    notice_days_required = serializers.IntegerField()
    site_threshold = serializers.IntegerField()
    warning = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())
    sites = NoticeSiteSerializer(many=True)


class SentimentFlagSerializer(serializers.Serializer):
    subject_type = serializers.ChoiceField(choices=["staff", "group"])
    subject_id = serializers.IntegerField()
    name = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())
    latest_score = serializers.IntegerField()
    latest_on = serializers.DateField()


class CheckInSerializer(HrFieldsMixin, serializers.ModelSerializer):
    recorded_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = SentimentCheckIn
        fields = [
            "id",
            "staff_member",
            "group",
            "score",
            "note",
            "checked_on",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class CheckInInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    checked_on = serializers.DateField(required=False, allow_null=True, default=None)


class GroupSentimentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    responses = serializers.IntegerField(help_text="The number of check-ins of the group (n).")
    average = serializers.FloatField(
        allow_null=True,
        help_text="The average score, 1 to 5; null with fewer than 5 responses.",
    )
    enough = serializers.BooleanField(help_text="At least 5 responses: the average is shown.")


class PeopleAccessGrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    grantee = UserSummarySerializer()
    granted_by = UserSummarySerializer()
    granted_at = serializers.DateTimeField()
    note = serializers.CharField()
    active = serializers.BooleanField(source="is_active")
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_by = UserSummarySerializer(allow_null=True)


class PeopleAccessGrantInputSerializer(serializers.Serializer):
    grantee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        help_text="An implementation PM of this partnership (user id).",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = _partnership(self)
        if partnership is not None:
            self.fields["grantee"].queryset = partnership.implementation_pms.all()
            self.fields["grantee"].error_messages["does_not_exist"] = (
                "Not an implementation PM of this partnership."
            )


class StakeholderGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = StakeholderGroup
        fields = ["id", "name", "description", "headcount", "adkar_stage", "updated_at"]
        read_only_fields = fields


class StakeholderGroupInputSerializer(EditsFields, serializers.Serializer):
    model = StakeholderGroup
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)
    headcount = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    adkar_stage = serializers.ChoiceField(choices=AdkarStage.choices, required=False)


class KnowledgeItemSerializer(serializers.ModelSerializer):
    source = StaffSummarySerializer(read_only=True, allow_null=True)
    captured_by = UserSummarySerializer(read_only=True)
    reviewed_by = UserSummarySerializer(read_only=True, allow_null=True)
    transferred_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = KnowledgeItem
        fields = [
            "id",
            "source",
            "category",
            "title",
            "subject",
            "content",
            "status",
            "captured_on",
            "captured_by",
            "reviewed_by",
            "reviewed_at",
            "transferred_by",
            "transferred_at",
            "updated_at",
        ]
        read_only_fields = fields


class KnowledgeItemInputSerializer(EditsFields, ScopedInputSerializer):
    model = KnowledgeItem
    source = serializers.PrimaryKeyRelatedField(
        queryset=StaffMember.objects.none(), required=False, allow_null=True
    )
    category = serializers.ChoiceField(choices=KnowledgeCategory.choices)
    title = serializers.CharField(max_length=200)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
    content = serializers.CharField()
    captured_on = serializers.DateField(required=False)

    def scope_fields(self, membership, partnership) -> None:
        people = access.visible(membership, StaffMember)
        if partnership is not None:
            people = people.filter(partnership=partnership)
        self.fields["source"].queryset = people


class KnowledgeCoveragePersonSerializer(serializers.Serializer):
    staff_member = serializers.IntegerField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=StaffRole.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    last_day = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    captured = serializers.IntegerField()
    transferred = serializers.IntegerField()
    state = serializers.ChoiceField(choices=COVERAGE_STATES)
    reason = serializers.CharField()


class KnowledgeCoverageCountsSerializer(serializers.Serializer):
    red = serializers.IntegerField()
    amber = serializers.IntegerField()
    green = serializers.IntegerField()


class KnowledgeCoverageSerializer(serializers.Serializer):
    today = serializers.DateField()
    red_within_days = serializers.IntegerField()
    departing = serializers.IntegerField()
    covered = serializers.IntegerField()
    coverage_percent = serializers.IntegerField(allow_null=True)
    counts = KnowledgeCoverageCountsSerializer()
    people = KnowledgeCoveragePersonSerializer(many=True)


class CommunicationItemSerializer(serializers.ModelSerializer):
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    is_sent = serializers.BooleanField(read_only=True)

    class Meta:
        model = CommunicationItem
        fields = [
            "id",
            "audience",
            "group",
            "message",
            "channel",
            "planned_on",
            "sent_at",
            "is_sent",
            "owner",
            "updated_at",
        ]
        read_only_fields = fields


class CommunicationItemInputSerializer(EditsFields, ScopedInputSerializer):
    model = CommunicationItem
    audience = serializers.CharField(max_length=200)
    group = serializers.PrimaryKeyRelatedField(
        queryset=StakeholderGroup.objects.none(), required=False, allow_null=True
    )
    message = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    planned_on = serializers.DateField()
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )

    def scope_fields(self, membership, partnership) -> None:
        groups = access.visible(membership, StakeholderGroup)
        if partnership is not None:
            groups = groups.filter(partnership=partnership)
        self.fields["group"].queryset = groups
        self.fields["owner"].queryset = partnership_selectors.pm_choices(
            organization=membership.organization
        )


class CommunicationSentSerializer(serializers.Serializer):
    sent_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


# --- Readiness -------------------------------------------------------------------------


class GoNoGoReadinessItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=READINESS_STATES)
    detail = serializers.CharField()


class GoNoGoDecisionSerializer(serializers.ModelSerializer):
    decided_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = GoNoGoDecision
        fields = ["id", "decision", "rationale", "decided_by", "readiness", "created_at"]
        read_only_fields = fields


class GoNoGoReadinessSerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    done = serializers.IntegerField()
    available = serializers.IntegerField()
    total = serializers.IntegerField()
    items = GoNoGoReadinessItemSerializer(many=True)
    go_live = GoLiveForecastSerializer(allow_null=True)
    decisions = GoNoGoDecisionSerializer(many=True)


class GoNoGoInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    rationale = serializers.CharField()
