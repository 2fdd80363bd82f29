"""Writes every app's services share."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import models

from tenancy.audit import diff
from tenancy.errors import ApplicationError


def check_fields(fields: dict[str, Any], allowed: Collection[str]) -> None:
    """Refuse a field that may not be written here (400 naming it)."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ApplicationError(f"“{unknown[0]}” cannot be changed here.", field=unknown[0])


def _identity(value: Any) -> Any:
    # Two rows are the same row when their model and key are, whatever their text says.
    return (value._meta.label, value.pk) if isinstance(value, models.Model) else value


def model_update(
    *, instance: models.Model, fields: dict[str, Any], allowed: Collection[str]
) -> dict[str, list[Any]]:
    """Set `fields` on `instance` (only names in `allowed`; text is stripped), check the whole
    row with `full_clean()` and save the fields that changed.

    Returns `{field: [before, after]}` of what changed, for the audit record; an empty dict
    means nothing changed and nothing was written. A row not saved yet is saved whole.
    """
    check_fields(fields, allowed)
    before = {name: getattr(instance, name, None) for name in fields}
    for name, value in fields.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)
    after = {name: getattr(instance, name) for name in fields}
    changed = [name for name in fields if _identity(before[name]) != _identity(after[name])]
    # `diff` writes the values as the audit log shows them.
    changes = {
        name: diff({name: before[name]}, {name: after[name]}).get(name)
        or [str(before[name]), str(after[name])]
        for name in changed
    }
    if instance.pk is not None and not changed:
        return {}
    instance.full_clean()
    if instance.pk is None:
        instance.save()
        return changes
    update_fields = [instance._meta.get_field(name).attname for name in changed]
    if any(field.name == "updated_at" for field in instance._meta.concrete_fields):
        update_fields.append("updated_at")
    instance.save(update_fields=update_fields)
    return changes
