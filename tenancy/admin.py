"""Admin of the tenant machinery: organizations, memberships and the audit trail."""

from __future__ import annotations

from django.contrib import admin

from tenancy.models import AuditEvent, Membership, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "client", "created_at")
    list_filter = ("organization", "role")
    list_select_related = ("user", "organization", "client")
    search_fields = ("user__email", "user__full_name", "organization__name")
    autocomplete_fields = ("user", "organization", "client")
    readonly_fields = ("created_at", "updated_at")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is append-only: no one adds, changes or deletes it, here or anywhere."""

    list_display = ("created_at", "organization", "actor", "verb", "target_repr", "partnership")
    list_filter = ("organization", "verb")
    list_select_related = ("organization", "actor", "partnership")
    search_fields = ("verb", "target_repr", "actor__email")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
