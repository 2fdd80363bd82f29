"""Notifications: who is told of what, once; delivery as each member chose (in the app, an
e-mail at once, the daily digest); the bell, the list, mark read; the digests; permissions."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from dashboards import digests, services, signals
from dashboards.models import DigestSent, Notification, NotificationPreference
from discovery.models import DiscoverySignOff
from health.services import checks as check_services
from health.services import issues as issue_services
from partnerships.models import PartnershipStatus
from tenancy.models import Role
from tests.dashboards.conftest import NOW, snapshot
from tests.factories import MembershipFactory
from tests.transition.factories import PlanTaskFactory, TransitionPlanFactory
from transition.services import plan as plan_services


@pytest.fixture
def other_client_exec(org_a, other_client_partnership):
    return MembershipFactory(
        organization=org_a,
        role=Role.CLIENT_EXECUTIVE,
        client=other_client_partnership.client,
        user__email="exec@county.example",
        user__full_name="Cora County",
    )


@pytest.fixture
def notifications_url(org_a):
    return reverse("dashboards:notifications", kwargs={"org_slug": org_a.slug})


def titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_an_issue_raised_by_the_client_tells_the_account_manager_at_once(
    django_capture_on_commit_callbacks,
    actor_for,
    client_executive,
    account_manager,
    partnership,
):
    with django_capture_on_commit_callbacks(execute=True):
        issue = issue_services.issue_raise(
            actor=actor_for(client_executive),
            partnership=partnership,
            title="Callbacks missed overnight",
            severity="high",
        )
    assert titles(account_manager.user) == [
        "New high issue on University after-hours line: Callbacks missed overnight"
    ]
    assert titles(client_executive.user) == []  # not told of their own issue
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [account_manager.user.email]
    path = reverse(
        "health:issue-detail",
        kwargs={"org_slug": "northstar", "partnership_pk": partnership.pk, "pk": issue.pk},
    )
    assert path in message.body
    assert message.subject == (
        "New high issue on University after-hours line: Callbacks missed overnight"
    )


def test_an_answer_tells_whoever_raised_the_issue(
    django_capture_on_commit_callbacks, actor_for, client_executive, account_manager, partnership
):
    issue = issue_services.issue_raise(
        actor=actor_for(client_executive),
        partnership=partnership,
        title="Hold music too loud",
        severity="low",
    )
    with django_capture_on_commit_callbacks(execute=True):
        issue_services.issue_transition(
            actor=actor_for(account_manager),
            issue=issue,
            status="waiting_on_client",
            note="Which extension?",
        )
    assert titles(client_executive.user) == ["Your issue “Hold music too loud” waits on your reply"]


def test_a_discovery_sign_off_asks_only_that_clients_executives_to_co_sign(
    org_a, account_manager, partnership, client_executive, other_client_exec
):
    DiscoverySignOff.objects.create(
        organization=org_a,
        partnership=partnership,
        signed_by=account_manager.user,
        signed_at=NOW,
        checklist=[],
    )
    assert titles(client_executive.user) == [
        "Co-sign the discovery sign-off of University after-hours line"
    ]
    assert titles(other_client_exec.user) == []


def test_the_same_event_never_notifies_twice(org_a, account_manager, partnership):
    for _ in range(2):
        services.notify(
            organization_id=org_a.pk,
            recipient_ids=[account_manager.user_id],
            kind="alert",
            title="Same",
            url="/o/northstar/",
            key="alert:1",
        )
    assert Notification.objects.filter(recipient=account_manager.user).count() == 1


def test_people_outside_the_organization_are_never_notified(org_a, outsider):
    created = services.notify(
        organization_id=org_a.pk,
        recipient_ids=[outsider.user_id],
        kind="alert",
        title="Not for you",
        url="/o/northstar/",
        key="x",
    )
    assert created == [] and not Notification.objects.exists()


def test_a_stale_feed_alert_reaches_the_bell(org_a, partnership, account_manager):
    partnership.status = PartnershipStatus.LIVE
    partnership.actual_go_live = datetime.date(2026, 6, 1)
    partnership.save()
    check_services.checks_run(organization=org_a)
    notification = Notification.objects.get(recipient=account_manager.user, kind="alert")
    assert "KPI feed" in notification.title
    assert notification.url == reverse(
        "health:check", kwargs={"org_slug": "northstar", "partnership_pk": partnership.pk}
    )


def test_a_task_assignment_waits_for_the_daily_digest(
    django_capture_on_commit_callbacks,
    org_a,
    actor_for,
    account_manager,
    implementation_pm,
    partnership,
):
    plan = TransitionPlanFactory(partnership=partnership)
    today = org_a.local_today()
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.task_create(
            actor=actor_for(account_manager),
            plan=plan,
            title="Record the IVR greetings",
            phase="build",
            start=today,
            due=today + datetime.timedelta(days=5),
            owner=implementation_pm.user,
        )
    assert len(mail.outbox) == 0  # tasks go to the digest by default
    assert titles(implementation_pm.user)[0].startswith("Task assigned to you: Record the IVR")

    with django_capture_on_commit_callbacks(execute=True):
        assert services.daily_digest_send(organization=org_a, today=today) == 1
        assert services.daily_digest_send(organization=org_a, today=today) == 0  # once a day
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [implementation_pm.user.email]
    assert "Record the IVR greetings" in mail.outbox[0].body
    assert Notification.objects.get(recipient=implementation_pm.user).emailed_at is not None


def test_tasks_due_tomorrow_are_told_once(org_a, implementation_pm, partnership):
    tomorrow = org_a.local_today() + datetime.timedelta(days=1)
    plan = TransitionPlanFactory(partnership=partnership)
    PlanTaskFactory(plan=plan, title="Sign the BAA", start=tomorrow, due=tomorrow)  # no owner
    PlanTaskFactory(
        plan=plan,
        title="Test the paging",
        owner=implementation_pm.user,
        start=tomorrow,
        due=tomorrow,
    )
    assert signals.tasks_due_tomorrow(organization=org_a) == 1
    assert signals.tasks_due_tomorrow(organization=org_a) == 0
    assert "Due tomorrow: Test the paging (University after-hours line)" in titles(
        implementation_pm.user
    )


def test_a_member_chooses_in_app_only(
    as_member,
    account_manager,
    client_executive,
    partnership,
    notifications_url,
    actor_for,
    django_capture_on_commit_callbacks,
):
    response = as_member(account_manager).post(
        notifications_url,
        {
            "awaiting": "email",
            "alert": "digest",
            "task": "in_app",
            "issue": "in_app",
            "reopen": "email",
        },
    )
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=account_manager.user, kind="issue").delivery == (
        "in_app"
    )
    with django_capture_on_commit_callbacks(execute=True):
        issue_services.issue_raise(
            actor=actor_for(client_executive), partnership=partnership, title="X", severity="low"
        )
    assert Notification.objects.get(recipient=account_manager.user).delivery == "in_app"
    assert mail.outbox == []


def test_bad_settings_name_the_kind(as_member, account_manager, notifications_url):
    response = as_member(account_manager).post(notifications_url, {"alert": "pigeon"})
    assert response.status_code == 400
    assert "alert" in response.context["form"].errors
    assert not NotificationPreference.objects.exists()


def test_the_bell_counts_unread_and_opening_marks_read(
    as_member, org_a, account_manager, partnership, notifications_url
):
    services.notify(
        organization_id=org_a.pk,
        recipient_ids=[account_manager.user_id],
        kind="alert",
        title="University went red",
        url=f"/o/northstar/{partnership.pk}/health/",
        key="a",
    )
    member = as_member(account_manager)
    count_url = reverse("dashboards:notification-count", kwargs={"org_slug": org_a.slug})
    assert ">1<" in member.get(count_url, HTTP_HX_REQUEST="true").content.decode()
    assert member.get(count_url).url == notifications_url  # opened as a page: the list
    page = member.get(notifications_url).content.decode()
    assert "University went red" in page
    notification = Notification.objects.get()
    opened = member.post(
        reverse(
            "dashboards:notification-open", kwargs={"org_slug": org_a.slug, "pk": notification.pk}
        )
    )
    assert opened.status_code == 302 and opened.url == f"/o/northstar/{partnership.pk}/health/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "bell-count" not in member.get(count_url, HTTP_HX_REQUEST="true").content.decode()


def test_mark_all_read(as_member, org_a, account_manager):
    for n in range(3):
        services.notify(
            organization_id=org_a.pk,
            recipient_ids=[account_manager.user_id],
            kind="task",
            title=f"T{n}",
            url="/",
            key=f"t{n}",
        )
    response = as_member(account_manager).post(
        reverse("dashboards:notifications-read-all", kwargs={"org_slug": org_a.slug})
    )
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_404(as_member, org_a, admin, account_manager):
    services.notify(
        organization_id=org_a.pk,
        recipient_ids=[account_manager.user_id],
        kind="alert",
        title="Mine",
        url="/",
        key="m",
    )
    notification = Notification.objects.get()
    response = as_member(admin).post(
        reverse(
            "dashboards:notification-open", kwargs={"org_slug": org_a.slug, "pk": notification.pk}
        )
    )
    assert response.status_code == 404
    assert (
        "Mine"
        not in as_member(admin)
        .get(reverse("dashboards:notifications", kwargs={"org_slug": org_a.slug}))
        .content.decode()
    )


def test_a_weekly_digest_per_role(
    org_a, account_manager, client_executive, partnership, django_capture_on_commit_callbacks
):
    partnership.status = PartnershipStatus.TRANSITION
    partnership.planned_go_live = org_a.local_today() + datetime.timedelta(days=30)
    partnership.save()
    snapshot(partnership, score=80, band="green", hours_ago=24 * 9)
    snapshot(partnership, score=45, band="red")
    texts = digests.weekly_texts(org_a)
    _, subject, body = texts[account_manager.user_id]
    assert subject == "Your portfolio this week (Northstar Nurse Line)"
    assert "University after-hours line: green → red" in body
    _, _, exec_body = texts[client_executive.user_id]
    assert "Go-live in 30 days" in exec_body
    assert exec_body.count("\n1. ") == 1 and "5. Open issues: 0." in exec_body
    monday = org_a.local_today()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.weekly_digest_send(organization=org_a, week_start=monday, texts=texts) == 2
        assert services.weekly_digest_send(organization=org_a, week_start=monday, texts=texts) == 0
    assert len(mail.outbox) == 2
    assert DigestSent.objects.filter(kind="weekly").count() == 2


def test_no_notification_or_page_of_another_tenant(as_member, outsider, org_a, notifications_url):
    assert as_member(outsider).get(notifications_url).status_code == 404
    assert (
        as_member(outsider)
        .get(reverse("dashboards:notification-count", kwargs={"org_slug": org_a.slug}))
        .status_code
        == 404
    )


def test_alerts_are_e_mailed_once_with_their_reasons_or_not_at_all_when_in_app_only(
    org_a, partnership, account_manager, actor_for, django_capture_on_commit_callbacks
):
    partnership.status = PartnershipStatus.LIVE
    partnership.actual_go_live = datetime.date(2026, 6, 1)
    partnership.save()
    with django_capture_on_commit_callbacks(execute=True):
        check_services.checks_run(organization=org_a)
    assert len(mail.outbox) == 1  # the notification's, not a second one from the check
    assert "Ask the call center" in mail.outbox[0].body  # the alert's suggested next step

    services.preferences_set(actor=actor_for(account_manager), choices={"alert": "in_app"})
    Notification.objects.all().delete()
    from health.models import Alert

    Alert.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        check_services.checks_run(
            organization=org_a, trigger="on_demand", now=NOW + datetime.timedelta(hours=1)
        )
    assert Notification.objects.filter(recipient=account_manager.user, kind="alert").exists()
    assert mail.outbox == []


def test_a_line_break_in_a_title_never_breaks_the_request_or_the_e_mail(
    as_member,
    client_executive,
    account_manager,
    partnership,
    org_a,
    django_capture_on_commit_callbacks,
):
    url = reverse(
        "api:health-issue-list",
        kwargs={"org_slug": org_a.slug, "partnership_pk": partnership.pk},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member(client_executive).post(
            url, {"title": "Calls\ndropped\u2028overnight", "severity": "high"}
        )
    assert response.status_code == 201, response.content
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject and "\u2028" not in mail.outbox[0].subject


def test_the_digest_skips_former_members_and_what_was_read(
    org_a, account_manager, client_executive, partnership, django_capture_on_commit_callbacks
):
    for who, key in (
        (client_executive, "gone"),
        (account_manager, "read"),
        (account_manager, "new"),
    ):
        services.notify(
            organization_id=org_a.pk,
            recipient_ids=[who.user_id],
            kind="task",
            title=f"Task {key}",
            url="/",
            key=key,
        )
    Notification.objects.filter(key="read").update(read_at=NOW)
    client_executive.delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.daily_digest_send(organization=org_a, today=org_a.local_today()) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [account_manager.user.email]
    assert "Task new" in mail.outbox[0].body and "Task read" not in mail.outbox[0].body


def test_a_sweeps_alerts_are_told_in_a_fixed_number_of_queries(
    org_a, org_b, account_manager, outsider, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ClientOrganizationFactory, PartnershipFactory

    def first_sweep(organization, manager, n: int) -> int:
        client = ClientOrganizationFactory(organization=organization)
        for i in range(n):
            PartnershipFactory(
                organization=organization,
                client=client,
                name=f"Quiet line {i}",
                status=PartnershipStatus.LIVE,
                account_manager=manager.user,
            )
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            result = check_services.checks_run(organization=organization)
        assert len(result.alerts) == n  # every quiet feed raises its alert
        return len(queries)

    assert first_sweep(org_a, account_manager, 2) == first_sweep(org_b, outsider, 5)
    assert Notification.objects.filter(kind="alert").count() == 7
    assert len(mail.outbox) == 7
