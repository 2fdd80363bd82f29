"""The client executive may not reopen signed-off discovery: they ask for it, with a reason,
and the dedicated account manager (or an admin) answers, accepting (discovery is reopened,
the client's reason on record) or declining with a reply. Pages and API, roles, bad input."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from discovery import selectors, services
from discovery.models import DiscoveryReopenRequest, DiscoverySignOff
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent

pytestmark = pytest.mark.django_db


def page(name: str, partnership, **kwargs) -> str:
    kwargs.update(org_slug=partnership.organization.slug, partnership_pk=partnership.pk)
    return reverse(f"discovery:{name}", kwargs=kwargs)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def asked(signed_off, client_executive, actor_for):
    """An open request of the client executive to reopen signed-off discovery."""
    return services.discovery_reopen_request(
        actor=actor_for(client_executive),
        partnership=signed_off.partnership,
        reason="We are adding a refill line.",
    )


# --- services ------------------------------------------------------------------------------


def test_the_client_executive_may_not_reopen_but_may_ask(signed_off, client_executive, actor_for):
    partnership = signed_off.partnership
    with pytest.raises(PermissionDenied, match="asks for it to be reopened"):
        services.discovery_reopen(
            actor=actor_for(client_executive), partnership=partnership, reason="Changed."
        )
    assert selectors.discovery_open_sign_off(partnership=partnership) is not None

    request = services.discovery_reopen_request(
        actor=actor_for(client_executive), partnership=partnership, reason="  A new line.  "
    )
    assert request.is_open and request.reason == "A new line."
    assert request.requested_by == client_executive.user
    event = AuditEvent.objects.get(verb="discovery.reopen_requested")
    assert event.changes == {"reason": [None, "A new line."]}
    # Asking does not reopen anything.
    assert selectors.discovery_open_sign_off(partnership=partnership) is not None


def test_a_request_needs_a_reason_a_sign_off_and_no_other_open_request(
    partnership, signed_off, client_executive, actor_for, asked
):
    executive = actor_for(client_executive)
    with pytest.raises(ApplicationError) as caught:
        services.discovery_reopen_request(actor=executive, partnership=partnership, reason=" ")
    assert caught.value.field == "reason"
    with pytest.raises(ApplicationError, match="already awaits") as caught:
        services.discovery_reopen_request(actor=executive, partnership=partnership, reason="x")
    assert caught.value.status == 409
    assert DiscoveryReopenRequest.objects.count() == 1


def test_only_the_client_asks(signed_off, account_manager, implementation_pm, admin, actor_for):
    for member in (account_manager, implementation_pm, admin):
        with pytest.raises(PermissionDenied):
            services.discovery_reopen_request(
                actor=actor_for(member), partnership=signed_off.partnership, reason="x"
            )
    assert not DiscoveryReopenRequest.objects.exists()


def test_accepting_reopens_discovery_with_the_clients_reason(
    signed_off, account_manager, actor_for, asked
):
    answered = services.discovery_reopen_request_answer(
        actor=actor_for(account_manager), request=asked, decision="accept", reply="Agreed."
    )
    assert answered.status == "accepted" and answered.answered_by == account_manager.user
    sign_off = DiscoverySignOff.objects.get(partnership=signed_off.partnership)
    assert sign_off.reopened_by == account_manager.user
    assert sign_off.reopen_reason == (
        "At the request of Erin Executive (client): We are adding a refill line."
    )
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"discovery.reopened", "discovery.reopen_request_accepted"} <= verbs
    with pytest.raises(ApplicationError, match="already been answered"):
        services.discovery_reopen_request_answer(
            actor=actor_for(account_manager), request=asked, decision="decline", reply="No."
        )


def test_declining_needs_a_reply_and_keeps_discovery_signed_off(
    signed_off, admin, actor_for, asked
):
    with pytest.raises(ApplicationError) as caught:
        services.discovery_reopen_request_answer(
            actor=actor_for(admin), request=asked, decision="decline", reply=""
        )
    assert caught.value.field == "reply"
    with pytest.raises(ApplicationError) as caught:
        services.discovery_reopen_request_answer(
            actor=actor_for(admin), request=asked, decision="maybe"
        )
    assert caught.value.field == "decision"
    services.discovery_reopen_request_answer(
        actor=actor_for(admin), request=asked, decision="decline", reply="Covered by a change."
    )
    asked.refresh_from_db()
    assert asked.status == "declined" and asked.reply == "Covered by a change."
    assert selectors.discovery_open_sign_off(partnership=signed_off.partnership) is not None


def test_only_the_account_manager_or_an_admin_answers(
    implementation_pm, client_executive, actor_for, asked
):
    for member in (implementation_pm, client_executive):
        with pytest.raises(PermissionDenied):
            services.discovery_reopen_request_answer(
                actor=actor_for(member), request=asked, decision="accept"
            )
    asked.refresh_from_db()
    assert asked.is_open


# --- pages ---------------------------------------------------------------------------------


def test_the_client_executive_asks_on_the_page_and_the_account_manager_answers(
    client, client_executive, account_manager, signed_off
):
    partnership = signed_off.partnership
    client.force_login(client_executive.user)
    overview = html(client.get(page("overview", partnership)))
    assert "Ask to reopen discovery" in overview
    # No reopen form for the client: a request form instead.
    assert f'action="{page("reopen", partnership)}"' not in overview
    assert f'action="{page("reopen-request", partnership)}"' in overview
    assert client.get(page("reopen", partnership)).status_code == 403
    assert client.post(page("reopen", partnership), {"reason": "x"}).status_code == 403

    empty = client.post(page("reopen-request", partnership), {"reason": ""})
    assert empty.status_code == 200
    assert "reason" in empty.context["form"].errors
    assert not DiscoveryReopenRequest.objects.exists()

    sent = client.post(page("reopen-request", partnership), {"reason": "A refill line."})
    assert sent.status_code == 302
    request = DiscoveryReopenRequest.objects.get()
    body = html(client.get(page("overview", partnership)))
    assert "Reopening asked" in body and "You asked" in body and "A refill line." in body
    assert "answers it here" in body

    client.force_login(account_manager.user)
    body = html(client.get(page("overview", partnership)))
    assert "Erin Executive (client) asked" in body
    answer_url = page("reopen-request-answer", partnership, pk=request.pk)
    assert answer_url in body
    assert "A refill line." in html(client.get(page("reopen", partnership)))

    response = client.post(answer_url, {"decision": "decline", "reply": ""})
    assert response.status_code == 200
    assert "reply" in response.context["form"].errors
    response = client.post(answer_url, {"decision": "accept", "reply": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "accepted"
    body = html(client.get(page("overview", partnership)))
    assert "Requests to reopen" in body and "accepted" in body
    assert "Not signed off" in body


def test_a_declined_request_shows_the_reply_to_the_client(
    client, client_executive, account_manager, asked
):
    partnership = asked.partnership
    client.force_login(account_manager.user)
    response = client.post(
        page("reopen-request-answer", partnership, pk=asked.pk),
        {"decision": "decline", "reply": "The refill line is a new service after go-live."},
    )
    assert response.status_code == 302
    client.force_login(client_executive.user)
    body = html(client.get(page("overview", partnership)))
    assert "declined" in body and "a new service after go-live" in body
    assert "Ask to reopen discovery" in body  # the client may ask again


@pytest.mark.parametrize("who", ["implementation_pm", "client_executive"])
def test_the_answer_page_is_the_account_managers(request, client, asked, who):
    client.force_login(request.getfixturevalue(who).user)
    url = page("reopen-request-answer", asked.partnership, pk=asked.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "accept"}).status_code == 403
    asked.refresh_from_db()
    assert asked.is_open


def test_another_tenant_gets_404(client, outsider, asked):
    client.force_login(outsider.user)
    url = page("reopen-request-answer", asked.partnership, pk=asked.pk)
    assert client.get(url).status_code == 404


# --- API -----------------------------------------------------------------------------------


def api_url(name: str, partnership, **kwargs) -> str:
    kwargs.update(org_slug=partnership.organization.slug, partnership_pk=partnership.pk)
    return reverse(f"api:{name}", kwargs=kwargs)


def test_the_api_refuses_reopening_to_the_client_and_takes_their_request(
    api, client_executive, account_manager, signed_off
):
    partnership = signed_off.partnership
    api.force_authenticate(client_executive.user)
    refused = api.post(api_url("discovery-reopen", partnership), {"reason": "x"})
    assert refused.status_code == 403

    empty = api.post(api_url("discovery-reopen-request-list", partnership), {"reason": ""})
    assert empty.status_code == 400 and "reason" in empty.json()
    created = api.post(
        api_url("discovery-reopen-request-list", partnership), {"reason": "A refill line."}
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "open" and data["requested_by"]["full_name"] == "Erin Executive"
    again = api.post(api_url("discovery-reopen-request-list", partnership), {"reason": "x"})
    assert again.status_code == 409

    listed = api.get(api_url("discovery-reopen-request-list", partnership)).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    answer = api_url("discovery-reopen-request-answer", partnership, pk=data["id"])
    assert api.post(answer, {"decision": "accept"}).status_code == 403

    api.force_authenticate(account_manager.user)
    assert api.post(answer, {"decision": "decline"}).status_code == 400
    bad = api.post(answer, {"decision": "later"})
    assert bad.status_code == 400 and "decision" in bad.json()
    accepted = api.post(answer, {"decision": "accept", "reply": "Reopened."})
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["answered_by"]["full_name"] == "Alice Manager"
    status = api.get(api_url("discovery-list", partnership)).json()
    assert status["signed_off"] is False


def test_the_api_request_list_is_404_for_another_tenant(api, outsider, asked):
    api.force_authenticate(outsider.user)
    url = api_url("discovery-reopen-request-list", asked.partnership)
    assert api.get(url).status_code == 404
