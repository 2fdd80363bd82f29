"""Culture rows are reached only through their own partnership.

The isolation walker (tests/test_isolation.py) fills `partnership_pk` from each object's own
partnership and covers other tenants and invisible partnerships. What it cannot see from the
patterns: a row of partnership X requested through the address of partnership Y that the
member *does* see. Here, for every culture object route, every method and every role:

- partnership P's address with a row of P's sibling partnership (same tenant) or of another
  tenant answers exactly like a missing row;
- writes through P's routes carrying the sibling's and the other tenant's ids link no row of
  P to a row of another partnership, and change nothing outside P.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse

from culture.api import urls as culture_urls
from culture.models import (
    Adaptation,
    CallerPopulation,
    CallerPopulationLanguage,
    CultureProfile,
    Nurse,
    NurseTraining,
    PhysicianPreference,
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

pytestmark = pytest.mark.django_db

CULTURE_MODELS = (
    CultureProfile,
    CallerPopulation,
    CallerPopulationLanguage,
    Adaptation,
    Nurse,
    NurseTraining,
    PhysicianPreference,
    PhysicianPreferenceVersion,
    SatisfactionResult,
)
# Object routes and the model their `pk` names.
OBJECT_ROUTES = {
    "caller-population-detail": CallerPopulation,
    "adaptation-detail": Adaptation,
    "nurse-detail": Nurse,
    "physician-preference-detail": PhysicianPreference,
    "physician-preference-versions": PhysicianPreference,
    "physician-preference-sign-off": PhysicianPreference,
    "satisfaction-result-detail": SatisfactionResult,
}
PARTNERSHIP_ROUTES = {
    "culture-profile",
    "culture-readiness",
    "caller-population-list",
    "adaptation-list",
    "nurse-list",
    "physician-preference-list",
    "satisfaction-result-list",
    "satisfaction-result-bulk",
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MISSING_PK = 987654321


def add_culture(partnership, label: str, user) -> dict:
    CultureProfileFactory(partnership=partnership, mission_and_values=f"{label} mission")
    population = CallerPopulationFactory(
        partnership=partnership, name=f"{label} students", share_of_volume=Decimal("40")
    )
    CallerPopulationLanguageFactory(population=population, language="es")
    adaptation = AdaptationFactory(
        population=population,
        title=f"{label} module",
        status="done",
        completed_on=datetime.date(2026, 3, 1),
    )
    nurse = NurseFactory(partnership=partnership, name=f"{label} nurse")
    NurseTrainingFactory(nurse=nurse, adaptation=adaptation)
    preference = PhysicianPreferenceFactory(
        partnership=partnership, physician=f"Dr. {label}", versions__created_by=user
    )
    result = SatisfactionResultFactory(population=population)
    return {
        CallerPopulation: population,
        Adaptation: adaptation,
        Nurse: nurse,
        PhysicianPreference: preference,
        SatisfactionResult: result,
    }


@pytest.fixture
def rows(partnership, other_client_partnership, outsider_partnership, admin, outsider):
    return {
        "own": add_culture(partnership, "Own", admin.user),
        "sibling": add_culture(other_client_partnership, "Sibling", admin.user),
        "foreign": add_culture(outsider_partnership, "Foreign", outsider.user),
    }


@pytest.fixture
def members(admin, account_manager, implementation_pm, client_executive):
    return {
        "admin": admin,
        "account_manager": account_manager,
        "implementation_pm": implementation_pm,
        "client_executive": client_executive,
    }


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def send(client: Client, method: str, url: str, body: dict):
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    call = {"POST": client.post, "PUT": client.put, "PATCH": client.patch}[method]
    return call(url, data=json.dumps(body, default=str), content_type="application/json")


def snapshot(partnerships) -> dict:
    return {
        model._meta.label: list(
            model.objects.filter(partnership__in=partnerships).order_by("pk").values()
        )
        for model in CULTURE_MODELS
    }


def test_every_culture_route_is_listed_here():
    names = {pattern.name for pattern in culture_urls.partnership}
    assert names == set(OBJECT_ROUTES) | PARTNERSHIP_ROUTES


def test_rows_of_other_partnerships_answer_like_missing_ones(partnership, rows, members):
    failures: list[str] = []
    body = {"name": "hijack", "text": "hijack", "title": "hijack"}
    for label, membership in members.items():
        client = client_for(membership)
        for name, model in OBJECT_ROUTES.items():
            kwargs = {"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk}
            missing_url = reverse(f"api:{name}", kwargs={**kwargs, "pk": MISSING_PK})
            for method in METHODS:
                missing = send(client, method, missing_url, body)
                for where in ("sibling", "foreign"):
                    url = reverse(f"api:{name}", kwargs={**kwargs, "pk": rows[where][model].pk})
                    response = send(client, method, url, body)
                    if (response.status_code, response.content) != (
                        missing.status_code,
                        missing.content,
                    ):
                        failures.append(
                            f"{label} {method} {url} ({where} row): {response.status_code} "
                            f"{response.content[:120]!r}, missing row: {missing.status_code}"
                        )
    assert not failures, "\n".join(failures)


def test_writes_carrying_other_partnerships_ids_link_nothing(
    partnership, other_client_partnership, outsider_partnership, rows, members
):
    others = [other_client_partnership, outsider_partnership]
    before = snapshot(others)
    attempts = 0
    for where in ("sibling", "foreign"):
        theirs = rows[where]
        body = {
            "name": f"{where} attack",
            "title": f"{where} attack",
            "physician": f"Dr. {where}",
            "text": f"{where} attack",
            "kind": "training",
            "population": theirs[CallerPopulation].pk,
            "adaptation": theirs[Adaptation].pk,
            "nurse": theirs[Nurse].pk,
            "trainings": [{"adaptation": theirs[Adaptation].pk, "completed_on": "2026-01-02"}],
            "partnership": theirs[CallerPopulation].partnership_id,
            "period_start": "2025-01-01",
            "period_end": "2025-01-31",
            "responses": 3,
            "satisfied_pct": 50,
            "questions_answered_pct": 50,
        }
        for membership in members.values():
            client = client_for(membership)
            kwargs = {"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk}
            for name in PARTNERSHIP_ROUTES | set(OBJECT_ROUTES):
                route_kwargs = dict(kwargs)
                if name in OBJECT_ROUTES:
                    route_kwargs["pk"] = rows["own"][OBJECT_ROUTES[name]].pk
                url = reverse(f"api:{name}", kwargs=route_kwargs)
                for method in ("POST", "PUT", "PATCH"):
                    response = send(client, method, url, body)
                    attempts += 1
                    assert response.status_code < 500, (url, method, response.content)
    assert attempts > 100
    assert snapshot(others) == before, "rows of other partnerships changed"
    # No culture row of the partnership points at a row of another partnership.
    for model in CULTURE_MODELS:
        for field in model._meta.concrete_fields:
            related = field.related_model
            if not field.many_to_one or related not in CULTURE_MODELS:
                continue
            crossing = model.objects.filter(**{f"{field.name}__isnull": False}).exclude(
                **{f"{field.name}__partnership": F("partnership")}
            )
            assert not crossing.exists(), f"{model.__name__}.{field.name} crosses partnerships"
