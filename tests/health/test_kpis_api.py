"""KPI measurements over the API: the feed's bulk upsert under the organization (API token),
the partnership's list and upsert; per-row errors, dry run, roles, flat queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from health.models import KpiMeasurement, MeasurementSource
from tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db

DAY = "2026-06-02"


def row(**fields):
    return {"kpi": "abandonment_rate", "day": DAY, "value": 4.2} | fields


@pytest.fixture
def bulk_url(api_url):
    return api_url("health-kpi-measurement-bulk-list")


@pytest.fixture
def list_url(api_url, live):
    return api_url("health-kpi-measurement-list", live)


@pytest.fixture
def token_client(api):
    def authenticate(membership):
        token = ApiTokenFactory(organization=membership.organization, user=membership.user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.raw_key}")
        return api

    return authenticate


def test_the_feed_pushes_rows_with_an_api_token(
    token_client, implementation_pm, bulk_url, live, kpis, service
):
    api = token_client(implementation_pm)
    body = {
        "partnership": live.pk,
        "rows": [
            row(service=service.pk, sample_size=412),
            row(kpi="average_speed_of_answer", value=27, service=None),
        ],
    }
    response = api.post(bulk_url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": False}
    again = api.post(bulk_url, body | {"rows": [row(service=service.pk, value=5)]}, format="json")
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 0, "dry_run": False}
    assert KpiMeasurement.objects.count() == 2
    stored = KpiMeasurement.objects.get(service_line=service)
    assert stored.value == Decimal("5")
    assert stored.source == MeasurementSource.API


def test_per_row_errors_name_the_row_and_field_and_nothing_is_saved(
    as_api, implementation_pm, bulk_url, live, kpis
):
    body = {"partnership": live.pk, "rows": [row(), row(kpi="service_level_30s", value=101)]}
    response = as_api(implementation_pm).post(bulk_url, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["1 row has errors; nothing was saved."],
        "rows": {"1": {"value": ["A percentage must be between 0 and 100."]}},
    }
    assert not KpiMeasurement.objects.exists()


def test_a_malformed_body_names_the_field(as_api, implementation_pm, bulk_url, live, kpis):
    api = as_api(implementation_pm)
    response = api.post(bulk_url, {"rows": [row()]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"partnership": ["This field is required."]}
    response = api.post(bulk_url, {"partnership": live.pk, "rows": []}, format="json")
    assert response.status_code == 400
    assert "rows" in response.json()
    response = api.post(bulk_url, {"partnership": live.pk, "rows": [row(), "x"]}, format="json")
    assert response.status_code == 400
    assert list(response.json()["rows"]) == ["1"]


def test_10001_rows_are_refused(as_api, implementation_pm, bulk_url, live, kpis):
    body = {"partnership": live.pk, "rows": [row()] * 10_001}
    response = as_api(implementation_pm).post(bulk_url, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "rows": ["At most 10000 rows per request; this one has 10001. Split it."]
    }


def test_10000_rows_in_one_request_are_stored(as_api, implementation_pm, bulk_url, live, kpis):
    keys = list(kpis)[:10]
    start = datetime.date(2023, 1, 1)
    rows = [
        {"kpi": key, "day": (start + datetime.timedelta(days=n)).isoformat(), "value": n % 90}
        for n in range(1000)
        for key in keys
    ]
    assert len(rows) == 10_000
    response = as_api(implementation_pm).post(
        bulk_url, {"partnership": live.pk, "rows": rows}, format="json"
    )
    assert response.status_code == 200, str(response.json())[:500]
    assert response.json()["created"] == 10_000
    assert KpiMeasurement.objects.filter(partnership=live).count() == 10_000


def test_a_dry_run_answers_what_would_change_and_writes_nothing(
    as_api, implementation_pm, bulk_url, live, kpis
):
    api = as_api(implementation_pm)
    api.post(bulk_url, {"partnership": live.pk, "rows": [row()]}, format="json")
    body = {"partnership": live.pk, "rows": [row(value=6), row(kpi="service_level_30s", value=80)]}
    response = api.post(f"{bulk_url}?dry_run=1", body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["created"], data["updated"], data["dry_run"]) == (1, 1, True)
    assert data["changes"][0] == {
        "row": 0,
        "kpi": "abandonment_rate",
        "service": None,
        "day": DAY,
        "status": "updated",
        "old_value": "4.200",
        "value": "6.000",
    }
    assert data["changes"][1]["status"] == "new"
    assert KpiMeasurement.objects.count() == 1
    assert KpiMeasurement.objects.get().value == Decimal("4.2")


def test_who_may_push(
    as_api,
    client_executive,
    account_manager,
    outsider,
    bulk_url,
    api_url,
    live,
    kpis,
    outsider_partnership,
    other_client_partnership,
    implementation_pm,
):
    body = {"partnership": live.pk, "rows": [row()]}
    # The client's executive sees the partnership but may not write to it.
    assert as_api(client_executive).post(bulk_url, body, format="json").status_code == 403
    # Another tenant's partnership is missing here; so is a partnership the PM is not on.
    pm = as_api(implementation_pm)
    foreign = {"partnership": outsider_partnership.pk, "rows": [row()]}
    assert pm.post(bulk_url, foreign, format="json").status_code == 404
    hidden = {"partnership": other_client_partnership.pk, "rows": [row()]}
    assert pm.post(bulk_url, hidden, format="json").status_code == 404
    # Another tenant's member is not in this organization at all.
    assert as_api(outsider).post(bulk_url, body, format="json").status_code == 404
    assert not KpiMeasurement.objects.exists()
    assert as_api(account_manager).post(bulk_url, body, format="json").status_code == 200


def test_a_token_of_another_organization_is_refused(api, outsider, bulk_url, live, kpis):
    token = ApiTokenFactory(organization=outsider.organization, user=outsider.user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.raw_key}")
    body = {"partnership": live.pk, "rows": [row()]}
    assert api.post(bulk_url, body, format="json").status_code == 404
    api.credentials()
    assert api.post(bulk_url, body, format="json").status_code in (401, 403)
    assert not KpiMeasurement.objects.exists()


# --- Per partnership -------------------------------------------------------------------


def test_the_partnership_route_writes_and_everyone_who_sees_it_reads(
    as_api, implementation_pm, client_executive, list_url, live, kpis, service
):
    response = as_api(implementation_pm).post(
        list_url, {"rows": [row(service=service.name, sample_size=300)]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["created"] == 1
    reader = as_api(client_executive)
    listed = reader.get(list_url)
    assert listed.status_code == 200
    [item] = listed.json()["results"]
    assert item | {"id": 0, "received_at": ""} == {
        "id": 0,
        "kpi": "abandonment_rate",
        "kpi_name": "Abandonment rate",
        "unit": "percent",
        "service": service.pk,
        "service_name": service.name,
        "day": DAY,
        "value": "4.200",
        "sample_size": 300,
        "source": "api",
        "received_at": "",
    }
    assert reader.post(list_url, {"rows": [row()]}, format="json").status_code == 403


def test_other_tenants_and_unassigned_members_get_404(
    as_api, outsider, api_url, admin, other_client_partnership, implementation_pm, kpis
):
    assert (
        as_api(outsider)
        .get(api_url("health-kpi-measurement-list", other_client_partnership))
        .status_code
        == 404
    )
    hidden = api_url("health-kpi-measurement-list", other_client_partnership)
    assert as_api(implementation_pm).get(hidden).status_code == 404
    assert (
        as_api(implementation_pm).post(hidden, {"rows": [row()]}, format="json").status_code == 404
    )


def test_the_list_filters_by_kpi_service_and_days(
    as_api, actor_for, implementation_pm, list_url, live, kpis, service
):
    api = as_api(implementation_pm)
    rows = [
        row(day="2026-05-30"),
        row(day="2026-06-01", service=service.pk),
        row(day="2026-06-02", kpi="service_level_30s", value=80),
    ]
    assert api.post(list_url, {"rows": rows}, format="json").status_code == 200

    def days(**params):
        return [item["day"] for item in api.get(list_url, params).json()["results"]]

    assert days() == ["2026-06-02", "2026-06-01", "2026-05-30"]
    assert days(kpi="abandonment_rate") == ["2026-06-01", "2026-05-30"]
    assert days(service=service.pk) == ["2026-06-01"]
    assert days(service=0) == ["2026-06-02", "2026-05-30"]
    assert days(day_from="2026-05-31", day_to="2026-06-01") == ["2026-06-01"]
    bad = api.get(list_url, {"day_from": "June"})
    assert bad.status_code == 400
    assert "day_from" in bad.json()


def test_the_list_costs_the_same_queries_for_3_and_30_rows(
    as_api, implementation_pm, list_url, live, kpis, service
):
    api = as_api(implementation_pm)
    start = datetime.date(2026, 4, 1)

    def queries_for(count: int) -> int:
        rows = [
            row(day=(start + datetime.timedelta(days=n)).isoformat(), service=service.pk)
            for n in range(count)
        ]
        assert api.post(list_url, {"rows": rows}, format="json").status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = api.get(list_url)
        assert response.json()["count"] == count
        return len(queries)

    assert queries_for(3) == queries_for(30)


def test_the_routes_are_in_the_schema(as_api, admin):
    response = as_api(admin).get("/api/schema/")
    if response.status_code == 404:
        pytest.skip("no schema route")
    text = response.content.decode()
    assert "/api/v1/orgs/{org_slug}/kpi-measurements/" in text
    assert "/api/v1/orgs/{org_slug}/partnerships/{partnership_pk}/kpi-measurements/" in text
