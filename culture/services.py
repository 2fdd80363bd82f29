"""Writes for a partnership's culture. Keyword-only, atomic, validated, audited.

Who may write (DESIGN.md, "Who uses it"):
- culture (profile, populations, adaptations, nurse team, physician preferences,
  satisfaction results) is provider work: admin, the partnership's account manager and its
  implementation PMs (`Action.CHANGE_WORK`);
- a physician preference version is signed off by a client executive of the partnership's
  client (or an admin): it is the client's word on how its physicians want things done.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from culture.models import (
    Adaptation,
    AdaptationKind,
    AdaptationStatus,
    CallerPopulation,
    CallerPopulationLanguage,
    CultureProfile,
    Language,
    Nurse,
    NurseTraining,
    PhysicianPreference,
    PhysicianPreferenceVersion,
    SatisfactionResult,
    SatisfactionSource,
)
from partnerships.models import Partnership
from tenancy.access import Action, can
from tenancy.audit import Actor, audit_record, diff
from tenancy.errors import ApplicationError

POPULATION_FIELDS = (
    "name",
    "region",
    "share_of_volume",
    "age_bands",
    "education_level",
    "health_literacy",
    "question_depth",
    "preferred_channels",
    "peak_hours",
    "accessibility_needs",
    "notes",
    "internal_notes",
)
ADAPTATION_FIELDS = (
    "population",
    "kind",
    "title",
    "description",
    "owner",
    "due_date",
    "status",
    "completed_on",
    "outcome_measure",
    "language",
    "internal_notes",
)
NURSE_FIELDS = ("name", "languages", "is_active")
PREFERENCE_FIELDS = ("physician", "specialty", "kind", "title")
SATISFACTION_FIELDS = (
    "population",
    "period_start",
    "period_end",
    "responses",
    "satisfied_pct",
    "questions_answered_pct",
)
HUNDRED = Decimal(100)


# --- helpers ---------------------------------------------------------------------------


def _require(actor: Actor, action: Action, obj) -> None:
    if not can(actor.membership, action, obj):
        raise PermissionDenied(f"Your role may not {action.value.replace('_', ' ')} this.")


def _check_fields(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ApplicationError(f"Unknown field {unknown[0]}.", field=unknown[0])


def _snapshot(obj, names) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`tenancy.audit.diff`, with decimals as text so that the JSON column can hold them."""
    return {
        key: [str(value) if isinstance(value, Decimal) else value for value in pair]
        for key, pair in diff(before, after).items()
    }


def _locked_partnership(partnership: Partnership) -> Partnership:
    # Writes that check a total across sibling rows (shares of volume) lock the partnership,
    # so that two concurrent writes cannot each pass the check and together exceed it.
    return Partnership.objects.select_for_update().get(pk=partnership.pk)


def _pct(value) -> str:
    return f"{Decimal(value).normalize():f}"


# --- culture profile -------------------------------------------------------------------


def culture_profile_get(*, partnership: Partnership) -> CultureProfile:
    """The partnership's profile, or an unsaved empty one: reading never creates a row."""
    profile = CultureProfile.objects.filter(
        organization_id=partnership.organization_id, partnership=partnership
    ).first()
    return profile or CultureProfile(
        organization_id=partnership.organization_id, partnership=partnership
    )


@transaction.atomic
def culture_profile_update(
    *, actor: Actor, partnership: Partnership, **fields: Any
) -> CultureProfile:
    """Create or change the partnership's one culture profile."""
    _require(actor, Action.CHANGE_WORK, partnership)
    _check_fields(fields, CultureProfile.TEXT_FIELDS)
    _locked_partnership(partnership)
    profile = culture_profile_get(partnership=partnership)
    created = profile.pk is None
    before = _snapshot(profile, fields) if not created else {}
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    changes = _changes(before, fields)
    if created or changes:
        audit_record(
            actor=actor,
            verb="culture_profile.created" if created else "culture_profile.updated",
            target=profile,
            changes=changes,
            partnership=partnership,
        )
    return profile


