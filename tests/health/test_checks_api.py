"""The health-check API: latest per partnership, history and run-now, parity, alerts,
settings; roles, other tenants (404) and bad input (400 naming the field)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from health import scoring
from health.models import Alert, AlertKind, HealthCheck, HealthSettings, KpiMeasurement
from health.services import checks as services
from tests.discovery.factories import KpiBaselineFactory


@pytest.fixture
def measured(live, kpis, service):
    """Abandonment 9.8% on the after-hours line against a baseline of 6.1% and a target of
    5%; service level 85% against 80 / 82."""
    KpiBaselineFactory(
        partnership=live,
        service_line=service,
        kpi=kpis["abandonment_rate"],
        value=Decimal("6.1"),
        target=Decimal("5"),
    )
    KpiBaselineFactory(
        partnership=live,
        service_line=service,
        kpi=kpis["service_level_30s"],
        value=Decimal("82"),
        target=Decimal("80"),
    )
    KpiBaselineFactory(
        partnership=live,
        service_line=service,
        kpi=kpis["caller_satisfaction"],
        value=Decimal("88"),
        target=Decimal("90"),
    )
    today = live.organization.local_today()
    for kpi, value in (("abandonment_rate", "9.8"), ("service_level_30s", "85")):
        KpiMeasurement.objects.create(
            organization=live.organization,
            partnership=live,
            service_line=service,
            kpi=kpis[kpi],
            day=today - datetime.timedelta(days=1),
            value=Decimal(value),
            source="api",
        )
    return live


@pytest.fixture
def checked(org_a, measured):
    services.checks_run(organization=org_a, trigger="on_demand")
    return HealthCheck.objects.get(partnership=measured)


# --- Latest checks, history, run -------------------------------------------------------------


def test_latest_check_per_partnership_filtered_by_band_and_phase(
    as_api, api_url, admin, checked, client_executive
):
    response = as_api(admin).get(api_url("health-overview-list"))
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["partnership_name"] == "University after-hours line"
    assert row["band"] == checked.band and row["phase"] == "live"
    assert (
        as_api(admin).get(api_url("health-overview-list"), {"phase": "discovery"}).json()["results"]
        == []
    )
    assert (
        as_api(admin).get(api_url("health-overview-list"), {"band": checked.band}).json()["count"]
        == 1
    )
    bad = as_api(admin).get(api_url("health-overview-list"), {"band": "purple"})
    assert bad.status_code == 400 and "band" in bad.json()
    # Health checks are the provider's work: a client executive sees none.
    assert as_api(client_executive).get(api_url("health-overview-list")).json()["results"] == []


def test_history_shows_components_measures_and_missing(as_api, api_url, account_manager, checked):
    response = as_api(account_manager).get(api_url("health-check-list", checked.partnership))
    assert response.status_code == 200
    (row,) = response.json()["results"]
    quality = next(c for c in row["components"] if c["key"] == "quality")
    texts = [m["text"] for m in quality["measures"]]
    assert (
        "Abandonment rate (After-hours triage) 9.8% against a baseline of 6.1% and a target of 5%"
        in texts
    )
    assert {"key", "label", "weight", "reason"} <= set(row["missing"][0])


def test_run_now_for_those_who_change_the_work(
    as_api, api_url, measured, account_manager, implementation_pm, client_executive
):
    url = api_url("health-check-run", measured)
    response = as_api(account_manager).post(url)
    assert response.status_code == 201
    assert response.json()["trigger"] == "on_demand"
    assert as_api(implementation_pm).post(url).status_code == 201  # same minute: same check
    assert HealthCheck.objects.filter(partnership=measured).count() == 1
    assert as_api(client_executive).post(url).status_code == 403


def test_other_tenant_gets_404(as_api, api_url, outsider, checked):
    response = as_api(outsider).get(api_url("health-check-list", checked.partnership))
    assert response.status_code == 404
    response = as_api(outsider).get(
        api_url("health-check-list", checked.partnership, org=outsider.organization)
    )
    assert response.status_code == 404


# --- Parity ----------------------------------------------------------------------------------


def test_parity_per_service_line_and_kpi(as_api, api_url, client_executive, measured):
    response = as_api(client_executive).get(api_url("health-parity-list", measured))
    assert response.status_code == 200
    (line,) = response.json()
    assert line["service"] == "After-hours triage"
    verdicts = {row["kpi"]: row["verdict"] for row in line["kpis"]}
    assert verdicts == {
        "abandonment_rate": "worse",
        "service_level_30s": "same_or_better",
        "caller_satisfaction": "no_data",
    }
    abandonment = next(row for row in line["kpis"] if row["kpi"] == "abandonment_rate")
    assert abandonment["live"] == 9.8 and abandonment["baseline"] == 6.1
    assert abandonment["meets_target"] is False


# --- Alerts ----------------------------------------------------------------------------------


@pytest.fixture
def alert(org_a, live, account_manager):
    return Alert.objects.create(
        organization=org_a,
        partnership=live,
        recipient=account_manager.user,
        kind=AlertKind.STALE_DATA,
        band="amber",
        title="University after-hours line: the KPI feed sent nothing for 4 days",
        reasons=["No KPI data received for 4 days (stale after 3)."],
    )


def test_alerts_list_the_current_users_own(as_api, api_url, alert, account_manager, admin):
    assert [
        a["id"] for a in as_api(account_manager).get(api_url("health-alert-list")).json()["results"]
    ] == [alert.pk]
    assert as_api(admin).get(api_url("health-alert-list")).json()["results"] == []


def test_acknowledge_and_snooze_through_the_api(
    as_api, api_url, alert, account_manager, implementation_pm
):
    ack = api_url("health-alert-acknowledge", pk=alert.pk)
    bad = as_api(account_manager).post(ack, {"note": ""}, format="json")
    assert bad.status_code == 400 and "note" in bad.json()
    # A PM does not see another person's alert at all.
    assert as_api(implementation_pm).post(ack, {"note": "Mine"}, format="json").status_code == 404

    snooze = api_url("health-alert-snooze", pk=alert.pk)
    too_far = timezone.localdate() + datetime.timedelta(days=120)
    response = as_api(account_manager).post(
        snooze, {"until": too_far.isoformat(), "reason": "Vendor"}, format="json"
    )
    assert response.status_code == 400 and "until" in response.json()
    soon = timezone.localdate() + datetime.timedelta(days=7)
    response = as_api(account_manager).post(
        snooze, {"until": soon.isoformat(), "reason": "Vendor fixes the feed"}, format="json"
    )
    assert response.status_code == 200 and response.json()["snoozed_until"] == soon.isoformat()

    response = as_api(account_manager).post(ack, {"note": "Feed is back"}, format="json")
    assert response.status_code == 200
    assert response.json()["acknowledgement_note"] == "Feed is back"


def test_another_tenant_cannot_reach_an_alert(as_api, api_url, alert, outsider):
    url = api_url("health-alert-acknowledge", pk=alert.pk, org=outsider.organization)
    assert as_api(outsider).post(url, {"note": "x"}, format="json").status_code == 404


# --- Settings --------------------------------------------------------------------------------


def test_settings_read_by_the_provider_changed_by_admins(
    as_api, api_url, org_a, admin, account_manager, client_executive
):
    url = api_url("health-settings-list")
    response = as_api(account_manager).get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["red_below"] == 50 and body["green_from"] == 75
    assert body["effective_weights"]["live"]["quality"] == 35
    assert as_api(client_executive).get(url).status_code == 403
    assert as_api(account_manager).patch(url, {"red_below": 40}, format="json").status_code == 403

    response = as_api(admin).patch(
        url, {"weights": {"live": {"quality": 60, "issues": 40}}, "red_below": 40}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["effective_weights"]["live"] == {
        **{k: float(v) for k, v in scoring.DEFAULT_WEIGHTS["live"].items()},
        "quality": 60.0,
        "issues": 40.0,
    }
    stored = HealthSettings.objects.get(organization=org_a)
    assert stored.red_below == 40


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"weights": {"launch": {"quality": 10}}}, "weights"),
        ({"weights": {"live": {"vibes": 10}}}, "weights"),
        ({"weights": {"live": {"quality": 101}}}, "weights"),
        (
            {
                "weights": {
                    "live": {
                        "quality": 0,
                        "issues": 0,
                        "experience": 0,
                        "data_freshness": 0,
                        "engagement": 0,
                    }
                }
            },
            "weights",
        ),
        ({"red_below": 80, "green_from": 70}, "red_below"),
        ({"stale_after_days": 0}, "stale_after_days"),
    ],
)
def test_settings_validation(as_api, api_url, org_a, admin, body, field):
    response = as_api(admin).patch(api_url("health-settings-list"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not HealthSettings.objects.filter(organization=org_a).exists()
