"""What changed in a physician preference since the version the client signed off.

Signing off a new version should be a decision about the change, not a re-read of the whole
text: the sign-off section (page and API) shows, field by field, the signed-off version and
the version awaiting sign-off, for the fields that changed only, with the sentences removed
and added marked. A preference's versioned fields are `VERSIONED_FIELDS`; the details of the
preference itself (physician, kind, title) are not versioned and are not compared.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from culture.models import PhysicianPreference, PhysicianPreferenceVersion

# The fields a version carries, with the label the page shows.
VERSIONED_FIELDS: tuple[tuple[str, str], ...] = (("text", "Text"),)

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text or "") if part.strip()]


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    signed_off: str
    this_version: str
    # The value as sentences, each marked "same", "removed" (before) or "added" (after).
    before: list[tuple[str, str]] = field(default_factory=list)
    after: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label": self.label,
            "signed_off": self.signed_off,
            "this_version": self.this_version,
            "removed": [text for text, mark in self.before if mark == "removed"],
            "added": [text for text, mark in self.after if mark == "added"],
        }


@dataclass(frozen=True)
class SignOffDiff:
    """`state` is "first_version" (nothing was signed off before), "no_change" (the same as
    the signed-off version) or "changed" (then `changes` lists the changed fields)."""

    state: str
    version: int
    signed_off_version: int | None = None
    changes: list[FieldChange] = field(default_factory=list)
    awaiting_sign_off: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "awaiting_sign_off": self.awaiting_sign_off,
            "version": self.version,
            "signed_off_version": self.signed_off_version,
            "changes": [change.as_dict() for change in self.changes],
        }


def _field_change(name: str, label: str, before: str, after: str) -> FieldChange:
    old, new = _sentences(before), _sentences(after)
    marked_before: list[tuple[str, str]] = []
    marked_after: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            marked_before += [(text, "same") for text in old[i1:i2]]
            marked_after += [(text, "same") for text in new[j1:j2]]
        else:
            marked_before += [(text, "removed") for text in old[i1:i2]]
            marked_after += [(text, "added") for text in new[j1:j2]]
    return FieldChange(name, label, before, after, marked_before, marked_after)


def version_diff(
    signed: PhysicianPreferenceVersion | None, version: PhysicianPreferenceVersion
) -> SignOffDiff:
    """The changed fields of `version` against the signed-off `signed` (pure: no query)."""
    awaiting = not version.is_signed_off
    if signed is None:
        return SignOffDiff(
            state="first_version", version=version.number, awaiting_sign_off=awaiting
        )
    changes = [
        _field_change(name, label, getattr(signed, name), getattr(version, name))
        for name, label in VERSIONED_FIELDS
        if getattr(signed, name).strip() != getattr(version, name).strip()
    ]
    return SignOffDiff(
        state="changed" if changes else "no_change",
        version=version.number,
        signed_off_version=signed.number,
        changes=changes,
        awaiting_sign_off=awaiting,
    )


def previous_signed_off(
    versions: list[PhysicianPreferenceVersion], version: PhysicianPreferenceVersion
) -> PhysicianPreferenceVersion | None:
    """The newest version before `version` that the client signed off, from a loaded list."""
    earlier = [v for v in versions if v.number < version.number and v.is_signed_off]
    return max(earlier, key=lambda v: v.number, default=None)


def sign_off_diff(*, preference: PhysicianPreference) -> SignOffDiff | None:
    """The current version against the newest signed-off one before it: what the client is
    asked to sign off (`awaiting_sign_off`), or what they signed off last. None without a
    version. One query."""
    current = preference.current_version
    if current is None:
        return None
    signed = (
        PhysicianPreferenceVersion.objects.filter(
            organization_id=preference.organization_id,
            preference=preference,
            signed_off_at__isnull=False,
            number__lt=current.number,
        )
        .order_by("-number")
        .first()
    )
    return version_diff(signed, current)
