"""The partnerships list API writes its rows from values (`selectors.partnership_rows`): the
JSON is exactly `PartnershipSerializer`'s, for every role, with and without PMs and managers."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from partnerships.api.serializers import PartnershipSerializer
from partnerships.models import Partnership
from tenancy.renderers import dumps
from tests.factories import PartnershipFactory


def url(membership, **query) -> str:
    base = reverse("api:partnership-list", kwargs={"org_slug": membership.organization.slug})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def many(org_a, university, account_manager, implementation_pm, partnership):
    made = [partnership]
    for n in range(6):
        p = PartnershipFactory(
            organization=org_a,
            client=university,
            name=f"Line {n} <script>alert(1)</script> “quoted”",
            account_manager=account_manager.user if n % 2 else None,
            internal_notes=f"internal {n}",
        )
        if n % 3 == 0:
            p.implementation_pms.add(implementation_pm.user)
        made.append(p)
    return made


@pytest.mark.parametrize(
    "who", ["admin", "account_manager", "implementation_pm", "client_executive"]
)
def test_the_rows_are_the_serializers_rows(request, api, many, who):
    member = request.getfixturevalue(who)
    api.force_authenticate(member.user)
    response = api.get(url(member, page_size=200))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows, "the member sees some partnerships"
    expected = PartnershipSerializer(
        Partnership.objects.with_people().filter(pk__in=[r["id"] for r in rows]).order_by("name"),
        many=True,
        context={"membership": member, "request": RequestFactory().get("/")},
    ).data
    assert rows == json.loads(dumps(expected))
    if who == "client_executive":
        assert all("internal_notes" not in row for row in rows)
    else:
        assert all("internal_notes" in row for row in rows)


def test_dates_and_times_are_written_as_drf_writes_them(api, admin, partnership):
    partnership.actual_go_live = timezone.localdate()
    partnership.save(update_fields=["actual_go_live"])
    api.force_authenticate(admin.user)
    row = next(r for r in api.get(url(admin)).json()["results"] if r["id"] == partnership.pk)
    assert row["actual_go_live"] == partnership.actual_go_live.isoformat()
    written = datetime.datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))
    assert written == partnership.created_at and written.tzinfo is not None


def test_paging_filtering_and_ordering_still_apply(api, admin, many):
    api.force_authenticate(admin.user)
    first = api.get(url(admin, page_size=2, ordering="-name")).json()
    assert first["count"] == len(many) and len(first["results"]) == 2
    names = sorted((p.name for p in many), reverse=True)
    assert [r["name"] for r in first["results"]] == names[:2]
    assert api.get(url(admin, page=99)).status_code == 404
    found = api.get(url(admin, search="Line 3")).json()["results"]
    assert [r["name"] for r in found] == [many[4].name]


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_reads_a_fixed_number_of_queries(
    api, admin, org_a, university, count, django_assert_max_num_queries, implementation_pm
):
    for n in range(count):
        PartnershipFactory(
            organization=org_a, client=university, name=f"P{n}"
        ).implementation_pms.add(implementation_pm.user)
    api.force_authenticate(admin.user)
    # membership, count, the page of rows, their PMs
    with django_assert_max_num_queries(4):
        assert api.get(url(admin, page_size=200)).status_code == 200
