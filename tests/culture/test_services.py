"""Culture services: happy paths, validation errors naming fields, permissions, audit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from culture import services
from culture.models import (
    AdaptationStatus,
    CallerPopulation,
    CultureProfile,
    NurseTraining,
    PhysicianPreferenceVersion,
    SatisfactionResult,
)
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent
from tests.culture.factories import (
    AdaptationFactory,
    CallerPopulationFactory,
    PhysicianPreferenceFactory,
    SatisfactionResultFactory,
)

pytestmark = pytest.mark.django_db


# --- culture profile -------------------------------------------------------------------


def test_profile_get_creates_nothing_and_update_creates_then_changes(
    partnership, implementation_pm, actor_for
):
    empty = services.culture_profile_get(partnership=partnership)
    assert empty.pk is None and empty.communication_style == ""
    assert not CultureProfile.objects.exists()

    actor = actor_for(implementation_pm)
    profile = services.culture_profile_update(
        actor=actor, partnership=partnership, communication_style="Plain and warm."
    )
    again = services.culture_profile_update(
        actor=actor, partnership=partnership, terminology="'Care team', not 'staff'."
    )
    assert again.pk == profile.pk
    assert CultureProfile.objects.count() == 1
    verbs = list(
        AuditEvent.objects.filter(partnership=partnership)
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["culture_profile.created", "culture_profile.updated"]


def test_profile_refuses_client_executive_and_other_account_manager(
    partnership, client_executive, other_account_manager, actor_for
):
    for member in (client_executive, other_account_manager):
        with pytest.raises(PermissionDenied):
            services.culture_profile_update(
                actor=actor_for(member), partnership=partnership, terminology="x"
            )
    assert not CultureProfile.objects.exists()


def test_profile_refuses_unknown_fields(partnership, admin, actor_for):
    with pytest.raises(ApplicationError) as error:
        services.culture_profile_update(
            actor=actor_for(admin), partnership=partnership, colour="red"
        )
    assert error.value.field == "colour"


# --- caller populations ----------------------------------------------------------------


def test_population_create_with_languages(partnership, account_manager, actor_for):
    population = services.caller_population_create(
        actor=actor_for(account_manager),
        partnership=partnership,
        name="Students, main campus, Ann Arbor MI",
        share_of_volume=Decimal("55.5"),
        age_bands=["18_24", "25_34"],
        question_depth="technical",
        preferred_channels=["phone", "portal"],
        accessibility_needs=["interpreter"],
        languages=[
            {"language": "en", "share": Decimal("85")},
            {"language": "cmn", "share": Decimal("15")},
        ],
    )
    assert population.organization_id == partnership.organization_id
    assert {(row.language, row.share) for row in population.languages.all()} == {
        ("en", Decimal("85.00")),
        ("cmn", Decimal("15.00")),
    }
    event = AuditEvent.objects.get(verb="caller_population.created")
    assert event.partnership_id == partnership.pk
    assert event.changes["share_of_volume"] == [None, "55.5"]


def test_population_shares_of_volume_total_at_most_100(
    partnership, students, retirees, admin, actor_for
):
    actor = actor_for(admin)  # students 60 + retirees 30: 10 left
    with pytest.raises(ApplicationError) as error:
        services.caller_population_create(
            actor=actor, partnership=partnership, name="Staff", share_of_volume=Decimal("10.01")
        )
    assert error.value.field == "share_of_volume"
    assert "100.01%" in error.value.message and "at most 10%" in error.value.message
    services.caller_population_create(
        actor=actor, partnership=partnership, name="Staff", share_of_volume=Decimal("10")
    )
    # Updating a population counts the others, not its own old share.
    services.caller_population_update(
        actor=actor, population=students, share_of_volume=Decimal("60")
    )
    with pytest.raises(ApplicationError) as error:
        services.caller_population_update(
            actor=actor, population=retirees, share_of_volume=Decimal("31")
        )
    assert error.value.field == "share_of_volume"
    retirees.refresh_from_db()
    assert retirees.share_of_volume == Decimal("30")


def test_population_share_out_of_range_names_the_field(partnership, admin, actor_for):
    with pytest.raises(ValidationError) as error:
        services.caller_population_create(
            actor=actor_for(admin),
            partnership=partnership,
            name="X",
            share_of_volume=Decimal("101"),
        )
    assert "share_of_volume" in error.value.message_dict
    assert not CallerPopulation.objects.exists()


def test_population_language_shares(partnership, students, admin, actor_for):
    actor = actor_for(admin)
    with pytest.raises(ApplicationError) as error:
        services.caller_population_update(
            actor=actor,
            population=students,
            languages=[
                {"language": "en", "share": Decimal("80")},
                {"language": "es", "share": Decimal("25")},
            ],
        )
    assert error.value.field == "languages"
    assert "105%" in error.value.message
    with pytest.raises(ApplicationError) as error:
        services.caller_population_update(
            actor=actor,
            population=students,
            languages=[{"language": "es", "share": Decimal("120")}],
        )
    assert error.value.field == "languages"
    assert error.value.message.startswith("Spanish, share:")
    with pytest.raises(ApplicationError) as error:
        services.caller_population_update(
            actor=actor,
            population=students,
            languages=[{"language": "es", "share": 5}, {"language": "es", "share": 5}],
        )
    assert error.value.field == "languages"
    # Nothing changed by the refused writes.
    assert sorted(students.languages.values_list("language", flat=True)) == ["cmn", "en"]

    services.caller_population_update(
        actor=actor, population=students, languages=[{"language": "es", "share": Decimal("100")}]
    )
    assert list(students.languages.values_list("language", "share")) == [("es", Decimal("100"))]
    assert AuditEvent.objects.get(verb="caller_population.updated").changes["languages"] == [
        {"en": "80.00", "cmn": "15.00"},
        {"es": "100"},
    ]


def test_population_choice_lists_are_validated(partnership, admin, actor_for):
    with pytest.raises(ValidationError) as error:
        services.caller_population_create(
            actor=actor_for(admin), partnership=partnership, name="X", age_bands=["toddlers"]
        )
    assert "age_bands" in error.value.message_dict


def test_population_name_unique_in_partnership(partnership, students, admin, actor_for):
    with pytest.raises(ApplicationError) as error:
        services.caller_population_create(
            actor=actor_for(admin), partnership=partnership, name=students.name.upper()
        )
    assert error.value.field == "name"


def test_population_with_history_is_not_deleted(partnership, students, retirees, admin, actor_for):
    SatisfactionResultFactory(population=students)
    with pytest.raises(ApplicationError) as error:
        services.caller_population_delete(actor=actor_for(admin), population=students)
    assert error.value.status == 409
    services.caller_population_delete(actor=actor_for(admin), population=retirees)
    assert list(CallerPopulation.objects.values_list("pk", flat=True)) == [students.pk]


# --- adaptations -----------------------------------------------------------------------


def test_adaptation_done_records_completion_and_reopening_clears_it(
    partnership, students, implementation_pm, account_manager, actor_for
):
    actor = actor_for(implementation_pm)
    adaptation = services.adaptation_create(
        actor=actor,
        population=students,
        kind="training",
        title="Physiology CE module",
        owner=account_manager.user,
        due_date=datetime.date(2026, 9, 1),
        outcome_measure="questions answered %",
    )
    assert adaptation.status == AdaptationStatus.PLANNED and adaptation.completed_on is None
    services.adaptation_update(actor=actor, adaptation=adaptation, status="done")
    assert adaptation.completed_on == partnership.organization.local_today()
    assert AuditEvent.objects.filter(verb="adaptation.completed").count() == 1
    services.adaptation_update(actor=actor, adaptation=adaptation, status="in_progress")
    adaptation.refresh_from_db()
    assert adaptation.completed_on is None
    services.adaptation_update(
        actor=actor, adaptation=adaptation, status="done", completed_on=datetime.date(2026, 1, 5)
    )
    adaptation.refresh_from_db()
    assert adaptation.completed_on == datetime.date(2026, 1, 5)


def test_adaptation_rules_name_their_field(
    partnership, students, retirees, client_executive, admin, actor_for
):
    actor = actor_for(admin)
    cases = [
        ({"owner": client_executive.user}, "owner"),
        (
            {"status": "done", "completed_on": timezone.localdate() + datetime.timedelta(days=5)},
            "completed_on",
        ),
        ({"language": "es"}, "language"),
        ({"status": "planned", "completed_on": datetime.date(2026, 1, 1)}, "completed_on"),
    ]
    for extra, field in cases:
        with pytest.raises((ApplicationError, ValidationError)) as error:
            services.adaptation_create(
                actor=actor,
                population=students,
                kind="script",
                title="Plain-language script",
                **extra,
            )
        fields = (
            {error.value.field}
            if isinstance(error.value, ApplicationError)
            else set(error.value.message_dict)
        )
        assert field in fields, (extra, fields)
    adaptation = services.adaptation_create(
        actor=actor,
        population=students,
        kind="language_coverage",
        title="Mandarin line",
        language="cmn",
    )
    with pytest.raises(ApplicationError) as error:
        services.adaptation_create(
            actor=actor, population=students, kind="script", title="MANDARIN LINE"
        )
    assert error.value.field == "title"
    other = CallerPopulationFactory()  # another tenant's population
    with pytest.raises(ApplicationError) as error:
        services.adaptation_update(actor=actor, adaptation=adaptation, population=other)
    assert error.value.field == "population"


def test_done_adaptation_is_dropped_not_deleted(students, admin, actor_for):
    done = AdaptationFactory(population=students, status="done")
    planned = AdaptationFactory(population=students)
    with pytest.raises(ApplicationError):
        services.adaptation_delete(actor=actor_for(admin), adaptation=done)
    services.adaptation_delete(actor=actor_for(admin), adaptation=planned)


# --- nurse team ------------------------------------------------------------------------


def test_nurse_trainings_must_be_training_adaptations_of_the_partnership(
    partnership, students, implementation_pm, actor_for
):
    actor = actor_for(implementation_pm)
    training = AdaptationFactory(population=students, kind="training", status="done")
    script = AdaptationFactory(population=students, kind="script")
    nurse = services.nurse_create(
        actor=actor,
        partnership=partnership,
        name="Maria Lopez",
        languages=["en", "es"],
        trainings=[{"adaptation": training, "completed_on": datetime.date(2026, 3, 2)}],
    )
    assert list(nurse.trainings.values_list("adaptation_id", flat=True)) == [training.pk]
    with pytest.raises(ApplicationError) as error:
        services.nurse_update(
            actor=actor,
            nurse=nurse,
            trainings=[{"adaptation": script, "completed_on": datetime.date(2026, 3, 2)}],
        )
    assert error.value.field == "trainings"
    assert NurseTraining.objects.count() == 1
    with pytest.raises(ValidationError) as error:
        services.nurse_update(actor=actor, nurse=nurse, languages=["klingon"])
    assert "languages" in error.value.message_dict
    nurse.refresh_from_db()  # the refused write left the stored row as it was
    assert nurse.languages == ["en", "es"]
    with pytest.raises(ApplicationError) as error:
        services.nurse_create(actor=actor, partnership=partnership, name="maria lopez")
    assert error.value.field == "name"
    services.nurse_update(actor=actor, nurse=nurse, trainings=[])
    assert NurseTraining.objects.count() == 0


# --- physician preferences -------------------------------------------------------------


def test_preference_versions_and_sign_off(
    partnership, account_manager, implementation_pm, client_executive, actor_for
):
    preference = services.physician_preference_create(
        actor=actor_for(implementation_pm),
        partnership=partnership,
        physician="Dr. Ana Ruiz",
        specialty="Cardiology",
        kind="on_call_escalation",
        title="Chest pain at night",
        text="Page me directly for chest pain; do not send to the ED without a call.",
    )
    v1 = preference.current_version
    assert v1.number == 1 and not v1.is_signed_off

    # Only the client (or an admin) signs off: not the AM, not the PM.
    for member in (account_manager, implementation_pm):
        with pytest.raises(PermissionDenied):
            services.physician_preference_sign_off(actor=actor_for(member), preference=preference)
    signed = services.physician_preference_sign_off(
        actor=actor_for(client_executive), preference=preference, version_number=1
    )
    assert signed.signed_off_by == client_executive.user
    with pytest.raises(ApplicationError) as error:
        services.physician_preference_sign_off(
            actor=actor_for(client_executive), preference=preference
        )
    assert error.value.status == 409 and error.value.field == "version"

    # A change never edits the signed-off text: it makes version 2, which needs sign-off.
    services.physician_preference_update(
        actor=actor_for(account_manager), preference=preference, text="Page me; then call the ED."
    )
    preference.refresh_from_db()
    v1.refresh_from_db()
    assert v1.text.startswith("Page me directly") and v1.signed_off_by == client_executive.user
    assert v1.superseded_at is not None
    v2 = preference.current_version
    assert v2.number == 2 and not v2.is_signed_off
    with pytest.raises(ApplicationError) as error:  # signing what they read (v1) is refused
        services.physician_preference_sign_off(
            actor=actor_for(client_executive), preference=preference, version_number=1
        )
    assert error.value.status == 409
    with pytest.raises(ApplicationError) as error:  # same text: no empty version
        services.physician_preference_version_create(
            actor=actor_for(account_manager),
            preference=preference,
            text="Page me; then call the ED.",
        )
    assert error.value.field == "text"
    assert PhysicianPreferenceVersion.objects.filter(preference=preference).count() == 2
    assert set(AuditEvent.objects.values_list("verb", flat=True)) >= {
        "physician_preference.created",
        "physician_preference.signed_off",
        "physician_preference.updated",
    }


def test_client_executive_of_another_client_cannot_sign_off(
    other_client_partnership, client_executive, admin, actor_for
):
    preference = PhysicianPreferenceFactory(partnership=other_client_partnership)
    with pytest.raises(PermissionDenied):
        services.physician_preference_sign_off(
            actor=actor_for(client_executive), preference=preference
        )
    services.physician_preference_sign_off(actor=actor_for(admin), preference=preference)


def test_preference_unique_per_physician_kind_title(partnership, admin, actor_for):
    fields = {"physician": "Dr. Ana Ruiz", "title": "Refills", "text": "Ask me first."}
    services.physician_preference_create(actor=actor_for(admin), partnership=partnership, **fields)
    with pytest.raises(ApplicationError) as error:
        services.physician_preference_create(
            actor=actor_for(admin), partnership=partnership, **fields
        )
    assert error.value.field == "title"


# --- satisfaction ----------------------------------------------------------------------


def test_satisfaction_create_validates_and_refuses_duplicates(students, admin, actor_for):
    actor = actor_for(admin)
    fields = {
        "period_start": datetime.date(2026, 1, 1),
        "period_end": datetime.date(2026, 1, 31),
        "responses": 120,
        "satisfied_pct": Decimal("91.5"),
        "questions_answered_pct": Decimal("88"),
    }
    services.satisfaction_result_create(actor=actor, population=students, **fields)
    with pytest.raises(ApplicationError) as error:
        services.satisfaction_result_create(actor=actor, population=students, **fields)
    assert error.value.field == "period_start"
    with pytest.raises(ValidationError) as error:
        services.satisfaction_result_create(
            actor=actor,
            population=students,
            **{
                **fields,
                "period_start": datetime.date(2026, 2, 1),
                "period_end": datetime.date(2026, 1, 2),
            },
        )
    assert "period_end" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.satisfaction_result_create(
            actor=actor,
            population=students,
            **{
                **fields,
                "period_start": datetime.date(2026, 3, 1),
                "satisfied_pct": Decimal("100.5"),
            },
        )
    assert "satisfied_pct" in error.value.message_dict
    assert SatisfactionResult.objects.count() == 1
