"""Culture fixtures on top of the shared personas (tests/conftest.py).

- `other_account_manager`  a Northstar AM, dedicated AM of `other_client_partnership` only
- `students`, `retirees`   two caller populations of `partnership` (60% and 30% of volume)
- `url(name, **kwargs)`    reverse an API route of `partnership` (org and partnership filled)
- `as_(membership)`        the API client signed in as that member
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tenancy.models import Role
from tests.culture.factories import CallerPopulationFactory, CallerPopulationLanguageFactory
from tests.factories import MembershipFactory


@pytest.fixture
def other_account_manager(org_a, other_client_partnership):
    membership = MembershipFactory(
        organization=org_a,
        role=Role.ACCOUNT_MANAGER,
        user__email="am2@northstar.example",
        user__full_name="Otto Othermanager",
    )
    other_client_partnership.account_manager = membership.user
    other_client_partnership.save()
    return membership


@pytest.fixture
def students(partnership):
    population = CallerPopulationFactory(
        partnership=partnership,
        name="Students, main campus, Ann Arbor MI",
        share_of_volume=Decimal("60"),
        question_depth="technical",
        health_literacy="high",
        education_level="some_college",
    )
    CallerPopulationLanguageFactory(population=population, language="en", share=Decimal("80"))
    CallerPopulationLanguageFactory(population=population, language="cmn", share=Decimal("15"))
    return population


@pytest.fixture
def retirees(partnership):
    population = CallerPopulationFactory(
        partnership=partnership,
        name="Retirees, rural Washtenaw County",
        share_of_volume=Decimal("30"),
        age_bands=["65_74", "75_plus"],
        question_depth="basic",
        health_literacy="low",
        accessibility_needs=["hearing", "tty"],
    )
    CallerPopulationLanguageFactory(population=population, language="en", share=Decimal("90"))
    CallerPopulationLanguageFactory(population=population, language="es", share=Decimal("10"))
    return population


@pytest.fixture
def url(partnership):
    def build(name: str, partnership_=None, **kwargs) -> str:
        target = partnership_ or partnership
        return reverse(
            f"api:{name}",
            kwargs={
                "org_slug": target.organization.slug,
                "partnership_pk": target.pk,
                **kwargs,
            },
        )

    return build


@pytest.fixture
def as_(api):
    def sign_in(membership):
        api.force_authenticate(membership.user)
        return api

    return sign_in
