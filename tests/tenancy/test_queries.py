"""`tenancy.queries.id_in`: the same rows as `__in`, whatever the order of the ids (on
PostgreSQL it binds them as one array and adds their range for the planner)."""

from __future__ import annotations

import pytest

from partnerships.models import Partnership
from tenancy.queries import id_in
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def test_id_in_finds_the_same_rows_as_in_whatever_the_order(org_a):
    first, second, third = (PartnershipFactory(organization=org_a) for _ in range(3))
    ids = [third.pk, first.pk, second.pk]  # not in ascending order
    found = set(id_in(Partnership.objects.all(), "pk", ids).values_list("pk", flat=True))
    assert found == {first.pk, second.pk, third.pk}
    assert list(id_in(Partnership.objects.all(), "pk", [second.pk])) == [second]
    assert not id_in(Partnership.objects.all(), "pk", []).exists()
