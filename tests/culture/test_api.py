"""The culture API: happy paths, 400s naming fields, permissions per role, 404s across
partnerships and tenants, and flat query counts on every list."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from culture.models import (
    Adaptation,
    CallerPopulation,
    CultureProfile,
    PhysicianPreferenceVersion,
    SatisfactionResult,
)
from tests.culture.factories import (
    AdaptationFactory,
    CallerPopulationFactory,
    CallerPopulationLanguageFactory,
    CultureProfileFactory,
    NurseFactory,
    NurseTrainingFactory,
    PhysicianPreferenceFactory,
    SatisfactionResultFactory,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = "Nothing matches this address, or you do not have access to it."


# --- culture profile -------------------------------------------------------------------


def test_profile_read_creates_nothing(partnership, admin, as_, url):
    response = as_(admin).get(url("culture-profile"))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] is None and body["partnership"] == partnership.pk
    assert body["communication_style"] == "" and body["internal_notes"] == ""
    assert not CultureProfile.objects.exists()


def test_profile_edit_by_role(
    partnership,
    implementation_pm,
    account_manager,
    client_executive,
    other_account_manager,
    admin,
    as_,
    url,
):
    response = as_(implementation_pm).patch(
        url("culture-profile"),
        {"communication_style": "Plain and warm.", "internal_notes": "Director is wary."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["internal_notes"] == "Director is wary."
    response = as_(account_manager).patch(
        url("culture-profile"), {"terminology": "care team"}, format="json"
    )
    assert response.json()["communication_style"] == "Plain and warm."  # PATCH keeps the rest

    # The client executive reads it, without the internal notes, and cannot change it.
    response = as_(client_executive).get(url("culture-profile"))
    assert response.status_code == 200
    assert response.json()["terminology"] == "care team"
    assert "internal_notes" not in response.json()
    assert "Director is wary" not in response.content.decode()
    for member in (client_executive, other_account_manager):
        response = as_(member).patch(url("culture-profile"), {"terminology": "x"}, format="json")
        assert response.status_code == 403, member
    # PUT replaces: fields left out become empty.
    response = as_(admin).put(url("culture-profile"), {"terminology": "staff"}, format="json")
    assert response.json()["communication_style"] == ""
    assert CultureProfile.objects.get().terminology == "staff"


# --- caller populations ----------------------------------------------------------------


def test_population_create_update_delete(partnership, account_manager, as_, url):
    api = as_(account_manager)
    response = api.post(
        url("caller-population-list"),
        {
            "name": "Students, main campus, Ann Arbor MI",
            "region": "Ann Arbor, MI",
            "share_of_volume": "62.5",
            "languages": [{"language": "en", "share": 85}, {"language": "cmn", "share": 15}],
            "age_bands": ["18_24", "25_34"],
            "education_level": "some_college",
            "health_literacy": "high",
            "question_depth": "technical",
            "preferred_channels": ["phone", "text", "portal"],
            "peak_hours": "Sun-Thu 21:00-01:00",
            "accessibility_needs": ["interpreter"],
            "notes": "Ask in-depth questions about their conditions.",
            "internal_notes": "Two complaints last year.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["share_of_volume"] == 62.5
    assert body["languages"] == [
        {"language": "en", "language_display": "English", "share": 85.0},
        {"language": "cmn", "language_display": "Mandarin Chinese", "share": 15.0},
    ]
    pk = body["id"]
    response = api.patch(
        url("caller-population-detail", pk=pk), {"question_depth": "moderate"}, format="json"
    )
    assert response.status_code == 200 and response.json()["question_depth"] == "moderate"
    assert len(response.json()["languages"]) == 2  # untouched when not sent
    assert api.delete(url("caller-population-detail", pk=pk)).status_code == 204
    assert not CallerPopulation.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"share_of_volume": "101"}, "share_of_volume"),
        ({"share_of_volume": "-1"}, "share_of_volume"),
        ({"share_of_volume": "10.5"}, "share_of_volume"),  # 60 + 30 + 10.5 > 100
        (
            {"languages": [{"language": "en", "share": 70}, {"language": "es", "share": 40}]},
            "languages",
        ),
        ({"languages": [{"language": "es", "share": 120}]}, "languages"),
        ({"languages": [{"language": "xx", "share": 10}]}, "languages"),
        ({"age_bands": ["toddlers"]}, "age_bands"),
        ({"health_literacy": "genius"}, "health_literacy"),
        ({"name": ""}, "name"),
    ],
)
def test_population_bad_input_names_the_field(students, retirees, admin, as_, url, payload, field):
    body = {"name": "Staff", **payload}
    response = as_(admin).post(url("caller-population-list"), body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert CallerPopulation.objects.count() == 2


def test_population_totals_on_update(students, retirees, admin, as_, url):
    response = as_(admin).patch(
        url("caller-population-detail", pk=retirees.pk), {"share_of_volume": 41}, format="json"
    )
    assert response.status_code == 400
    assert "at most 40%" in response.json()["share_of_volume"][0]


def test_client_executive_reads_populations_without_internal_fields(
    students, client_executive, as_, url
):
    api = as_(client_executive)
    response = api.get(url("caller-population-list"))
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["name"] == students.name and "internal_notes" not in row
    assert "complained" not in response.content.decode()
    detail = api.get(url("caller-population-detail", pk=students.pk)).json()
    assert "internal_notes" not in detail
    assert api.post(url("caller-population-list"), {"name": "X"}, format="json").status_code == 403
    response = api.patch(
        url("caller-population-detail", pk=students.pk), {"name": "X"}, format="json"
    )
    assert response.status_code == 403
    assert api.delete(url("caller-population-detail", pk=students.pk)).status_code == 403


# --- adaptations -----------------------------------------------------------------------


def test_adaptation_lifecycle(partnership, students, implementation_pm, account_manager, as_, url):
    api = as_(implementation_pm)
    response = api.post(
        url("adaptation-list"),
        {
            "population": students.pk,
            "kind": "training",
            "title": "Physiology CE module",
            "owner": account_manager.user_id,
            "due_date": "2020-01-01",
            "outcome_measure": "questions answered %",
            "internal_notes": "Vendor is expensive.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"]["id"] == account_manager.user_id
    assert body["is_overdue"] is True and body["status"] == "planned"
    assert body["population_name"] == students.name
    response = api.patch(url("adaptation-detail", pk=body["id"]), {"status": "done"}, format="json")
    assert response.status_code == 200
    assert response.json()["completed_on"] == partnership.organization.local_today().isoformat()
    assert response.json()["is_overdue"] is False
    listed = api.get(url("adaptation-list"), {"status": "done", "population": students.pk}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_adaptation_bad_references_name_the_field(
    students, other_client_partnership, client_executive, outsider, admin, as_, url
):
    other_population = CallerPopulationFactory(partnership=other_client_partnership)
    base = {"population": students.pk, "kind": "script", "title": "Plain-language script"}
    cases = [
        ({"owner": client_executive.user_id}, "owner"),  # not a provider member
        ({"owner": outsider.user_id}, "owner"),  # another tenant's person
        ({"population": other_population.pk}, "population"),  # another partnership's
        ({"kind": "magic"}, "kind"),
        ({"language": "es"}, "language"),  # only for language coverage
    ]
    for extra, field in cases:
        response = as_(admin).post(url("adaptation-list"), {**base, **extra}, format="json")
        assert response.status_code == 400, (extra, response.json())
        assert field in response.json(), (extra, response.json())
    assert not Adaptation.objects.exists()


def test_adaptation_list_hides_internal_notes_from_client_executive(
    students, client_executive, as_, url
):
    AdaptationFactory(population=students, internal_notes="Vendor is expensive.")
    response = as_(client_executive).get(url("adaptation-list"))
    assert "internal_notes" not in response.json()["results"][0]
    assert "expensive" not in response.content.decode()


# --- nurse team ------------------------------------------------------------------------


def test_nurse_team(partnership, students, account_manager, as_, url):
    training = AdaptationFactory(population=students, kind="training", status="done")
    api = as_(account_manager)
    response = api.post(
        url("nurse-list"),
        {
            "name": "Maria Lopez",
            "languages": ["en", "es"],
            "trainings": [{"adaptation": training.pk, "completed_on": "2026-03-02"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["trainings"] == [
        {"adaptation": training.pk, "title": training.title, "completed_on": "2026-03-02"}
    ]
    response = api.patch(url("nurse-detail", pk=body["id"]), {"is_active": False}, format="json")
    assert response.json()["is_active"] is False and len(response.json()["trainings"]) == 1
    response = api.post(url("nurse-list"), {"name": "Tom", "languages": ["xx"]}, format="json")
    assert response.status_code == 400 and "languages" in response.json()


# --- physician preferences -------------------------------------------------------------


def test_preferences_versions_and_sign_off_by_role(
    partnership, implementation_pm, account_manager, client_executive, as_, url
):
    response = as_(implementation_pm).post(
        url("physician-preference-list"),
        {
            "physician": "Dr. Ana Ruiz",
            "specialty": "Cardiology",
            "kind": "on_call_escalation",
            "title": "Chest pain at night",
            "text": "Page me directly for chest pain.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["current_version"]["number"] == 1
    sign_off = url("physician-preference-sign-off", pk=pk)

    # Provider staff do not sign off for the client.
    for member in (implementation_pm, account_manager):
        assert as_(member).post(sign_off, {}, format="json").status_code == 403
    response = as_(client_executive).post(sign_off, {"version": 1}, format="json")
    assert response.status_code == 200, response.json()
    current = response.json()["current_version"]
    assert current["is_signed_off"] is True
    assert current["signed_off_by"]["id"] == client_executive.user_id
    assert as_(client_executive).post(sign_off, {}, format="json").status_code == 409

    # The client executive cannot write versions or edit the preference.
    versions = url("physician-preference-versions", pk=pk)
    assert as_(client_executive).post(versions, {"text": "x"}, format="json").status_code == 403
    response = as_(client_executive).patch(
        url("physician-preference-detail", pk=pk), {"text": "x"}, format="json"
    )
    assert response.status_code == 403

    # A change makes version 2; version 1 keeps its text and sign-off.
    response = as_(account_manager).post(versions, {"text": "Page me; then the ED."}, format="json")
    assert response.status_code == 201 and response.json()["number"] == 2
    listed = as_(client_executive).get(versions).json()
    assert [(v["number"], v["is_current"], v["is_signed_off"]) for v in listed] == [
        (2, True, False),
        (1, False, True),
    ]
    assert listed[1]["text"] == "Page me directly for chest pain."
    response = as_(client_executive).post(sign_off, {"version": 1}, format="json")
    assert response.status_code == 409 and "version" in response.json()
    assert as_(client_executive).post(sign_off, {"version": 2}, format="json").status_code == 200
    assert PhysicianPreferenceVersion.objects.filter(signed_off_at__isnull=False).count() == 2


def test_preference_update_with_same_text_makes_no_version(partnership, admin, as_, url):
    preference = PhysicianPreferenceFactory(partnership=partnership)
    response = as_(admin).patch(
        url("physician-preference-detail", pk=preference.pk),
        {"specialty": "Pediatrics", "text": preference.current_version.text},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["specialty"] == "Pediatrics"
    assert response.json()["current_version"]["number"] == 1


# --- satisfaction ----------------------------------------------------------------------


def test_satisfaction_create_and_bad_input(students, implementation_pm, client_executive, as_, url):
    api = as_(implementation_pm)
    good = {
        "population": students.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "responses": 212,
        "satisfied_pct": "91.5",
        "questions_answered_pct": 88,
    }
    response = api.post(url("satisfaction-result-list"), good, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "manual" and response.json()["satisfied_pct"] == 91.5
    for change, field in [
        ({}, "period_start"),  # the same period again
        ({"period_start": "2026-02-01", "satisfied_pct": 101}, "satisfied_pct"),
        ({"period_start": "2026-02-01", "questions_answered_pct": -1}, "questions_answered_pct"),
        ({"period_start": "2026-02-01", "responses": -3}, "responses"),
        ({"period_start": "2026-02-10", "period_end": "2026-02-01"}, "period_end"),
        ({"period_start": "2026-02-01", "population": 987654}, "population"),
    ]:
        response = api.post(url("satisfaction-result-list"), {**good, **change}, format="json")
        assert response.status_code == 400, change
        assert field in response.json(), (change, response.json())
    assert SatisfactionResult.objects.count() == 1
    executive = as_(client_executive)
    assert executive.get(url("satisfaction-result-list")).json()["count"] == 1
    response = executive.post(url("satisfaction-result-list"), good, format="json")
    assert response.status_code == 403


def test_readiness_endpoint(partnership, students, client_executive, as_, url):
    AdaptationFactory(population=students, status="done", completed_on=datetime.date(2026, 3, 1))
    SatisfactionResultFactory(
        population=students,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 4, 30),
        responses=12,
        satisfied_pct=Decimal("87.5"),
    )
    NurseFactory(partnership=partnership, languages=["en"])
    response = as_(client_executive).get(url("culture-readiness"))
    assert response.status_code == 200
    body = response.json()
    assert body["team_size"] == 1 and body["team_languages"] == ["en"]
    panel = body["populations"][0]
    assert panel["languages_required"] == ["en", "cmn"]
    assert panel["languages_missing"] == ["cmn"]
    effect = panel["effects"][0]
    assert effect["before"] == {
        "responses": 0,
        "periods": 0,
        "satisfied_pct": None,
        "questions_answered_pct": None,
        "small_sample": True,
    }
    assert effect["after"]["satisfied_pct"] == 87.5 and effect["after"]["small_sample"] is True


# --- not found: other partnerships, other tenants ----------------------------------------


LIST_ROUTES = [
    "culture-profile",
    "culture-readiness",
    "caller-population-list",
    "adaptation-list",
    "nurse-list",
    "physician-preference-list",
    "satisfaction-result-list",
]


def test_outsider_and_hidden_partnerships_answer_404(
    partnership,
    other_client_partnership,
    outsider_partnership,
    students,
    client_executive,
    implementation_pm,
    outsider,
    admin,
    as_,
    url,
):
    for name in LIST_ROUTES:
        # Another tenant's member on this partnership; a member on another tenant's one.
        for member, target in ((outsider, partnership), (admin, outsider_partnership)):
            response = as_(member).get(url(name, target))
            if target is outsider_partnership:
                # Own slug, another tenant's partnership id.
                response = as_(member).get(url(name, target).replace("harbor", "northstar", 1))
            assert response.status_code == 404, (name, member)
            assert response.json() == {"detail": NOT_FOUND}
        # Same tenant, a partnership the member does not see.
        for member in (client_executive, implementation_pm):
            response = as_(member).get(url(name, other_client_partnership))
            assert response.status_code == 404, (name, member)
            assert response.json() == {"detail": NOT_FOUND}


def test_objects_of_another_partnership_or_tenant_answer_404(
    partnership, other_client_partnership, outsider_partnership, admin, as_, url
):
    mine = CallerPopulationFactory(partnership=partnership)
    sibling = CallerPopulationFactory(partnership=other_client_partnership)
    foreign = CallerPopulationFactory(partnership=outsider_partnership)
    api = as_(admin)
    assert api.get(url("caller-population-detail", pk=mine.pk)).status_code == 200
    missing = api.get(url("caller-population-detail", pk=987654321))
    for other in (sibling, foreign):
        # Through this partnership's address, another partnership's row is not found.
        response = api.get(url("caller-population-detail", pk=other.pk))
        assert response.status_code == 404 and response.json() == missing.json()
        response = api.patch(
            url("caller-population-detail", pk=other.pk), {"name": "hijack"}, format="json"
        )
        assert response.status_code == 404
        assert api.delete(url("caller-population-detail", pk=other.pk)).status_code == 404
    foreign_pref = PhysicianPreferenceFactory(partnership=outsider_partnership)
    response = api.post(url("physician-preference-sign-off", pk=foreign_pref.pk), {}, format="json")
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name != "hijack"


def test_an_account_manager_of_another_partnership_reads_but_cannot_write(
    partnership, students, other_account_manager, as_, url
):
    api = as_(other_account_manager)
    assert api.get(url("caller-population-list")).status_code == 200
    for name, body in [
        ("caller-population-list", {"name": "X"}),
        ("adaptation-list", {"population": students.pk, "kind": "script", "title": "X"}),
        ("nurse-list", {"name": "X"}),
        ("physician-preference-list", {"physician": "Dr. X", "title": "X", "text": "X"}),
    ]:
        assert api.post(url(name), body, format="json").status_code == 403, name


# --- query counts --------------------------------------------------------------------------


def _rows(partnership, count: int) -> None:
    trainer = MembershipFactory(organization=partnership.organization, role="implementation_pm")
    for n in range(count):
        population = CallerPopulationFactory(
            partnership=partnership, name=f"Population {n}", share_of_volume=Decimal("1")
        )
        CallerPopulationLanguageFactory(population=population, language="en", share=50)
        CallerPopulationLanguageFactory(population=population, language="es", share=20)
        adaptation = AdaptationFactory(
            population=population,
            status="done",
            owner=trainer.user,
            completed_on=datetime.date(2026, 3, 1),
        )
        nurse = NurseFactory(partnership=partnership, languages=["en", "es"])
        NurseTrainingFactory(nurse=nurse, adaptation=adaptation)
        PhysicianPreferenceFactory(partnership=partnership)
        SatisfactionResultFactory(population=population)
    CultureProfileFactory(partnership=partnership)


# Every count starts with: 1 membership + organization, 2 the partnership through the policy.
QUERY_BUDGETS = {
    "culture-profile": 3,  # 3 the profile
    "culture-readiness": 7,  # 3-7 populations, languages, adaptations, effects, nurses
    "caller-population-list": 5,  # 3 count, 4 page, 5 their languages
    "adaptation-list": 4,  # 3 count, 4 page with population and owner
    "nurse-list": 6,  # 3 count, 4 page, 5 trainings, 6 their adaptations
    "physician-preference-list": 4,  # 3 count, 4 page with current version and people
    "satisfaction-result-list": 4,  # 3 count, 4 page with population
}


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("name", sorted(QUERY_BUDGETS))
def test_flat_query_counts(
    partnership, account_manager, as_, url, django_assert_num_queries, name, count
):
    _rows(partnership, count)
    api = as_(account_manager)
    with django_assert_num_queries(QUERY_BUDGETS[name]):
        response = api.get(url(name))
    assert response.status_code == 200
    body = response.json()
    if "results" in body:
        assert body["count"] == count
    elif "populations" in body:
        assert len(body["populations"]) == count