# --- caller populations ----------------------------------------------------------------


def _check_volume_total(population: CallerPopulation) -> None:
    others = (
        CallerPopulation.objects.filter(
            organization_id=population.organization_id, partnership_id=population.partnership_id
        )
        .exclude(pk=population.pk)
        .aggregate(total=Sum("share_of_volume"))["total"]
    ) or Decimal(0)
    share = Decimal(population.share_of_volume or 0)
    if others + share > HUNDRED:
        raise ApplicationError(
            f"The populations' shares of call volume would total {_pct(others + share)}%, "
            f"more than 100%: the other populations already take {_pct(others)}%, so this one "
            f"can take at most {_pct(HUNDRED - others)}%.",
            field="share_of_volume",
        )


def _language_rows(population: CallerPopulation, languages: list[dict]) -> list:
    """Validate the population's languages as a whole (field `languages`) and build rows."""
    rows: list[CallerPopulationLanguage] = []
    seen: set[str] = set()
    total = Decimal(0)
    for item in languages:
        code = item.get("language")
        label = Language(code).label if code in Language.values else str(code)
        if code in seen:
            raise ApplicationError(f"{label} is listed twice.", field="languages")
        seen.add(code)
        row = CallerPopulationLanguage(
            organization_id=population.organization_id,
            partnership_id=population.partnership_id,
            population=population,
            language=code,
            share=item.get("share"),
        )
        try:
            row.full_clean(
                exclude=["organization", "partnership", "population"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            raise ApplicationError(f"{label}, {name}: {messages[0]}", field="languages") from error
        total += Decimal(row.share)
        rows.append(row)
    if total > HUNDRED:
        raise ApplicationError(
            f"The languages' shares total {_pct(total)}%; they may not exceed 100%.",
            field="languages",
        )
    return rows


def _check_population_name(population: CallerPopulation) -> None:
    taken = (
        CallerPopulation.objects.filter(
            organization_id=population.organization_id,
            partnership_id=population.partnership_id,
            name__iexact=population.name,
        )
        .exclude(pk=population.pk)
        .exists()
    )
    if taken:
        raise ApplicationError(
            f"This partnership already has a population named “{population.name}”.", field="name"
        )


def _replace_languages(population: CallerPopulation, languages: list[dict]) -> dict:
    before = (
        {row.language: str(row.share) for row in population.languages.all()}
        if population.pk
        else {}
    )
    rows = _language_rows(population, languages)
    if population.pk:
        population.languages.all().delete()
    CallerPopulationLanguage.objects.bulk_create(rows)
    after = {row.language: str(Decimal(row.share)) for row in rows}
    return {"languages": [before, after]} if before != after else {}


@transaction.atomic
def caller_population_create(
    *, actor: Actor, partnership: Partnership, languages: list[dict] | None = None, **fields: Any
) -> CallerPopulation:
    """Describe a population of callers; shares of volume of a partnership total ≤ 100%."""
    _require(actor, Action.CHANGE_WORK, partnership)
    _check_fields(fields, POPULATION_FIELDS)
    _locked_partnership(partnership)
    population = CallerPopulation(
        organization_id=partnership.organization_id, partnership=partnership, **fields
    )
    population.full_clean(validate_constraints=False)
    _check_population_name(population)
    _check_volume_total(population)
    rows = _language_rows(population, languages or [])
    population.save()
    CallerPopulationLanguage.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        verb="caller_population.created",
        target=population,
        changes=_changes({}, {**fields, "languages": {r.language: str(r.share) for r in rows}}),
        partnership=partnership,
    )
    return population


@transaction.atomic
def caller_population_update(
    *,
    actor: Actor,
    population: CallerPopulation,
    languages: list[dict] | None = None,
    **fields: Any,
) -> CallerPopulation:
    """Change a population; `languages`, when given, replaces its languages as a whole."""
    _require(actor, Action.CHANGE_WORK, population)
    _check_fields(fields, POPULATION_FIELDS)
    _locked_partnership(population.partnership)
    before = _snapshot(population, fields)
    for name, value in fields.items():
        setattr(population, name, value)
    population.full_clean(validate_constraints=False)
    _check_population_name(population)
    _check_volume_total(population)
    changes = _changes(before, fields)
    population.save()
    if languages is not None:
        changes.update(_replace_languages(population, languages))
    if changes:
        audit_record(
            actor=actor,
            verb="caller_population.updated",
            target=population,
            changes=changes,
            partnership=population.partnership,
        )
    return population


@transaction.atomic
def caller_population_delete(*, actor: Actor, population: CallerPopulation) -> None:
    """Remove a population that nothing refers to; its history is never deleted with it."""
    _require(actor, Action.CHANGE_WORK, population)
    adaptations = population.adaptations.count()
    results = population.satisfaction_results.count()
    if adaptations or results:
        raise ApplicationError(
            f"“{population.name}” has {adaptations} adaptation(s) and {results} satisfaction "
            "result(s); remove those first (or keep the population and set its share to 0).",
            field="population",
            status=409,
        )
    audit_record(
        actor=actor,
        verb="caller_population.deleted",
        target=population,
        partnership=population.partnership,
    )
    population.delete()


# --- adaptations -----------------------------------------------------------------------


def _check_owner(adaptation: Adaptation) -> None:
    from tenancy.models import PROVIDER_ROLES, Membership

    if adaptation.owner_id is None:
        return
    fits = Membership.objects.filter(
        organization_id=adaptation.organization_id,
        user_id=adaptation.owner_id,
        role__in=PROVIDER_ROLES,
    ).exists()
    if not fits:
        raise ApplicationError(
            "The owner must be a provider member of this organization "
            "(admin, account manager or implementation PM).",
            field="owner",
        )


def _check_population(adaptation: Adaptation, population: CallerPopulation) -> None:
    if population.partnership_id != adaptation.partnership_id:
        raise ApplicationError("The population belongs to another partnership.", field="population")


def _settle_completion(
    adaptation: Adaptation, fields: dict[str, Any], today: datetime.date
) -> None:
    """`completed_on` follows the status: today when it becomes done (unless a date is
    given), cleared when it is no longer done."""
    if adaptation.status == AdaptationStatus.DONE:
        if adaptation.completed_on is None:
            adaptation.completed_on = today
        if adaptation.completed_on > today:
            raise ApplicationError(
                "An adaptation cannot be completed in the future.", field="completed_on"
            )
    elif "completed_on" not in fields or fields["completed_on"] is None:
        adaptation.completed_on = None


@transaction.atomic
def adaptation_create(*, actor: Actor, population: CallerPopulation, **fields: Any) -> Adaptation:
    """Plan an adaptation for one population of callers."""
    _require(actor, Action.CHANGE_WORK, population)
    fields.pop("population", None)
    _check_fields(fields, ADAPTATION_FIELDS)
    adaptation = Adaptation(
        organization_id=population.organization_id,
        partnership_id=population.partnership_id,
        population=population,
        **fields,
    )
    _settle_completion(adaptation, fields, actor.organization.local_today())
    adaptation.full_clean(validate_constraints=False)
    _check_owner(adaptation)
    _check_title(adaptation)
    adaptation.save()
    audit_record(
        actor=actor,
        verb="adaptation.created",
        target=adaptation,
        changes=_changes({}, {**fields, "population": population}),
        partnership=population.partnership,
    )
    return adaptation


def _check_title(adaptation: Adaptation) -> None:
    taken = (
        Adaptation.objects.filter(
            organization_id=adaptation.organization_id,
            population_id=adaptation.population_id,
            title__iexact=adaptation.title,
        )
        .exclude(pk=adaptation.pk)
        .exists()
    )
    if taken:
        raise ApplicationError(
            "This population already has an adaptation with this title.", field="title"
        )


@transaction.atomic
def adaptation_update(*, actor: Actor, adaptation: Adaptation, **fields: Any) -> Adaptation:
    """Change an adaptation; marking it done records the day it was completed."""
    _require(actor, Action.CHANGE_WORK, adaptation)
    _check_fields(fields, ADAPTATION_FIELDS)
    before = _snapshot(adaptation, fields)
    was_done = adaptation.status == AdaptationStatus.DONE
    if "population" in fields:
        _check_population(adaptation, fields["population"])
    if (
        fields.get("kind", adaptation.kind) != AdaptationKind.TRAINING
        and adaptation.kind == AdaptationKind.TRAINING
        and adaptation.trainings.exists()
    ):
        raise ApplicationError(
            "Nurses have completed this training; it cannot become another kind.", field="kind"
        )
    for name, value in fields.items():
        setattr(adaptation, name, value)
    _settle_completion(adaptation, fields, actor.organization.local_today())
    adaptation.full_clean(validate_constraints=False)
    _check_owner(adaptation)
    _check_title(adaptation)
    adaptation.save()
    changes = _changes(before, {name: getattr(adaptation, name) for name in fields})
    if not was_done and adaptation.status == AdaptationStatus.DONE:
        verb = "adaptation.completed"
        changes.setdefault("completed_on", [None, adaptation.completed_on.isoformat()])
    else:
        verb = "adaptation.updated"
    if changes:
        audit_record(
            actor=actor,
            verb=verb,
            target=adaptation,
            changes=changes,
            partnership=adaptation.partnership,
        )
    return adaptation


@transaction.atomic
def adaptation_delete(*, actor: Actor, adaptation: Adaptation) -> None:
    """Delete a mistaken adaptation. One that was done is history: drop it instead."""
    _require(actor, Action.CHANGE_WORK, adaptation)
    if adaptation.status == AdaptationStatus.DONE or adaptation.trainings.exists():
        raise ApplicationError(
            "A completed adaptation (or a training nurses completed) is part of the record; "
            "set its status to dropped instead of deleting it.",
            field="status",
            status=409,
        )
    audit_record(
        actor=actor,
        verb="adaptation.deleted",
        target=adaptation,
        partnership=adaptation.partnership,
    )
    adaptation.delete()


# --- nurse team ------------------------------------------------------------------------


def _training_rows(nurse: Nurse, trainings: list[dict], today: datetime.date) -> list:
    rows: list[NurseTraining] = []
    seen: set[int] = set()
    for item in trainings:
        adaptation: Adaptation = item["adaptation"]
        completed_on: datetime.date = item["completed_on"]
        if adaptation.partnership_id != nurse.partnership_id:
            raise ApplicationError("A training belongs to another partnership.", field="trainings")
        if adaptation.kind != AdaptationKind.TRAINING:
            raise ApplicationError(
                f"“{adaptation.title}” is a {adaptation.get_kind_display().lower()} "
                "adaptation, not a training.",
                field="trainings",
            )
        if adaptation.pk in seen:
            raise ApplicationError(f"“{adaptation.title}” is listed twice.", field="trainings")
        if completed_on > today:
            raise ApplicationError(
                f"“{adaptation.title}”: a training cannot be completed in the future.",
                field="trainings",
            )
        seen.add(adaptation.pk)
        rows.append(
            NurseTraining(
                organization_id=nurse.organization_id,
                partnership_id=nurse.partnership_id,
                nurse=nurse,
                adaptation=adaptation,
                completed_on=completed_on,
            )
        )
    return rows


def _check_nurse_name(nurse: Nurse) -> None:
    taken = (
        Nurse.objects.filter(
            organization_id=nurse.organization_id,
            partnership_id=nurse.partnership_id,
            name__iexact=nurse.name,
        )
        .exclude(pk=nurse.pk)
        .exists()
    )
    if taken:
        raise ApplicationError(f"The team already has a nurse named “{nurse.name}”.", field="name")


def _trainings_repr(rows) -> dict[str, str]:
    return {str(row.adaptation_id): row.completed_on.isoformat() for row in rows}


@transaction.atomic
def nurse_create(
    *, actor: Actor, partnership: Partnership, trainings: list[dict] | None = None, **fields: Any
) -> Nurse:
    """Add a nurse to the partnership's team, with the trainings they completed."""
    _require(actor, Action.CHANGE_WORK, partnership)
    _check_fields(fields, NURSE_FIELDS)
    nurse = Nurse(organization_id=partnership.organization_id, partnership=partnership, **fields)
    nurse.full_clean(validate_constraints=False)
    _check_nurse_name(nurse)
    rows = _training_rows(nurse, trainings or [], actor.organization.local_today())
    nurse.save()
    NurseTraining.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        verb="nurse.added",
        target=nurse,
        changes=_changes({}, {**fields, "trainings": _trainings_repr(rows)}),
        partnership=partnership,
    )
    return nurse


