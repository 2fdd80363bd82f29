"""Transition fixtures on top of the personas of tests/conftest.py.

- `plan`: the persona partnership's plan, laid out by the implementation PM from the shipped
  template around a go-live of 2026-06-01 (the factory's planned go-live).
"""

from __future__ import annotations

import datetime

import pytest

from transition import services

GO_LIVE = datetime.date(2026, 6, 1)


@pytest.fixture
def plan(partnership, implementation_pm, actor_for):
    return services.plan_create(actor=actor_for(implementation_pm), partnership=partnership)


@pytest.fixture
def url_kwargs(org_a, partnership):
    return {"org_slug": org_a.slug, "partnership_pk": partnership.pk}
