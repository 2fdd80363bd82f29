"""The culture pages: the Culture tab with its readiness panel, the forms (errors on the named
field), the CSV upload, the nurse briefing, roles (404 / 403) and flat query counts.

Personas (tests/conftest.py, tests/culture/conftest.py): Northstar's admin, the dedicated
account manager and assigned PM of `partnership`, the executive of its client, another
account manager (`other_account_manager`, not dedicated here) and Harbor's admin (outsider).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from culture.models import (
    Adaptation,
    AdaptationStatus,
    CallerPopulation,
    CultureProfile,
    Nurse,
    PhysicianPreference,
    SatisfactionResult,
)
from tenancy.models import AuditEvent
from tests.culture.factories import (
    AdaptationFactory,
    CallerPopulationFactory,
    CallerPopulationLanguageFactory,
    CultureProfileFactory,
    NurseFactory,
    NurseTrainingFactory,
    PhysicianPreferenceFactory,
    SatisfactionResultFactory,
    signed,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def page(name: str, partnership, **kwargs) -> str:
    return reverse(
        f"culture:{name}",
        kwargs={
            "org_slug": partnership.organization.slug,
            "partnership_pk": partnership.pk,
            **kwargs,
        },
    )


@pytest.fixture
def as_member(client):
    """`as_member(membership)`: the test client, signed in as that member."""

    def sign_in(membership):
        client.force_login(membership.user)
        return client

    return sign_in


@pytest.fixture
def profile(partnership):
    return CultureProfileFactory(partnership=partnership)


@pytest.fixture
def today(partnership):
    return partnership.organization.local_today()


def language_rows(*rows: tuple[str, str], extra: int = 1) -> dict[str, str]:
    """The population form's language formset as a browser posts it."""
    data = {
        "languages-TOTAL_FORMS": str(len(rows) + extra),
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "1000",
    }
    for index, (language, share) in enumerate(rows):
        data[f"languages-{index}-language"] = language
        data[f"languages-{index}-share"] = share
    for index in range(len(rows), len(rows) + extra):
        data[f"languages-{index}-language"] = ""
        data[f"languages-{index}-share"] = ""
    return data


def population_data(**overrides) -> dict:
    data = {
        "name": "Night-shift hospital workers",
        "region": "Ann Arbor, MI",
        "share_of_volume": "5",
        "age_bands": ["25_34", "35_49"],
        "education_level": "bachelors",
        "health_literacy": "high",
        "question_depth": "moderate",
        "preferred_channels": ["phone", "text"],
        "peak_hours": "04:00-07:00",
        "accessibility_needs": [],
        "notes": "Call at the end of their shift.",
        "internal_notes": "Margin matters here.",
        **language_rows(("en", "70"), ("tl", "30")),
    }
    data.update(overrides)
    return data


# --- The Culture tab -----------------------------------------------------------------------


def test_the_tab_shows_profile_preferences_populations_and_readiness(
    as_member, account_manager, partnership, profile, students, retirees, today
):
    preference = PhysicianPreferenceFactory(
        partnership=partnership, physician="Dr. Ana Ruiz", title="Chest pain at night"
    )
    ce = AdaptationFactory(
        population=students,
        title="CE physiology module",
        status=AdaptationStatus.DONE,
        completed_on=today - datetime.timedelta(days=40),
    )
    AdaptationFactory(
        population=students,
        title="Mandarin coverage",
        due_date=today - datetime.timedelta(days=3),
    )
    SatisfactionResultFactory(
        population=students,
        period_start=today - datetime.timedelta(days=80),
        period_end=today - datetime.timedelta(days=50),
        responses=120,
        satisfied_pct=Decimal("80"),
    )
    SatisfactionResultFactory(
        population=students,
        period_start=today - datetime.timedelta(days=30),
        period_end=today - datetime.timedelta(days=1),
        responses=12,
        satisfied_pct=Decimal("92"),
    )
    NurseFactory(partnership=partnership, languages=["en"])

    response = as_member(account_manager).get(page("overview", partnership))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">Culture</a>' in html  # the partnership's tab
    assert profile.mission_and_values in html
    assert profile.internal_notes in html  # provider staff see internal notes
    assert preference.physician in html and "Awaiting sign-off" in html
    assert students.name in html and retirees.name in html
    assert "Mandarin Chinese" in html
    # Readiness: overdue in red, languages missing, the effect with its samples.
    assert "overdue 3 days" in html
    assert 'class="missing"' in html  # Mandarin and Spanish are not covered
    assert ce.title in html
    assert "n=120" in html
    assert "n=12 · small sample" in html
    assert 'id="culture-chart-' in html  # json_script data for Chart.js
    assert "vendor/chart.umd.min.js" in html and "js/culture.js" in html
    # Editors see the edit buttons.
    assert page("profile-update", partnership) in html
    assert page("population-update", partnership, pk=students.pk) in html
    effect = response.context["readiness_rows"][0]["effects"][0]
    assert effect["before"]["responses"] == 120
    assert effect["after"]["responses"] == 12 and effect["after"]["small"]
    assert effect["change"] == Decimal("12.0")