@transaction.atomic
def nurse_update(
    *, actor: Actor, nurse: Nurse, trainings: list[dict] | None = None, **fields: Any
) -> Nurse:
    """Change a nurse; `trainings`, when given, replaces the completed trainings as a whole."""
    _require(actor, Action.CHANGE_WORK, nurse)
    _check_fields(fields, NURSE_FIELDS)
    before = _snapshot(nurse, fields)
    for name, value in fields.items():
        setattr(nurse, name, value)
    nurse.full_clean(validate_constraints=False)
    _check_nurse_name(nurse)
    changes = _changes(before, fields)
    nurse.save()
    if trainings is not None:
        old = _trainings_repr(nurse.trainings.all())
        rows = _training_rows(nurse, trainings, actor.organization.local_today())
        nurse.trainings.all().delete()
        NurseTraining.objects.bulk_create(rows)
        if old != _trainings_repr(rows):
            changes["trainings"] = [old, _trainings_repr(rows)]
    if changes:
        audit_record(
            actor=actor,
            verb="nurse.updated",
            target=nurse,
            changes=changes,
            partnership=nurse.partnership,
        )
    return nurse


@transaction.atomic
def nurse_delete(*, actor: Actor, nurse: Nurse) -> None:
    """Remove a nurse entered by mistake (one who left the team is set inactive instead)."""
    _require(actor, Action.CHANGE_WORK, nurse)
    audit_record(actor=actor, verb="nurse.removed", target=nurse, partnership=nurse.partnership)
    nurse.delete()


