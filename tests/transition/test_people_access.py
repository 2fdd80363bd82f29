"""Who sees staff data (issue 9): HR-sensitive fields (HR notes, support offered and details,
check-in notes) and a named person's sentiment are shown to admins and the partnership's
account manager; to an implementation PM only while they hold "people access" (granted and
revoked by an admin or the account manager, recorded); never to a client executive. Client
executives see each stakeholder group's average sentiment with its number of responses, and
only from 5 responses on.

Personas from tests/conftest.py: Northstar's admin, account manager (dedicated AM of
`partnership`), implementation PM (assigned to it), client executive (of its client).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tenancy.models import AuditEvent
from tests.transition.factories import (
    SentimentCheckInFactory,
    StaffMemberFactory,
    StakeholderGroupFactory,
)
from transition.models import PeopleAccessGrant, SensitiveAccessLog, StaffMember

pytestmark = pytest.mark.django_db

HR_NOTE = "Asked for a reference letter before her last day."
SUPPORT = "Twelve weeks of severance and outplacement."
CHECK_IN_NOTE = "Feels unheard since the announcement."
HR_FIELDS = ("support_offered", "support_details", "hr_notes")


def page(name: str, partnership, **kwargs) -> str:
    return reverse(
        f"transition:{name}",
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk}
        | kwargs,
    )


def api_url(name: str, partnership, **kwargs) -> str:
    return reverse(
        f"api:{name}",
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk}
        | kwargs,
    )


@pytest.fixture
def signed_in(client):
    def sign_in(membership):
        client.force_login(membership.user)
        return client

    return sign_in


@pytest.fixture
def as_api(api):
    def sign_in(membership):
        api.force_authenticate(membership.user)
        return api

    return sign_in


@pytest.fixture
def person(partnership):
    """A departing nurse with HR-sensitive data, with two check-ins."""
    staff = StaffMemberFactory(
        partnership=partnership,
        full_name="Rosa Delgado",
        support_offered=["severance", "outplacement"],
        support_details=SUPPORT,
        hr_notes=HR_NOTE,
    )
    SentimentCheckInFactory(staff_member=staff, score=2, note=CHECK_IN_NOTE)
    SentimentCheckInFactory(staff_member=staff, score=1, note="")
    return staff


def grant_to_pm(partnership, account_manager, implementation_pm, signed_in):
    response = signed_in(account_manager).post(
        page("people-access-grant", partnership),
        {"grantee": implementation_pm.user_id, "note": "Runs the exit interviews."},
    )
    assert response.status_code == 302
    return PeopleAccessGrant.objects.get(grantee=implementation_pm.user, revoked_at=None)


# --- Granting and revoking: who may ------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "account_manager"])
def test_admin_and_account_manager_grant_and_revoke_people_access_on_the_page(
    request, signed_in, partnership, implementation_pm, who
):
    granter = request.getfixturevalue(who)
    member = signed_in(granter)
    people = member.get(page("people", partnership)).content.decode()
    assert "People access" in people and "Grant people access" in people
    response = member.post(
        page("people-access-grant", partnership),
        {"grantee": implementation_pm.user_id, "note": "Runs the exit interviews."},
        follow=True,
    )
    grant = PeopleAccessGrant.objects.get(partnership=partnership)
    assert grant.grantee == implementation_pm.user and grant.granted_by == granter.user
    assert grant.note == "Runs the exit interviews." and grant.is_active
    assert "now sees HR notes" in response.content.decode()
    assert "Revoke people access" in response.content.decode()
    assert AuditEvent.objects.filter(verb="transition_people_access.granted").count() == 1

    response = member.post(page("people-access-revoke", partnership, pk=grant.pk), follow=True)
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == granter.user
    assert "People access revoked" in response.content.decode()
    assert AuditEvent.objects.filter(verb="transition_people_access.revoked").count() == 1
    # The record stays: granted, then revoked.
    assert PeopleAccessGrant.objects.filter(partnership=partnership).count() == 1


def test_a_pm_cannot_grant_itself_people_access_nor_revoke(
    signed_in, partnership, account_manager, implementation_pm
):
    member = signed_in(implementation_pm)
    people = member.get(page("people", partnership)).content.decode()
    assert "Grant people access" not in people
    assert "ask the account manager" in people
    response = member.post(
        page("people-access-grant", partnership), {"grantee": implementation_pm.user_id}
    )
    assert response.status_code == 403
    assert not PeopleAccessGrant.objects.exists()
    grant = grant_to_pm(partnership, account_manager, implementation_pm, signed_in)
    member = signed_in(implementation_pm)
    assert member.post(page("people-access-revoke", partnership, pk=grant.pk)).status_code == 403
    grant.refresh_from_db()
    assert grant.is_active


def test_a_client_executive_can_neither_grant_nor_see_grants(
    signed_in, partnership, account_manager, implementation_pm, client_executive
):
    grant = grant_to_pm(partnership, account_manager, implementation_pm, signed_in)
    member = signed_in(client_executive)
    assert "People access" not in member.get(page("people", partnership)).content.decode()
    response = member.post(
        page("people-access-grant", partnership), {"grantee": implementation_pm.user_id}
    )
    assert response.status_code == 403
    # Grants are not theirs to see: as if it did not exist.
    assert member.post(page("people-access-revoke", partnership, pk=grant.pk)).status_code == 404
    assert PeopleAccessGrant.objects.count() == 1 and grant.is_active


def test_granting_someone_who_is_not_a_pm_of_the_partnership_says_why(
    signed_in, partnership, account_manager, client_executive
):
    member = signed_in(account_manager)
    for grantee in (client_executive.user_id, "nobody", ""):
        response = member.post(
            page("people-access-grant", partnership), {"grantee": grantee}, follow=True
        )
        assert "granted to an implementation PM of this partnership" in (response.content.decode())
    assert not PeopleAccessGrant.objects.exists()


@pytest.mark.parametrize("who", ["admin", "account_manager"])
def test_admin_and_account_manager_grant_and_revoke_through_the_api(
    request, as_api, partnership, implementation_pm, who
):
    api = as_api(request.getfixturevalue(who))
    created = api.post(
        api_url("transition-people-access-list", partnership),
        {"grantee": implementation_pm.user_id, "note": "Exit interviews"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["grantee"]["id"] == implementation_pm.user_id and body["active"] is True
    listed = api.get(api_url("transition-people-access-list", partnership)).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    again = api.post(
        api_url("transition-people-access-list", partnership),
        {"grantee": implementation_pm.user_id},
        format="json",
    )
    assert again.status_code == 400 and "grantee" in again.json()
    revoke = api_url("transition-people-access-revoke", partnership, pk=body["id"])
    revoked = api.post(revoke)
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False and revoked.json()["revoked_at"]
    twice = api.post(revoke)
    assert twice.status_code == 400 and "grant" in twice.json()


@pytest.mark.parametrize("who", ["implementation_pm", "client_executive"])
def test_neither_a_pm_nor_a_client_executive_grants_through_the_api(
    request, as_api, partnership, implementation_pm, who
):
    api = as_api(request.getfixturevalue(who))
    response = api.post(
        api_url("transition-people-access-list", partnership),
        {"grantee": implementation_pm.user_id},
        format="json",
    )
    assert response.status_code == 403
    assert not PeopleAccessGrant.objects.exists()


def test_the_api_refuses_a_grantee_who_is_not_a_pm_of_the_partnership(
    as_api, partnership, account_manager, client_executive
):
    api = as_api(account_manager)
    for grantee in (client_executive.user_id, 987654, None):
        response = api.post(
            api_url("transition-people-access-list", partnership),
            {"grantee": grantee},
            format="json",
        )
        assert response.status_code == 400 and "grantee" in response.json(), grantee
    assert not PeopleAccessGrant.objects.exists()


def test_a_pm_sees_only_their_own_grants_and_a_client_executive_none(
    as_api, signed_in, partnership, account_manager, implementation_pm, client_executive
):
    grant_to_pm(partnership, account_manager, implementation_pm, signed_in)
    address = api_url("transition-people-access-list", partnership)
    mine = as_api(implementation_pm).get(address).json()["results"]
    assert [row["grantee"]["id"] for row in mine] == [implementation_pm.user_id]
    assert as_api(client_executive).get(address).json()["results"] == []


# --- What a PM sees, without, with and after people access ---------------------------------


def _pm_sees_hr(signed_in, as_api, partnership, person, implementation_pm) -> dict[str, bool]:
    html = signed_in(implementation_pm).get(page("staff", partnership, pk=person.pk))
    html = html.content.decode()
    api = as_api(implementation_pm)
    detail = api.get(api_url("transition-staff-detail", partnership, pk=person.pk)).json()
    check_ins = api.get(api_url("transition-check-in-list", partnership, staff_pk=person.pk))
    return {
        "page_hr": HR_NOTE in html and SUPPORT in html,
        "page_check_in_note": CHECK_IN_NOTE in html,
        "page_scores": "2/5" in html,
        "api_hr": all(field in detail for field in HR_FIELDS),
        "api_check_ins": check_ins.status_code == 200,
    }


def test_a_pm_without_people_access_sees_no_hr_fields_then_with_it_then_not_after_revoke(
    signed_in, as_api, partnership, person, account_manager, implementation_pm
):
    without = _pm_sees_hr(signed_in, as_api, partnership, person, implementation_pm)
    assert without == dict.fromkeys(without, False)
    assert not SensitiveAccessLog.objects.filter(viewer=implementation_pm.user).exists()

    grant = grant_to_pm(partnership, account_manager, implementation_pm, signed_in)
    granted = _pm_sees_hr(signed_in, as_api, partnership, person, implementation_pm)
    assert granted == dict.fromkeys(granted, True)
    # Every view is logged as before: the page, the API detail and the check-ins.
    contexts = set(
        SensitiveAccessLog.objects.filter(viewer=implementation_pm.user).values_list(
            "context", flat=True
        )
    )
    assert {"page.staff.detail", "page.staff.check-ins", "api.staff.detail"} <= contexts
    assert "api.check-ins.list" in contexts

    signed_in(account_manager).post(page("people-access-revoke", partnership, pk=grant.pk))
    after = _pm_sees_hr(signed_in, as_api, partnership, person, implementation_pm)
    assert after == dict.fromkeys(after, False)


def test_a_pm_without_people_access_gets_no_hr_fields_in_the_staff_list_or_flags(
    as_api, partnership, person, implementation_pm
):
    api = as_api(implementation_pm)
    rows = api.get(api_url("transition-staff-list", partnership)).json()["results"]
    assert rows and not any(field in row for row in rows for field in HR_FIELDS)
    flags = api.get(api_url("transition-staff-sentiment-flags", partnership))
    assert flags.status_code == 403


def test_a_pm_without_people_access_edits_a_person_but_not_their_hr_fields(
    signed_in, as_api, partnership, person, implementation_pm
):
    member = signed_in(implementation_pm)
    form = member.get(page("staff-update", partnership, pk=person.pk)).content.decode()
    assert 'name="hr_notes"' not in form and SUPPORT not in form
    response = member.post(
        page("staff-update", partnership, pk=person.pk),
        {
            "full_name": "Rosa Delgado-Ruiz",
            "role": person.role,
            "outcome": person.outcome,
            "outcome_status": person.outcome_status,
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    # The rest is saved; what the PM could not see is kept as it was.
    assert person.full_name == "Rosa Delgado-Ruiz"
    assert person.hr_notes == HR_NOTE and person.support_details == SUPPORT
    patched = as_api(implementation_pm).patch(
        api_url("transition-staff-detail", partnership, pk=person.pk),
        {"hr_notes": "Overwritten."},
        format="json",
    )
    assert patched.status_code == 403
    assert StaffMember.objects.get(pk=person.pk).hr_notes == HR_NOTE


def test_a_pm_without_people_access_still_records_a_check_in(
    signed_in, partnership, person, implementation_pm
):
    response = signed_in(implementation_pm).post(
        page("staff", partnership, pk=person.pk), {"score": "4", "note": "Relieved."}, follow=True
    )
    html = response.content.decode()
    assert "Check-in recorded" in html and "Relieved." not in html
    assert person.check_ins.filter(score=4, note="Relieved.").exists()


# --- What a client executive sees -------------------------------------------------------


def test_a_client_executive_never_sees_hr_fields_or_a_persons_sentiment(
    signed_in, as_api, partnership, person, client_executive
):
    html = signed_in(client_executive).get(page("staff", partnership, pk=person.pk))
    html = html.content.decode()
    assert "Rosa Delgado" in html  # the record itself is there
    assert HR_NOTE not in html and SUPPORT not in html and CHECK_IN_NOTE not in html
    assert "2/5" not in html and "1/5" not in html
    assert "Each stakeholder group" in html  # where to look instead
    api = as_api(client_executive)
    rows = api.get(api_url("transition-staff-list", partnership)).json()["results"]
    assert not any(field in row for row in rows for field in HR_FIELDS)
    detail = api.get(api_url("transition-staff-detail", partnership, pk=person.pk)).json()
    assert not any(field in detail for field in HR_FIELDS)
    check_ins = api.get(api_url("transition-check-in-list", partnership, staff_pk=person.pk))
    assert check_ins.status_code == 403
    one = person.check_ins.first()
    single = api.get(
        api_url("transition-check-in-detail", partnership, staff_pk=person.pk, pk=one.pk)
    )
    assert single.status_code == 404  # not even visible to them
    assert not SensitiveAccessLog.objects.filter(viewer=client_executive.user).exists()


# --- Group sentiment for the client: an average with its n, from 5 responses ------------


@pytest.mark.parametrize(("responses", "shown"), [(4, False), (5, True)])
def test_a_client_executive_sees_a_groups_average_only_from_five_responses(
    signed_in, as_api, partnership, client_executive, responses, shown
):
    group = StakeholderGroupFactory(partnership=partnership, name="Triage nurses")
    scores = [4, 3, 5, 2, 3][:responses]
    for score in scores:
        SentimentCheckInFactory(
            staff_member=None, group=group, score=score, note="Private group note."
        )
    average = round(sum(scores) / len(scores), 1)  # 3.5 with 4 responses, 3.4 with 5
    html = signed_in(client_executive).get(page("people", partnership)).content.decode()
    group_page = signed_in(client_executive).get(page("group", partnership, pk=group.pk))
    group_html = group_page.content.decode()
    for text in (html, group_html):
        assert "Private group note." not in text
        if shown:
            assert f"{average}/5" in text and "average of 5 responses" in text
            assert "Fewer than 5 responses" not in text
        else:
            assert "Fewer than 5 responses" in text and f"{average}/5" not in text
    api = as_api(client_executive)
    (row,) = api.get(api_url("transition-group-sentiment", partnership)).json()
    assert row == {
        "id": group.pk,
        "name": "Triage nurses",
        "responses": responses,
        "average": average if shown else None,
        "enough": shown,
    }
    # Never the check-ins themselves.
    listed = api.get(api_url("transition-group-check-ins", partnership, pk=group.pk))
    assert listed.status_code == 403


def test_the_account_team_still_sees_the_groups_series(signed_in, partnership, account_manager):
    group = StakeholderGroupFactory(partnership=partnership, name="Schedulers")
    for score in (4, 2):
        SentimentCheckInFactory(staff_member=None, group=group, score=score)
    html = signed_in(account_manager).get(page("people", partnership)).content.decode()
    assert "Check-ins: 4, 2" in html and "Fewer than 5 responses" not in html


@pytest.mark.parametrize("groups", [3, 30])
def test_the_client_executives_people_page_query_count_is_flat(
    signed_in, partnership, client_executive, django_assert_num_queries, groups
):
    for index in range(groups):
        group = StakeholderGroupFactory(partnership=partnership)
        for score in range(1, 6):
            SentimentCheckInFactory(staff_member=None, group=group, score=score)
        StaffMemberFactory(partnership=partnership, hr_notes=f"note {index}")
    member = signed_in(client_executive)
    member.get(page("people", partnership))
    # 1 the user with their memberships, 2 partnership, 3 roster, 4 coverage, 5 notice check,
    # 6 the groups with their averages (aggregated in the database), 7 whether the executive
    # holds an API token (the navigation asks it of client executives).
    with django_assert_num_queries(7):
        member.get(page("people", partnership))
