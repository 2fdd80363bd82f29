"""`manage.py seed_demo`: the demo data behind `make run` loads once, refuses production, and
respects the access policy like any other data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import User
from partnerships.models import Partnership, PartnershipStatus
from tenancy import access
from tenancy.models import AuditEvent, Membership, Organization, Role

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"tenancy", "accounts", "partnerships", "culture", "discovery", "transition"}


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
    }
    live = Partnership.objects.get(organization=northstar, status=PartnershipStatus.LIVE)
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
