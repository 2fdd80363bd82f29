"""Dashboard fixtures on the personas of tests/conftest.py: `as_member(membership)` signs the
Django test client in; `home_url`, `portfolio_url`, `audit_url` are Northstar's pages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from health.models import HealthCheck, Issue, KpiMeasurement, Touchpoint

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def as_member(client):
    def sign_in(membership):
        client.force_login(membership.user)
        return client

    return sign_in


@pytest.fixture
def home_url(org_a):
    return reverse("dashboards:home", kwargs={"org_slug": org_a.slug})


@pytest.fixture
def portfolio_url(org_a):
    return reverse("dashboards:portfolio", kwargs={"org_slug": org_a.slug})


@pytest.fixture
def audit_url(org_a):
    return reverse("dashboards:audit", kwargs={"org_slug": org_a.slug})


def snapshot(partnership, *, score, band, trend="steady", hours_ago=0):
    """A stored health check of `partnership` (as the sweep writes it)."""
    period = (NOW - datetime.timedelta(hours=hours_ago)).replace(minute=0, second=0)
    return HealthCheck.objects.create(
        organization=partnership.organization,
        partnership=partnership,
        period_start=period,
        phase=partnership.status,
        score=score,
        band=band,
        trend=trend,
        components=[],
        missing=[],
    )


def issue(partnership, user, *, severity="critical", hours_ago=48, **fields):
    minutes = {"critical": (60, 24 * 60), "high": (240, 3 * 24 * 60)}.get(severity, (1440, 14400))
    return Issue.objects.create(
        organization=partnership.organization,
        partnership=partnership,
        title=fields.pop("title", f"{severity.title()} issue"),
        severity=severity,
        raised_by=user,
        opened_at=NOW - datetime.timedelta(hours=hours_ago),
        response_minutes=minutes[0],
        resolution_minutes=minutes[1],
        **fields,
    )


def touch(partnership, user, *, days_ago=2):
    return Touchpoint.objects.create(
        organization=partnership.organization,
        partnership=partnership,
        date=partnership.organization.local_today() - datetime.timedelta(days=days_ago),
        kind="call",
        attendees="Erin Executive",
        recorded_by=user,
    )


def measure(partnership, kpi, value, *, days_ago=0, received_days_ago=0, service_line=None):
    return KpiMeasurement.objects.create(
        organization=partnership.organization,
        partnership=partnership,
        service_line=service_line,
        kpi=kpi,
        day=partnership.organization.local_today() - datetime.timedelta(days=days_ago),
        value=value,
        source="api",
        received_at=NOW - datetime.timedelta(days=received_days_ago),
    )
