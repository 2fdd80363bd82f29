"""`tenancy.queries.id_in`: the same rows as `__in`, whatever the order of the ids (on
PostgreSQL it binds them as one array and adds their range for the planner); a
`PreparedRead`: built once, run with each call's values."""

from __future__ import annotations

import datetime

import pytest
from django.db import connections
from django.db.models import BigIntegerField, DateField

from partnerships.models import Partnership
from tenancy.queries import Bind, PreparedRead, id_in
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def test_id_in_finds_the_same_rows_as_in_whatever_the_order(org_a):
    first, second, third = (PartnershipFactory(organization=org_a) for _ in range(3))
    ids = [third.pk, first.pk, second.pk]  # not in ascending order
    found = set(id_in(Partnership.objects.all(), "pk", ids).values_list("pk", flat=True))
    assert found == {first.pk, second.pk, third.pk}
    assert list(id_in(Partnership.objects.all(), "pk", [second.pk])) == [second]
    assert not id_in(Partnership.objects.all(), "pk", []).exists()


# --- PreparedRead ----------------------------------------------------------------------------

_BUILDS = []


def _go_lives_after() -> object:
    _BUILDS.append(1)
    return id_in(
        Partnership.objects.filter(
            organization_id=Bind("organization", BigIntegerField()),
            planned_go_live__gt=Bind("after", DateField()),
        ),
        "pk",
        Bind("ids", BigIntegerField()),
    ).values_list("pk", "planned_go_live", "created_at")


GO_LIVES_AFTER = PreparedRead(_go_lives_after)


def test_a_prepared_read_is_built_once_and_runs_with_each_calls_values(org_a, org_b):
    """The same rows as the queryset built with the values themselves, run after run with
    other ids, dates and organizations, converted as the ORM converts them (a date is a date,
    a time an aware datetime, on SQLite too)."""
    june, july, august = (datetime.date(2026, month, 1) for month in (6, 7, 8))
    early, late = (
        PartnershipFactory(organization=org_a, planned_go_live=d) for d in (june, august)
    )
    middle = PartnershipFactory(organization=org_a, planned_go_live=july)
    elsewhere = PartnershipFactory(organization=org_b, planned_go_live=august)
    ids = (late.pk, early.pk, middle.pk, elsewhere.pk)  # in any order

    def expected(organization, after, some_ids):
        return set(
            Partnership.objects.filter(
                organization=organization, planned_go_live__gt=after, pk__in=some_ids
            ).values_list("pk", "planned_go_live", "created_at")
        )

    connections["default"].__dict__.pop("switchboard_prepared_reads", None)
    _BUILDS.clear()
    for organization, after, some_ids in (
        (org_a, june, ids),
        (org_a, datetime.date(2025, 1, 1), ids),
        (org_a, july, (early.pk, middle.pk)),
        (org_b, june, ids),
        (org_b, datetime.date(2030, 1, 1), ids),
    ):
        rows = GO_LIVES_AFTER(organization=organization.pk, after=after, ids=some_ids)
        assert set(rows) == expected(organization, after, some_ids)
    assert set(GO_LIVES_AFTER(organization=org_a.pk, after=june, ids=ids)) == {
        (middle.pk, july, middle.created_at),
        (late.pk, august, late.created_at),
    }
    pk, go_live, created = GO_LIVES_AFTER(organization=org_b.pk, after=june, ids=ids)[0]
    assert (pk, type(go_live)) == (elsewhere.pk, datetime.date)
    assert created.tzinfo is not None
    assert len(_BUILDS) == 1  # built and compiled once on this connection


def test_a_prepared_read_takes_its_values_as_parameters_never_as_sql(org_a):
    """A bound value is sent as a parameter: text that looks like SQL is only ever a value,
    and an id list that is not numbers is refused before it reaches the database."""
    partnership = PartnershipFactory(organization=org_a)
    with pytest.raises((TypeError, ValueError)):
        GO_LIVES_AFTER(organization=org_a.pk, after=datetime.date(2026, 1, 1), ids=["1) OR (1=1"])
    rows = GO_LIVES_AFTER(
        organization=org_a.pk, after=datetime.date(2026, 1, 2), ids=[partnership.pk]
    )
    assert [row[0] for row in rows] == [partnership.pk]
    with pytest.raises(KeyError):  # every placeholder needs its value
        GO_LIVES_AFTER(organization=org_a.pk, ids=[partnership.pk])


PARTNERSHIP_IDS = PreparedRead(
    lambda: (
        Partnership.objects.filter(organization_id=Bind("organization", BigIntegerField()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
)


def test_a_flat_prepared_read_answers_values_as_the_queryset_does(org_a, org_b):
    first, second = PartnershipFactory(organization=org_a), PartnershipFactory(organization=org_a)
    PartnershipFactory(organization=org_b)
    assert PARTNERSHIP_IDS(organization=org_a.pk) == [first.pk, second.pk]
    assert PARTNERSHIP_IDS(organization=org_b.pk) == list(
        Partnership.objects.filter(organization=org_b).values_list("pk", flat=True)
    )