# --- physician preferences -------------------------------------------------------------


def _check_preference_unique(preference: PhysicianPreference) -> None:
    taken = (
        PhysicianPreference.objects.filter(
            organization_id=preference.organization_id,
            partnership_id=preference.partnership_id,
            physician__iexact=preference.physician,
            kind=preference.kind,
            title__iexact=preference.title,
        )
        .exclude(pk=preference.pk)
        .exists()
    )
    if taken:
        raise ApplicationError(
            f"{preference.physician} already has a {preference.get_kind_display().lower()} "
            f"titled “{preference.title}”; add a version to it instead.",
            field="title",
        )


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
    _require(actor, Action.CHANGE_WORK, partnership)
    _check_fields(fields, PREFERENCE_FIELDS)
    preference = PhysicianPreference(
        organization_id=partnership.organization_id, partnership=partnership, **fields
    )
    preference.full_clean(exclude=["current_version"], validate_constraints=False)
    _check_preference_unique(preference)
    preference.save()
    version = _new_version(actor=actor, preference=preference, text=text)
    audit_record(
        actor=actor,
        verb="physician_preference.created",
        target=preference,
        changes=_changes({}, {**fields, "version": version.number}),
        partnership=partnership,
    )
    return preference


@transaction.atomic
def physician_preference_update(
    *, actor: Actor, preference: PhysicianPreference, text: str | None = None, **fields: Any
) -> PhysicianPreference:
    """Change who/what a preference is about; a changed text becomes a new version (a
    signed-off version is never edited)."""
    _require(actor, Action.CHANGE_WORK, preference)
    _check_fields(fields, PREFERENCE_FIELDS)
    preference = (
        PhysicianPreference.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(pk=preference.pk)
    )
    before = _snapshot(preference, fields)
    for name, value in fields.items():
        setattr(preference, name, value)
    preference.full_clean(exclude=["current_version"], validate_constraints=False)
    _check_preference_unique(preference)
    preference.save()
    changes = _changes(before, fields)
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
    _require(actor, Action.CHANGE_WORK, preference)
    preference = (
        PhysicianPreference.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(pk=preference.pk)
    )
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
    from tenancy.models import Role

    if actor.membership.role not in (Role.CLIENT_EXECUTIVE, Role.ADMIN) or not can(
        actor.membership, Action.SIGN_OFF, preference
    ):
        raise PermissionDenied(
            "Physician preferences are signed off by the client's executives (or an admin)."
        )
    preference = (
        PhysicianPreference.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(pk=preference.pk)
    )
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


