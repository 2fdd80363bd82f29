"""The API is throttled per client address (anonymous) and per user, and a forged
X-Forwarded-For does not buy a fresh allowance."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from config.settings.test import REST_FRAMEWORK

LOW = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "5/min"}}


# A cache of the test's own: the suite's (Redis in CI) is shared with other tests and workers,
# whose counts must not mix with these, and which must not be flushed.
OWN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttle-tests",
    }
}


@pytest.fixture(autouse=True)
def own_cache():
    with override_settings(CACHES=OWN_CACHE):
        from django.core.cache import caches

        caches["default"].clear()
        yield


@override_settings(API_FAILED_AUTH_LIMIT=3)
def test_failed_credentials_are_throttled_per_address_whatever_the_header(db):
    client = APIClient()
    codes = [
        client.get(
            "/api/v1/me/",
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
            HTTP_AUTHORIZATION=f"Token guess{n}",
        ).status_code
        for n in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]
    refused = client.get(
        "/api/v1/me/", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Token another"
    )
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    # A calendar feed key is a credential too; a call presenting none has nothing to guess.
    feed = "/api/v1/orgs/northstar/my-tasks/calendar/feed/guess/"
    assert client.get(feed, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert client.get("/api/v1/me/", REMOTE_ADDR="203.0.113.9").status_code in (401, 403)
    # Another address has its own allowance; pages are not concerned.
    assert client.get("/api/v1/me/", REMOTE_ADDR="198.51.100.1").status_code in (401, 403)
    assert client.get("/login/", REMOTE_ADDR="203.0.113.9").status_code == 200


@override_settings(API_FAILED_AUTH_LIMIT=2)
def test_a_member_refused_by_a_permission_is_not_counted(api, client_executive, partnership):
    api.force_authenticate(client_executive.user)
    org = client_executive.organization.slug
    for _ in range(4):  # a client executive may not create partnerships: 403, not guessing
        api.post(f"/api/v1/orgs/{org}/partnerships/", {}, format="json")
    assert api.get("/api/v1/me/").status_code == 200


@override_settings(REST_FRAMEWORK=LOW)
def test_a_user_is_throttled_with_a_retry_after(api, admin):
    api.force_authenticate(admin.user)
    codes = [api.get("/api/v1/me/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    response = api.get("/api/v1/me/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
