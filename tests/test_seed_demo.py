"""`manage.py seed_demo`: the demo data behind `make run` loads once, refuses production, and
respects the access policy like any other data."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from health.models import Band, CallAudit, HealthCheck, Issue, KpiMeasurement, Touchpoint
from health.selectors import parity
from health.services.audits import audit_result
from health.sla import issue_clock
from partnerships.models import Partnership, PartnershipStatus
from tenancy import access
from tenancy.models import AuditEvent, Membership, Organization, Role

pytestmark = pytest.mark.django_db

PROJECT_APPS = {
    "tenancy",
    "accounts",
    "partnerships",
    "culture",
    "discovery",
    "transition",
    "health",
}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    """Rows of every model of the project, so the apps' demo modules are covered too."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
    }


def snapshot() -> dict[str, list]:
    """Everything a second run could change: timestamps, statuses, password hashes."""
    return {
        "users": list(User.objects.order_by("email").values_list("email", "password", "is_staff")),
        "partnerships": list(
            Partnership.objects.order_by("pk").values_list(
                "name", "status", "updated_at", "actual_go_live"
            )
        ),
        "memberships": list(
            Membership.objects.order_by("pk").values_list("user__email", "role", "updated_at")
        ),
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_seed_creates_the_demo_organizations(debug):
    output = seed()

    northstar = Organization.objects.get(slug="northstar")
    assert northstar.name == "Northstar Nurse Line"
    assert northstar.time_zone == "America/Chicago"
    assert Organization.objects.get(slug="harbor").name == "Harbor Triage Services"

    statuses = {
        p.client.kind: p.status
        for p in Partnership.objects.filter(organization=northstar).select_related("client")
    }
    assert statuses == {
        "university_health": PartnershipStatus.TRANSITION,
        "hospital": PartnershipStatus.DISCOVERY,
        "physician_practice": PartnershipStatus.LIVE,
        "health_system": PartnershipStatus.LIVE,
    }
    live = Partnership.objects.get(organization=northstar, client__kind="physician_practice")
    assert live.status == PartnershipStatus.LIVE
    assert live.actual_go_live is not None
    assert live.contract_start < live.planned_go_live

    am = User.objects.get(email="am@northstar.example")
    assert set(Partnership.objects.filter(organization=northstar)) == set(
        am.managed_partnerships.all()
    )
    university = Partnership.objects.get(status=PartnershipStatus.TRANSITION)
    assert list(university.implementation_pms.values_list("email", flat=True)) == [
        "pm@northstar.example"
    ]

    # Status moves went through the service: history and audit rows, by the admin.
    admin = User.objects.get(email="admin@northstar.example")
    assert not admin.is_staff and not admin.is_superuser  # the Django admin is not a tenant's
    assert admin.check_password("switchboard-demo")
    assert list(
        university.status_changes.order_by("created_at", "id").values_list(
            "from_status", "to_status", "changed_by"
        )
    ) == [("prospect", "discovery", admin.pk), ("discovery", "transition", admin.pk)]
    assert (
        AuditEvent.objects.filter(
            partnership=university, verb="partnership.status_changed", actor=admin
        ).count()
        == 2
    )

    for email in (
        "admin@northstar.example",
        "am@northstar.example",
        "pm@northstar.example",
        "exec@university.example",
        "admin@harbor.example",
    ):
        assert email in output
    assert "switchboard-demo" in output

    # The demo data obeys the access policy like any other: the client executive sees only
    # the university's partnership, and Harbor's admin nothing of Northstar's.
    executive = Membership.objects.get(user__email="exec@university.example")
    assert executive.role == Role.CLIENT_EXECUTIVE
    assert [p.client.name for p in access.visible(executive, Partnership)] == [
        "Lakeshore University Student Health"
    ]
    harbor = Membership.objects.get(user__email="admin@harbor.example")
    assert set(access.visible(harbor, Partnership).values_list("name", flat=True)) == {
        "Tidewater Pediatrics — after-hours triage"
    }


def _latest_checks() -> dict[str, HealthCheck]:
    """The latest health check of each Northstar partnership, by client name."""
    return {
        partnership.client.name: partnership.health_checks.order_by("-period_start", "-id")[0]
        for partnership in Partnership.objects.filter(
            organization__slug="northstar"
        ).select_related("client")
    }


def _reasons(check: HealthCheck) -> dict[str, str]:
    return {component["key"]: component["reason"] for component in check.components}


def test_the_demo_health_checks_tell_three_stories(debug):
    seed()
    checks = _latest_checks()
    now = timezone.now()

    # Metro (live): amber, and the account manager is told why — the Monday-morning overflow
    # abandons above its discovery baseline, and nobody has spoken to the practice for weeks.
    metro = checks["Metro Specialty Physicians"]
    assert metro.band == Band.AMBER
    reasons = _reasons(metro)
    assert reasons["quality"].startswith("Abandonment rate (Daytime overflow triage) ")
    assert "against a baseline of 5.2%" in reasons["quality"]
    assert reasons["engagement"].startswith("Last touchpoint with the client 26 days ago")
    assert "overdue" in reasons["engagement"]
    metro_partnership = metro.partnership
    verdicts = {
        (service["service"], kpi["kpi"]): kpi["verdict"]
        for service in parity(
            membership=Membership.objects.get(user__email="am@northstar.example"),
            partnership=metro_partnership,
        )
        for kpi in service["kpis"]
    }
    assert verdicts[("Daytime overflow triage", "abandonment_rate")] == "worse"
    assert verdicts[("After-hours specialty triage", "average_speed_of_answer")] == (
        "same_or_better"
    )

    # Cedar Ridge (live): red, with a critical issue raised by the client past its target.
    cedar = checks["Cedar Ridge Health System"]
    assert cedar.band == Band.RED
    assert "1 critical" in _reasons(cedar)["issues"]
    assert "past the resolution target" in _reasons(cedar)["issues"]
    assert "against a baseline of 6%" in _reasons(cedar)["quality"]
    dropping = Issue.objects.get(title="Calls dropping after the overnight carrier switch")
    assert (dropping.severity, dropping.status) == ("critical", "in_progress")
    assert dropping.raised_by.email == "exec@cedarridge.example"
    clock = issue_clock(dropping, now)
    assert clock.resolution_breached and not clock.response_breached  # answered in the hour
    assert now - clock.resolution_due_at > datetime.timedelta(days=1)  # open 3 days, 24 h due
    missed = CallAudit.objects.get(partnership=cedar.partnership, red_flag_missed=True)
    assert missed.auditor.full_name == "Grace Liu, RN — QA nurse"
    assert not audit_result(missed)["passed"]

    # Lakeshore University (transition): green, but its plan is slipping.
    university = checks["Lakeshore University Student Health"]
    assert university.band == Band.GREEN
    assert "slipped" in _reasons(university)["schedule"]

    # Audits by the named QA nurses, and touchpoints with follow-ups, on every story.
    for check in (metro, cedar, university):
        partnership = check.partnership
        assert CallAudit.objects.filter(partnership=partnership).exists()
        assert {a.auditor.full_name for a in CallAudit.objects.filter(partnership=partnership)} <= {
            "Grace Liu, RN — QA nurse",
            "Tomás Reyes, RN — QA nurse",
        }
        assert Touchpoint.objects.filter(partnership=partnership).exists()
    assert KpiMeasurement.objects.filter(partnership=metro_partnership, source="api").count() > 300


def test_seed_twice_creates_and_changes_nothing(settings):
    # The first run also shows that --force gets past the DEBUG guard.
    settings.DEBUG = False
    seed(force=True)
    before_counts, before = counts(), snapshot()
    settings.DEBUG = True

    output = seed()

    assert counts() == before_counts
    assert snapshot() == before
    assert "nothing changed" in output


def test_seed_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        seed()

    assert not Organization.objects.exists()