# --- satisfaction results --------------------------------------------------------------


def _check_period_free(result: SatisfactionResult) -> None:
    taken = (
        SatisfactionResult.objects.filter(
            organization_id=result.organization_id,
            population_id=result.population_id,
            period_start=result.period_start,
            period_end=result.period_end,
        )
        .exclude(pk=result.pk)
        .exists()
    )
    if taken:
        raise ApplicationError(
            f"{result.population} already has a result for {result.period_start} - "
            f"{result.period_end}; change that one (or import the period again to update it).",
            field="period_start",
        )


@transaction.atomic
def satisfaction_result_create(
    *,
    actor: Actor,
    population: CallerPopulation,
    source: str = SatisfactionSource.MANUAL,
    **fields: Any,
) -> SatisfactionResult:
    """Record one population's satisfaction over one period."""
    _require(actor, Action.CHANGE_WORK, population)
    fields.pop("population", None)
    _check_fields(fields, SATISFACTION_FIELDS)
    result = SatisfactionResult(
        organization_id=population.organization_id,
        partnership_id=population.partnership_id,
        population=population,
        source=source,
        **fields,
    )
    result.full_clean(validate_unique=False, validate_constraints=False)
    _check_period_free(result)
    result.save()
    audit_record(
        actor=actor,
        verb="satisfaction_result.created",
        target=result,
        changes=_changes({}, {**fields, "population": population}),
        partnership=population.partnership,
    )
    return result


