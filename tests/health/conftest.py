"""Health fixtures on top of the personas of tests/conftest.py (admin, account_manager,
implementation_pm, client_executive, outsider; partnership in discovery at Northstar).

- `kpis`      the Northstar KPI catalog, by key
- `service`   an after-hours triage service line of `partnership`
- `live`      `partnership`, moved to live (status set directly: the gates are tested elsewhere)
- `api_url`   `api_url("health-issue-list", partnership)` → the API route in Northstar
- `as_api`    `as_api(membership)`: the DRF test client authenticated as that member
- `as_member` `as_member(membership)`: the Django test client signed in as that member
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from discovery import services as discovery_services
from discovery.models import KpiDefinition
from partnerships.models import PartnershipStatus
from tests.discovery.factories import ServiceLineFactory


@pytest.fixture
def kpis(org_a) -> dict[str, KpiDefinition]:
    discovery_services.kpi_catalog_ensure(organization=org_a)
    return {kpi.key: kpi for kpi in KpiDefinition.objects.filter(organization=org_a)}


@pytest.fixture
def service(partnership):
    return ServiceLineFactory(partnership=partnership, name="After-hours triage")


@pytest.fixture
def live(partnership):
    partnership.status = PartnershipStatus.LIVE
    partnership.actual_go_live = datetime.date(2026, 6, 1)
    partnership.save()
    return partnership


@pytest.fixture
def api_url(org_a):
    def build(name: str, partnership=None, org=None, **kwargs) -> str:
        kwargs["org_slug"] = (org or org_a).slug
        if partnership is not None:
            kwargs["partnership_pk"] = partnership.pk
        return reverse(f"api:{name}", kwargs=kwargs)

    return build


@pytest.fixture
def as_api(api):
    def login(membership):
        api.force_authenticate(membership.user)
        return api

    return login


@pytest.fixture
def as_member(client):
    def sign_in(membership):
        client.force_login(membership.user)
        return client

    return sign_in
