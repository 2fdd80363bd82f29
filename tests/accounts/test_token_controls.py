"""API tokens: an expiry, a read-only scope, the audit of a new address, an admin's oversight,
and an account switched off taking its tokens with it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken
from tenancy.models import AuditEvent
from tests.factories import ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db

PARTNERSHIPS = "/api/v1/orgs/northstar/partnerships/"


def tokens_url(org):
    return reverse("org:tokens", kwargs={"org_slug": org.slug})


def with_token(raw: str, address: str = "127.0.0.1") -> APIClient:
    api = APIClient(REMOTE_ADDR=address)
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return api


def test_a_token_is_made_with_an_expiry_and_a_scope(client, account_manager):
    client.force_login(account_manager.user)
    response = client.post(
        tokens_url(account_manager.organization),
        {"name": "Quarterly report", "expires_in_days": "30", "read_only": "on"},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.read_only is True
    expected = timezone.now() + datetime.timedelta(days=30)
    assert abs((token.expires_at - expected).total_seconds()) < 60
    event = AuditEvent.objects.get(verb="api_token.created")
    assert event.changes["read_only"] == [None, True]
    listing = client.get(tokens_url(account_manager.organization)).content.decode()
    assert "Read-only" in listing


def test_the_default_expiry_is_ninety_days_and_never_is_a_choice(client, account_manager):
    client.force_login(account_manager.user)
    page = client.get(tokens_url(account_manager.organization))
    assert page.context["form"]["expires_in_days"].value() == "90"
    client.post(tokens_url(account_manager.organization), {"name": "ACD", "expires_in_days": ""})
    assert ApiToken.objects.get().expires_at is None


def test_a_lifetime_not_offered_is_refused_on_its_field(client, account_manager, actor_for):
    client.force_login(account_manager.user)
    response = client.post(
        tokens_url(account_manager.organization), {"name": "ACD", "expires_in_days": "100000"}
    )
    assert response.status_code == 400
    assert "expires_in_days" in response.context["form"].errors
    assert not ApiToken.objects.exists()
    with pytest.raises(services.ApplicationError) as error:
        services.api_token_create(actor=actor_for(account_manager), name="x", expires_in_days=7)
    assert error.value.field == "expires_in_days"


def test_an_expired_token_stops_working_and_says_when(account_manager):
    token = ApiTokenFactory(
        organization=account_manager.organization,
        user=account_manager.user,
        expires_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    assert with_token(token.raw_key).get(PARTNERSHIPS).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = with_token(token.raw_key).get(PARTNERSHIPS)
    assert response.status_code == 401
    assert "expired on" in response.json()["detail"]
    token.refresh_from_db()
    assert token.state == "expired"


def test_a_read_only_token_reads_and_is_refused_any_change(account_manager, university):
    token = ApiTokenFactory(
        organization=account_manager.organization, user=account_manager.user, read_only=True
    )
    api = with_token(token.raw_key)
    assert api.get(PARTNERSHIPS).status_code == 200
    for method in ("post", "put", "patch", "delete"):
        response = getattr(api, method)(PARTNERSHIPS, {"name": "New line"}, format="json")
        assert response.status_code == 403, method
        assert "read-only" in response.json()["detail"]
    assert with_token(token.raw_key).get(PARTNERSHIPS).status_code == 200


def test_a_token_used_from_a_new_address_is_in_the_audit_trail(account_manager):
    token = ApiTokenFactory(organization=account_manager.organization, user=account_manager.user)
    with_token(token.raw_key, "10.0.0.5").get(PARTNERSHIPS)
    with_token(token.raw_key, "10.0.0.5").get(PARTNERSHIPS)
    with_token(token.raw_key, "203.0.113.9").get(PARTNERSHIPS)
    events = AuditEvent.objects.filter(verb="api_token.new_address").order_by("id")
    assert [e.changes["address"] for e in events] == [
        [None, "10.0.0.5"],
        ["10.0.0.5", "203.0.113.9"],
    ]
    assert {e.organization_id for e in events} == {account_manager.organization_id}
    assert events.last().ip_address == "203.0.113.9"
    token.refresh_from_db()
    assert token.last_used_ip == "203.0.113.9"


def test_an_admin_sees_and_revokes_every_members_token(client, admin, account_manager, outsider):
    theirs = ApiTokenFactory(
        organization=admin.organization, user=account_manager.user, name="ACD push"
    )
    foreign = ApiTokenFactory(organization=outsider.organization, user=outsider.user)
    client.force_login(admin.user)
    page = client.get(tokens_url(admin.organization))
    assert page.context["members_tokens"] == [theirs]
    assert page.context["tokens"] == []
    html = page.content.decode()
    assert "Members' tokens" in html and "Alice Manager" in html

    response = client.post(reverse("org:token-revoke", args=["northstar", theirs.pk]))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.revoked_at is not None
    event = AuditEvent.objects.get(verb="api_token.revoked")
    assert event.actor == admin.user
    assert event.changes["owner"] == ["am@northstar.example", None]
    assert with_token(theirs.raw_key).get(PARTNERSHIPS).status_code == 401
    # Another organization's token stays out of reach.
    assert client.post(reverse("org:token-revoke", args=["harbor", foreign.pk])).status_code == 404
    assert client.post(reverse("org:token-revoke", args=["northstar", foreign.pk])).status_code == (
        404
    )


def test_other_members_neither_see_nor_revoke_each_others_tokens(
    client, account_manager, implementation_pm
):
    theirs = ApiTokenFactory(organization=account_manager.organization, user=account_manager.user)
    client.force_login(implementation_pm.user)
    page = client.get(tokens_url(account_manager.organization))
    assert page.context["tokens"] == [] and page.context["members_tokens"] == []
    assert "Members' tokens" not in page.content.decode()
    assert client.post(reverse("org:token-revoke", args=["northstar", theirs.pk])).status_code == (
        404
    )
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_switching_an_account_off_revokes_its_tokens_for_good(client, account_manager):
    token = ApiTokenFactory(organization=account_manager.organization, user=account_manager.user)
    staff = UserFactory(email="staff@switchboard.example", is_staff=True, is_superuser=True)
    client.force_login(staff)
    user = account_manager.user
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name not in ("is_active", "password", "groups", "user_permissions") and value is not None
    }
    data.update(
        {
            "last_login_0": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-2-TOTAL_FORMS": "0",
            "memberships-2-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.is_active is False
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(verb="user.api_tokens_revoked")
    assert event.changes["api_tokens_revoked"] == [0, 1]
    assert "calendar_feed_keys_revoked" not in event.changes  # none issued: no change
    # Switched back on, the person needs new tokens.
    user.is_active = True
    user.save()
    assert with_token(token.raw_key).get(PARTNERSHIPS).status_code == 401
