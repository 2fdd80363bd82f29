"""The access policy as a table (DESIGN.md, "Who uses it").

`own` is the persona partnership: the account manager is its dedicated AM, the PM is assigned
to it and the client executive's client owns it. `other` is another client's partnership of
the same organization that none of them is attached to.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from accounts.models import ApiToken, Invitation
from accounts.services import invitation_create
from partnerships import services
from partnerships.models import ClientOrganization, Partnership, PartnershipStatusChange
from tenancy import access
from tenancy.access import Action
from tenancy.models import AuditEvent, Membership, Organization, Role, TenantModel
from tests.factories import (
    ApiTokenFactory,
    AuditEventFactory,
    InvitationFactory,
    PartnershipStatusChangeFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["admin", "account_manager", "implementation_pm", "client_executive"]

# (role, operation, target) -> expected. Operations on an object are asked about `own` and
# `other`; organization-wide operations (list, invite, ...) have no target.
TABLE: list[tuple[str, str, str | None, object]] = [
    # list: which of the two partnerships the role sees
    ("admin", "list", None, {"own", "other"}),
    ("account_manager", "list", None, {"own", "other"}),
    ("implementation_pm", "list", None, {"own"}),
    ("client_executive", "list", None, {"own"}),
    # view
    ("admin", "view", "own", True),
    ("admin", "view", "other", True),
    ("account_manager", "view", "own", True),
    ("account_manager", "view", "other", True),
    ("implementation_pm", "view", "own", True),
    ("implementation_pm", "view", "other", False),
    ("client_executive", "view", "own", True),
    ("client_executive", "view", "other", False),
    # change the partnership itself
    ("admin", "change", "own", True),
    ("admin", "change", "other", True),
    ("account_manager", "change", "own", True),
    ("account_manager", "change", "other", False),
    ("implementation_pm", "change", "own", False),
    ("implementation_pm", "change", "other", False),
    ("client_executive", "change", "own", False),
    ("client_executive", "change", "other", False),
    # move its status
    ("admin", "transition", "own", True),
    ("admin", "transition", "other", True),
    ("account_manager", "transition", "own", True),
    ("account_manager", "transition", "other", False),
    ("implementation_pm", "transition", "own", False),
    ("implementation_pm", "transition", "other", False),
    ("client_executive", "transition", "own", False),
    ("client_executive", "transition", "other", False),
    # discovery and transition work
    ("admin", "change_work", "own", True),
    ("account_manager", "change_work", "own", True),
    ("account_manager", "change_work", "other", False),
    ("implementation_pm", "change_work", "own", True),
    ("implementation_pm", "change_work", "other", False),
    ("client_executive", "change_work", "own", False),
    # sign-offs, approvals, decisions, comments
    ("client_executive", "sign_off", "own", True),
    ("client_executive", "sign_off", "other", False),
    ("implementation_pm", "sign_off", "own", False),
    ("admin", "sign_off", "own", True),
    # the provider's side of a sign-off: the dedicated account manager (or an admin)
    ("admin", "provider_sign_off", "own", True),
    ("account_manager", "provider_sign_off", "own", True),
    ("account_manager", "provider_sign_off", "other", False),
    ("implementation_pm", "provider_sign_off", "own", False),
    ("client_executive", "provider_sign_off", "own", False),
    # the client's side: only the client's own executive, never an admin in its name
    ("admin", "client_sign_off", "own", False),
    ("account_manager", "client_sign_off", "own", False),
    ("implementation_pm", "client_sign_off", "own", False),
    ("client_executive", "client_sign_off", "own", True),
    ("client_executive", "client_sign_off", "other", False),
    # comments and the go/no-go decision: who changes the work, and who signs
    ("admin", "comment", "own", True),
    ("implementation_pm", "comment", "own", True),
    ("implementation_pm", "comment", "other", False),
    ("client_executive", "comment", "own", True),
    ("admin", "go_no_go", "own", True),
    ("account_manager", "go_no_go", "own", True),
    ("account_manager", "go_no_go", "other", False),
    ("implementation_pm", "go_no_go", "own", True),
    ("client_executive", "go_no_go", "own", True),
    ("client_executive", "go_no_go", "other", False),
    # HR-sensitive fields of the client's staff: a PM only with people access (issue 9,
    # tests/transition/test_people_access.py), which admins and the AM grant
    ("admin", "view_hr", "own", True),
    ("account_manager", "view_hr", "own", True),
    ("account_manager", "view_hr", "other", False),
    ("implementation_pm", "view_hr", "own", False),
    ("client_executive", "view_hr", "own", False),
    ("admin", "grant_people_access", "own", True),
    ("account_manager", "grant_people_access", "own", True),
    ("account_manager", "grant_people_access", "other", False),
    ("implementation_pm", "grant_people_access", "own", False),
    ("client_executive", "grant_people_access", "own", False),
    # organization-wide: only admins invite, manage members, create, read the audit log
    ("admin", "invite", None, True),
    ("account_manager", "invite", None, False),
    ("implementation_pm", "invite", None, False),
    ("client_executive", "invite", None, False),
    ("admin", "manage_members", None, True),
    ("account_manager", "manage_members", None, False),
    ("implementation_pm", "manage_members", None, False),
    ("client_executive", "manage_members", None, False),
    ("admin", "create", None, True),
    ("account_manager", "create", None, False),
    ("implementation_pm", "create", None, False),
    ("client_executive", "create", None, False),
    ("admin", "view_audit", None, True),
    ("account_manager", "view_audit", None, False),
]


def _ask(membership, operation: str, target: Partnership | None):
    if operation == "list":
        return access.visible(membership, Partnership)
    if operation == "view":
        # Seeing an object means reaching it through visible() and being allowed to view it.
        reachable = access.visible(membership, Partnership).filter(pk=target.pk).exists()
        return reachable and access.can(membership, Action.VIEW, target)
    return access.can(membership, Action(operation), target)


@pytest.mark.parametrize(
    ("role", "operation", "target", "expected"),
    TABLE,
    ids=[f"{r}-{o}-{t or 'org'}" for r, o, t, _ in TABLE],
)
def test_access_table(
    request, role, operation, target, expected, partnership, other_client_partnership
):
    membership = request.getfixturevalue(role)
    objects = {"own": partnership, "other": other_client_partnership}
    answer = _ask(membership, operation, objects.get(target))
    if operation == "list":
        names = {name for name, obj in objects.items() if obj in answer}
        assert names == expected
    else:
        assert answer is expected


def test_the_table_covers_every_role_and_the_required_operations():
    for role in ROLES:
        for operation in ("list", "view", "change", "transition", "invite"):
            assert any(r == role and o == operation for r, o, _, _ in TABLE), (role, operation)


@pytest.mark.parametrize("action", list(Action))
def test_an_admin_of_another_organization_may_do_nothing_here(
    outsider, partnership, outsider_partnership, action
):
    assert not access.can(outsider, action, partnership)
    # At home an admin may do everything, except what only the client itself does.
    at_home = action not in access.CLIENT_ONLY_ACTIONS
    assert access.can(outsider, action, outsider_partnership) is at_home


@pytest.mark.parametrize("role", ROLES)
def test_visible_never_crosses_the_tenant(request, role, partnership, outsider_partnership):
    membership = request.getfixturevalue(role)
    for model in (Partnership, ClientOrganization, PartnershipStatusChange, Membership):
        rows = access.visible(membership, model)
        assert not rows.exclude(organization=membership.organization).exists(), model
    assert outsider_partnership not in access.visible(membership, Partnership)


def test_visible_refuses_an_unregistered_model(admin):
    with pytest.raises(LookupError, match="Organization has no scope"):
        access.visible(admin, Organization)
    with pytest.raises(LookupError):
        access.visible(admin, Organization.objects.all())


def test_every_tenant_model_is_registered_and_has_the_tenant_queryset():
    tenant_models = [
        model
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.abstract
    ]
    assert {Partnership, ClientOrganization, Membership, ApiToken, AuditEvent} <= set(tenant_models)
    for model in tenant_models:
        assert access.is_registered(model), f"{model.__name__} has no scope in the access policy"
        assert hasattr(model._default_manager.all(), "for_organization"), model.__name__


# --- Scopes of the other tenant models ------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", {"University Health", "County Clinic"}),
        ("account_manager", {"University Health", "County Clinic"}),
        ("implementation_pm", {"University Health"}),
        ("client_executive", {"University Health"}),
    ],
)
def test_clients_visible_per_role(request, role, expected, partnership, other_client_partnership):
    membership = request.getfixturevalue(role)
    names = set(access.visible(membership, ClientOrganization).values_list("name", flat=True))
    assert names == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", {"own", "other"}), ("implementation_pm", {"own"}), ("client_executive", {"own"})],
)
def test_status_changes_follow_their_partnership(
    request, role, expected, partnership, other_client_partnership
):
    changes = {
        "own": PartnershipStatusChangeFactory(partnership=partnership),
        "other": PartnershipStatusChangeFactory(partnership=other_client_partnership),
    }
    visible = access.visible(request.getfixturevalue(role), PartnershipStatusChange)
    assert {name for name, change in changes.items() if change in visible} == expected


def test_a_client_executive_sees_their_people_and_their_partnerships_staff_only(
    org_a, admin, account_manager, implementation_pm, client_executive, partnership
):
    from tests.factories import MembershipFactory

    unrelated_pm = MembershipFactory(organization=org_a, role=Role.IMPLEMENTATION_PM)
    other_exec = MembershipFactory(organization=org_a, role=Role.CLIENT_EXECUTIVE)
    seen = set(access.visible(client_executive, Membership))
    assert {client_executive, account_manager, implementation_pm} <= seen
    assert unrelated_pm not in seen
    assert other_exec not in seen
    assert admin not in seen  # not attached to the executive's partnership
    # Provider members see every member of the organization.
    assert {unrelated_pm, other_exec, admin} <= set(access.visible(implementation_pm, Membership))


@pytest.mark.parametrize("role", ROLES)
def test_invitations_and_audit_events_are_for_admins_only(request, role, org_a, admin):
    InvitationFactory(organization=org_a, invited_by=admin.user)
    AuditEventFactory(organization=org_a, actor=admin.user)
    membership = request.getfixturevalue(role)
    expected = 1 if role == "admin" else 0
    assert access.visible(membership, Invitation).count() == expected
    assert access.visible(membership, AuditEvent).count() == expected


def test_api_tokens_are_seen_by_their_owner_and_the_admins(
    admin, account_manager, implementation_pm, outsider
):
    mine = ApiTokenFactory(organization=admin.organization, user=admin.user)
    theirs = ApiTokenFactory(organization=admin.organization, user=account_manager.user)
    ApiTokenFactory(organization=outsider.organization, user=outsider.user)
    assert set(access.visible(admin, ApiToken)) == {mine, theirs}
    assert list(access.visible(account_manager, ApiToken)) == [theirs]
    assert list(access.visible(implementation_pm, ApiToken)) == []


# --- Internal fields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("admin", True),
        ("account_manager", True),
        ("implementation_pm", True),
        ("client_executive", False),
    ],
)
def test_internal_fields_are_hidden_from_client_executives(request, role, sees, partnership):
    from partnerships.api.serializers import PartnershipSerializer

    membership = request.getfixturevalue(role)
    assert access.can_see_internal(membership) is sees
    data = PartnershipSerializer(partnership, context={"membership": membership}).data
    for name in Partnership.INTERNAL_FIELDS:
        assert (name in data) is sees
    assert ("Internal: renewal at risk." in str(data)) is sees


def test_internal_fields_are_hidden_when_no_membership_is_known(partnership):
    from partnerships.api.serializers import PartnershipSerializer

    assert "internal_notes" not in PartnershipSerializer(partnership).data


# --- The services enforce the same policy ---------------------------------------------------


@pytest.mark.parametrize("role", ["implementation_pm", "client_executive"])
def test_services_refuse_changes_the_role_may_not_make(request, role, partnership, actor_for):
    actor = actor_for(request.getfixturevalue(role))
    with pytest.raises(PermissionDenied):
        services.partnership_update(actor=actor, partnership=partnership, name="Hijacked")
    with pytest.raises(PermissionDenied):
        services.partnership_transition(actor=actor, partnership=partnership, to_status="ended")
    with pytest.raises(PermissionDenied):
        services.partnership_create(actor=actor, client=partnership.client, name="New")
    partnership.refresh_from_db()
    assert (partnership.name, partnership.status) == ("University after-hours line", "discovery")


@pytest.mark.parametrize("role", ["account_manager", "implementation_pm", "client_executive"])
def test_only_admins_invite(request, role, actor_for):
    with pytest.raises(PermissionDenied):
        invitation_create(
            actor=actor_for(request.getfixturevalue(role)),
            email="newcomer@example.com",
            role=Role.IMPLEMENTATION_PM,
        )
    assert not Invitation.objects.exists()
