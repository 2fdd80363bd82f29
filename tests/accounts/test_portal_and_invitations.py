"""The client executive's portal (navigation, footer, pages they have no use for) and the
invitation page when the e-mail could not be queued (resend, copy link; admins only)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from accounts import services, tasks
from accounts.models import Invitation
from tenancy.models import AuditEvent
from tests.factories import ApiTokenFactory, InvitationFactory

pytestmark = pytest.mark.django_db


def org_url(name: str, org, **kwargs) -> str:
    return reverse(f"org:{name}", kwargs={"org_slug": org.slug, **kwargs})


def html(response) -> str:
    return response.content.decode()


# --- The client executive's navigation and footer -----------------------------------------


def test_a_client_executive_sees_only_what_they_can_use(client, client_executive, partnership):
    client.force_login(client_executive.user)
    body = html(client.get(reverse("partnerships:list", kwargs={"org_slug": "northstar"})))
    assert ">Partnerships</a>" in body
    for absent in (">My tasks</a>", ">Clients</a>", ">API tokens</a>", ">Members</a>"):
        assert absent not in body
    # The footer names their client, not the provider.
    assert "signed in as Client executive of University Health" in body
    assert "Client executive of Northstar Nurse Line" not in body


def test_provider_members_keep_their_navigation_and_footer(client, account_manager, partnership):
    client.force_login(account_manager.user)
    body = html(client.get(reverse("partnerships:list", kwargs={"org_slug": "northstar"})))
    assert ">My tasks</a>" in body and ">Clients</a>" in body and ">API tokens</a>" in body
    assert "signed in as Account manager of Northstar Nurse Line" in body


def test_the_tokens_page_is_404_for_a_client_executive_without_a_token(
    client, client_executive, org_a
):
    client.force_login(client_executive.user)
    assert client.get(org_url("tokens", org_a)).status_code == 404
    assert client.post(org_url("tokens", org_a), {"name": "Mine"}).status_code == 404
    assert not client_executive.user.api_tokens.exists()


def test_a_client_executive_with_a_token_sees_and_revokes_it_but_creates_none(
    client, client_executive, org_a, actor_for
):
    token = ApiTokenFactory(organization=org_a, user=client_executive.user, name="Old export")
    client.force_login(client_executive.user)
    body = html(client.get(reverse("partnerships:list", kwargs={"org_slug": "northstar"})))
    assert ">API tokens</a>" in body

    page = client.get(org_url("tokens", org_a))
    assert page.status_code == 200
    assert "Old export" in html(page) and "Create token</button>" not in html(page)
    assert client.post(org_url("tokens", org_a), {"name": "New"}).status_code == 403
    with pytest.raises(Exception, match="provider's integrations"):
        services.api_token_create(actor=actor_for(client_executive), name="New")
    assert client_executive.user.api_tokens.count() == 1

    client.post(org_url("token-revoke", org_a, pk=token.pk))
    assert client.get(org_url("tokens", org_a)).status_code == 404  # nothing left to use


# --- Invitations: queue failure, resend, copy link -----------------------------------------


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(**kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.invitation_send_task, "delay", refuse)


@pytest.mark.django_db(transaction=True)
def test_when_the_e_mail_cannot_be_queued_the_page_says_so_and_shows_the_link(
    client, admin, broker_down, mailoutbox
):
    client.force_login(admin.user)
    response = client.post(
        org_url("members", admin.organization),
        {"email": "new.nurse@northstar.example", "role": "implementation_pm"},
    )
    assert response.status_code == 200  # rendered: the link exists only in this response
    body = html(response)
    assert "The e-mail could not be queued; resend it or copy the link." in body
    invitation = Invitation.objects.get(email="new.nurse@northstar.example")
    assert invitation.state == "pending" and invitation.sent_at is None
    link = response.context["link"]["url"]
    assert f'value="{link}" readonly' in body
    assert 'data-copy-target="invitation-link"' in body
    assert org_url("invitation-resend", admin.organization, pk=invitation.pk) in body
    assert "no-store" in response["Cache-Control"]
    assert mailoutbox == []
    # The link shown works: it opens the invitation.
    assert services.invitation_for_token(link.rstrip("/").rsplit("/", 1)[-1]) == invitation


@pytest.mark.django_db(transaction=True)
def test_resend_sends_a_new_link_and_the_old_one_stops_working(client, admin, mailoutbox):
    client.force_login(admin.user)
    client.post(
        org_url("members", admin.organization),
        {"email": "late@northstar.example", "role": "account_manager"},
    )
    invitation = Invitation.objects.get(email="late@northstar.example")
    old_hash = invitation.token_hash
    assert len(mailoutbox) == 1

    response = client.post(org_url("invitation-resend", admin.organization, pk=invitation.pk))
    assert response.status_code == 200
    assert "A new link for late@northstar.example" in html(response)
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash and invitation.sent_at is not None
    assert len(mailoutbox) == 2
    assert response.context["link"]["url"] in mailoutbox[1].body
    assert AuditEvent.objects.filter(verb="member.invitation_resent").count() == 1


def test_an_answered_invitation_cannot_be_resent(client, admin):
    invitation = InvitationFactory(organization=admin.organization, invited_by=admin.user)
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at="2026-01-01T00:00:00Z")
    client.force_login(admin.user)
    response = client.post(
        org_url("invitation-resend", admin.organization, pk=invitation.pk), follow=True
    )
    assert "already revoked" in html(response)


@pytest.mark.parametrize("persona", ["account_manager", "implementation_pm", "client_executive"])
def test_only_admins_resend_or_see_links(client, admin, persona, request):
    invitation = InvitationFactory(organization=admin.organization, invited_by=admin.user)
    old_hash = invitation.token_hash
    member = request.getfixturevalue(persona)
    client.force_login(member.user)
    response = client.post(org_url("invitation-resend", admin.organization, pk=invitation.pk))
    assert response.status_code in (403, 404)
    assert "invitation-link" not in html(response)
    invitation.refresh_from_db()
    assert invitation.token_hash == old_hash


def test_another_tenant_cannot_resend(client, admin, outsider):
    invitation = InvitationFactory(organization=admin.organization, invited_by=admin.user)
    client.force_login(outsider.user)
    url = org_url("invitation-resend", admin.organization, pk=invitation.pk)
    assert client.post(url).status_code == 404


def test_pending_invitations_offer_resend_to_the_admin(client, admin):
    invitation = InvitationFactory(organization=admin.organization, invited_by=admin.user)
    client.force_login(admin.user)
    body = html(client.get(org_url("members", admin.organization)))
    assert org_url("invitation-resend", admin.organization, pk=invitation.pk) in body
    assert "invitation-link" not in body  # a link is shown only when one was just made