@transaction.atomic
def satisfaction_result_update(
    *, actor: Actor, result: SatisfactionResult, **fields: Any
) -> SatisfactionResult:
    _require(actor, Action.CHANGE_WORK, result)
    _check_fields(fields, SATISFACTION_FIELDS)
    if "population" in fields and fields["population"].partnership_id != result.partnership_id:
        raise ApplicationError("The population belongs to another partnership.", field="population")
    before = _snapshot(result, fields)
    for name, value in fields.items():
        setattr(result, name, value)
    result.full_clean(validate_unique=False, validate_constraints=False)
    _check_period_free(result)
    result.save()
    changes = _changes(before, fields)
    if changes:
        audit_record(
            actor=actor,
            verb="satisfaction_result.updated",
            target=result,
            changes=changes,
            partnership=result.partnership,
        )
    return result


@transaction.atomic
def satisfaction_result_delete(*, actor: Actor, result: SatisfactionResult) -> None:
    _require(actor, Action.CHANGE_WORK, result)
    audit_record(
        actor=actor,
        verb="satisfaction_result.deleted",
        target=result,
        changes={
            "period": [f"{result.period_start}-{result.period_end}", None],
            "responses": [result.responses, None],
            "satisfied_pct": [str(result.satisfied_pct), None],
            "questions_answered_pct": [str(result.questions_answered_pct), None],
        },
        partnership=result.partnership,
    )
    result.delete()
