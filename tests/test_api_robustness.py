"""What contract fuzzing (tests/test_contract.py) found, pinned: each answered 500 before."""

from __future__ import annotations

import pytest
from django.urls import reverse

from health.models import HealthSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_admin(api, admin):
    api.force_authenticate(admin.user)
    return api


@pytest.mark.parametrize(
    "route",
    [
        "health-settings-list",
        "transition-my-tasks-bulk-status",
        "transition-my-tasks-calendar-key",
    ],
)
def test_options_on_routes_without_an_id_describe_them(as_admin, route):
    response = as_admin.options(reverse(f"api:{route}", kwargs={"org_slug": "northstar"}))
    assert response.status_code == 200
    assert response.json()["name"]
    assert "actions" not in response.json()


def test_options_on_the_plan(as_admin, partnership):
    address = reverse(
        "api:transition-plan-list",
        kwargs={"org_slug": "northstar", "partnership_pk": partnership.pk},
    )
    assert as_admin.options(address).status_code == 200


@pytest.mark.parametrize("body", ["null", "true", "5", '"text"', "null" + " " * 80, "9" * 90])
def test_a_json_body_that_is_no_object_is_a_400(as_admin, partnership, body):
    address = reverse(
        "api:partnership-detail", kwargs={"org_slug": "northstar", "pk": partnership.pk}
    )
    for method in (as_admin.put, as_admin.patch):
        response = method(address, body, content_type="application/json")
        assert response.status_code == 400, (method, body)
    partnership.refresh_from_db()
    assert partnership.name == "University after-hours line"


def test_a_number_past_64_bits_in_a_filter_is_a_400_not_a_500(as_admin, partnership):
    address = reverse(
        "api:adaptation-list", kwargs={"org_slug": "northstar", "partnership_pk": partnership.pk}
    )
    response = as_admin.get(address, {"owner": "9" * 40})
    assert response.status_code in (200, 400)


def test_health_weights_refuse_null_and_take_an_empty_form_field_as_the_defaults(as_admin, org_a):
    address = reverse("api:health-settings-list", kwargs={"org_slug": "northstar"})
    refused = as_admin.patch(address, {"weights": None}, format="json")
    assert refused.status_code == 400 and "weights" in refused.json()
    for value in ("", "null"):
        response = as_admin.patch(address, {"weights": value}, format="multipart")
        assert response.status_code in (200, 400), value
        if response.status_code == 400:
            assert "weights" in response.json()
    assert HealthSettings.objects.get(organization=org_a).weights == {}
