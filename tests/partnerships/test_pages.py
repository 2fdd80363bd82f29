"""The partnership and client pages: scoping, roles, field errors, htmx partials, query counts.

Personas come from tests/conftest.py: Northstar's admin, account manager (dedicated AM of
`partnership`), implementation PM (assigned to it), client executive (of its client), and
Harbor's admin, the outsider.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from partnerships.models import (
    ClientOrganization,
    Partnership,
    PartnershipStatus,
    PartnershipStatusChange,
)
from tenancy.models import AuditEvent, Role
from tests.factories import (
    ClientOrganizationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnershipFactory,
)
from tests.lifecycle import ready_to_go_live, sign_off_discovery

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "partnership-results"}


def url(name: str, organization, **kwargs) -> str:
    return reverse(f"partnerships:{name}", kwargs={"org_slug": organization.slug, **kwargs})


@pytest.fixture
def as_member(client):
    """`as_member(membership)`: the test client, signed in as that member."""

    def sign_in(membership):
        client.force_login(membership.user)
        return client

    return sign_in


def partnership_data(client_org, **overrides) -> dict:
    data = {
        "client": client_org.pk,
        "name": "University weekend line",
        "contract_start": "2026-02-01",
        "planned_go_live": "2026-09-01",
        "account_manager": "",
        "description": "Weekend triage for students.",
        "internal_notes": "Margin is thin.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- List ----------------------------------------------------------------------------------


def test_list_shows_visible_partnerships_with_people(
    as_member, admin, partnership, other_client_partnership, outsider_partnership
):
    response = as_member(admin).get(url("list", admin.organization))

    assert response.status_code == 200
    html = response.content.decode()
    assert partnership.name in html
    assert other_client_partnership.name in html
    assert outsider_partnership.name not in html
    assert "badge badge-discovery" in html
    assert "Paul Planner" in html  # the implementation PM column
    assert "New partnership" in html
    assert response.context["nav"] == "partnerships"


def test_list_for_client_executive_is_scoped_and_offers_no_create(
    as_member, client_executive, partnership, other_client_partnership
):
    response = as_member(client_executive).get(url("list", client_executive.organization))

    html = response.content.decode()
    assert partnership.name in html
    assert other_client_partnership.name not in html
    assert "New partnership" not in html
    # The filter choices come from the policy too: no other client, no other manager.
    form = response.context["filter_form"]
    assert "client" not in form.fields
    assert list(form.fields["account_manager"].queryset) == [partnership.account_manager]


def test_list_filters_by_status_and_search(as_member, admin, partnership, other_client_partnership):
    member = as_member(admin)

    by_status = member.get(url("list", admin.organization), {"status": "prospect"})
    by_search = member.get(url("list", admin.organization), {"q": "universi"})

    assert [r["name"] for r in by_status.context["partnerships"]] == [other_client_partnership.name]
    assert [r["name"] for r in by_search.context["partnerships"]] == [partnership.name]
    tabs = {tab["value"]: tab["count"] for tab in by_status.context["status_tabs"]}
    assert tabs == {"": 2, "prospect": 1, "discovery": 1, "transition": 0, "live": 0, "ended": 0}


def test_list_ignores_filter_values_outside_the_members_choices(
    as_member, admin, partnership, outsider_partnership
):
    # Another tenant's client id is not a valid choice; the page shows everything instead.
    response = as_member(admin).get(
        url("list", admin.organization), {"client": outsider_partnership.client_id}
    )

    assert response.status_code == 200
    assert [r["name"] for r in response.context["partnerships"]] == [partnership.name]


def test_list_filters_keep_their_values_and_escape_names(
    as_member, admin, org_a, partnership, account_manager
):
    from tests.factories import ClientOrganizationFactory

    odd = ClientOrganizationFactory(organization=org_a, name='<b>"Quoted" & co</b>')
    response = as_member(admin).get(
        url("list", org_a),
        {"client": odd.pk, "status": "discovery", "q": '"><script>x</script>'},
    )
    html = response.content.decode()
    assert f'<option value="{odd.pk}" selected>&lt;b&gt;&#34;Quoted&#34; &amp; co&lt;/b&gt;' in html
    assert '<option value="discovery" selected>Discovery</option>' in html
    assert '<option value="">Any client</option>' in html
    assert f'<option value="{account_manager.user.pk}">' in html  # the managers offered
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html  # the search, escaped
    assert '<label for="id_client">Client</label>' in html
    assert 'type="search" name="q" id="id_q"' in html


def test_list_htmx_request_gets_only_the_results_partial(as_member, admin, partnership):
    response = as_member(admin).get(url("list", admin.organization), {"q": "univ"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="partnership-results"')
    assert "<html" not in html
    assert partnership.name in html
    assert "HX-Request" in response["Vary"]


def test_list_empty_state_tells_an_admin_what_to_do(as_member):
    lonely_admin = MembershipFactory(organization=OrganizationFactory(), role=Role.ADMIN)

    response = as_member(lonely_admin).get(url("list", lonely_admin.organization))

    html = response.content.decode()
    assert "No partnerships yet" in html
    assert "Add a client" in html
    assert url("client-create", lonely_admin.organization) in html


def test_list_paginates_at_25(as_member, admin, org_a):
    PartnershipFactory.create_batch(27, organization=org_a)
    member = as_member(admin)

    first = member.get(url("list", org_a))
    second = member.get(url("list", org_a), {"page": 2})
    beyond = member.get(url("list", org_a), {"page": 99})

    assert len(first.context["partnerships"]) == 25
    assert len(second.context["partnerships"]) == 2
    assert beyond.status_code == 200
    assert beyond.context["page_obj"].number == 2


def test_list_offers_25_50_or_100_rows_a_page(as_member, admin, org_a):
    PartnershipFactory.create_batch(60, organization=org_a)
    member = as_member(admin)

    fifty = member.get(url("list", org_a), {"page_size": 50})
    hundred = member.get(url("list", org_a), {"page_size": 100})
    odd = member.get(url("list", org_a), {"page_size": 7})
    junk = member.get(url("list", org_a), {"page_size": "-1; drop"})

    assert len(fifty.context["partnerships"]) == 50
    assert len(hundred.context["partnerships"]) == 60
    assert len(odd.context["partnerships"]) == 25  # only the sizes offered
    assert len(junk.context["partnerships"]) == 25
    html = fifty.content.decode()
    assert 'aria-label="Rows per page"' in html
    assert "page_size=100" in html and '<strong aria-current="true">50</strong>' in html
    # The next page keeps the size.
    assert "page=2" in html and "page_size=50" in html


def test_list_rows_escape_names_and_link_to_the_partnership(as_member, admin, org_a):
    made = PartnershipFactory(organization=org_a, name="<script>alert(1)</script> Line")
    html = as_member(admin).get(url("list", org_a)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Line" in html
    assert f'href="{url("detail", org_a, pk=made.pk)}"' in html


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(
    as_member, admin, account_manager, implementation_pm, org_a, rows, django_assert_num_queries
):
    PartnershipFactory.create_batch(
        rows,
        organization=org_a,
        account_manager=account_manager.user,
        implementation_pms=[implementation_pm.user],
    )
    member = as_member(admin)

    # 1 the user with their memberships (the session comes from the cache), 2 status counts
    # for the tabs (which hold the paginator's count too), 3 account-manager choices, 4 client
    # choices, 5 page of partnerships with clients and managers, 6 their PMs,
    # 7-9 session save (savepoint, update, release): the mixin records the current org.
    with django_assert_num_queries(9):
        response = member.get(url("list", org_a))

    assert response.status_code == 200
    assert len(response.context["partnerships"]) == min(rows, 25)


@pytest.mark.parametrize(
    ("query", "count", "pages"),
    [
        ("", 33, 2),  # every status: the tabs' total
        ("?status=live", 30, 2),  # one tab: its count
        ("?status=prospect", 3, 1),
        ("?status=ended", 0, 1),
        ("?q=Harbor", 2, 1),  # a search is counted
        ("?status=live&q=Harbor", 1, 1),
    ],
)
def test_list_counts_what_it_lists(as_member, admin, org_a, query, count, pages):
    PartnershipFactory.create_batch(29, organization=org_a, status=PartnershipStatus.LIVE)
    PartnershipFactory(organization=org_a, status=PartnershipStatus.LIVE, name="Harbor Live")
    PartnershipFactory(organization=org_a, status=PartnershipStatus.PROSPECT, name="Harbor New")
    PartnershipFactory.create_batch(2, organization=org_a, status=PartnershipStatus.PROSPECT)

    response = as_member(admin).get(url("list", org_a) + query)

    assert response.status_code == 200
    paginator = response.context["paginator"]
    assert (paginator.count, paginator.num_pages) == (count, pages)
    if count:  # none: the empty state says so instead
        assert f"{count} partnership" in response.content.decode()
    assert len(response.context["partnerships"]) == min(count, 25)


def test_list_count_is_the_members_own(as_member, implementation_pm, org_a):
    """The tabs' counts stand in for the paginator's only because both read the member's
    scope: a PM's total is the partnerships they work on, not the organization's."""
    PartnershipFactory.create_batch(4, organization=org_a, status=PartnershipStatus.LIVE)
    PartnershipFactory.create_batch(
        2,
        organization=org_a,
        status=PartnershipStatus.LIVE,
        implementation_pms=[implementation_pm.user],
    )

    response = as_member(implementation_pm).get(url("list", org_a))

    assert response.context["paginator"].count == 2
    assert len(response.context["partnerships"]) == 2


def test_list_asks_anonymous_visitors_to_sign_in(client, org_a):
    response = client.get(url("list", org_a))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_list_of_another_organization_is_404(as_member, outsider, org_a):
    assert as_member(outsider).get(url("list", org_a)).status_code == 404


# --- Detail --------------------------------------------------------------------------------


def test_detail_for_admin_shows_internal_notes_and_audit(as_member, admin, partnership):
    response = as_member(admin).get(url("detail", admin.organization, pk=partnership.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Internal: renewal at risk." in html
    assert "Audit history" in html
    assert 'class="stepper"' in html
    assert url("update", admin.organization, pk=partnership.pk) in html
    assert url("transition", admin.organization, pk=partnership.pk) in html


def test_detail_hides_internal_notes_audit_and_actions_from_client_executive(
    as_member, client_executive, partnership
):
    response = as_member(client_executive).get(
        url("detail", client_executive.organization, pk=partnership.pk)
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "renewal at risk" not in html
    assert "Audit history" not in html
    assert url("update", client_executive.organization, pk=partnership.pk) not in html
    # No status-change form (the Transition tab's pages live under the same path prefix).
    transition_url = url("transition", client_executive.organization, pk=partnership.pk)
    assert f'action="{transition_url}"' not in html


def test_detail_offers_the_allowed_transitions_to_the_account_manager(
    as_member, account_manager, partnership
):
    response = as_member(account_manager).get(
        url("detail", account_manager.organization, pk=partnership.pk)
    )

    statuses = [t["status"] for t in response.context["forward_transitions"]]
    assert statuses == [PartnershipStatus.TRANSITION]
    assert response.context["end_transition"] is not None
    assert response.context["audit"] is None  # the audit trail is for admins


def test_detail_gives_the_next_step_for_a_prospect_without_manager(as_member, admin, org_a):
    prospect = PartnershipFactory(organization=org_a, account_manager=None)

    response = as_member(admin).get(url("detail", org_a, pk=prospect.pk))

    assert "Assign a dedicated account manager before moving to discovery" in (
        response.content.decode()
    )


@pytest.mark.parametrize("name", ["detail", "update"])
def test_invisible_or_foreign_partnership_is_404(
    as_member, implementation_pm, other_client_partnership, outsider_partnership, name
):
    member = as_member(implementation_pm)
    organization = implementation_pm.organization

    invisible = member.get(url(name, organization, pk=other_client_partnership.pk))
    foreign = member.get(url(name, organization, pk=outsider_partnership.pk))

    assert invisible.status_code == 404
    assert foreign.status_code == 404


# --- Create and update ---------------------------------------------------------------------


def test_admin_creates_a_partnership(as_member, admin, university, implementation_pm):
    data = partnership_data(university, implementation_pms=[implementation_pm.user.pk])

    response = as_member(admin).post(url("create", admin.organization), data, follow=True)

    created = Partnership.objects.get(organization=admin.organization, name=data["name"])
    assert response.redirect_chain[-1][0] == url("detail", admin.organization, pk=created.pk)
    assert created.status == PartnershipStatus.PROSPECT
    assert list(created.implementation_pms.all()) == [implementation_pm.user]
    assert "created as a prospect" in response.content.decode()
    assert AuditEvent.objects.filter(partnership=created, verb="partnership.created").exists()


def test_create_shows_model_errors_on_the_field_they_name(as_member, admin, university):
    data = partnership_data(university, contract_start="2026-05-01", planned_go_live="2026-01-01")

    response = as_member(admin).post(url("create", admin.organization), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["planned_go_live"] == [
        "The planned go-live cannot be before the contract start."
    ]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Partnership.objects.filter(name=data["name"]).exists()


def test_create_reports_a_duplicate_name_on_the_name_field(
    as_member, admin, university, partnership
):
    data = partnership_data(university, name=partnership.name)

    response = as_member(admin).post(url("create", admin.organization), data)

    assert response.status_code == 200
    assert "already used" in response.context["form"].errors["name"][0]


def test_create_does_not_accept_another_tenants_client(as_member, admin, outsider_partnership):
    data = partnership_data(outsider_partnership.client)

    response = as_member(admin).post(url("create", admin.organization), data)

    assert response.status_code == 200
    assert "client" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["account_manager", "implementation_pm", "client_executive"])
def test_create_is_forbidden_below_admin(as_member, request, university, persona):
    membership = request.getfixturevalue(persona)
    member = as_member(membership)

    assert member.get(url("create", membership.organization)).status_code == 403
    response = member.post(url("create", membership.organization), partnership_data(university))
    assert response.status_code == 403
    assert not Partnership.objects.filter(name="University weekend line").exists()


def test_account_manager_updates_their_partnership(as_member, account_manager, partnership):
    member = as_member(account_manager)
    edit_url = url("update", account_manager.organization, pk=partnership.pk)
    form = member.get(edit_url).context["form"]
    assert form.initial["name"] == partnership.name  # the form starts from the stored values

    data = partnership_data(
        partnership.client,
        name="University after-hours line (renamed)",
        account_manager=account_manager.user.pk,
        implementation_pms=[],
    )
    response = member.post(edit_url, data)

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.name == "University after-hours line (renamed)"
    assert partnership.implementation_pms.count() == 0


def test_update_shows_the_manager_rule_on_the_account_manager_field(as_member, admin, partnership):
    data = partnership_data(partnership.client, name=partnership.name, account_manager="")

    response = as_member(admin).post(url("update", admin.organization, pk=partnership.pk), data)

    assert response.status_code == 200
    assert response.context["form"].errors["account_manager"] == [
        "A partnership in discovery needs a dedicated account manager."
    ]
    partnership.refresh_from_db()
    assert partnership.account_manager_id is not None


def test_update_rejects_a_pm_without_a_provider_role(
    as_member, admin, partnership, client_executive
):
    data = partnership_data(
        partnership.client,
        name=partnership.name,
        account_manager=partnership.account_manager_id,
        implementation_pms=[client_executive.user.pk],
    )

    response = as_member(admin).post(url("update", admin.organization, pk=partnership.pk), data)

    assert response.status_code == 200
    assert "implementation_pms" in response.context["form"].errors


def test_update_is_forbidden_to_another_account_manager_and_to_the_pm(
    as_member, org_a, partnership, implementation_pm
):
    other_manager = MembershipFactory(organization=org_a, role=Role.ACCOUNT_MANAGER)
    edit_url = url("update", org_a, pk=partnership.pk)

    assert as_member(other_manager).get(edit_url).status_code == 403
    assert as_member(implementation_pm).get(edit_url).status_code == 403


# --- Transition ----------------------------------------------------------------------------


def test_account_manager_moves_the_partnership_forward(
    as_member, account_manager, client_executive, partnership
):
    sign_off_discovery(
        partnership, signed_by=account_manager.user, cosigned_by=client_executive.user
    )
    response = as_member(account_manager).post(
        url("transition", account_manager.organization, pk=partnership.pk),
        {"to_status": "transition", "note": "Discovery signed off."},
        follow=True,
    )

    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.TRANSITION
    change = PartnershipStatusChange.objects.get(partnership=partnership)
    assert (change.from_status, change.to_status, change.note) == (
        "discovery",
        "transition",
        "Discovery signed off.",
    )
    assert "moved to transition" in response.content.decode()


def test_going_live_records_the_actual_date(
    as_member, admin, account_manager, client_executive, partnership
):
    partnership.status = PartnershipStatus.TRANSITION
    partnership.save()
    ready_to_go_live(partnership, manager=account_manager.user, executive=client_executive.user)

    as_member(admin).post(
        url("transition", admin.organization, pk=partnership.pk),
        {"to_status": "live", "actual_go_live": "2026-06-02"},
    )

    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.LIVE
    assert partnership.actual_go_live == datetime.date(2026, 6, 2)


def test_a_move_the_rules_refuse_shows_the_reason(as_member, admin, partnership):
    response = as_member(admin).post(
        url("transition", admin.organization, pk=partnership.pk),
        {"to_status": "live", "actual_go_live": "2026-06-02"},
        follow=True,
    )

    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.DISCOVERY
    assert response.redirect_chain[-1][0] == url("detail", admin.organization, pk=partnership.pk)
    assert "cannot move from discovery to live" in response.content.decode()


def test_start_discovery_without_manager_shows_the_reason(as_member, admin, org_a):
    prospect = PartnershipFactory(organization=org_a, account_manager=None)

    response = as_member(admin).post(
        url("transition", org_a, pk=prospect.pk), {"to_status": "discovery"}, follow=True
    )

    prospect.refresh_from_db()
    assert prospect.status == PartnershipStatus.PROSPECT
    assert "needs a dedicated account manager" in response.content.decode()


@pytest.mark.parametrize("persona", ["implementation_pm", "client_executive"])
def test_transition_is_forbidden_to_roles_that_may_not(as_member, request, partnership, persona):
    membership = request.getfixturevalue(persona)

    response = as_member(membership).post(
        url("transition", membership.organization, pk=partnership.pk), {"to_status": "ended"}
    )

    assert response.status_code == 403
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.DISCOVERY


def test_transition_of_another_tenants_partnership_is_404(as_member, admin, outsider_partnership):
    response = as_member(admin).post(
        url("transition", admin.organization, pk=outsider_partnership.pk), {"to_status": "ended"}
    )

    assert response.status_code == 404


def test_transition_answers_only_post(as_member, admin, partnership):
    response = as_member(admin).get(url("transition", admin.organization, pk=partnership.pk))

    assert response.status_code == 405


# --- Clients -------------------------------------------------------------------------------


def test_client_list_shows_counts_and_actions_to_admin(
    as_member, admin, partnership, other_client_partnership, outsider_partnership
):
    response = as_member(admin).get(url("client-list", admin.organization))

    html = response.content.decode()
    counts = {client.name: client.partnership_count for client in response.context["clients"]}
    assert counts == {"County Clinic": 1, "University Health": 1}
    assert outsider_partnership.client.name not in html
    assert url("client-create", admin.organization) in html
    assert url("client-update", admin.organization, pk=partnership.client_id) in html
    assert response.context["nav"] == "clients"


def test_the_client_pages_do_not_exist_for_a_client_executive(
    as_member, client_executive, partnership
):
    member = as_member(client_executive)
    organization = client_executive.organization

    assert member.get(url("client-list", organization)).status_code == 404
    assert member.get(url("client-create", organization)).status_code == 404
    edit = url("client-update", organization, pk=partnership.client_id)
    assert member.get(edit).status_code == 404
    nav = member.get(url("list", organization)).content.decode()
    assert url("client-list", organization) not in nav


def test_admin_adds_a_client(as_member, admin):
    data = {
        "name": "Lakeside Pediatrics",
        "kind": "physician_practice",
        "city": "Duluth",
        "state": "MN",
        "time_zone": "America/Chicago",
    }

    response = as_member(admin).post(url("client-create", admin.organization), data)

    assert response.status_code == 302
    client = ClientOrganization.objects.get(organization=admin.organization, name=data["name"])
    assert client.time_zone == "America/Chicago"


def test_client_form_names_the_field_in_error(as_member, admin, university):
    member = as_member(admin)

    unknown_zone = member.post(
        url("client-create", admin.organization),
        {"name": "Lakeside Pediatrics", "kind": "hospital", "time_zone": "Mars/Olympus"},
    )
    duplicate = member.post(
        url("client-create", admin.organization),
        {"name": university.name, "kind": "hospital", "time_zone": "UTC"},
    )

    assert "time_zone" in unknown_zone.context["form"].errors
    assert "already used" in duplicate.context["form"].errors["name"][0]


def test_admin_edits_a_client_and_keeps_an_unlisted_time_zone(as_member, admin, org_a):
    client = ClientOrganizationFactory(organization=org_a, time_zone="EST")

    response = as_member(admin).post(
        url("client-update", org_a, pk=client.pk),
        {"name": "Renamed Clinic", "kind": "community_clinic", "time_zone": "EST"},
    )

    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.name, client.time_zone) == ("Renamed Clinic", "EST")


@pytest.mark.parametrize("persona", ["account_manager", "implementation_pm"])
def test_client_create_and_update_are_admin_only(as_member, request, partnership, persona):
    membership = request.getfixturevalue(persona)
    member = as_member(membership)

    assert member.get(url("client-create", membership.organization)).status_code == 403
    edit = url("client-update", membership.organization, pk=partnership.client_id)
    assert member.get(edit).status_code == 403


def test_client_of_another_tenant_is_404(as_member, admin, outsider_partnership):
    response = as_member(admin).get(
        url("client-update", admin.organization, pk=outsider_partnership.client_id)
    )

    assert response.status_code == 404


def test_client_list_counts_only_the_partnerships_the_member_sees(
    as_member, implementation_pm, partnership, org_a
):
    PartnershipFactory(organization=org_a, client=partnership.client, name="Unassigned line")

    response = as_member(implementation_pm).get(url("client-list", org_a))

    counts = {client.pk: client.partnership_count for client in response.context["clients"]}
    assert counts == {partnership.client_id: 1}


def test_members_never_share_a_remembered_list(as_member, admin, implementation_pm, org_a):
    """The list is remembered between writes per member: the same URL asked by an admin then
    a PM of two of the partnerships shows each their own."""
    PartnershipFactory.create_batch(4, organization=org_a, status=PartnershipStatus.LIVE)
    PartnershipFactory.create_batch(
        2,
        organization=org_a,
        status=PartnershipStatus.LIVE,
        implementation_pms=[implementation_pm.user],
    )
    assert as_member(admin).get(url("list", org_a)).context["paginator"].count == 6
    assert as_member(implementation_pm).get(url("list", org_a)).context["paginator"].count == 2
    assert as_member(admin).get(url("list", org_a)).context["paginator"].count == 6


def test_the_list_shows_a_new_partnership_at_once(as_member, admin, org_a):
    member = as_member(admin)
    assert "Lakeshore Nurse Line" not in member.get(url("list", org_a)).content.decode()
    PartnershipFactory(organization=org_a, name="Lakeshore Nurse Line")
    assert "Lakeshore Nurse Line" in member.get(url("list", org_a)).content.decode()
