"""Touchpoints and their follow-ups: recording with follow-ups (owner a member who works on the
partnership), due/overdue follow-ups, the days since the last touchpoint, done/undone, bad
input naming the field, permissions (the account manager and admins write; a PM reads; a
client executive and another tenant get 404), and flat query counts."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from health import touchpoint_selectors as selectors
from health.models import FollowUp, Touchpoint
from health.services import touchpoints as services
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent
from tenancy.rest import NOT_FOUND

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def record(actor_for, membership, partnership, *, follow_ups=(), **fields) -> Touchpoint:
    fields = {"date": TODAY, "kind": "meeting", "attendees": "Erin Executive"} | fields
    return services.touchpoint_create(
        actor=actor_for(membership), partnership=partnership, follow_ups=follow_ups, **fields
    )


def page(name: str, partnership, **kwargs) -> str:
    return reverse(
        f"health:{name}",
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk}
        | kwargs,
    )


# --- Services and selectors -----------------------------------------------------------------


def test_the_account_manager_records_a_touchpoint_with_follow_ups(
    actor_for, account_manager, client_executive, partnership
):
    touchpoint = record(
        actor_for,
        account_manager,
        partnership,
        kind="business_review",
        follow_ups=[
            {"action": "Send the QA summary", "owner": account_manager.user, "due": TODAY},
            {"action": "Confirm the site visit", "owner": client_executive.user},
        ],
    )
    assert touchpoint.recorded_by == account_manager.user
    assert [f.action for f in touchpoint.follow_ups.order_by("id")] == [
        "Send the QA summary",
        "Confirm the site visit",
    ]
    assert AuditEvent.objects.filter(verb="health_touchpoint.created").exists()


def test_a_follow_up_owner_must_work_on_the_partnership(
    actor_for, account_manager, outsider, partnership, org_a
):
    from tests.factories import ClientOrganizationFactory, MembershipFactory

    other_client = ClientOrganizationFactory(organization=org_a, name="Elsewhere")
    stranger = MembershipFactory(organization=org_a, role="client_executive", client=other_client)
    for owner in (outsider.user, stranger.user):
        with pytest.raises(ApplicationError) as caught:
            record(
                actor_for,
                account_manager,
                partnership,
                follow_ups=[{"action": "x", "owner": owner}],
            )
        assert caught.value.field == "owner"
    assert not Touchpoint.objects.exists()  # nothing half-written


def test_bad_input_names_the_field(actor_for, account_manager, partnership):
    with pytest.raises(ApplicationError) as caught:
        record(actor_for, account_manager, partnership, follow_ups=[{"action": "  "}])
    assert caught.value.field == "action"
    with pytest.raises(ApplicationError) as caught:
        record(actor_for, account_manager, partnership, kind="lunch")
    assert caught.value.field == "kind"
    assert not Touchpoint.objects.exists()


def test_a_pm_and_a_client_executive_may_not_record(
    actor_for, implementation_pm, client_executive, partnership
):
    for membership in (implementation_pm, client_executive):
        with pytest.raises(PermissionDenied):
            record(actor_for, membership, partnership)


def test_days_since_the_last_touchpoint(actor_for, account_manager, admin, partnership):
    scope = {"membership": admin, "partnership": partnership}
    assert selectors.days_since_last_touchpoint(**scope, today=TODAY) is None
    record(actor_for, account_manager, partnership, date=datetime.date(2026, 6, 1))
    record(actor_for, account_manager, partnership, date=datetime.date(2026, 6, 5))
    # A touchpoint planned for later does not count as the last one.
    record(actor_for, account_manager, partnership, date=datetime.date(2026, 6, 30))
    assert selectors.days_since_last_touchpoint(**scope, today=TODAY) == 10


def test_follow_ups_due_and_overdue(actor_for, account_manager, partnership):
    day = datetime.timedelta(days=1)
    touchpoint = record(
        actor_for,
        account_manager,
        partnership,
        follow_ups=[
            {"action": "late", "due": TODAY - day},
            {"action": "today", "due": TODAY},
            {"action": "in a week", "due": TODAY + 7 * day},
            {"action": "later", "due": TODAY + 8 * day},
            {"action": "whenever"},
            {"action": "late but done", "due": TODAY - 3 * day},
        ],
    )
    done = touchpoint.follow_ups.get(action="late but done")
    done.partnership = partnership
    services.follow_up_set_done(actor=actor_for(account_manager), follow_up=done, done=True)
    scope = {"membership": account_manager, "partnership": partnership, "today": TODAY}
    attention = selectors.open_follow_ups(**scope)
    assert [(row.action, row.state) for row in attention] == [
        ("late", "overdue"),
        ("today", "due"),
        ("in a week", "due"),
    ]
    assert selectors.follow_up_counts(**scope) == {"overdue": 1, "due": 2, "open": 5}
    services.follow_up_set_done(actor=actor_for(account_manager), follow_up=done, done=False)
    done.refresh_from_db()
    assert done.done_at is None


# --- API ------------------------------------------------------------------------------------


def test_api_create_with_follow_ups_then_mark_one_done(
    as_api, api_url, account_manager, partnership
):
    client = as_api(account_manager)
    response = client.post(
        api_url("health-touchpoint-list", partnership),
        {
            "date": "2026-06-10",
            "kind": "call",
            "attendees": "Erin Executive",
            "follow_ups": [{"action": "Share the audit trend", "due": "2026-06-12"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    follow_up = response.json()["follow_ups"][0]
    assert follow_up["action"] == "Share the audit trend"
    response = client.post(
        api_url("health-follow-up-done", partnership, pk=follow_up["id"]), format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "done"
    last = client.get(api_url("health-touchpoint-last", partnership)).json()
    assert last["open"] == 0


def test_api_bad_input_names_the_field(as_api, api_url, account_manager, partnership):
    client = as_api(account_manager)
    response = client.post(
        api_url("health-touchpoint-list", partnership),
        {"date": "2026-06-10", "kind": "lunch", "attendees": ""},
        format="json",
    )
    assert response.status_code == 400
    assert {"kind", "attendees"} <= set(response.json())
    assert not Touchpoint.objects.exists()


def test_api_a_follow_up_names_a_touchpoint_of_this_partnership(
    as_api, api_url, actor_for, admin, partnership, other_client_partnership
):
    elsewhere = record(actor_for, admin, other_client_partnership)
    response = as_api(admin).post(
        api_url("health-follow-up-list", partnership),
        {"touchpoint": elsewhere.pk, "action": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "touchpoint" in response.json()
    assert not FollowUp.objects.exists()


def test_api_permissions(
    as_api,
    api_url,
    actor_for,
    account_manager,
    implementation_pm,
    client_executive,
    outsider,
    partnership,
):
    touchpoint = record(actor_for, account_manager, partnership)
    list_url = api_url("health-touchpoint-list", partnership)
    detail_url = api_url("health-touchpoint-detail", partnership, pk=touchpoint.pk)
    pm = as_api(implementation_pm)
    assert pm.get(list_url).status_code == 200  # a PM reads the relationship...
    assert pm.patch(detail_url, {"notes": "x"}, format="json").status_code == 403  # ...only
    for membership in (client_executive, outsider):
        client = as_api(membership)
        for url in (list_url, detail_url):
            response = client.get(url)
            assert response.status_code == 404
            assert response.json()["detail"] == NOT_FOUND


def test_api_list_queries_stay_flat(as_api, api_url, actor_for, account_manager, partnership):
    client = as_api(account_manager)
    url = api_url("health-touchpoint-list", partnership)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    follow_ups = [{"action": "a", "owner": account_manager.user, "due": TODAY}]
    record(actor_for, account_manager, partnership, follow_ups=follow_ups)
    few = count()
    for _ in range(10):
        record(actor_for, account_manager, partnership, follow_ups=follow_ups * 3)
    assert count() == few


# --- Pages ----------------------------------------------------------------------------------


def test_the_page_shows_days_since_and_overdue_follow_ups(
    as_member, actor_for, account_manager, partnership
):
    from django.utils import timezone

    today = timezone.localdate()
    record(
        actor_for,
        account_manager,
        partnership,
        date=today - datetime.timedelta(days=4),
        follow_ups=[{"action": "Send minutes", "due": today - datetime.timedelta(days=1)}],
    )
    response = as_member(account_manager).get(page("touchpoints", partnership))
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 days since the last touchpoint" in html
    assert "Overdue" in html and "Send minutes" in html
    assert "Record a touchpoint" in html


def test_recording_through_the_form_with_a_follow_up(as_member, account_manager, partnership):
    data = {
        "tp-date": "2026-06-10",
        "tp-kind": "site_visit",
        "tp-attendees": "Erin Executive, Alice Manager",
        "tp-notes": "Walked the floor.",
        "fu-TOTAL_FORMS": "3",
        "fu-INITIAL_FORMS": "0",
        "fu-0-action": "Fix the hold music",
        "fu-0-owner": str(account_manager.user.pk),
        "fu-0-due": "2026-06-20",
        "fu-1-action": "",
        "fu-2-action": "",
    }
    response = as_member(account_manager).post(page("touchpoints", partnership), data)
    assert response.status_code == 302
    touchpoint = Touchpoint.objects.get()
    assert touchpoint.kind == "site_visit"
    assert [f.action for f in touchpoint.follow_ups.all()] == ["Fix the hold music"]


def test_a_follow_up_without_an_action_is_refused_on_the_form(
    as_member, account_manager, partnership
):
    data = {
        "tp-date": "2026-06-10",
        "tp-kind": "call",
        "tp-attendees": "Erin",
        "fu-TOTAL_FORMS": "1",
        "fu-INITIAL_FORMS": "0",
        "fu-0-action": "",
        "fu-0-due": "2026-06-20",
    }
    response = as_member(account_manager).post(page("touchpoints", partnership), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["action"]
    assert not Touchpoint.objects.exists()


def test_marking_a_follow_up_done_on_the_page(as_member, actor_for, account_manager, partnership):
    touchpoint = record(
        actor_for, account_manager, partnership, follow_ups=[{"action": "Call back"}]
    )
    follow_up = touchpoint.follow_ups.get()
    response = as_member(account_manager).post(
        page("follow-up-done", partnership, pk=follow_up.pk), {"done": "1"}
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None


def test_the_pages_are_404_to_a_client_executive_and_another_tenant_403_to_a_pm_writing(
    as_member,
    actor_for,
    account_manager,
    implementation_pm,
    client_executive,
    outsider,
    partnership,
):
    touchpoint = record(actor_for, account_manager, partnership)
    for membership in (client_executive, outsider):
        client = as_member(membership)
        assert client.get(page("touchpoints", partnership)).status_code == 404
        assert client.get(page("touchpoint", partnership, pk=touchpoint.pk)).status_code == 404
    pm = as_member(implementation_pm)
    response = pm.get(page("touchpoints", partnership))
    assert response.status_code == 200
    assert "Record a touchpoint" not in response.content.decode()
    assert pm.get(page("touchpoint", partnership, pk=touchpoint.pk)).status_code == 403


def test_the_page_queries_stay_flat(as_member, actor_for, account_manager, partnership):
    client = as_member(account_manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page("touchpoints", partnership)).status_code == 200
        return len(queries)

    follow_ups = [{"action": "a", "owner": account_manager.user, "due": TODAY}]
    record(actor_for, account_manager, partnership, follow_ups=follow_ups)
    count()  # the first page view remembers the organization in the session
    few = count()
    for _ in range(10):
        record(actor_for, account_manager, partnership, follow_ups=follow_ups * 3)
    assert count() == few
