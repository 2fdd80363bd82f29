"""The partnerships and clients API: scoping, roles, validation, transitions, filters, pages,
and a flat query budget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnerships.models import Partnership, PartnershipStatus, PartnershipStatusChange
from tenancy.models import AuditEvent, Role
from tests.factories import (
    ClientOrganizationFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
)
from tests.lifecycle import ready_to_go_live, sign_off_discovery

pytestmark = pytest.mark.django_db


def url(name: str, membership, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs={"org_slug": membership.organization.slug, **kwargs})


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- Reading -------------------------------------------------------------------------------


def test_the_list_is_scoped_to_the_organization(
    api, admin, partnership, other_client_partnership, outsider_partnership
):
    api.force_authenticate(admin.user)
    response = api.get(url("partnership-list", admin))
    assert response.status_code == 200
    assert ids(response) == {partnership.pk, other_client_partnership.pk}
    assert outsider_partnership.pk not in ids(response)


@pytest.mark.parametrize(
    ("role", "sees_other"),
    [("account_manager", True), ("implementation_pm", False), ("client_executive", False)],
)
def test_the_list_follows_the_role(
    request, api, role, sees_other, partnership, other_client_partnership
):
    membership = request.getfixturevalue(role)
    api.force_authenticate(membership.user)
    expected = {partnership.pk} | ({other_client_partnership.pk} if sees_other else set())
    assert ids(api.get(url("partnership-list", membership))) == expected


def test_the_outsider_gets_404_for_another_organization(api, outsider, partnership, admin):
    api.force_authenticate(outsider.user)
    for path in (
        url("partnership-list", admin),
        url("partnership-detail", admin, pk=partnership.pk),
        url("client-list", admin),
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {
            "detail": "Nothing matches this address, or you do not have access to it."
        }


def test_a_client_executive_does_not_see_internal_fields(api, client_executive, partnership):
    api.force_authenticate(client_executive.user)
    data = api.get(url("partnership-detail", client_executive, pk=partnership.pk)).json()
    assert data["name"] == partnership.name
    assert "internal_notes" not in data


def test_provider_staff_see_internal_fields(api, implementation_pm, partnership):
    api.force_authenticate(implementation_pm.user)
    data = api.get(url("partnership-detail", implementation_pm, pk=partnership.pk)).json()
    assert data["internal_notes"] == "Internal: renewal at risk."
    assert data["account_manager"]["email"] == "am@northstar.example"
    assert [pm["email"] for pm in data["implementation_pms"]] == ["pm@northstar.example"]
    assert data["allowed_transitions"] == ["transition", "ended"]


# --- Creating ------------------------------------------------------------------------------


def test_an_admin_creates_a_partnership(api, admin, account_manager, implementation_pm, university):
    api.force_authenticate(admin.user)
    response = api.post(
        url("partnership-list", admin),
        {
            "client": university.pk,
            "name": "University weekend line",
            "contract_start": "2026-02-01",
            "planned_go_live": "2026-07-01",
            "account_manager": account_manager.user_id,
            "implementation_pms": [implementation_pm.user_id],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "prospect"
    assert data["client"] == {"id": university.pk, "name": "University Health"}
    created = Partnership.objects.get(pk=data["id"])
    assert created.organization == admin.organization
    assert list(created.implementation_pms.all()) == [implementation_pm.user]
    event = AuditEvent.objects.get(partnership=created, verb="partnership.created")
    assert event.actor == admin.user


@pytest.mark.parametrize("role", ["account_manager", "implementation_pm", "client_executive"])
def test_only_admins_create(request, api, role, university):
    membership = request.getfixturevalue(role)
    api.force_authenticate(membership.user)
    response = api.post(
        url("partnership-list", membership),
        {"client": university.pk, "name": "Not allowed"},
        format="json",
    )
    assert response.status_code == 403
    assert not Partnership.objects.filter(name="Not allowed").exists()


def _create(api, admin, **body):
    api.force_authenticate(admin.user)
    return api.post(url("partnership-list", admin), body, format="json")


def test_create_without_a_client_names_the_field(api, admin):
    response = _create(api, admin, name="No client")
    assert response.status_code == 400
    assert "client" in response.json()


def test_create_with_another_organizations_client_names_the_field(api, admin, org_b):
    response = _create(
        api, admin, name="Foreign", client=ClientOrganizationFactory(organization=org_b).pk
    )
    assert response.status_code == 400
    assert "client" in response.json()
    assert not Partnership.objects.filter(name="Foreign").exists()


@pytest.mark.parametrize("who", ["stranger", "outsider", "implementation_pm", "client_executive"])
def test_an_account_manager_who_may_not_be_one_is_refused(request, api, admin, university, who):
    user = UserFactory() if who == "stranger" else request.getfixturevalue(who).user
    response = _create(
        api, admin, name="Bad manager", client=university.pk, account_manager=user.pk
    )
    assert response.status_code == 400
    assert list(response.json()) == ["account_manager"]


def test_a_pm_who_is_no_provider_member_is_refused(api, admin, university, client_executive):
    response = _create(
        api,
        admin,
        name="Bad PM",
        client=university.pk,
        implementation_pms=[client_executive.user_id],
    )
    assert response.status_code == 400
    assert list(response.json()) == ["implementation_pms"]


def test_model_rules_come_back_as_field_errors(api, admin, university):
    response = _create(
        api,
        admin,
        name="Backwards dates",
        client=university.pk,
        contract_start="2026-05-01",
        planned_go_live="2026-04-01",
    )
    assert response.status_code == 400
    assert response.json() == {
        "planned_go_live": ["The planned go-live cannot be before the contract start."]
    }


def test_an_actual_go_live_before_the_contract_start_is_refused(api, admin, university):
    response = _create(
        api,
        admin,
        name="Live before signing",
        client=university.pk,
        contract_start="2026-05-01",
        actual_go_live="2026-04-01",
    )
    assert response.status_code == 400
    assert response.json() == {
        "actual_go_live": ["The actual go-live cannot be before the contract start."]
    }
    assert not Partnership.objects.filter(name="Live before signing").exists()


def test_a_duplicate_name_is_refused(api, admin, partnership, university):
    response = _create(api, admin, name=partnership.name, client=university.pk)
    assert response.status_code == 400
    assert Partnership.objects.filter(name=partnership.name).count() == 1


# --- Updating ------------------------------------------------------------------------------


def test_the_dedicated_account_manager_updates(api, account_manager, partnership):
    api.force_authenticate(account_manager.user)
    response = api.patch(
        url("partnership-detail", account_manager, pk=partnership.pk),
        {"description": "Adds weekend coverage."},
        format="json",
    )
    assert response.status_code == 200
    partnership.refresh_from_db()
    assert partnership.description == "Adds weekend coverage."


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("account_manager", "other_client_partnership"),  # visible, not theirs: 403
        ("implementation_pm", "partnership"),
        ("client_executive", "partnership"),
    ],
)
def test_visible_but_not_allowed_is_403(request, api, role, target):
    membership = request.getfixturevalue(role)
    obj = request.getfixturevalue(target)
    api.force_authenticate(membership.user)
    response = api.patch(
        url("partnership-detail", membership, pk=obj.pk), {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 403
    obj.refresh_from_db()
    assert obj.name != "Renamed"


def test_invisible_is_404_not_403(api, implementation_pm, other_client_partnership):
    api.force_authenticate(implementation_pm.user)
    response = api.patch(
        url("partnership-detail", implementation_pm, pk=other_client_partnership.pk),
        {"name": "Renamed"},
        format="json",
    )
    assert response.status_code == 404


# --- Transitions ---------------------------------------------------------------------------


def test_the_account_manager_moves_the_partnership_on(
    api, account_manager, client_executive, partnership
):
    sign_off_discovery(
        partnership, signed_by=account_manager.user, cosigned_by=client_executive.user
    )
    api.force_authenticate(account_manager.user)
    response = api.post(
        url("partnership-transition", account_manager, pk=partnership.pk),
        {"status": "transition", "note": "Discovery signed off."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "transition"
    assert response.json()["allowed_transitions"] == ["live", "ended"]
    change = PartnershipStatusChange.objects.get(partnership=partnership)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "discovery",
        "transition",
        account_manager.user,
    )
    history = api.get(url("partnership-history", account_manager, pk=partnership.pk)).json()
    assert [(row["from_status"], row["to_status"]) for row in history] == [
        ("discovery", "transition")
    ]
    assert history[0]["changed_by"]["email"] == account_manager.user.email
    assert history[0]["note"] == "Discovery signed off."


def test_an_undefined_move_is_400_naming_status(api, account_manager, partnership):
    api.force_authenticate(account_manager.user)
    response = api.post(
        url("partnership-transition", account_manager, pk=partnership.pk),
        {"status": "live"},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["status"][0]
    assert "from discovery to live" in message


def test_an_unknown_status_is_400_naming_status(api, account_manager, partnership):
    api.force_authenticate(account_manager.user)
    response = api.post(
        url("partnership-transition", account_manager, pk=partnership.pk),
        {"status": "paused"},
        format="json",
    )
    assert response.status_code == 400
    assert "status" in response.json()


def test_discovery_without_an_account_manager_is_400_naming_the_field(api, admin, university):
    prospect = PartnershipFactory(organization=admin.organization, client=university)
    api.force_authenticate(admin.user)
    response = api.post(
        url("partnership-transition", admin, pk=prospect.pk), {"status": "discovery"}, format="json"
    )
    assert response.status_code == 400
    assert "needs a dedicated account manager" in response.json()["account_manager"][0]
    prospect.refresh_from_db()
    assert prospect.status == "prospect"


def test_going_live_takes_the_actual_go_live(api, admin, university):
    moving = PartnershipFactory(
        organization=admin.organization,
        client=university,
        status=PartnershipStatus.TRANSITION,
        account_manager=admin.user,
    )
    ready_to_go_live(moving, manager=admin.user, executive=admin.user)
    api.force_authenticate(admin.user)
    path = url("partnership-transition", admin, pk=moving.pk)
    refused = api.post(path, {"status": "live"}, format="json")
    assert refused.status_code == 400
    assert "actual_go_live" in refused.json()
    response = api.post(path, {"status": "live", "actual_go_live": "2026-06-03"}, format="json")
    assert response.status_code == 200
    assert response.json()["actual_go_live"] == "2026-06-03"


@pytest.mark.parametrize("role", ["implementation_pm", "client_executive"])
def test_transition_is_403_for_roles_that_see_but_may_not_move(request, api, role, partnership):
    membership = request.getfixturevalue(role)
    api.force_authenticate(membership.user)
    response = api.post(
        url("partnership-transition", membership, pk=partnership.pk),
        {"status": "ended"},
        format="json",
    )
    assert response.status_code == 403
    partnership.refresh_from_db()
    assert partnership.status == "discovery"


# --- Filtering and pages -------------------------------------------------------------------


def test_filter_by_status_client_and_search(
    api, admin, partnership, other_client_partnership, university
):
    api.force_authenticate(admin.user)
    path = url("partnership-list", admin)
    assert ids(api.get(path, {"status": "discovery"})) == {partnership.pk}
    assert ids(api.get(path, {"status": ["discovery", "prospect"]})) == {
        partnership.pk,
        other_client_partnership.pk,
    }
    assert ids(api.get(path, {"client": university.pk})) == {partnership.pk}
    assert ids(api.get(path, {"search": "county"})) == {other_client_partnership.pk}
    assert ids(api.get(path, {"search": "Ames"})) == {partnership.pk}  # the client's city


def test_an_unknown_status_filter_is_400(api, admin, partnership):
    api.force_authenticate(admin.user)
    response = api.get(url("partnership-list", admin), {"status": "paused"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_pagination(api, admin, org_a):
    PartnershipFactory.create_batch(5, organization=org_a)
    api.force_authenticate(admin.user)
    path = url("partnership-list", admin)
    first = api.get(path, {"page_size": 2}).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "page=2" in first["next"]
    last = api.get(path, {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    seen = {
        row["id"]
        for page in (1, 2, 3)
        for row in api.get(path, {"page_size": 2, "page": page}).json()["results"]
    }
    assert len(seen) == 5


# --- Query budget --------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_costs_the_same_queries_for_3_and_30_rows(
    api, account_manager, implementation_pm, org_a, rows, django_assert_num_queries
):
    for _ in range(rows):
        PartnershipFactory(
            organization=org_a,
            status=PartnershipStatus.DISCOVERY,
            account_manager=account_manager.user,
            implementation_pms=[implementation_pm.user],
        )
    api.force_authenticate(account_manager.user)
    path = url("partnership-list", account_manager)

    # 1 membership with organization, user and client (membership_for)
    # 2 count of the visible partnerships (pagination)
    # 3 the page of partnerships with client and account manager (select_related)
    # 4 their implementation PMs (one prefetch for the whole page)
    with django_assert_num_queries(4):
        response = api.get(path)

    assert response.status_code == 200
    assert response.json()["count"] == rows


# --- Clients and members ---------------------------------------------------------------------


def test_clients_api_scoped_and_admin_only_writes(api, admin, account_manager, org_b, university):
    ClientOrganizationFactory(organization=org_b, name="Foreign Hospital")
    api.force_authenticate(account_manager.user)
    names = {row["name"] for row in api.get(url("client-list", account_manager)).json()["results"]}
    assert names == {"University Health"}
    refused = api.post(url("client-list", account_manager), {"name": "Mine"}, format="json")
    assert refused.status_code == 403

    api.force_authenticate(admin.user)
    created = api.post(
        url("client-list", admin), {"name": "Lakeside Hospital", "city": "Duluth"}, format="json"
    )
    assert created.status_code == 201
    duplicate = api.post(url("client-list", admin), {"name": "Lakeside Hospital"}, format="json")
    assert duplicate.status_code == 400
    bad_zone = api.post(
        url("client-list", admin), {"name": "Zoneless", "time_zone": "Mars/Olympus"}, format="json"
    )
    assert bad_zone.status_code == 400
    assert "time_zone" in bad_zone.json()


def test_members_api_lists_the_organizations_members(api, admin, account_manager, outsider):
    api.force_authenticate(admin.user)
    rows = api.get(url("member-list", admin)).json()["results"]
    emails = {row["email"] for row in rows}
    assert emails == {"admin@northstar.example", "am@northstar.example"}
    assert outsider.user.email not in emails
    response = api.get(url("member-detail", admin, pk=outsider.pk))
    assert response.status_code == 404


def test_members_filter_by_role(api, admin, account_manager, org_a):
    MembershipFactory(organization=org_a, role=Role.IMPLEMENTATION_PM)
    api.force_authenticate(admin.user)
    rows = api.get(url("member-list", admin), {"role": "account_manager"}).json()["results"]
    assert [row["id"] for row in rows] == [account_manager.pk]


def test_patching_the_status_is_refused_with_a_pointer_to_the_transition(api, admin, partnership):
    api.force_authenticate(admin.user)
    url = reverse("api:partnership-detail", kwargs={"org_slug": "northstar", "pk": partnership.pk})
    response = api.patch(url, {"status": "live"}, format="json")
    assert response.status_code == 400
    assert "transition" in response.json()["status"][0]
    partnership.refresh_from_db()
    assert partnership.status == "discovery"


def test_the_remembered_list_is_each_members_and_shows_a_write_at_once(
    api, admin, implementation_pm, partnership, other_client_partnership
):
    """The list is remembered between writes, per member and per full URL: an admin, then a
    PM, then the admin again on the same URL each get their own rows, and a rename shows on
    the next read."""
    list_url = url("partnership-list", admin)
    api.force_authenticate(admin.user)
    assert ids(api.get(list_url)) == {partnership.pk, other_client_partnership.pk}
    api.force_authenticate(implementation_pm.user)
    assert ids(api.get(list_url)) == {partnership.pk}
    api.force_authenticate(admin.user)
    assert ids(api.get(list_url)) == {partnership.pk, other_client_partnership.pk}
    assert ids(api.get(list_url + "?page_size=1")) != ids(api.get(list_url + "?page_size=1&page=2"))
    Partnership.objects.filter(pk=partnership.pk).update(name="Renamed line")
    names = {row["name"] for row in api.get(list_url).json()["results"]}
    assert "Renamed line" in names
