"""The Django admin for platform staff: transition plans, the people side, and the view log.

Scheduling rules (no cycles, auto-schedule), imports and the audit trail live in the services;
the admin is for looking and for repairs. The log of views of HR-sensitive data is a record
and cannot be edited here.
"""

from __future__ import annotations

from django.contrib import admin

from tenancy.admin import AuditedAdmin
from tenancy.audit import Actor
from transition import services
from transition.models import (
    CalendarFeedKey,
    CommunicationItem,
    GoNoGoDecision,
    KnowledgeItem,
    PlanTask,
    PlanTemplate,
    SensitiveAccessLog,
    SentimentCheckIn,
    StaffMember,
    StakeholderGroup,
    TaskDependency,
    TransitionPlan,
)


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HrViewLoggedAdmin(AuditedAdmin):
    """A change page that shows HR-sensitive fields writes the same view log as the app's
    pages (`SensitiveAccessLog`), with the platform operator as the viewer."""

    hr_context = ""

    def hr_people(self, obj) -> list[tuple[int | None, str]]:
        raise NotImplementedError

    def audit_shown(self, request, obj) -> None:
        fields = type(obj).HR_SENSITIVE_FIELDS
        if any(getattr(obj, name) for name in fields):
            actor = Actor.platform_staff(request, organization=obj.organization)
            services.sensitive_access_record(
                membership=actor.membership,
                partnership=obj.partnership,
                people=self.hr_people(obj),
                context=self.hr_context,
                fields=fields,
            )


@admin.register(PlanTemplate)
class PlanTemplateAdmin(AuditedAdmin):
    list_display = ("name", "organization", "task_count", "created_by", "created_at")
    list_filter = ("organization",)
    list_select_related = ("organization", "created_by")
    search_fields = ("name", "description")
    # The task list is validated by the services (plan_template_create); editing the JSON
    # here could store a template with a cycle.
    readonly_fields = ("tasks", "created_by", "source_partnership", "created_at", "updated_at")


class TaskInline(admin.TabularInline):
    model = PlanTask
    extra = 0
    fields = ("title", "phase", "start", "due", "status", "is_milestone", "owner")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TransitionPlan)
class TransitionPlanAdmin(AuditedAdmin):
    list_display = ("partnership", "organization", "template_name", "go_live", "baselined_at")
    list_filter = ("organization",)
    list_select_related = ("partnership", "organization")
    search_fields = ("partnership__name", "template_name")
    readonly_fields = (
        "partnership",
        "organization",
        "go_live_task",
        "baselined_at",
        "baselined_by",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = (TaskInline,)


@admin.register(PlanTask)
class PlanTaskAdmin(AuditedAdmin):
    list_display = ("title", "partnership", "phase", "start", "due", "status", "owner")
    list_filter = ("organization", "phase", "status", "is_milestone")
    list_select_related = ("partnership", "owner")
    search_fields = ("title", "partnership__name")
    date_hierarchy = "due"
    readonly_fields = (
        "organization",
        "partnership",
        "plan",
        "baseline_start",
        "baseline_due",
        "completed_at",
        "created_at",
        "updated_at",
    )


@admin.register(TaskDependency)
class TaskDependencyAdmin(ReadOnlyAdmin):
    """Dependencies change through the services, which refuse cycles."""

    list_display = ("predecessor", "successor", "lag_days", "partnership")
    list_filter = ("organization",)
    list_select_related = ("predecessor", "successor", "partnership")


@admin.register(GoNoGoDecision)
class GoNoGoDecisionAdmin(ReadOnlyAdmin):
    list_display = ("partnership", "decision", "decided_by", "created_at")
    list_filter = ("organization", "decision")
    list_select_related = ("partnership", "decided_by")


@admin.register(StaffMember)
class StaffMemberAdmin(HrViewLoggedAdmin):
    hr_context = "admin.staff.change"

    def hr_people(self, obj: StaffMember):
        return [(obj.pk, obj.full_name)]

    list_display = ("full_name", "partnership", "role", "outcome", "outcome_status", "last_day")
    list_filter = ("organization", "role", "outcome", "outcome_status")
    list_select_related = ("partnership",)
    search_fields = ("full_name", "work_email", "partnership__name")
    readonly_fields = (
        "organization",
        "partnership",
        "pm_invitation",
        "pm_user",
        "pm_appointed_at",
        "created_at",
        "updated_at",
    )


@admin.register(StakeholderGroup)
class StakeholderGroupAdmin(AuditedAdmin):
    list_display = ("name", "partnership", "adkar_stage", "headcount")
    list_filter = ("organization", "adkar_stage")
    list_select_related = ("partnership",)
    readonly_fields = ("organization", "partnership")


@admin.register(SentimentCheckIn)
class SentimentCheckInAdmin(HrViewLoggedAdmin, ReadOnlyAdmin):
    hr_context = "admin.check-in.view"

    def hr_people(self, obj: SentimentCheckIn):
        if obj.staff_member_id is not None:
            return [(obj.staff_member_id, obj.staff_member.full_name)]
        return [(None, f"Group: {obj.group.name}")] if obj.group_id else []

    list_display = ("checked_on", "partnership", "staff_member", "group", "score")
    list_filter = ("organization", "score")
    list_select_related = ("partnership", "staff_member", "group")


@admin.register(KnowledgeItem)
class KnowledgeItemAdmin(AuditedAdmin):
    list_display = ("title", "partnership", "category", "source", "status", "captured_on")
    list_filter = ("organization", "category", "status")
    list_select_related = ("partnership", "source")
    search_fields = ("title", "subject", "content")
    readonly_fields = (
        "organization",
        "partnership",
        "captured_by",
        "reviewed_by",
        "reviewed_at",
        "transferred_by",
        "transferred_at",
    )


@admin.register(CommunicationItem)
class CommunicationItemAdmin(AuditedAdmin):
    list_display = ("audience", "partnership", "channel", "planned_on", "sent_at", "owner")
    list_filter = ("organization", "channel")
    list_select_related = ("partnership", "owner")
    readonly_fields = ("organization", "partnership")


@admin.register(SensitiveAccessLog)
class SensitiveAccessLogAdmin(ReadOnlyAdmin):
    """Who was shown which person's HR-sensitive data, when and where. Never edited."""

    list_display = ("created_at", "viewer", "viewer_role", "staff_name", "context", "partnership")
    list_filter = ("organization", "viewer_role", "context")
    list_select_related = ("viewer", "partnership")
    search_fields = ("staff_name", "viewer__email")
    date_hierarchy = "created_at"


@admin.register(CalendarFeedKey)
class CalendarFeedKeyAdmin(AuditedAdmin):
    list_display = ("prefix", "user", "organization", "created_at", "last_used_at", "revoked_at")
    list_filter = ("organization",)
    list_select_related = ("user", "organization")
    readonly_fields = (
        "organization",
        "user",
        "prefix",
        "key_hash",
        "created_at",
        "last_used_at",
    )

    def has_add_permission(self, request) -> bool:
        return False
