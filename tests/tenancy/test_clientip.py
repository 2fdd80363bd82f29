"""The client's address: X-Forwarded-For is believed only as far as trusted proxies wrote it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from tenancy.clientip import client_ip


def request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_a_forged_header_changes_nothing():
    assert client_ip(request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),  # one proxy of ours
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client forged 1.2.3.4
        ("10.0.0.2", "198.51.100.7, 10.0.0.5", "198.51.100.7"),  # two proxies of ours
        ("10.0.0.2", "not-an-ip, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "10.0.0.9", "10.0.0.2"),  # only our proxies: the last one we see
        ("10.0.0.2", "", "10.0.0.2"),
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # not through our proxy
        ("10.0.0.2", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_header_is_read_from_the_right_past_our_proxies(remote, forwarded, expected):
    assert client_ip(request(remote, forwarded)) == expected


def test_no_address_at_all_is_none():
    assert client_ip(request("")) is None


def test_the_audit_trail_records_the_real_client(api, admin, partnership):
    from tenancy.models import AuditEvent

    api.force_authenticate(admin.user)
    url = f"/api/v1/orgs/{admin.organization.slug}/partnerships/{partnership.pk}/"
    response = api.patch(
        url,
        {"name": "Renamed line"},
        format="json",
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.filter(verb="partnership.updated").latest("id")
    assert event.ip_address == "203.0.113.9"
