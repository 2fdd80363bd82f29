"""The lifecycle gates: discovery signed off and co-signed before the transition, a recent go
decision and the readiness checklist before go-live; the confirmation page, the API's 409
with `missing`, the admin's override with a reason, and who is told."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from partnerships import selectors
from partnerships.models import PartnershipStatus, PartnershipStatusChange
from tenancy.models import AuditEvent
from tests.factories import PartnershipFactory
from tests.lifecycle import ready_to_go_live, record_go, sign_off_discovery
from tests.transition.factories import StaffMemberFactory
from transition.models import Decision, Outcome

pytestmark = pytest.mark.django_db


def page(name: str, membership, **kwargs) -> str:
    return reverse(
        f"partnerships:{name}", kwargs={"org_slug": membership.organization.slug, **kwargs}
    )


def api_url(name: str, membership, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs={"org_slug": membership.organization.slug, **kwargs})


@pytest.fixture
def as_member(client):
    """`as_member(membership)`: the test client, signed in as that member."""

    def sign_in(membership):
        client.force_login(membership.user)
        return client

    return sign_in


def move(membership, partnership, to_status: str) -> str:
    return page("move", membership, pk=partnership.pk, to_status=to_status)


@pytest.fixture
def in_transition(partnership):
    partnership.status = PartnershipStatus.TRANSITION
    partnership.save()
    return partnership


def codes(checks) -> list[str]:
    return [check["code"] for check in checks]


# --- Discovery → transition ----------------------------------------------------------------


def test_the_transition_cannot_start_before_discovery_is_signed_off(
    api, account_manager, partnership
):
    api.force_authenticate(account_manager.user)
    response = api.post(
        api_url("partnership-transition", account_manager, pk=partnership.pk),
        {"status": "transition"},
        format="json",
    )

    assert response.status_code == 409
    body = response.json()
    assert "signed off" in body["non_field_errors"][0]
    missing = codes(body["missing"])
    assert "discovery_signed_off" in missing and "discovery_cosigned" in missing
    # The checklist items are named too, with what is missing in each.
    assert "services_with_baselines" in missing
    assert all(item["detail"] for item in body["missing"])
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.DISCOVERY
    assert not PartnershipStatusChange.objects.filter(partnership=partnership).exists()


def test_a_sign_off_without_the_clients_cosignature_still_closes_the_gate(
    api, account_manager, partnership
):
    sign_off_discovery(partnership, signed_by=account_manager.user)
    api.force_authenticate(account_manager.user)

    response = api.post(
        api_url("partnership-transition", account_manager, pk=partnership.pk),
        {"status": "transition"},
        format="json",
    )

    assert response.status_code == 409
    assert codes(response.json()["missing"]) == ["discovery_cosigned"]


def test_signed_off_and_cosigned_opens_the_gate_on_the_page(
    as_member, account_manager, client_executive, partnership
):
    sign_off_discovery(
        partnership, signed_by=account_manager.user, cosigned_by=client_executive.user
    )
    member = as_member(account_manager)
    confirm = member.get(move(account_manager, partnership, "transition"))
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Every check is met" in html
    assert "Erin Executive" in html  # who is told

    response = member.post(
        move(account_manager, partnership, "transition"), {"note": "Steering committee agreed."}
    )

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.TRANSITION
    change = PartnershipStatusChange.objects.get(partnership=partnership)
    assert (change.note, change.override_reason, change.overridden_checks) == (
        "Steering committee agreed.",
        "",
        [],
    )


def test_the_confirmation_page_lists_what_is_missing_and_where_to_fix_it(
    as_member, account_manager, partnership
):
    response = as_member(account_manager).get(move(account_manager, partnership, "transition"))
    html = response.content.decode()

    assert response.status_code == 200
    assert "Not possible yet" in html
    assert "Discovery signed off by the account manager" in html
    assert (
        reverse(
            "discovery:sign-off",
            kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk},
        )
        in html
    )
    # No form to submit: the account manager cannot override.
    assert 'name="override_reason"' not in html
    assert '<form method="post" class="form-page"' not in html


def test_posting_a_closed_gate_on_the_page_is_409_and_changes_nothing(
    as_member, account_manager, partnership
):
    response = as_member(account_manager).post(
        move(account_manager, partnership, "transition"), {"note": "Let's go."}
    )

    assert response.status_code == 409
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.DISCOVERY


def test_the_old_transition_form_sends_a_closed_gate_to_its_page(
    as_member, account_manager, partnership
):
    response = as_member(account_manager).post(
        page("transition", account_manager, pk=partnership.pk), {"to_status": "transition"}
    )

    assert response.status_code == 302
    assert response.url == move(account_manager, partnership, "transition")
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.DISCOVERY


# --- Transition → live ---------------------------------------------------------------------


def go_live(api, membership, partnership, **extra):
    api.force_authenticate(membership.user)
    return api.post(
        api_url("partnership-transition", membership, pk=partnership.pk),
        {"status": "live", "actual_go_live": "2026-06-02", **extra},
        format="json",
    )


def test_going_live_needs_a_go_decision(api, account_manager, client_executive, in_transition):
    ready_to_go_live(in_transition, manager=account_manager.user, executive=client_executive.user)
    in_transition.go_no_go_decisions.all().delete()

    response = go_live(api, account_manager, in_transition)

    assert response.status_code == 409
    assert codes(response.json()["missing"]) == ["go_decision"]


@pytest.mark.parametrize(("days_ago", "status"), [(14, 200), (15, 409)])
def test_the_go_decision_must_be_recent(
    api, account_manager, client_executive, in_transition, days_ago, status
):
    ready_to_go_live(in_transition, manager=account_manager.user, executive=client_executive.user)
    in_transition.go_no_go_decisions.all().delete()
    record_go(in_transition, decided_by=account_manager.user, days_ago=days_ago)

    response = go_live(api, account_manager, in_transition)

    assert response.status_code == status
    if status == 409:
        assert "15 days old" in response.json()["missing"][0]["detail"]


def test_the_organization_sets_how_recent_the_decision_must_be(
    api, account_manager, client_executive, in_transition
):
    organization = in_transition.organization
    organization.go_decision_max_age_days = 7
    organization.save()
    ready_to_go_live(in_transition, manager=account_manager.user, executive=client_executive.user)
    in_transition.go_no_go_decisions.all().delete()
    record_go(in_transition, decided_by=account_manager.user, days_ago=10)

    response = go_live(api, account_manager, in_transition)

    assert response.status_code == 409
    assert "last 7 days" in response.json()["missing"][0]["label"]


def test_a_later_no_go_closes_the_gate(api, account_manager, client_executive, in_transition):
    ready_to_go_live(in_transition, manager=account_manager.user, executive=client_executive.user)
    record_go(in_transition, decided_by=account_manager.user, decision=Decision.NO_GO)

    response = go_live(api, account_manager, in_transition)

    assert response.status_code == 409
    assert "No go" in response.json()["missing"][0]["detail"]


def test_an_open_readiness_item_closes_the_gate_unless_the_go_had_conditions(
    api, account_manager, client_executive, in_transition
):
    ready_to_go_live(in_transition, manager=account_manager.user, executive=client_executive.user)
    StaffMemberFactory(partnership=in_transition, outcome=Outcome.UNDECIDED)

    refused = go_live(api, account_manager, in_transition)
    assert refused.status_code == 409
    assert codes(refused.json()["missing"]) == ["readiness_staff_outcomes"]

    record_go(in_transition, decided_by=account_manager.user, decision=Decision.GO_WITH_CONDITIONS)
    accepted = go_live(api, account_manager, in_transition)
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "live"


def test_going_live_without_a_plan_cannot_be_waived_by_conditions(
    api, account_manager, client_executive, in_transition
):
    sign_off_discovery(
        in_transition, signed_by=account_manager.user, cosigned_by=client_executive.user
    )
    record_go(in_transition, decided_by=account_manager.user, decision=Decision.GO_WITH_CONDITIONS)

    response = go_live(api, account_manager, in_transition)

    assert response.status_code == 409
    assert codes(response.json()["missing"]) == ["readiness_critical_tasks"]


# --- Prospect → discovery ------------------------------------------------------------------


def test_discovery_needs_an_account_manager_even_for_an_admin_override(api, admin, university):
    prospect = PartnershipFactory(organization=admin.organization, client=university)
    api.force_authenticate(admin.user)

    response = api.post(
        api_url("partnership-transition", admin, pk=prospect.pk),
        {"status": "discovery", "override_reason": "The board insists."},
        format="json",
    )

    assert response.status_code == 400
    assert "account_manager" in response.json()
    prospect.refresh_from_db()
    assert prospect.status == PartnershipStatus.PROSPECT


# --- Overrides -----------------------------------------------------------------------------


def test_an_admin_overrides_a_closed_gate_with_a_reason_everyone_sees(
    api, as_member, admin, client_executive, partnership
):
    api.force_authenticate(admin.user)
    response = api.post(
        api_url("partnership-transition", admin, pk=partnership.pk),
        {"status": "transition", "override_reason": "Signed on paper at the board meeting."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    change = PartnershipStatusChange.objects.get(partnership=partnership)
    assert change.override_reason == "Signed on paper at the board meeting."
    assert "discovery_signed_off" in codes(change.overridden_checks)
    event = AuditEvent.objects.get(partnership=partnership, verb="partnership.gate_overridden")
    assert event.actor == admin.user
    assert event.changes["override_reason"] == [None, "Signed on paper at the board meeting."]
    # The history (API and page) shows the override to the client's executive.
    api.force_authenticate(client_executive.user)
    history = api.get(api_url("partnership-history", client_executive, pk=partnership.pk)).json()
    assert history[0]["override_reason"] == "Signed on paper at the board meeting."
    html = (
        as_member(client_executive)
        .get(page("detail", client_executive, pk=partnership.pk))
        .content.decode()
    )
    assert "Gate overridden by an admin" in html
    assert "Signed on paper at the board meeting." in html


def test_an_admin_must_write_the_reason(api, admin, partnership):
    api.force_authenticate(admin.user)
    response = api.post(
        api_url("partnership-transition", admin, pk=partnership.pk),
        {"status": "transition", "override_reason": "   "},
        format="json",
    )

    assert response.status_code == 409
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.DISCOVERY


def test_the_account_manager_cannot_override(api, account_manager, partnership):
    api.force_authenticate(account_manager.user)
    response = api.post(
        api_url("partnership-transition", account_manager, pk=partnership.pk),
        {"status": "transition", "override_reason": "I am sure."},
        format="json",
    )

    assert response.status_code == 403
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.DISCOVERY
    assert not PartnershipStatusChange.objects.filter(partnership=partnership).exists()


def test_the_override_page_asks_an_admin_for_the_reason(as_member, admin, partnership):
    member = as_member(admin)
    html = member.get(move(admin, partnership, "transition")).content.decode()
    assert "You are overriding the gate" in html
    assert 'name="override_reason"' in html

    refused = member.post(move(admin, partnership, "transition"), {"override_reason": ""})
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()

    done = member.post(
        move(admin, partnership, "transition"), {"override_reason": "Signed on paper."}
    )
    assert done.status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.TRANSITION
    assert PartnershipStatusChange.objects.get(partnership=partnership).overridden


def test_an_override_reason_over_the_limit_names_the_field(api, admin, partnership):
    api.force_authenticate(admin.user)
    response = api.post(
        api_url("partnership-transition", admin, pk=partnership.pk),
        {"status": "transition", "override_reason": "x" * 2001},
        format="json",
    )

    assert response.status_code == 400
    assert "override_reason" in response.json()


# --- The confirmation page and the API's gates ---------------------------------------------


@pytest.mark.parametrize("persona", ["implementation_pm", "client_executive"])
def test_the_confirmation_page_is_403_to_roles_that_may_not_move(
    as_member, request, partnership, persona
):
    membership = request.getfixturevalue(persona)

    response = as_member(membership).get(move(membership, partnership, "transition"))

    assert response.status_code == 403


def test_a_move_the_partnership_cannot_make_has_no_page(as_member, admin, partnership):
    assert as_member(admin).get(move(admin, partnership, "live")).status_code == 404
    assert as_member(admin).get(move(admin, partnership, "paused")).status_code == 404


def test_another_tenants_confirmation_page_is_404(as_member, admin, outsider_partnership):
    response = as_member(admin).get(move(admin, outsider_partnership, "ended"))

    assert response.status_code == 404


def test_ending_needs_a_reason_and_has_no_gate(as_member, account_manager, partnership):
    member = as_member(account_manager)
    refused = member.post(move(account_manager, partnership, "ended"), {"note": ""})
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()

    member.post(move(account_manager, partnership, "ended"), {"note": "Contract not renewed."})

    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.ENDED


def test_the_api_lists_each_moves_gate(api, account_manager, partnership):
    api.force_authenticate(account_manager.user)

    response = api.get(api_url("partnership-gates", account_manager, pk=partnership.pk))

    assert response.status_code == 200
    by_status = {gate["to_status"]: gate for gate in response.json()}
    assert set(by_status) == {"transition", "ended"}
    assert by_status["transition"]["open"] is False
    assert "discovery_cosigned" in codes(by_status["transition"]["missing"])
    assert by_status["ended"] == {"to_status": "ended", "open": True, "checks": [], "missing": []}


@pytest.mark.parametrize("persona", ["implementation_pm", "client_executive"])
def test_the_api_gates_are_403_to_roles_that_may_not_move(api, request, partnership, persona):
    membership = request.getfixturevalue(persona)
    api.force_authenticate(membership.user)

    response = api.get(api_url("partnership-gates", membership, pk=partnership.pk))

    assert response.status_code == 403


# --- Who is told ---------------------------------------------------------------------------


def test_the_partnerships_people_are_emailed_but_not_the_mover(
    as_member,
    account_manager,
    implementation_pm,
    client_executive,
    partnership,
    django_capture_on_commit_callbacks,
):
    sign_off_discovery(
        partnership, signed_by=account_manager.user, cosigned_by=client_executive.user
    )

    with django_capture_on_commit_callbacks(execute=True):
        as_member(account_manager).post(
            move(account_manager, partnership, "transition"), {"note": "On to the transition."}
        )

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([implementation_pm.user.email, client_executive.user.email])
    message = mail.outbox[0]
    assert "moved to transition" in message.subject
    assert "On to the transition." in message.body
    assert str(partnership.pk) in message.body


def test_the_audience_excludes_inactive_people(account_manager, implementation_pm, partnership):
    implementation_pm.user.is_active = False
    implementation_pm.user.save()

    audience = selectors.status_change_audience(
        partnership=partnership, exclude_user_id=account_manager.user_id
    )

    assert implementation_pm.user not in audience


# --- Next step -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(PartnershipStatus))
def test_the_next_step_promises_nothing_that_does_not_exist(partnership, status):
    partnership.status = status
    partnership.actual_go_live = datetime.date(2026, 6, 1)
    hint = selectors.next_step_hint(partnership=partnership).lower()

    # Dashboards and notifications are not built yet (the health app, its touchpoints, issue
    # log and checks are).
    for missing in ("dashboard", "notification", "digest"):
        assert missing not in hint
