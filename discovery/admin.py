"""The Django admin for platform staff. Discovery records are shown read-only: they are
written by the services, which keep the freeze after sign-off, the gate on opportunities and
the audit log; editing them here would skip all three. KPI targets may be edited."""

from __future__ import annotations

from django.contrib import admin

from discovery.models import (
    CallFlow,
    CallFlowVersion,
    DiscoverySession,
    DiscoverySignOff,
    ExperienceGoal,
    GoalSignOff,
    KpiBaseline,
    KpiDefinition,
    Opportunity,
    ReviewedReport,
    ServiceLine,
)
from tenancy.admin import AuditedAdmin


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(KpiDefinition)
class KpiDefinitionAdmin(AuditedAdmin):
    list_display = ("name", "key", "organization", "unit", "direction", "target_display")
    list_filter = ("organization", "direction", "unit", "is_builtin")
    list_select_related = ("organization",)
    search_fields = ("name", "key", "organization__name")
    readonly_fields = ("organization", "key", "is_builtin", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False  # KPIs are added in the app (per organization, audited)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServiceLine)
class ServiceLineAdmin(ReadOnlyAdmin):
    list_display = ("name", "partnership", "organization", "kind", "monthly_volume")
    list_filter = ("organization", "kind")
    list_select_related = ("partnership", "organization")
    search_fields = ("name", "partnership__name")


@admin.register(KpiBaseline)
class KpiBaselineAdmin(ReadOnlyAdmin):
    list_display = ("service_line", "kpi", "value", "target", "period_end", "partnership")
    list_filter = ("organization",)
    list_select_related = ("service_line", "kpi", "partnership")
    search_fields = ("service_line__name", "kpi__name", "partnership__name")


@admin.register(ReviewedReport)
class ReviewedReportAdmin(ReadOnlyAdmin):
    list_display = ("name", "partnership", "file_kind", "file_size", "period_end")
    list_filter = ("organization", "file_kind")
    list_select_related = ("partnership",)
    search_fields = ("name", "source_system", "partnership__name")


class VersionInline(admin.TabularInline):
    model = CallFlowVersion
    fields = ("number", "is_valid", "note", "created_by", "created_at", "reviewed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CallFlow)
class CallFlowAdmin(ReadOnlyAdmin):
    list_display = ("name", "state", "service_line", "partnership")
    list_filter = ("organization", "state")
    list_select_related = ("service_line", "partnership")
    search_fields = ("name", "partnership__name")
    inlines = (VersionInline,)


@admin.register(CallFlowVersion)
class CallFlowVersionAdmin(ReadOnlyAdmin):
    list_display = ("call_flow", "number", "is_valid", "reviewed_at", "created_at")
    list_filter = ("organization", "is_valid")
    list_select_related = ("call_flow",)


@admin.register(DiscoverySession)
class DiscoverySessionAdmin(ReadOnlyAdmin):
    list_display = ("title", "held_on", "partnership")
    list_filter = ("organization",)
    list_select_related = ("partnership",)
    search_fields = ("title", "partnership__name")


@admin.register(ExperienceGoal)
class ExperienceGoalAdmin(ReadOnlyAdmin):
    list_display = ("statement", "kpi", "target", "priority", "partnership")
    list_filter = ("organization", "priority")
    list_select_related = ("kpi", "partnership")


@admin.register(GoalSignOff)
class GoalSignOffAdmin(ReadOnlyAdmin):
    list_display = ("partnership", "signed_by", "signed_at", "superseded_at")
    list_filter = ("organization",)
    list_select_related = ("partnership", "signed_by")


@admin.register(DiscoverySignOff)
class DiscoverySignOffAdmin(ReadOnlyAdmin):
    list_display = ("partnership", "signed_by", "signed_at", "cosigned_at", "reopened_at")
    list_filter = ("organization",)
    list_select_related = ("partnership", "signed_by")


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "effort", "partnership", "created_at")
    list_filter = ("organization", "status", "effort")
    list_select_related = ("partnership",)
    search_fields = ("title", "partnership__name")