def test_an_empty_tab_invites_editors_to_start(as_member, account_manager, partnership):
    response = as_member(account_manager).get(page("overview", partnership))

    html = response.content.decode()
    assert "No culture profile yet." in html
    assert "No caller populations yet." in html
    assert "Describe the first population" in html


def test_the_client_executive_reads_without_internal_fields_or_edit_buttons(
    as_member, client_executive, partnership, profile, students
):
    preference = PhysicianPreferenceFactory(partnership=partnership)
    adaptation = AdaptationFactory(population=students, title="Visible adaptation")

    response = as_member(client_executive).get(page("overview", partnership))

    assert response.status_code == 200
    html = response.content.decode()
    assert profile.mission_and_values in html
    assert students.name in html
    assert profile.internal_notes not in html
    assert students.internal_notes not in html
    assert "provider only" not in html
    assert page("profile-update", partnership) not in html
    assert page("population-update", partnership, pk=students.pk) not in html
    assert page("population-create", partnership) not in html
    # ... but may sign off the physician preference.
    assert page("preference-sign-off", partnership, pk=preference.pk) in html
    adaptations = as_member(client_executive).get(page("adaptations", partnership))
    assert adaptation.title in adaptations.content.decode()
    assert adaptation.internal_notes not in adaptations.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "profile-update",
        "population-create",
        "adaptation-create",
        "nurse-create",
        "preference-create",
        "satisfaction-create",
        "satisfaction-import",
    ],
)
def test_the_client_executive_gets_403_on_every_form(
    as_member, client_executive, partnership, name
):
    member = as_member(client_executive)

    assert member.get(page(name, partnership)).status_code == 403
    assert member.post(page(name, partnership), {"name": "x"}).status_code == 403


def test_the_client_executive_gets_403_on_object_edits_and_deletes(
    as_member, client_executive, partnership, students
):
    adaptation = AdaptationFactory(population=students)
    nurse = NurseFactory(partnership=partnership)
    result = SatisfactionResultFactory(population=students)
    preference = PhysicianPreferenceFactory(partnership=partnership)
    member = as_member(client_executive)

    for name, pk in (
        ("population-update", students.pk),
        ("adaptation-update", adaptation.pk),
        ("nurse-update", nurse.pk),
        ("satisfaction-update", result.pk),
        ("preference-update", preference.pk),
    ):
        assert member.get(page(name, partnership, pk=pk)).status_code == 403, name
    for name, pk in (
        ("population-delete", students.pk),
        ("adaptation-delete", adaptation.pk),
        ("nurse-delete", nurse.pk),
        ("satisfaction-delete", result.pk),
    ):
        assert member.post(page(name, partnership, pk=pk)).status_code == 403, name
    assert CallerPopulation.objects.filter(pk=students.pk).exists()
    assert Nurse.objects.filter(pk=nurse.pk).exists()


def test_another_account_manager_reads_but_may_not_change(
    as_member, other_account_manager, partnership, students
):
    member = as_member(other_account_manager)

    response = member.get(page("overview", partnership))
    assert response.status_code == 200
    assert page("profile-update", partnership) not in response.content.decode()
    assert member.get(page("profile-update", partnership)).status_code == 403
    response = member.post(page("population-update", partnership, pk=students.pk), {})
    assert response.status_code == 403


def test_invisible_partnerships_and_objects_answer_404(
    as_member,
    client_executive,
    implementation_pm,
    outsider,
    partnership,
    other_client_partnership,
    outsider_partnership,
    students,
):
    elsewhere = CallerPopulationFactory(partnership=other_client_partnership)
    # Another client's partnership: not visible to its executive or to an unassigned PM.
    for member in (client_executive, implementation_pm):
        client = as_member(member)
        assert client.get(page("overview", other_client_partnership)).status_code == 404
        assert client.get(page("briefing", other_client_partnership)).status_code == 404
    # A visible partnership with another partnership's object in the URL.
    client = as_member(implementation_pm)
    url = page("population-update", partnership, pk=elsewhere.pk)
    assert client.get(url).status_code == 404
    # Another tenant: its slug, or our slug with its partnership.
    outsider_client = as_member(outsider)
    assert outsider_client.get(page("overview", partnership)).status_code == 404
    harbor = CallerPopulationFactory(partnership=outsider_partnership)
    client = as_member(implementation_pm)
    assert client.get(page("overview", outsider_partnership)).status_code == 404
    wrong = reverse(
        "culture:population-update",
        kwargs={"org_slug": "northstar", "partnership_pk": partnership.pk, "pk": harbor.pk},
    )
    assert client.get(wrong).status_code == 404


