"""The discovery checklist, its sign-off and co-signature, reopening, the freeze of
discovery records while signed off, and the gate on optimization opportunities."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from discovery import selectors, services
from discovery.models import DiscoverySignOff, GoalSignOff, Opportunity
from discovery.samples import AFTER_HOURS_TRIAGE_CURRENT, AFTER_HOURS_TRIAGE_FUTURE
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent

pytestmark = pytest.mark.django_db


def checklist(partnership) -> dict[str, bool]:
    return {
        item.code: item.done
        for item in selectors.discovery_checklist(partnership=partnership).items
    }


def missing_codes(error: ApplicationError) -> list[str]:
    return [item["code"] for item in error.extra["missing"]]


# --- the checklist ---------------------------------------------------------------------------


def test_an_empty_discovery_misses_everything(partnership):
    items = selectors.discovery_checklist(partnership=partnership).items
    assert [(item.code, item.done) for item in items] == [
        ("services_with_baselines", False),
        ("call_flows_reviewed", False),
        ("reports_reviewed", False),
        ("sessions_held", False),
        ("goals_signed_off", False),
    ]
    assert items[0].detail == "No service inventoried."


def test_a_complete_discovery_ticks_every_item(complete_discovery):
    assert set(checklist(complete_discovery.partnership).values()) == {True}


def test_a_service_without_baseline_is_named(complete_discovery, implementation_pm, actor_for):
    services.service_line_create(
        actor=actor_for(implementation_pm),
        partnership=complete_discovery.partnership,
        kind="refill_requests",
        name="Refill requests",
    )
    item = selectors.discovery_checklist(partnership=complete_discovery.partnership).items[0]
    assert not item.done
    assert item.detail == "No baseline yet for Refill requests."


def test_an_unreviewed_or_invalid_call_flow_is_named(
    complete_discovery, implementation_pm, actor_for
):
    pm = actor_for(implementation_pm)
    broken = {"nodes": [{"key": "entry", "kind": "entry"}], "edges": []}
    services.call_flow_version_create(
        actor=pm, call_flow=complete_discovery.call_flow, graph=broken
    )
    services.call_flow_create(
        actor=pm,
        partnership=complete_discovery.partnership,
        service_line=complete_discovery.service,
        name="Clinician line",
        state="current",
        graph=AFTER_HOURS_TRIAGE_CURRENT,
    )
    item = selectors.discovery_checklist(partnership=complete_discovery.partnership).items[1]
    assert not item.done
    assert item.detail == (
        "Not valid (or no version): After-hours line. Not reviewed: Clinician line."
    )


def test_future_state_flows_do_not_hold_discovery_back(
    complete_discovery, implementation_pm, actor_for
):
    services.call_flow_create(
        actor=actor_for(implementation_pm),
        partnership=complete_discovery.partnership,
        service_line=complete_discovery.service,
        name="After-hours line",
        state="future",
        graph={"nodes": [], "edges": []},
    )
    assert checklist(complete_discovery.partnership)["call_flows_reviewed"]


def test_a_report_without_findings_is_not_reviewed(
    complete_discovery, implementation_pm, actor_for
):
    services.report_update(
        actor=actor_for(implementation_pm), report=complete_discovery.report, findings="  "
    )
    assert not checklist(complete_discovery.partnership)["reports_reviewed"]


def test_changing_a_signed_goal_supersedes_the_clients_sign_off(
    complete_discovery, implementation_pm, client_executive, actor_for
):
    services.goal_update(
        actor=actor_for(implementation_pm), goal=complete_discovery.goal, target=Decimal("25")
    )
    old = GoalSignOff.objects.get(pk=complete_discovery.goal_sign_off.pk)
    assert old.superseded_at is not None
    assert old.superseded_reason == "Goal changed: Students reach a nurse within 30 seconds"
    assert not checklist(complete_discovery.partnership)["goals_signed_off"]
    assert AuditEvent.objects.filter(verb="experience_goals.sign_off_superseded").exists()

    services.goals_sign_off(
        actor=actor_for(client_executive), partnership=complete_discovery.partnership
    )
    assert checklist(complete_discovery.partnership)["goals_signed_off"]
    assert GoalSignOff.objects.filter(partnership=complete_discovery.partnership).count() == 2


@pytest.mark.parametrize("who", ["admin", "account_manager", "implementation_pm"])
def test_only_the_client_signs_off_the_goals(complete_discovery, request, who, actor_for):
    services.goal_create(
        actor=actor_for(request.getfixturevalue("account_manager")),
        partnership=complete_discovery.partnership,
        statement="Parents hear plain language",
        kpi=complete_discovery.goal.kpi,
        target=Decimal("20"),
    )
    with pytest.raises(PermissionDenied, match="Only the client's executive"):
        services.goals_sign_off(
            actor=actor_for(request.getfixturevalue(who)),
            partnership=complete_discovery.partnership,
        )


def test_goals_cannot_be_signed_off_twice_or_when_there_are_none(
    partnership, complete_discovery, client_executive, actor_for
):
    with pytest.raises(ApplicationError, match="already signed off") as caught:
        services.goals_sign_off(actor=actor_for(client_executive), partnership=partnership)
    assert caught.value.status == 409


# --- sign-off, co-signature, reopening -----------------------------------------------------------


def test_sign_off_refuses_an_incomplete_checklist_with_what_is_missing(
    partnership, account_manager, actor_for
):
    with pytest.raises(ApplicationError) as caught:
        services.discovery_sign_off(actor=actor_for(account_manager), partnership=partnership)
    assert caught.value.status == 409
    assert missing_codes(caught.value) == [
        "services_with_baselines",
        "call_flows_reviewed",
        "reports_reviewed",
        "sessions_held",
        "goals_signed_off",
    ]
    assert not DiscoverySignOff.objects.exists()


def test_the_account_manager_signs_off_and_the_client_co_signs(
    complete_discovery, account_manager, client_executive, actor_for
):
    partnership = complete_discovery.partnership
    sign_off = services.discovery_sign_off(
        actor=actor_for(account_manager), partnership=partnership, note="All reviewed."
    )
    assert sign_off.signed_by == account_manager.user
    assert sign_off.signed_at <= timezone.now()
    assert sign_off.checklist["complete"] is True
    assert not sign_off.is_cosigned

    services.discovery_cosign(actor=actor_for(client_executive), partnership=partnership)
    sign_off.refresh_from_db()
    assert sign_off.cosigned_by == client_executive.user
    verbs = set(AuditEvent.objects.filter(partnership=partnership).values_list("verb", flat=True))
    assert {"discovery.signed_off", "discovery.cosigned"} <= verbs


@pytest.mark.parametrize("who", ["implementation_pm", "client_executive"])
def test_only_the_account_manager_or_an_admin_signs_off(
    complete_discovery, request, who, actor_for
):
    with pytest.raises(PermissionDenied):
        services.discovery_sign_off(
            actor=actor_for(request.getfixturevalue(who)),
            partnership=complete_discovery.partnership,
        )


def test_an_account_manager_of_another_partnership_may_not_sign_off(
    complete_discovery, org_a, actor_for
):
    from tenancy.models import Role
    from tests.factories import MembershipFactory

    other_manager = MembershipFactory(organization=org_a, role=Role.ACCOUNT_MANAGER)
    with pytest.raises(PermissionDenied):
        services.discovery_sign_off(
            actor=actor_for(other_manager), partnership=complete_discovery.partnership
        )


def test_an_admin_may_sign_off_but_only_the_client_co_signs(complete_discovery, admin, actor_for):
    services.discovery_sign_off(actor=actor_for(admin), partnership=complete_discovery.partnership)
    with pytest.raises(PermissionDenied, match="client's executive"):
        services.discovery_cosign(
            actor=actor_for(admin), partnership=complete_discovery.partnership
        )


def test_co_signing_needs_a_sign_off_first(complete_discovery, client_executive, actor_for):
    with pytest.raises(ApplicationError, match="nothing to co-sign") as caught:
        services.discovery_cosign(
            actor=actor_for(client_executive), partnership=complete_discovery.partnership
        )
    assert caught.value.status == 409


def test_reopening_needs_a_reason_and_keeps_the_sign_off_on_record(
    signed_off, account_manager, actor_for
):
    partnership = signed_off.partnership
    with pytest.raises(ApplicationError) as caught:
        services.discovery_reopen(
            actor=actor_for(account_manager), partnership=partnership, reason=" "
        )
    assert caught.value.field == "reason"

    services.discovery_reopen(
        actor=actor_for(account_manager),
        partnership=partnership,
        reason="The client adds a refill line.",
    )
    sign_off = DiscoverySignOff.objects.get(partnership=partnership)
    assert sign_off.reopened_by == account_manager.user
    assert sign_off.reopen_reason == "The client adds a refill line."
    assert sign_off.cosigned_by is not None  # what was co-signed stays on record
    event = AuditEvent.objects.get(partnership=partnership, verb="discovery.reopened")
    assert event.changes == {"reason": [None, "The client adds a refill line."]}
    assert selectors.discovery_open_sign_off(partnership=partnership) is None


def test_reopening_unsigned_discovery_is_refused(partnership, account_manager, actor_for):
    with pytest.raises(ApplicationError, match="nothing to reopen"):
        services.discovery_reopen(
            actor=actor_for(account_manager), partnership=partnership, reason="x"
        )


def test_at_most_one_open_sign_off_per_partnership(signed_off, account_manager):
    first = DiscoverySignOff.objects.get(partnership=signed_off.partnership)
    with pytest.raises(IntegrityError), transaction.atomic():
        DiscoverySignOff.objects.create(
            organization=first.organization,
            partnership=first.partnership,
            signed_by=account_manager.user,
            signed_at=timezone.now(),
            checklist={},
        )


def test_a_reopening_without_reason_violates_the_db_constraint(signed_off, account_manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        DiscoverySignOff.objects.filter(partnership=signed_off.partnership).update(
            reopened_at=timezone.now(), reopened_by=account_manager.user, reopen_reason=""
        )


def test_a_sign_off_cannot_be_repeated(signed_off, account_manager, actor_for):
    with pytest.raises(ApplicationError, match="already signed off"):
        services.discovery_sign_off(
            actor=actor_for(account_manager), partnership=signed_off.partnership
        )


# --- the freeze ----------------------------------------------------------------------------


FROZEN_WRITES = {
    "service": lambda d, a: services.service_line_update(
        actor=a, service_line=d.service, hours="24/7"
    ),
    "baseline": lambda d, a: services.baseline_update(actor=a, baseline=d.baseline, notes="x"),
    "report": lambda d, a: services.report_update(actor=a, report=d.report, findings="More."),
    "session": lambda d, a: services.session_update(actor=a, session=d.session, notes="x"),
    "goal": lambda d, a: services.goal_delete(actor=a, goal=d.goal),
    "call flow version": lambda d, a: services.call_flow_version_create(
        actor=a, call_flow=d.call_flow, graph=AFTER_HOURS_TRIAGE_FUTURE
    ),
}


@pytest.mark.parametrize("write", FROZEN_WRITES)
def test_discovery_records_are_frozen_while_signed_off(
    signed_off, implementation_pm, actor_for, write
):
    with pytest.raises(ApplicationError, match="reopen it") as caught:
        FROZEN_WRITES[write](signed_off, actor_for(implementation_pm))
    assert caught.value.status == 409


def test_future_state_flows_stay_editable_after_sign_off(signed_off, implementation_pm, actor_for):
    flow = services.call_flow_create(
        actor=actor_for(implementation_pm),
        partnership=signed_off.partnership,
        service_line=signed_off.service,
        name="After-hours line",
        state="future",
        graph=AFTER_HOURS_TRIAGE_FUTURE,
    )
    assert flow.versions.get().is_valid


def test_reopening_unfreezes(signed_off, account_manager, implementation_pm, actor_for):
    services.discovery_reopen(
        actor=actor_for(account_manager), partnership=signed_off.partnership, reason="New service."
    )
    services.session_update(
        actor=actor_for(implementation_pm), session=signed_off.session, notes="More"
    )


# --- the gate ------------------------------------------------------------------------------


def propose(partnership, membership, actor_for, **fields) -> Opportunity:
    return services.opportunity_create(
        actor=actor_for(membership),
        partnership=partnership,
        title=fields.pop("title", "Virtual hold instead of voicemail"),
        **fields,
    )


def test_no_opportunity_before_sign_off(complete_discovery, account_manager, actor_for):
    with pytest.raises(ApplicationError) as caught:
        propose(complete_discovery.partnership, account_manager, actor_for)
    assert caught.value.status == 409
    assert missing_codes(caught.value) == ["discovery_signed_off", "discovery_cosigned"]
    assert not Opportunity.objects.exists()


def test_an_empty_discovery_lists_every_missing_item(partnership, account_manager, actor_for):
    with pytest.raises(ApplicationError) as caught:
        propose(partnership, account_manager, actor_for)
    assert missing_codes(caught.value) == [
        "services_with_baselines",
        "call_flows_reviewed",
        "reports_reviewed",
        "sessions_held",
        "goals_signed_off",
        "discovery_signed_off",
        "discovery_cosigned",
    ]


def test_no_opportunity_before_the_client_co_signs(complete_discovery, account_manager, actor_for):
    services.discovery_sign_off(
        actor=actor_for(account_manager), partnership=complete_discovery.partnership
    )
    with pytest.raises(ApplicationError) as caught:
        propose(complete_discovery.partnership, account_manager, actor_for)
    assert missing_codes(caught.value) == ["discovery_cosigned"]


def test_opportunities_after_sign_off_then_frozen_by_reopening(
    signed_off, account_manager, implementation_pm, client_executive, kpis, actor_for
):
    partnership = signed_off.partnership
    opportunity = propose(
        partnership,
        implementation_pm,
        actor_for,
        service_line=signed_off.service,
        kpi=kpis["abandonment_rate"],
        expected_effect="Abandonment from 9 % to 4 %",
        expected_value=Decimal("4"),
        effort="low",
    )
    assert opportunity.status == "proposed"
    assert opportunity.proposed_by == implementation_pm.user

    services.discovery_reopen(
        actor=actor_for(account_manager), partnership=partnership, reason="New goals."
    )
    with pytest.raises(ApplicationError) as caught:
        propose(partnership, account_manager, actor_for)
    assert missing_codes(caught.value)[-2:] == ["discovery_signed_off", "discovery_cosigned"]
    with pytest.raises(ApplicationError):
        services.opportunity_decide(
            actor=actor_for(client_executive), opportunity=opportunity, decision="accepted"
        )
    assert Opportunity.objects.count() == 1


def test_the_client_decides_and_the_provider_implements(
    signed_off, account_manager, client_executive, actor_for
):
    opportunity = propose(signed_off.partnership, account_manager, actor_for)
    with pytest.raises(PermissionDenied):
        services.opportunity_decide(
            actor=actor_for(account_manager), opportunity=opportunity, decision="accepted"
        )
    with pytest.raises(ApplicationError, match="Only an opportunity the client accepted"):
        services.opportunity_implement(actor=actor_for(account_manager), opportunity=opportunity)

    services.opportunity_decide(
        actor=actor_for(client_executive), opportunity=opportunity, decision="accepted", note="Go."
    )
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.decided_by) == ("accepted", client_executive.user)
    with pytest.raises(ApplicationError, match="only proposed"):
        services.opportunity_decide(
            actor=actor_for(client_executive), opportunity=opportunity, decision="rejected"
        )
    services.opportunity_implement(actor=actor_for(account_manager), opportunity=opportunity)
    opportunity.refresh_from_db()
    assert opportunity.status == "implemented"
    verbs = list(
        AuditEvent.objects.filter(
            target_id=str(opportunity.pk), target_type="discovery.opportunity"
        )
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["opportunity.proposed", "opportunity.accepted", "opportunity.implemented"]


def test_an_expected_value_needs_its_kpi(signed_off, account_manager, actor_for):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        propose(signed_off.partnership, account_manager, actor_for, expected_value=Decimal("4"))
    assert "kpi" in caught.value.message_dict


def test_the_checklist_shown_after_sign_off_is_the_one_signed(signed_off):
    status = selectors.discovery_status(partnership=signed_off.partnership)
    assert status.signed_off and status.cosigned and status.gate_open
    assert status.checklist.complete
    assert status.sign_off.signed_at.date() <= datetime.date.today() + datetime.timedelta(days=1)
