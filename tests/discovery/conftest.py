"""Discovery fixtures on top of the personas of tests/conftest.py.

- `kpis`                the Northstar catalog, by key (the default nurse-triage KPIs)
- `service`             an after-hours triage service of `partnership`
- `complete_discovery`  everything the checklist asks for, done through the services
- `signed_off`          `complete_discovery`, signed off by the AM and co-signed by the client
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from discovery import services
from discovery.models import KpiDefinition
from discovery.samples import AFTER_HOURS_TRIAGE_CURRENT
from tests.discovery.factories import ServiceLineFactory

CSV_BYTES = b"service,calls,abandoned\nAfter-hours triage,2400,216\n"


def csv_upload(content: bytes = CSV_BYTES, name: str = "acd-january.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def kpis(org_a) -> dict[str, KpiDefinition]:
    services.kpi_catalog_ensure(organization=org_a)
    return {kpi.key: kpi for kpi in KpiDefinition.objects.filter(organization=org_a)}


@pytest.fixture
def service(partnership):
    return ServiceLineFactory(partnership=partnership, name="After-hours triage")


@pytest.fixture
def url(org_a):
    """`url("service-list", partnership)` or `url("kpi-list")`, in Northstar."""

    def build(name: str, partnership=None, org=None, **kwargs) -> str:
        kwargs["org_slug"] = (org or org_a).slug
        if partnership is not None:
            kwargs["partnership_pk"] = partnership.pk
        return reverse(f"api:{name}", kwargs=kwargs)

    return build


@pytest.fixture
def as_member(api):
    def login(membership):
        api.force_authenticate(membership.user)
        return api

    return login


@pytest.fixture
def complete_discovery(
    partnership, account_manager, implementation_pm, client_executive, kpis, actor_for
):
    """A partnership whose checklist is complete (not yet signed off)."""
    pm = actor_for(implementation_pm)
    service = services.service_line_create(
        actor=pm,
        partnership=partnership,
        kind="after_hours_triage",
        name="After-hours triage",
        hours="Weeknights 17:00 to 08:00",
        monthly_volume=2400,
    )
    baseline = services.baseline_create(
        actor=pm,
        partnership=partnership,
        service_line=service,
        kpi=kpis["average_speed_of_answer"],
        value=Decimal("42"),
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
    )
    call_flow = services.call_flow_create(
        actor=pm,
        partnership=partnership,
        service_line=service,
        name="After-hours line",
        state="current",
        graph=AFTER_HOURS_TRIAGE_CURRENT,
    )
    call_flow.refresh_from_db()
    services.call_flow_version_review(actor=pm, version=call_flow.latest_version)
    report = services.report_create(
        actor=pm,
        partnership=partnership,
        upload=csv_upload(),
        name="ACD January",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        findings="Abandonment is 9 % on Monday evenings.",
    )
    session = services.session_create(
        actor=actor_for(account_manager),
        partnership=partnership,
        held_on=datetime.date(2026, 2, 10),
        title="Desired patient experience workshop",
    )
    goal = services.goal_create(
        actor=actor_for(account_manager),
        partnership=partnership,
        statement="Students reach a nurse within 30 seconds",
        kpi=kpis["average_speed_of_answer"],
        target=Decimal("30"),
    )
    goal_sign_off = services.goals_sign_off(
        actor=actor_for(client_executive), partnership=partnership
    )
    return SimpleNamespace(
        partnership=partnership,
        service=service,
        baseline=baseline,
        call_flow=call_flow,
        report=report,
        session=session,
        goal=goal,
        goal_sign_off=goal_sign_off,
    )


@pytest.fixture
def signed_off(complete_discovery, account_manager, client_executive, actor_for):
    partnership = complete_discovery.partnership
    services.discovery_sign_off(actor=actor_for(account_manager), partnership=partnership)
    services.discovery_cosign(actor=actor_for(client_executive), partnership=partnership)
    return complete_discovery