def test_anonymous_visitors_are_asked_to_sign_in(client, partnership):
    response = client.get(page("overview", partnership))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- Culture profile -------------------------------------------------------------------------


def test_the_account_manager_edits_the_profile(as_member, account_manager, partnership):
    member = as_member(account_manager)
    assert member.get(page("profile-update", partnership)).status_code == 200

    response = member.post(
        page("profile-update", partnership),
        {
            "mission_and_values": "Whole-person care.",
            "communication_style": "Plain and warm.",
            "escalation_preferences": "Page the on-call physician.",
            "terminology": "Care team.",
            "decision_makers": "Director of Student Health.",
            "meeting_cadence": "Fortnightly",
            "internal_notes": "Renewal risk.",
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith(page("overview", partnership) + "#profile")
    profile = CultureProfile.objects.get(partnership=partnership)
    assert profile.meeting_cadence == "Fortnightly"
    assert profile.internal_notes == "Renewal risk."
    assert AuditEvent.objects.filter(verb="culture_profile.created").exists()


def test_the_profile_form_shows_the_stored_values(as_member, implementation_pm, profile):
    response = as_member(implementation_pm).get(page("profile-update", profile.partnership))

    assert response.context["form"]["meeting_cadence"].value() == profile.meeting_cadence
    assert profile.escalation_preferences in response.content.decode()


def test_a_too_long_meeting_cadence_is_an_error_on_its_field(
    as_member, account_manager, partnership
):
    response = as_member(account_manager).post(
        page("profile-update", partnership), {"meeting_cadence": "x" * 201}
    )

    assert response.status_code == 200
    assert "meeting_cadence" in response.context["form"].errors
    assert not CultureProfile.objects.filter(partnership=partnership).exists()


# --- Caller populations ------------------------------------------------------------------------


def test_a_population_is_created_with_its_languages(as_member, implementation_pm, partnership):
    member = as_member(implementation_pm)
    assert member.get(page("population-create", partnership)).status_code == 200

    response = member.post(page("population-create", partnership), population_data())

    assert response.status_code == 302, response.context["form"].errors
    population = CallerPopulation.objects.get(partnership=partnership)
    assert population.share_of_volume == Decimal("5")
    assert population.age_bands == ["25_34", "35_49"]
    assert {(row.language, row.share) for row in population.languages.all()} == {
        ("en", Decimal("70")),
        ("tl", Decimal("30")),
    }
    assert population.internal_notes == "Margin matters here."


def test_shares_of_volume_over_100_are_an_error_on_the_share_field(
    as_member, account_manager, partnership, students, retirees
):
    response = as_member(account_manager).post(
        page("population-create", partnership), population_data(share_of_volume="20")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "share_of_volume" in errors
    assert "more than 100%" in errors["share_of_volume"][0]
    assert CallerPopulation.objects.filter(partnership=partnership).count() == 2


def test_languages_over_100_are_an_error_on_the_languages(as_member, account_manager, partnership):
    data = population_data(**language_rows(("en", "80"), ("es", "30")))

    response = as_member(account_manager).post(page("population-create", partnership), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.group_errors["languages"] == [
        "The languages' shares total 110%; they may not exceed 100%."
    ]
    html = response.content.decode()
    assert 'id="languages-errors"' in html and "they may not exceed 100%" in html
    assert not CallerPopulation.objects.exists()


def test_a_language_without_its_share_is_an_error_on_that_row(
    as_member, account_manager, partnership
):
    data = population_data(**language_rows(("en", "")))

    response = as_member(account_manager).post(page("population-create", partnership), data)

    assert response.status_code == 200
    assert response.context["formset"].errors[0] == {"share": ["Give the share of this language."]}


def test_a_share_above_100_is_an_error_on_the_share_field(as_member, account_manager, partnership):
    response = as_member(account_manager).post(
        page("population-create", partnership), population_data(share_of_volume="140")
    )

    assert "share_of_volume" in response.context["form"].errors


def test_a_population_is_edited_and_its_languages_replaced(
    as_member, account_manager, partnership, students
):
    member = as_member(account_manager)
    form = member.get(page("population-update", partnership, pk=students.pk)).context["form"]
    assert form["name"].value() == students.name

    response = member.post(
        page("population-update", partnership, pk=students.pk),
        population_data(name=students.name, share_of_volume="55", **language_rows(("en", "100"))),
    )

    assert response.status_code == 302
    students.refresh_from_db()
    assert students.share_of_volume == Decimal("55")
    assert [(row.language, row.share) for row in students.languages.all()] == [
        ("en", Decimal("100"))
    ]


def test_a_population_with_history_is_not_deleted(
    as_member, account_manager, partnership, students, retirees
):
    AdaptationFactory(population=students)
    member = as_member(account_manager)

    refused = member.post(page("population-delete", partnership, pk=students.pk), follow=True)
    deleted = member.post(page("population-delete", partnership, pk=retirees.pk), follow=True)

    assert "remove those first" in refused.content.decode()
    assert CallerPopulation.objects.filter(pk=students.pk).exists()
    assert "removed" in deleted.content.decode()
    assert not CallerPopulation.objects.filter(pk=retirees.pk).exists()


def test_delete_pages_answer_only_post(as_member, account_manager, partnership, retirees):
    response = as_member(account_manager).get(
        page("population-delete", partnership, pk=retirees.pk)
    )

    assert response.status_code == 405


# --- Adaptations -------------------------------------------------------------------------------


def adaptation_data(population, owner, **overrides) -> dict:
    data = {
        "population": population.pk,
        "kind": "training",
        "title": "CE module: physiology",
        "description": "Two contact hours.",
        "owner": owner.pk,
        "due_date": "2030-03-01",
        "status": "planned",
        "completed_on": "",
        "outcome_measure": "questions answered %",
        "language": "",
        "internal_notes": "Vendor is expensive.",
    }
    data.update(overrides)
    return data


def test_an_adaptation_is_planned_with_a_provider_owner(
    as_member, account_manager, implementation_pm, partnership, students
):
    member = as_member(account_manager)
    form = member.get(
        page("adaptation-create", partnership) + f"?population={students.pk}"
    ).context["form"]
    assert form["population"].value() == str(students.pk)

    response = member.post(
        page("adaptation-create", partnership),
        adaptation_data(students, implementation_pm.user),
    )

    assert response.status_code == 302
    adaptation = Adaptation.objects.get(partnership=partnership)
    assert adaptation.owner == implementation_pm.user
    assert adaptation.due_date == datetime.date(2030, 3, 1)
    listing = member.get(page("adaptations", partnership)).content.decode()
    assert adaptation.title in listing and "Vendor is expensive." in listing


def test_the_owner_must_be_a_provider_member(
    as_member, account_manager, client_executive, partnership, students
):
    response = as_member(account_manager).post(
        page("adaptation-create", partnership),
        adaptation_data(students, client_executive.user),
    )

    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Adaptation.objects.exists()


def test_a_completion_date_in_the_future_is_an_error_on_its_field(
    as_member, account_manager, partnership, students, today
):
    response = as_member(account_manager).post(
        page("adaptation-create", partnership),
        adaptation_data(
            students,
            account_manager.user,
            status="done",
            completed_on=(today + datetime.timedelta(days=5)).isoformat(),
        ),
    )

    assert response.context["form"].errors["completed_on"] == [
        "An adaptation cannot be completed in the future."
    ]


def test_a_duplicate_title_is_an_error_on_the_title(
    as_member, account_manager, partnership, students
):
    AdaptationFactory(population=students, title="CE module: physiology")

    response = as_member(account_manager).post(
        page("adaptation-create", partnership), adaptation_data(students, account_manager.user)
    )

    assert "title" in response.context["form"].errors


def test_an_adaptation_is_marked_done_and_overdue_ones_are_flagged(
    as_member, account_manager, partnership, students, today
):
    late = AdaptationFactory(population=students, due_date=today - datetime.timedelta(days=2))
    member = as_member(account_manager)
    listing = member.get(page("adaptations", partnership)).content.decode()
    assert 'class="is-overdue"' in listing

    response = member.post(
        page("adaptation-update", partnership, pk=late.pk),
        adaptation_data(students, account_manager.user, title=late.title, status="done"),
    )

    assert response.status_code == 302
    late.refresh_from_db()
    assert late.status == AdaptationStatus.DONE
    assert late.completed_on == today
    assert 'class="is-overdue"' not in member.get(page("adaptations", partnership)).content.decode()


def test_a_done_adaptation_is_not_deleted(as_member, account_manager, partnership, students):
    done = AdaptationFactory(population=students, status=AdaptationStatus.DONE)
    planned = AdaptationFactory(population=students)
    member = as_member(account_manager)

    member.post(page("adaptation-delete", partnership, pk=done.pk))
    member.post(page("adaptation-delete", partnership, pk=planned.pk))

    assert list(Adaptation.objects.values_list("pk", flat=True)) == [done.pk]


# --- Nurse team --------------------------------------------------------------------------------


def test_a_nurse_is_added_with_languages_and_trainings(
    as_member, implementation_pm, partnership, students, today
):
    training = AdaptationFactory(population=students, title="CE physiology")
    AdaptationFactory(population=students, kind="script", title="Not a training")
    member = as_member(implementation_pm)
    form = member.get(page("nurse-create", partnership)).context["form"]
    assert [field.label for field in form.training_fields()] == ["CE physiology"]

    response = member.post(
        page("nurse-create", partnership),
        {
            "name": "Grace Holloway, RN",
            "languages": ["en", "cmn"],
            "is_active": "on",
            f"training_{training.pk}": (today - datetime.timedelta(days=3)).isoformat(),
        },
    )

    assert response.status_code == 302
    nurse = Nurse.objects.get(partnership=partnership)
    assert nurse.languages == ["en", "cmn"]
    assert [(t.adaptation, t.completed_on) for t in nurse.trainings.all()] == [
        (training, today - datetime.timedelta(days=3))
    ]
    team = member.get(page("team", partnership)).content.decode()
    assert "Grace Holloway, RN" in team and "Mandarin Chinese" in team


def test_a_training_completed_in_the_future_is_an_error_on_its_field(
    as_member, account_manager, partnership, students, today
):
    training = AdaptationFactory(population=students)
    field = f"training_{training.pk}"

    response = as_member(account_manager).post(
        page("nurse-create", partnership),
        {"name": "Nurse", "languages": ["en"], field: (today + datetime.timedelta(1)).isoformat()},
    )

    assert field in response.context["form"].errors
    assert not Nurse.objects.exists()


def test_a_duplicate_nurse_name_is_an_error_on_the_name(as_member, account_manager, partnership):
    NurseFactory(partnership=partnership, name="Li Wen, RN")

    response = as_member(account_manager).post(
        page("nurse-create", partnership), {"name": "li wen, rn", "languages": ["en"]}
    )

    assert "name" in response.context["form"].errors


def test_a_nurse_is_edited_and_trainings_replaced(
    as_member, account_manager, partnership, students, today
):
    first = AdaptationFactory(population=students, title="First training")
    second = AdaptationFactory(population=students, title="Second training")
    nurse = NurseFactory(partnership=partnership, name="Tom Brennan, RN")
    NurseTrainingFactory(nurse=nurse, adaptation=first, completed_on=today)
    member = as_member(account_manager)
    form = member.get(page("nurse-update", partnership, pk=nurse.pk)).context["form"]
    assert form[f"training_{first.pk}"].value() == today

    response = member.post(
        page("nurse-update", partnership, pk=nurse.pk),
        {"name": nurse.name, "languages": ["en"], f"training_{second.pk}": today.isoformat()},
    )

    assert response.status_code == 302
    nurse.refresh_from_db()
    assert not nurse.is_active  # the box was left unticked
    assert [t.adaptation_id for t in nurse.trainings.all()] == [second.pk]


# --- Physician preferences ------------------------------------------------------------------


def test_a_preference_is_created_versioned_and_signed_off_by_the_client(
    as_member, account_manager, client_executive, partnership
):
    member = as_member(account_manager)
    response = member.post(
        page("preference-create", partnership),
        {
            "physician": "Dr. Ana Ruiz",
            "specialty": "Cardiology",
            "kind": "on_call_escalation",
            "title": "Chest pain at night",
            "text": "Page me at any hour.",
        },
    )
    assert response.status_code == 302
    preference = PhysicianPreference.objects.get(partnership=partnership)
    assert preference.current_version.number == 1

    response = member.post(
        page("preference-update", partnership, pk=preference.pk),
        {
            "physician": "Dr. Ana Ruiz",
            "specialty": "Cardiology",
            "kind": "on_call_escalation",
            "title": "Chest pain at night",
            "text": "Page me at any hour; 911 first if unstable.",
        },
    )
    assert response.status_code == 302
    preference.refresh_from_db()
    assert preference.current_version.number == 2

    executive = as_member(client_executive)
    detail = executive.get(page("preference-detail", partnership, pk=preference.pk))
    assert "Version 2" in detail.content.decode() and "Version 1" in detail.content.decode()
    response = executive.post(
        page("preference-sign-off", partnership, pk=preference.pk), {"version": "2"}, follow=True
    )
    assert "Signed off version 2" in response.content.decode()
    preference.current_version.refresh_from_db()
    assert preference.current_version.signed_off_by == client_executive.user


def test_a_stale_sign_off_is_refused_with_a_message(as_member, client_executive, partnership):
    preference = PhysicianPreferenceFactory(partnership=partnership)

    response = as_member(client_executive).post(
        page("preference-sign-off", partnership, pk=preference.pk), {"version": "7"}, follow=True
    )

    assert "Version 7 is no longer current" in response.content.decode()
    preference.current_version.refresh_from_db()
    assert not preference.current_version.is_signed_off


def test_provider_staff_other_than_admins_cannot_sign_off(
    as_member, account_manager, implementation_pm, partnership
):
    preference = PhysicianPreferenceFactory(partnership=partnership)
    url = page("preference-sign-off", partnership, pk=preference.pk)

    assert as_member(account_manager).post(url, {"version": "1"}).status_code == 403
    assert as_member(implementation_pm).post(url, {"version": "1"}).status_code == 403
    preference.current_version.refresh_from_db()
    assert not preference.current_version.is_signed_off


def test_a_duplicate_preference_is_an_error_on_the_title(as_member, account_manager, partnership):
    preference = PhysicianPreferenceFactory(partnership=partnership)
    data = {
        "physician": preference.physician,
        "specialty": preference.specialty,
        "kind": preference.kind,
        "title": "Another preference",
        "text": "x",
    }
    PhysicianPreferenceFactory(
        partnership=partnership, physician=preference.physician, title="Another preference"
    )

    response = as_member(account_manager).post(
        page("preference-update", partnership, pk=preference.pk), data
    )

    assert "title" in response.context["form"].errors


# --- Satisfaction --------------------------------------------------------------------------


def satisfaction_data(population, **overrides) -> dict:
    data = {
        "population": population.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "responses": "212",
        "satisfied_pct": "91.5",
        "questions_answered_pct": "88",
    }
    data.update(overrides)
    return data


def test_a_result_is_entered_by_hand(as_member, account_manager, partnership, students):
    response = as_member(account_manager).post(
        page("satisfaction-create", partnership), satisfaction_data(students)
    )

    assert response.status_code == 302
    result = SatisfactionResult.objects.get()
    assert (result.responses, result.satisfied_pct, result.source) == (
        212,
        Decimal("91.5"),
        "manual",
    )


def test_a_period_ending_before_it_starts_is_an_error_on_the_end(
    as_member, account_manager, partnership, students
):
    response = as_member(account_manager).post(
        page("satisfaction-create", partnership),
        satisfaction_data(students, period_end="2025-12-01"),
    )

    assert "period_end" in response.context["form"].errors


def test_a_second_result_for_a_period_is_an_error_on_the_period(
    as_member, account_manager, partnership, students
):
    SatisfactionResultFactory(
        population=students,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
    )

    response = as_member(account_manager).post(
        page("satisfaction-create", partnership), satisfaction_data(students)
    )

    assert "already has a result" in response.context["form"].errors["period_start"][0]
    assert SatisfactionResult.objects.count() == 1


def test_a_result_is_edited_and_deleted(as_member, account_manager, partnership, students):
    result = SatisfactionResultFactory(population=students, responses=10)
    member = as_member(account_manager)

    response = member.post(
        page("satisfaction-update", partnership, pk=result.pk),
        satisfaction_data(
            students,
            period_start=result.period_start.isoformat(),
            period_end=result.period_end.isoformat(),
            responses="64",
        ),
    )
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.responses == 64

    member.post(page("satisfaction-delete", partnership, pk=result.pk))
    assert not SatisfactionResult.objects.exists()


CSV_HEADER = "population,period_start,period_end,responses,satisfied_pct,questions_answered_pct\n"


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("results.csv", text.encode(), content_type="text/csv")


def test_a_csv_with_a_bad_row_in_the_middle_saves_nothing_and_lists_the_rows(
    as_member, account_manager, partnership, students
):
    text = (
        CSV_HEADER
        + f'"{students.name}",2026-01-01,2026-01-31,212,91.5,88\n'
        + f'"{students.name}",2026-02-01,2026-02-28,190,140,88\n'
        + "Nobody,2026-03-01,2026-03-31,12,90,90\n"
        + f'"{students.name}",2026-04-01,2026-04-30,201,92,89\n'
    )

    response = as_member(account_manager).post(
        page("satisfaction-import", partnership), {"file": upload(text)}
    )

    assert response.status_code == 200
    assert not SatisfactionResult.objects.exists()
    assert [(e.row, e.column) for e in response.context["row_errors"]] == [
        (3, "satisfied_pct"),
        (4, "population"),
    ]
    assert "nothing was saved" in response.context["form"].errors["file"][0]
    html = response.content.decode()
    assert "2 errors, nothing saved" in html
    assert "must be between 0 and 100" in html


def test_a_valid_csv_is_imported_with_a_summary(
    as_member, account_manager, partnership, students, retirees
):
    SatisfactionResultFactory(
        population=students,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        responses=5,
    )
    text = (
        CSV_HEADER
        + f'"{students.name}",2026-01-01,2026-01-31,212,91.5,88\n'
        + f'"{retirees.name.upper()}",2026-01-01,2026-01-31,12,80,75\n'
    )

    response = as_member(account_manager).post(
        page("satisfaction-import", partnership), {"file": upload(text)}, follow=True
    )

    assert "Imported 2 results: 1 new, 1 updated." in response.content.decode()
    assert SatisfactionResult.objects.count() == 2
    assert SatisfactionResult.objects.get(population=students).responses == 212


def test_only_checking_a_csv_saves_nothing(as_member, account_manager, partnership, students):
    text = CSV_HEADER + f'"{students.name}",2026-01-01,2026-01-31,212,91.5,88\n'

    response = as_member(account_manager).post(
        page("satisfaction-import", partnership), {"file": upload(text), "dry_run": "on"}
    )

    assert response.status_code == 200
    assert "The file is valid." in response.content.decode()
    assert response.context["checked"].created == 1
    assert not SatisfactionResult.objects.exists()


def test_an_upload_without_a_file_is_an_error_on_the_file(as_member, account_manager, partnership):
    response = as_member(account_manager).post(page("satisfaction-import", partnership), {})

    assert "file" in response.context["form"].errors


# --- The nurse briefing -------------------------------------------------------------------------


def test_the_briefing_shows_what_a_nurse_must_know(
    as_member, implementation_pm, admin, partnership, profile, students, retirees
):
    followed = PhysicianPreferenceFactory(
        partnership=partnership,
        kind="on_call_escalation",
        title="Chest pain at night",
        versions__text="Page the cardiologist at any hour.",
    )
    signed(followed.current_version, admin.user)
    pending = PhysicianPreferenceFactory(
        partnership=partnership, title="Fever rule", versions__text="Unsigned draft text."
    )
    NurseFactory(partnership=partnership, languages=["en", "cmn"])

    response = as_member(implementation_pm).get(page("briefing", partnership))

    assert response.status_code == 200
    html = response.content.decode()
    assert students.name in html and retirees.name in html
    assert "In-depth technical" in html
    assert "Hard of hearing" in html and "TTY / TDD" in html
    assert profile.escalation_preferences in html
    assert profile.terminology.replace("'", "&#x27;") in html
    assert "Page the cardiologist at any hour." in html
    assert pending.title in html and "Unsigned draft text." not in html
    assert "use the interpreter line" in html  # Spanish is not covered by the team
    assert "data-print" in html and "css/culture.css" in html
    assert profile.internal_notes not in html


def test_the_client_executive_may_read_the_briefing(
    as_member, client_executive, partnership, profile
):
    response = as_member(client_executive).get(page("briefing", partnership))

    assert response.status_code == 200
    assert profile.internal_notes not in response.content.decode()


def test_the_print_stylesheet_hides_the_chrome():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/culture.css")).read_text(encoding="utf-8")
    js = Path(finders.find("js/culture.js")).read_text(encoding="utf-8")
    assert "@media print" in css
    assert ".site-header, .site-footer" in css
    assert "window.print()" in js


# --- Query counts ---------------------------------------------------------------------------


def fill(partnership, rows: int, today: datetime.date, author) -> None:
    """`rows` of every culture row kind on the partnership."""
    for n in range(rows):
        population = CallerPopulationFactory(partnership=partnership, share_of_volume=Decimal(1))
        CallerPopulationLanguageFactory(population=population, language="en", share=Decimal(60))
        CallerPopulationLanguageFactory(population=population, language="es", share=Decimal(40))
        done = AdaptationFactory(
            population=population,
            status=AdaptationStatus.DONE,
            completed_on=today - datetime.timedelta(days=30),
        )
        AdaptationFactory(population=population, due_date=today - datetime.timedelta(days=1))
        SatisfactionResultFactory(
            population=population,
            period_start=today - datetime.timedelta(days=60),
            period_end=today - datetime.timedelta(days=31),
        )
        SatisfactionResultFactory(
            population=population,
            period_start=today - datetime.timedelta(days=20),
            period_end=today - datetime.timedelta(days=1),
        )
        nurse = NurseFactory(partnership=partnership, languages=["en", "es"])
        NurseTrainingFactory(nurse=nurse, adaptation=done)
        preference = PhysicianPreferenceFactory(
            partnership=partnership, kind=["preference", "standing_order"][n % 2]
        )
        signed(preference.current_version, author)


# Every page: 1 the user with their memberships (organization, client; the session comes
# from the cache), 2 the partnership (visible) with its client and account manager. Its PMs
# are loaded only when a check asks about them (a PM's own pages), as in the API.
BASE = 2
PAGES = {
    # 3 profile, 4 preferences with current versions and signers, 5 populations, 6 their
    # languages, then culture_readiness: 7 populations, 8 languages, 9 adaptations with
    # trained counts, 10 before/after aggregates, 11 the active nurses' languages.
    "overview": BASE + 9,
    # 3 adaptations with populations and owners.
    "adaptations": BASE + 1,
    # 3 nurses, 4 their trainings with adaptations.
    "team": BASE + 2,
    # 3 count for the paginator, 4 the page of results with populations.
    "satisfaction": BASE + 2,
    # 3 populations, 4 languages, 5 preferences with current versions, 6 signed-off
    # versions (prefetched), 7 active nurses' languages, 8 profile, 9 the knowledge
    # transferred to the provider (transition's section, partnerships/briefing.py).
    "briefing": BASE + 7,
}


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_run_a_fixed_number_of_queries(
    as_member, admin, account_manager, partnership, today, rows, name, django_assert_num_queries
):
    CultureProfileFactory(partnership=partnership)
    fill(partnership, rows, today, admin.user)
    member = as_member(account_manager)
    member.get(page("overview", partnership))  # the session remembers the organization

    with django_assert_num_queries(PAGES[name]):
        response = member.get(page(name, partnership))

    assert response.status_code == 200


def test_the_readiness_figures_grow_with_rows_not_queries(
    as_member, admin, account_manager, partnership, today
):
    fill(partnership, 4, today, admin.user)

    response = as_member(account_manager).get(page("overview", partnership))

    rows = response.context["readiness_rows"]
    assert len(rows) == 4
    assert all(row["item"].adaptations_overdue == 1 for row in rows)
    assert all(len(row["effects"]) == 1 for row in rows)


def test_a_member_of_two_organizations_sees_only_the_one_in_the_url(
    as_member, outsider, partnership, org_a
):
    MembershipFactory(organization=org_a, user=outsider.user, role="account_manager")

    response = as_member(outsider).get(page("overview", partnership))

    assert response.status_code == 200
    assert response.context["organization"] == org_a


# --- Demo data ------------------------------------------------------------------------------


def test_the_demo_culture_is_rich_and_loads_once(settings):
    from io import StringIO

    from django.core.management import call_command

    from culture.selectors import culture_readiness
    from partnerships.models import Partnership

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    counts = {
        model: model.objects.count()
        for model in (CallerPopulation, Adaptation, Nurse, PhysicianPreference, SatisfactionResult)
    }
    call_command("seed_demo", stdout=StringIO())

    assert {model: model.objects.count() for model in counts} == counts
    university = Partnership.objects.get(client__name="Lakeshore University Student Health")
    readiness = culture_readiness(university)
    students = readiness.populations[0]
    assert students.name.startswith("Students")
    assert [e.title for e in students.effects][:1] == [
        "CE module: physiology and pharmacology for student callers"
    ]
    effect = students.effects[0]
    assert effect.after.satisfied_pct > effect.before.satisfied_pct
    assert not effect.before.small_sample
    international = next(p for p in readiness.populations if p.name.startswith("International"))
    assert "hi" in international.languages_missing  # no Hindi-speaking nurse yet
    assert international.adaptations_overdue == 1
    rural = Partnership.objects.get(client__name="Prairie View Community Hospital")
    assert SatisfactionResult.objects.filter(partnership=rural, responses__lt=30).exists()
    signed_by_client = PhysicianPreference.objects.filter(
        partnership=university, current_version__signed_off_by__email="exec@university.example"
    )
    assert signed_by_client.exists()
