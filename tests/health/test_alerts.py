"""The Health tab (score, the "why" panel, run now, history) and the alerts page
(acknowledge with a note, snooze with a date and a reason)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from health.models import Alert, AlertKind, HealthCheck, KpiMeasurement
from tests.discovery.factories import KpiBaselineFactory


def page(name, org, **kwargs):
    return reverse(f"health:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def measured(live, kpis, service):
    KpiBaselineFactory(
        partnership=live,
        service_line=service,
        kpi=kpis["abandonment_rate"],
        value=Decimal("6.1"),
        target=Decimal("5"),
    )
    KpiMeasurement.objects.create(
        organization=live.organization,
        partnership=live,
        service_line=service,
        kpi=kpis["abandonment_rate"],
        day=live.organization.local_today(),
        value=Decimal("9.8"),
        source="api",
    )
    return live


def test_health_tab_runs_a_check_and_explains_it(as_member, account_manager, measured, org_a):
    client = as_member(account_manager)
    url = page("check", org_a, partnership_pk=measured.pk)
    first = client.get(url)
    assert first.status_code == 200
    assert "No health check yet." in first.text
    assert "Run a check now" in first.text

    response = client.post(page("check-run", org_a, partnership_pk=measured.pk), follow=True)
    assert response.status_code == 200
    assert HealthCheck.objects.filter(partnership=measured).count() == 1
    text = response.text
    assert "Checked:" in text
    assert "Why this score" in text
    assert "Abandonment rate (After-hours triage) 9.8% against a baseline of 6.1%" in text
    assert "contributes" in text
    assert "Missing" in text and "Experience" in text
    assert 'href="/o/northstar/alerts/"' in text
    assert "<script>" not in text  # strict CSP: no inline script


def test_history_has_a_chart_with_a_table(as_member, account_manager, measured, org_a):
    import django.utils.timezone as tz

    from health.services.checks import checks_run

    now = tz.now()
    checks_run(organization=org_a, period_start=now - datetime.timedelta(hours=1), now=now)
    checks_run(organization=org_a, period_start=now, now=now)
    response = as_member(account_manager).get(page("check", org_a, partnership_pk=measured.pk))
    assert 'id="health-history-data"' in response.text
    assert "data-health-chart" in response.text
    assert "The last 2 checks, newest first" in response.text


def test_health_tab_is_the_providers(as_member, client_executive, measured, org_a):
    client = as_member(client_executive)
    assert client.get(page("check", org_a, partnership_pk=measured.pk)).status_code == 404
    assert client.post(page("check-run", org_a, partnership_pk=measured.pk)).status_code == 404
    assert client.get(page("alerts", org_a)).status_code == 404


def test_a_pm_who_may_not_change_the_work_cannot_run(
    as_member, implementation_pm, other_client_partnership, org_a
):
    # The PM is not assigned to this partnership: it does not exist for them.
    url = page("check-run", org_a, partnership_pk=other_client_partnership.pk)
    assert as_member(implementation_pm).post(url).status_code == 404


@pytest.fixture
def alert(org_a, live, account_manager):
    return Alert.objects.create(
        organization=org_a,
        partnership=live,
        recipient=account_manager.user,
        kind=AlertKind.BAND_WORSENED,
        band="red",
        title="University after-hours line went from green to red (score 41)",
        reasons=["Abandonment rate 9.8% against a baseline of 6.1% and a target of 5%"],
        suggested_action="Review the KPIs below target with the operations lead.",
    )


def test_alerts_page_acknowledges_with_a_note(as_member, account_manager, alert, org_a):
    client = as_member(account_manager)
    response = client.get(page("alerts", org_a))
    assert "went from green to red" in response.text
    assert "Suggested next step:" in response.text

    url = page("alert-acknowledge", org_a, pk=alert.pk)
    bad = client.post(url, {"note": ""})
    assert bad.status_code == 400
    assert "This field is required." in bad.text
    alert.refresh_from_db()
    assert alert.acknowledged_at is None

    response = client.post(url, {"note": "Called the client"}, follow=True)
    assert "Alert acknowledged." in response.text
    alert.refresh_from_db()
    assert alert.acknowledgement_note == "Called the client"


def test_alerts_page_snoozes_with_a_date_and_reason(as_member, account_manager, alert, org_a):
    client = as_member(account_manager)
    url = page("alert-snooze", org_a, pk=alert.pk)
    today = org_a.local_today()
    bad = client.post(
        url, {"until": (today + datetime.timedelta(days=200)).isoformat(), "reason": "Later"}
    )
    assert bad.status_code == 400
    assert "Snooze for at most 90 days." in bad.text
    response = client.post(
        url,
        {"until": (today + datetime.timedelta(days=5)).isoformat(), "reason": "Vendor"},
        follow=True,
    )
    assert "Alert snoozed until" in response.text
    alert.refresh_from_db()
    assert alert.snooze_reason == "Vendor"


def test_someone_elses_alert_is_not_theirs(as_member, implementation_pm, alert, org_a):
    url = page("alert-acknowledge", org_a, pk=alert.pk)
    assert as_member(implementation_pm).post(url, {"note": "x"}).status_code == 404
