"""OpenAPI schema hooks (drf-spectacular's `POSTPROCESSING_HOOKS`)."""

from __future__ import annotations

from django.apps import apps


def withheld_fields() -> frozenset[str]:
    """Output fields some viewers never get: internal notes (not for client executives) and
    HR-sensitive fields (only with people access), as the models declare them."""
    names = {"internal_notes"}
    for model in apps.get_models():
        names.update(getattr(model, "INTERNAL_FIELDS", ()))
        names.update(getattr(model, "HR_SENSITIVE_FIELDS", ()))
    return frozenset(names)


def optional_withheld_fields(result, generator, request, public):
    """A field the API drops for some viewers is not `required` in the schema: a client
    executive's answer without `internal_notes` is a valid answer (contract fuzzing checks
    every answer against the schema)."""
    names = withheld_fields()
    for component in result.get("components", {}).get("schemas", {}).values():
        required = component.get("required")
        if not required:
            continue
        kept = [name for name in required if name not in names]
        if len(kept) != len(required):
            if kept:
                component["required"] = kept
            else:
                del component["required"]
    return result
