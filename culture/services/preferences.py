"""Physician preferences, standing orders and on-call rules. Their text lives in versions: a
changed text is a new version, a signed-off version is never edited, and the client signs
off the current one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from culture.models import PhysicianPreference, PhysicianPreferenceKind, PhysicianPreferenceVersion
from culture.services._common import incoming
from partnerships.models import Partnership
from tenancy.access import Action, can, require
from tenancy.audit import Actor, audit_record, diff
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update

FIELDS = PhysicianPreference.EDITABLE_FIELDS


def _check_unique(preference: PhysicianPreference, physician, kind, title) -> None:
    taken = (
        PhysicianPreference.objects.filter(
            organization_id=preference.organization_id,
            partnership_id=preference.partnership_id,
            physician__iexact=physician,
            kind=kind,
            title__iexact=title,
        )
        .exclude(pk=preference.pk)
        .exists()
    )
    if taken:
        raise ApplicationError(
            f"{physician} already has a {PhysicianPreferenceKind(kind).label.lower()} "
            f"titled “{title}”; add a version to it instead.",
            field="title",
        )


def _locked(preference: PhysicianPreference) -> PhysicianPreference:
    """The preference row locked, so that two new versions never take the same number."""
    locked = (
        PhysicianPreference.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(pk=preference.pk)
    )
    locked.partnership = preference.partnership  # the one the caller checked
    return locked


def _new_version(
    *, actor: Actor, preference: PhysicianPreference, text: str
) -> PhysicianPreferenceVersion:
    text = (text or "").strip()
    if not text:
        raise ApplicationError("The text of the preference is required.", field="text")
    current = preference.current_version
    if current is not None and current.text.strip() == text:
        raise ApplicationError(
            f"The text is the same as version {current.number}; nothing to change.", field="text"
        )
    number = (preference.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    version = PhysicianPreferenceVersion(
        organization_id=preference.organization_id,
        partnership_id=preference.partnership_id,
        preference=preference,
        number=number,
        text=text,
        created_by_id=actor.membership.user_id,
    )
    version.full_clean(exclude=["preference", "partnership", "organization", "created_by"])
    version.save()
    if current is not None:
        # The superseded version keeps its text and sign-off untouched: it is the record of
        # what nurses followed until now.
        PhysicianPreferenceVersion.objects.filter(pk=current.pk).update(superseded_at=now)
    preference.current_version = version
    preference.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def physician_preference_create(
    *, actor: Actor, partnership: Partnership, text: str, **fields: Any
) -> PhysicianPreference:
    """Record a physician's preference, standing order or on-call rule as version 1."""
    require(actor.membership, Action.CHANGE_WORK, partnership)
    check_fields(fields, FIELDS)
    preference = PhysicianPreference(
        organization_id=partnership.organization_id, partnership=partnership, **fields
    )
    preference.full_clean(exclude=["current_version"], validate_constraints=False)
    _check_unique(preference, preference.physician, preference.kind, preference.title)
    preference.save()
    version = _new_version(actor=actor, preference=preference, text=text)
    audit_record(
        actor=actor,
        verb="physician_preference.created",
        target=preference,
        changes=diff({}, {**fields, "version": version.number}),
        partnership=partnership,
    )
    return preference


@transaction.atomic
def physician_preference_update(
    *, actor: Actor, preference: PhysicianPreference, text: str | None = None, **fields: Any
) -> PhysicianPreference:
    """Change who/what a preference is about; a changed text becomes a new version (a
    signed-off version is never edited)."""
    require(actor.membership, Action.CHANGE_WORK, preference)
    check_fields(fields, FIELDS)
    preference = _locked(preference)
    _check_unique(
        preference,
        incoming(preference, fields, "physician"),
        incoming(preference, fields, "kind"),
        incoming(preference, fields, "title"),
    )
    changes = model_update(instance=preference, fields=fields, allowed=FIELDS)
    current = preference.current_version
    if text is not None and (current is None or current.text.strip() != text.strip()):
        version = _new_version(actor=actor, preference=preference, text=text)
        changes["version"] = [current.number if current else None, version.number]
    if changes:
        audit_record(
            actor=actor,
            verb="physician_preference.updated",
            target=preference,
            changes=changes,
            partnership=preference.partnership,
        )
    return preference


@transaction.atomic
def physician_preference_version_create(
    *, actor: Actor, preference: PhysicianPreference, text: str
) -> PhysicianPreferenceVersion:
    """A new version supersedes the current one; it needs the client's sign-off again."""
    require(actor.membership, Action.CHANGE_WORK, preference)
    preference = _locked(preference)
    previous = preference.current_version
    version = _new_version(actor=actor, preference=preference, text=text)
    audit_record(
        actor=actor,
        verb="physician_preference.versioned",
        target=preference,
        changes={"version": [previous.number if previous else None, version.number]},
        partnership=preference.partnership,
    )
    return version


@transaction.atomic
def physician_preference_sign_off(
    *, actor: Actor, preference: PhysicianPreference, version_number: int | None = None
) -> PhysicianPreferenceVersion:
    """The client signs off the current version. `version_number`, when given, must still
    be the current one (so nobody signs a text that changed after they read it)."""
    if not can(actor.membership, Action.CLIENT_APPROVAL, preference):
        raise PermissionDenied(
            "Physician preferences are signed off by the client's executives (or an admin)."
        )
    preference = _locked(preference)
    version = preference.current_version
    if version is None:
        raise ApplicationError("This preference has no version to sign off.", field="version")
    if version_number is not None and version_number != version.number:
        raise ApplicationError(
            f"Version {version_number} is no longer current; read version {version.number} "
            "before signing it off.",
            field="version",
            status=409,
        )
    if version.is_signed_off:
        raise ApplicationError(
            f"Version {version.number} was already signed off on "
            f"{timezone.localtime(version.signed_off_at):%Y-%m-%d}.",
            field="version",
            status=409,
        )
    version.signed_off_by_id = actor.membership.user_id
    version.signed_off_at = timezone.now()
    version.save(update_fields=["signed_off_by", "signed_off_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="physician_preference.signed_off",
        target=preference,
        changes={"signed_off_version": [None, version.number]},
        partnership=preference.partnership,
    )
    return version
