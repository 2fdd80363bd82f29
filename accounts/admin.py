"""The Django admin for platform staff. Invitations, tokens and the audit trail are written by
services (which e-mail, hash and audit); here they are looked at, not made."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import services
from accounts.forms import UserAdminChangeForm, UserAdminCreationForm
from accounts.models import ApiToken, Invitation, User
from tenancy.admin import AuditedAdmin
from tenancy.models import Membership


class MembershipInline(admin.TabularInline):
    """The person's memberships. None is deleted or moved to another organization here: a
    membership ends on its organization's Members page (`services.membership_remove`), which
    revokes the member's API tokens and calendar feed keys. New ones are added below."""

    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organization", "role", "client", "created_at")
    readonly_fields = ("organization", "created_at")
    autocomplete_fields = ("client",)
    can_delete = False
    verbose_name_plural = "memberships"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class MembershipAddInline(admin.TabularInline):
    """A new membership for the person (the existing ones are above)."""

    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organization", "role", "client")
    autocomplete_fields = ("organization", "client")
    can_delete = False
    verbose_name_plural = "add a membership"

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "memberships__organization")
    search_fields = ("email", "full_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        (
            "Permissions",
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "classes": ("collapse",),
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    inlines = (MembershipInline, MembershipAddInline)

    def audit_organizations(self, obj):
        if not isinstance(obj, User):  # a membership of the inline
            return super().audit_organizations(obj)
        # A person belongs to no one organization: each one they are a member of records it.
        return [m.organization for m in obj.memberships.select_related("organization")]

    def save_model(self, request, obj, form, change) -> None:
        switched_off = change and "is_active" in form.changed_data and not obj.is_active
        super().save_model(request, obj, form, change)
        if switched_off:
            # {"api_tokens_revoked": n, "calendar_feed_keys_revoked": m}: counts, which the
            # audit keeps as they are (not names of the user's fields, read as ids).
            revoked = services.user_deactivated(user=obj)
            if any(revoked.values()):
                before = dict.fromkeys(revoked, 0)
                self.audit_write(request, obj, "api_tokens_revoked", before, revoked)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            self.audit_write(
                request, user, "password_set_in_admin", {"password": ""}, {"password": "*"}
            )
        return response


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    """Read-mostly: an invitation made here would have no e-mail, token or audit row."""

    list_display = ("email", "organization", "role", "client", "state", "invited_by", "created_at")
    list_filter = ("organization", "role")
    list_select_related = ("organization", "client", "invited_by")
    search_fields = ("email", "organization__name")
    date_hierarchy = "created_at"
    fields = (
        "organization",
        "email",
        "role",
        "client",
        "invited_by",
        "created_at",
        "expires_at",
        "sent_at",
        "accepted_at",
        "revoked_at",
    )
    readonly_fields = fields

    @admin.display(description="State")
    def state(self, obj: Invitation) -> str:
        return obj.state

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Only the prefix is shown; the hash is never editable (or useful) here."""

    list_display = (
        "name",
        "prefix",
        "user",
        "organization",
        "created_at",
        "last_used_at",
        "read_only",
        "expires_at",
        "active",
    )
    list_filter = ("organization", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "organization")
    search_fields = ("name", "prefix", "user__email")
    fields = (
        "name",
        "prefix",
        "user",
        "organization",
        "read_only",
        "created_at",
        "expires_at",
        "last_used_at",
        "last_used_ip",
        "revoked_at",
    )
    readonly_fields = (
        "prefix",
        "user",
        "organization",
        "read_only",
        "created_at",
        "last_used_at",
        "last_used_ip",
    )

    @admin.display(boolean=True, description="Active")
    def active(self, obj: ApiToken) -> bool:
        return obj.is_active

    def has_add_permission(self, request) -> bool:
        # A key is shown once, to its owner, by the tokens page; one made here could not be.
        return False
