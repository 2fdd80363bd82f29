"""The Django admin: a tool for platform staff (`is_staff`), who belong to no organization.

Every model admin of the project is an `AuditedAdmin`, so what is added, changed or deleted
here lands in the owning organization's audit trail like a service's change: the platform
operator as the actor (`Actor.platform_staff`), the fields before and after, HR-sensitive
fields (`HR_SENSITIVE_FIELDS` of a model) and secrets only said to have changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from tenancy.audit import Actor, audit_record, diff, redact
from tenancy.models import AuditEvent, Membership, Organization

EMPTY = (None, "", [], ())


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit event for every add, change and delete, inline rows included."""

    audit_ignore: tuple[str, ...] = ("created_at", "updated_at", "last_login")
    audit_secret: tuple[str, ...] = ("password", "key_hash")

    # --- Whose trail, which partnership -------------------------------------------------

    def audit_organizations(self, obj: models.Model) -> list[Organization]:
        """The organizations whose trail records a change of `obj` (none: not recorded)."""
        if isinstance(obj, Organization):
            return [obj]
        if getattr(obj, "organization_id", None) is not None:
            return [obj.organization]
        return []

    def audit_partnership(self, obj: models.Model):
        if obj._meta.label_lower != "partnerships.partnership" and getattr(
            obj, "partnership_id", None
        ):
            return obj.partnership
        return None  # audit_record files a partnership's own events under it

    def audit_shown(self, request, obj: models.Model) -> None:
        """Called when a change (or view) page shows `obj`: a hook for the HR view log."""

    # --- Values --------------------------------------------------------------------------

    def audit_values(self, obj: models.Model) -> dict[str, Any]:
        values = {
            field.name: field.value_from_object(obj)
            for field in obj._meta.concrete_fields
            if not field.primary_key and field.name not in self.audit_ignore
        }
        if obj.pk is not None:
            for field in obj._meta.many_to_many:
                values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
        return values

    def _stored_values(self, obj: models.Model) -> dict[str, Any]:
        stored = type(obj)._base_manager.filter(pk=obj.pk).first()
        return self.audit_values(stored) if stored is not None else {}

    def _readable(self, model: type[models.Model], changes: dict[str, list[Any]]):
        """Related rows by name rather than id, then sensitive fields redacted."""

        def name_of(field, value):
            if value in EMPTY:
                return value
            related = field.related_model._base_manager
            if field.many_to_many:
                return sorted(str(row) for row in related.filter(pk__in=value))
            row = related.filter(pk=value).first()
            return str(row) if row is not None else f"#{value}"

        readable = {}
        for name, (before, after) in changes.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # not a field: a count the admin records (as it is)
                readable[name] = [before, after]
                continue
            if field.is_relation:
                before, after = name_of(field, before), name_of(field, after)
            readable[name] = [before, after]
        sensitive = (*getattr(model, "HR_SENSITIVE_FIELDS", ()), *self.audit_secret)
        return redact(readable, sensitive)

    def audit_write(self, request, obj, verb: str, before: dict | None, after: dict | None):
        if before is None:  # added: what it was given
            changes = {k: [None, v] for k, (_, v) in diff({}, after).items() if v not in EMPTY}
        elif after is None:  # deleted: what it held
            changes = {k: [v, None] for k, (_, v) in diff({}, before).items() if v not in EMPTY}
        else:
            changes = diff(before, after)
        changes = self._readable(type(obj), changes)
        for organization in self.audit_organizations(obj):
            audit_record(
                actor=Actor.platform_staff(request, organization=organization),
                verb=f"{obj._meta.model_name}.{verb}",
                target=obj,
                changes=changes,
                partnership=self.audit_partnership(obj),
            )

    def _audit_delete(self, request, obj) -> None:
        self.audit_write(request, obj, "deleted_in_admin", self.audit_values(obj), None)

    # --- Django admin hooks ------------------------------------------------------------

    def save_model(self, request, obj, form, change) -> None:
        form._audit_before = self._stored_values(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(form, "_audit_before", None)
        after = self.audit_values(obj)
        if before is None:
            self.audit_write(request, obj, "created_in_admin", None, after)
        elif diff(before, after):
            self.audit_write(request, obj, "changed_in_admin", before, after)

    def save_formset(self, request, form, formset, change) -> None:
        before = {
            inline.instance.pk: self._stored_values(inline.instance)
            for inline in formset.forms
            if inline.instance.pk is not None and inline.has_changed()
        }
        for inline in formset.deleted_forms:
            if inline.instance.pk is not None:
                self._audit_delete(request, inline.instance)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self.audit_write(request, obj, "created_in_admin", None, self.audit_values(obj))
        for obj, _fields in formset.changed_objects:
            values = self.audit_values(obj)
            if diff(before.get(obj.pk, {}), values):
                self.audit_write(request, obj, "changed_in_admin", before.get(obj.pk, {}), values)

    def delete_model(self, request, obj) -> None:
        self._audit_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self._audit_delete(request, obj)
        super().delete_queryset(request, queryset)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            self.audit_shown(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ("name", "slug", "time_zone", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "organization", "role", "client", "created_at")
    list_filter = ("organization", "role")
    list_select_related = ("user", "organization", "client")
    search_fields = ("user__email", "user__full_name", "organization__name")
    autocomplete_fields = ("user", "organization", "client")
    readonly_fields = ("created_at", "updated_at")

    # A membership ends on its organization's Members page (`accounts.services.
    # membership_remove`), which lets go of what the member held and revokes their API tokens
    # and calendar feed keys; deleting the row here, or moving it to another person or
    # organization, would skip all of that.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return (*self.readonly_fields, "user", "organization")


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdmin):
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
