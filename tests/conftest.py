"""Personas (healthchecks style): Northstar is the provider under test, with one member of every
role; Harbor is another tenant whose admin, the outsider, must see nothing of Northstar.

- `admin`               Northstar admin
- `account_manager`     Northstar account manager, dedicated AM of `partnership`
- `implementation_pm`   Northstar implementation PM, assigned to `partnership`
- `client_executive`    executive of `partnership`'s client (University Health)
- `outsider`            Harbor admin
- `partnership`         Northstar and University Health, in discovery
- `other_client_partnership`  Northstar and another client (nobody above is assigned to it)
- `outsider_partnership`      Harbor's own partnership
"""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from partnerships.models import PartnershipStatus
from tenancy.audit import Actor
from tenancy.models import Role
from tests.factories import (
    ClientOrganizationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnershipFactory,
)


@pytest.fixture
def org_a(db):
    return OrganizationFactory(name="Northstar Nurse Line", slug="northstar")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(name="Harbor Health Calls", slug="harbor")


@pytest.fixture
def university(org_a):
    return ClientOrganizationFactory(organization=org_a, name="University Health", city="Ames")


@pytest.fixture
def admin(org_a):
    return MembershipFactory(
        organization=org_a,
        role=Role.ADMIN,
        user__email="admin@northstar.example",
        user__full_name="Ada Admin",
    )


@pytest.fixture
def account_manager(org_a):
    return MembershipFactory(
        organization=org_a,
        role=Role.ACCOUNT_MANAGER,
        user__email="am@northstar.example",
        user__full_name="Alice Manager",
    )


@pytest.fixture
def implementation_pm(org_a):
    return MembershipFactory(
        organization=org_a,
        role=Role.IMPLEMENTATION_PM,
        user__email="pm@northstar.example",
        user__full_name="Paul Planner",
    )


@pytest.fixture
def client_executive(org_a, university):
    return MembershipFactory(
        organization=org_a,
        role=Role.CLIENT_EXECUTIVE,
        client=university,
        user__email="exec@university.example",
        user__full_name="Erin Executive",
    )


@pytest.fixture
def outsider(org_b):
    return MembershipFactory(
        organization=org_b,
        role=Role.ADMIN,
        user__email="admin@harbor.example",
        user__full_name="Olga Outsider",
    )


@pytest.fixture
def partnership(org_a, university, account_manager, implementation_pm):
    return PartnershipFactory(
        organization=org_a,
        client=university,
        name="University after-hours line",
        status=PartnershipStatus.DISCOVERY,
        account_manager=account_manager.user,
        implementation_pms=[implementation_pm.user],
        internal_notes="Internal: renewal at risk.",
    )


@pytest.fixture
def other_client_partnership(org_a, admin):
    county = ClientOrganizationFactory(organization=org_a, name="County Clinic", city="Boone")
    return PartnershipFactory(
        organization=org_a,
        client=county,
        name="County clinic daytime line",
        status=PartnershipStatus.PROSPECT,
        account_manager=admin.user,
        contract_start=datetime.date(2026, 3, 1),
    )


@pytest.fixture
def outsider_partnership(org_b, outsider):
    harbor_client = ClientOrganizationFactory(organization=org_b, name="Harbor General")
    return PartnershipFactory(
        organization=org_b,
        client=harbor_client,
        name="Harbor General overflow line",
        status=PartnershipStatus.DISCOVERY,
        account_manager=outsider.user,
    )


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def actor_for():
    """`actor_for(membership)`: the Actor a service takes, as a request would build it."""

    def build(membership) -> Actor:
        return Actor(membership=membership, ip_address="127.0.0.1", user_agent="pytest")

    return build
