"""The Django admin for platform staff: tenants, clients and partnerships."""

from __future__ import annotations

from django.contrib import admin

from partnerships.models import ClientOrganization, Partnership, PartnershipStatusChange
from tenancy.admin import AuditedAdmin


@admin.register(ClientOrganization)
class ClientOrganizationAdmin(AuditedAdmin):
    list_display = ("name", "organization", "kind", "city", "state", "time_zone")
    list_filter = ("organization", "kind", "state")
    list_select_related = ("organization",)
    search_fields = ("name", "city", "organization__name")
    autocomplete_fields = ("organization",)
    readonly_fields = ("created_at", "updated_at")


class StatusChangeInline(admin.TabularInline):
    model = PartnershipStatusChange
    extra = 0
    fields = ("created_at", "from_status", "to_status", "changed_by", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Partnership)
class PartnershipAdmin(AuditedAdmin):
    list_display = (
        "name",
        "organization",
        "client",
        "status",
        "account_manager",
        "planned_go_live",
        "actual_go_live",
    )
    list_filter = ("status", "organization", "planned_go_live")
    list_select_related = ("organization", "client", "account_manager")
    search_fields = ("name", "client__name", "organization__name")
    autocomplete_fields = ("organization", "client", "account_manager", "implementation_pms")
    # Status moves go through the app, which checks the allowed transitions and keeps the
    # history; editing the field here would skip both.
    readonly_fields = ("status", "created_at", "updated_at")
    date_hierarchy = "planned_go_live"
    inlines = (StatusChangeInline,)


@admin.register(PartnershipStatusChange)
class PartnershipStatusChangeAdmin(AuditedAdmin):
    """The status history is a record: written by partnership_transition, never edited."""

    list_display = ("partnership", "from_status", "to_status", "changed_by", "created_at")
    list_filter = ("organization", "to_status")
    list_select_related = ("partnership", "changed_by")
    search_fields = ("partnership__name", "note")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
