"""Domain rules of partnerships, memberships and the audit log."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from partnerships import services
from partnerships.models import (
    STATUS_TRANSITIONS,
    Partnership,
    PartnershipStatus,
    PartnershipStatusChange,
)
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent, Membership, Role
from tests.factories import (
    AuditEventFactory,
    ClientOrganizationFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
)
from tests.lifecycle import ready_to_go_live, sign_off_discovery

pytestmark = pytest.mark.django_db

GO_LIVE = datetime.date(2026, 6, 2)


def field_errors(partnership: Partnership) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        partnership.full_clean()
    return caught.value.message_dict


# --- Partnership field rules -------------------------------------------------------------


def test_a_valid_partnership_passes_full_clean(partnership):
    partnership.full_clean()  # the persona's partnership obeys every rule


def test_discovery_needs_an_account_manager(org_a, university):
    partnership = PartnershipFactory.build(
        organization=org_a, client=university, status=PartnershipStatus.DISCOVERY
    )
    errors = field_errors(partnership)
    assert errors["account_manager"] == [
        "A partnership in discovery needs a dedicated account manager."
    ]


def test_a_prospect_needs_no_account_manager(org_a, university):
    PartnershipFactory.build(organization=org_a, client=university).full_clean()


@pytest.mark.parametrize("who", ["implementation_pm", "client_executive", "outsider", "stranger"])
def test_account_manager_must_be_a_member_with_a_fitting_role(request, org_a, university, who):
    user = UserFactory() if who == "stranger" else request.getfixturevalue(who).user
    partnership = PartnershipFactory.build(
        organization=org_a, client=university, account_manager=user
    )
    errors = field_errors(partnership)
    assert errors["account_manager"] == [
        "The account manager must be a member of this organization with the account manager "
        "or admin role."
    ]


@pytest.mark.parametrize("who", ["admin", "account_manager"])
def test_admins_and_account_managers_may_be_the_account_manager(request, org_a, university, who):
    user = request.getfixturevalue(who).user
    PartnershipFactory.build(
        organization=org_a, client=university, account_manager=user
    ).full_clean()


@pytest.mark.parametrize("who", ["client_executive", "outsider"])
def test_implementation_pms_must_be_provider_members(request, partnership, who):
    with pytest.raises(ValidationError) as caught:
        partnership.validate_implementation_pms([request.getfixturevalue(who).user])
    assert "implementation_pms" in caught.value.message_dict


@pytest.mark.parametrize("who", ["implementation_pm", "account_manager", "admin"])
def test_provider_members_may_be_implementation_pms(request, partnership, who):
    partnership.validate_implementation_pms([request.getfixturevalue(who).user])


def test_live_needs_the_actual_go_live(partnership):
    partnership.status = PartnershipStatus.LIVE
    partnership.actual_go_live = None
    assert field_errors(partnership)["actual_go_live"] == [
        "A live partnership needs its actual go-live date."
    ]
    partnership.actual_go_live = GO_LIVE
    partnership.full_clean()


def test_planned_go_live_cannot_precede_the_contract_start(partnership):
    partnership.contract_start = datetime.date(2026, 5, 1)
    partnership.planned_go_live = datetime.date(2026, 4, 30)
    assert field_errors(partnership)["planned_go_live"] == [
        "The planned go-live cannot be before the contract start."
    ]
    partnership.planned_go_live = partnership.contract_start
    partnership.full_clean()


def test_the_client_must_belong_to_the_same_organization(partnership, org_b):
    partnership.client = ClientOrganizationFactory(organization=org_b)
    assert field_errors(partnership)["client"] == ["The client belongs to another organization."]


def test_partnership_create_rejects_another_organizations_client(admin, org_b, actor_for):
    with pytest.raises(ValidationError) as caught:
        services.partnership_create(
            actor=actor_for(admin),
            client=ClientOrganizationFactory(organization=org_b),
            name="Smuggled line",
        )
    assert "client" in caught.value.message_dict
    assert not Partnership.objects.filter(name="Smuggled line").exists()


# --- Status transitions -------------------------------------------------------------------

ALL_MOVES = list(itertools.product(PartnershipStatus.values, repeat=2))
ALLOWED_MOVES = [(a, b) for a, b in ALL_MOVES if b in STATUS_TRANSITIONS[a]]
FORBIDDEN_MOVES = [(a, b) for a, b in ALL_MOVES if b not in STATUS_TRANSITIONS[a]]


def test_the_transition_table_is_the_documented_lifecycle():
    # DESIGN.md: prospect → discovery → transition → live → ended, ending from any open status.
    assert set(ALLOWED_MOVES) == {
        ("prospect", "discovery"),
        ("prospect", "ended"),
        ("discovery", "transition"),
        ("discovery", "ended"),
        ("transition", "live"),
        ("transition", "ended"),
        ("live", "ended"),
    }


def _partnership_in(status: str, *, organization, client, manager) -> Partnership:
    return PartnershipFactory(
        organization=organization,
        client=client,
        status=status,
        account_manager=manager,
        actual_go_live=GO_LIVE if status in ("live", "ended") else None,
    )


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED_MOVES)
def test_every_allowed_move_succeeds_and_is_recorded(
    from_status, to_status, org_a, university, account_manager, admin, actor_for
):
    partnership = _partnership_in(
        from_status, organization=org_a, client=university, manager=account_manager.user
    )
    actor = actor_for(account_manager)
    # The evidence each gate asks for (tested on its own in tests/partnerships/test_gates.py).
    if to_status == "transition":
        sign_off_discovery(partnership, signed_by=admin.user, cosigned_by=admin.user)
    elif to_status == "live":
        ready_to_go_live(partnership, manager=admin.user, executive=admin.user)

    moved = services.partnership_transition(
        actor=actor,
        partnership=partnership,
        to_status=to_status,
        note="Steering committee agreed.",
        actual_go_live=GO_LIVE if to_status == "live" else None,
    )

    moved.refresh_from_db()
    assert moved.status == to_status
    change = PartnershipStatusChange.objects.get(partnership=partnership)
    assert (change.from_status, change.to_status) == (from_status, to_status)
    assert change.changed_by == account_manager.user
    assert change.organization_id == org_a.pk
    assert change.note == "Steering committee agreed."
    event = AuditEvent.objects.get(partnership=partnership, verb="partnership.status_changed")
    assert event.actor == account_manager.user
    assert event.organization_id == org_a.pk
    assert event.changes == {"status": [from_status, to_status]}
    assert event.ip_address == "127.0.0.1"


@pytest.mark.parametrize(("from_status", "to_status"), FORBIDDEN_MOVES)
def test_every_other_move_is_refused_naming_from_and_to(
    from_status, to_status, org_a, university, admin, actor_for
):
    partnership = _partnership_in(
        from_status, organization=org_a, client=university, manager=admin.user
    )

    with pytest.raises(ApplicationError) as caught:
        services.partnership_transition(
            actor=actor_for(admin),
            partnership=partnership,
            to_status=to_status,
            actual_go_live=GO_LIVE,
        )

    assert caught.value.field == "status"
    assert f"from {from_status} to {to_status}" in caught.value.message
    partnership.refresh_from_db()
    assert partnership.status == from_status
    assert not PartnershipStatusChange.objects.filter(partnership=partnership).exists()
    assert not AuditEvent.objects.filter(partnership=partnership).exists()


def test_an_unknown_status_is_refused(partnership, admin, actor_for):
    with pytest.raises(ApplicationError) as caught:
        services.partnership_transition(
            actor=actor_for(admin), partnership=partnership, to_status="paused"
        )
    assert caught.value.field == "status"
    assert "paused" in caught.value.message


def test_moving_to_discovery_without_an_account_manager_names_the_field(
    org_a, university, admin, actor_for
):
    prospect = PartnershipFactory(organization=org_a, client=university)
    with pytest.raises(ApplicationError) as caught:
        services.partnership_transition(
            actor=actor_for(admin), partnership=prospect, to_status="discovery"
        )
    assert caught.value.field == "account_manager"
    assert "needs a dedicated account manager" in caught.value.message
    prospect.refresh_from_db()
    assert prospect.status == "prospect"
    assert not PartnershipStatusChange.objects.filter(partnership=prospect).exists()


def test_going_live_without_the_actual_go_live_names_the_field(org_a, university, admin, actor_for):
    moving = _partnership_in(
        "transition", organization=org_a, client=university, manager=admin.user
    )
    with pytest.raises(ApplicationError) as caught:
        services.partnership_transition(
            actor=actor_for(admin), partnership=moving, to_status="live"
        )
    assert caught.value.field == "actual_go_live"


def test_only_the_dedicated_account_manager_may_transition(
    partnership, other_client_partnership, account_manager, actor_for
):
    with pytest.raises(PermissionDenied):
        services.partnership_transition(
            actor=actor_for(account_manager),
            partnership=other_client_partnership,
            to_status="ended",
        )
    other_client_partnership.refresh_from_db()
    assert other_client_partnership.status == "prospect"


def test_status_cannot_be_changed_by_update(partnership, admin, actor_for):
    with pytest.raises(ApplicationError) as caught:
        services.partnership_update(actor=actor_for(admin), partnership=partnership, status="ended")
    assert caught.value.field == "status"
    partnership.refresh_from_db()
    assert partnership.status == "discovery"


def test_update_records_what_changed(partnership, account_manager, actor_for):
    services.partnership_update(
        actor=actor_for(account_manager), partnership=partnership, name="Renamed line"
    )
    event = AuditEvent.objects.get(partnership=partnership, verb="partnership.updated")
    assert event.changes == {"name": ["University after-hours line", "Renamed line"]}


# --- Memberships ----------------------------------------------------------------------------


def test_a_client_executive_membership_without_client_violates_the_db_constraint(org_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            organization=org_a, user=UserFactory(), role=Role.CLIENT_EXECUTIVE, client=None
        )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNT_MANAGER, Role.IMPLEMENTATION_PM])
def test_a_provider_membership_with_a_client_violates_the_db_constraint(org_a, university, role):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            organization=org_a, user=UserFactory(), role=role, client=university
        )


def test_membership_clean_names_the_client_field(org_a, org_b, university):
    user = UserFactory()
    executive = Membership(organization=org_a, user=user, role=Role.CLIENT_EXECUTIVE)
    with pytest.raises(ValidationError) as caught:
        executive.full_clean()
    assert caught.value.message_dict["client"] == ["A client executive must name their client."]

    manager = Membership(organization=org_a, user=user, role=Role.ADMIN, client=university)
    with pytest.raises(ValidationError) as caught:
        manager.full_clean()
    assert caught.value.message_dict["client"] == ["Only client executives belong to a client."]

    foreign = Membership(
        organization=org_a,
        user=user,
        role=Role.CLIENT_EXECUTIVE,
        client=ClientOrganizationFactory(organization=org_b),
    )
    with pytest.raises(ValidationError) as caught:
        foreign.full_clean()
    assert caught.value.message_dict["client"] == ["The client belongs to another organization."]


def test_one_membership_per_user_and_organization(admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(organization=admin.organization, user=admin.user, role=Role.ADMIN)


# --- Audit log ------------------------------------------------------------------------------


def test_audit_events_cannot_be_updated(org_a):
    event = AuditEventFactory(organization=org_a, verb="client.created")
    event.verb = "client.deleted"
    with pytest.raises(TypeError, match="never updated"):
        event.save()
    with pytest.raises(TypeError, match="never updated"):
        AuditEvent.objects.filter(pk=event.pk).update(verb="client.deleted")
    # bulk_update runs inside its own atomic block; keep the test's transaction usable.
    with pytest.raises(TypeError, match="never updated"), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["verb"])
    assert AuditEvent.objects.get(pk=event.pk).verb == "client.created"


def test_audit_events_cannot_be_deleted(org_a):
    event = AuditEventFactory(organization=org_a)
    with pytest.raises(TypeError, match="never deleted"):
        event.delete()
    with pytest.raises(TypeError, match="never deleted"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError, match="never deleted"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()
