"""The transition pages: the plan (create, baseline, Gantt data, task edits with cycles,
auto-schedule and conflicts, comments), my tasks (bulk status, calendar feed), the people
(roster, notice check, HR-sensitive fields and their view log, CSV import, appointing a PM,
check-ins), knowledge capture, the communications plan and the go/no-go readiness; roles
(404 / 403), field errors and flat query counts.

Personas come from tests/conftest.py: Northstar's admin, account manager (dedicated AM of
`partnership`), implementation PM (assigned to it), client executive (of its client), and
Harbor's admin, the outsider. `other_client_partnership` is one nobody but admins sees.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Invitation
from partnerships.models import Comment
from tenancy.models import Role
from tests.factories import CommentFactory, MembershipFactory
from tests.transition.factories import (
    CommunicationItemFactory,
    KnowledgeItemFactory,
    PlanTaskFactory,
    SentimentCheckInFactory,
    StaffMemberFactory,
    StakeholderGroupFactory,
    TaskDependencyFactory,
    TransitionPlanFactory,
)
from transition import templates_default as templates
from transition.models import (
    CalendarFeedKey,
    CommunicationItem,
    GoNoGoDecision,
    KnowledgeItem,
    KnowledgeStatus,
    Outcome,
    PlanTask,
    SensitiveAccessLog,
    SentimentCheckIn,
    StaffMember,
    StaffRole,
    TaskDependency,
    TaskStatus,
    TransitionPlan,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 3, 2)


def page(name: str, partnership, **kwargs) -> str:
    return reverse(
        f"transition:{name}",
        kwargs={
            "org_slug": partnership.organization.slug,
            "partnership_pk": partnership.pk,
            **kwargs,
        },
    )


def my_tasks_url(organization) -> str:
    return reverse("transition:my-tasks", kwargs={"org_slug": organization.slug})


@pytest.fixture
def as_member(client):
    """`as_member(membership)`: the test client, signed in as that member."""

    def sign_in(membership):
        client.force_login(membership.user)
        return client

    return sign_in


def chain(partnership, count: int, *, owner=None, baseline: bool = True) -> list[PlanTask]:
    """A plan of `count` two-day tasks, each depending on the one before."""
    plan = TransitionPlanFactory(partnership=partnership)
    tasks = []
    for index in range(count):
        start = START + datetime.timedelta(days=2 * index)
        due = start + datetime.timedelta(days=1)
        tasks.append(
            PlanTaskFactory(
                plan=plan,
                title=f"Step {index + 1}",
                start=start,
                due=due,
                owner=owner,
                baseline_start=start if baseline else None,
                baseline_due=due if baseline else None,
            )
        )
    for before, after in itertools.pairwise(tasks):
        TaskDependencyFactory(predecessor=before, successor=after)
    return tasks


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


# --- The Transition tab and the plan ----------------------------------------------------------


def test_the_partnership_tabs_link_to_the_transition_tab(as_member, admin, partnership):
    response = as_member(admin).get(
        reverse("partnerships:detail", kwargs={"org_slug": "northstar", "pk": partnership.pk})
    )
    assert page("plan", partnership) in response.content.decode()


def test_without_a_plan_the_pm_gets_the_create_form_with_the_planned_go_live(
    as_member, implementation_pm, partnership
):
    response = as_member(implementation_pm).get(page("plan", partnership))
    assert response.status_code == 200
    form = response.context["create_form"]
    assert form.initial["go_live"] == partnership.planned_go_live
    assert "Create the plan from the template" in response.content.decode()


def test_the_pm_creates_the_plan_from_the_shipped_template(
    as_member, implementation_pm, partnership
):
    response = as_member(implementation_pm).post(
        page("plan", partnership), {"template": "", "go_live": "2026-09-01"}
    )
    assert response.status_code == 302
    plan = TransitionPlan.objects.get(partnership=partnership)
    assert plan.go_live == datetime.date(2026, 9, 1)
    # The shipped template (its caller-population tasks come from the culture tab instead).
    assert plan.tasks.count() == len(templates.NURSE_TRIAGE_TEMPLATE)
    go_live = plan.go_live_task
    assert go_live.start == datetime.date(2026, 9, 1) and go_live.is_milestone


def test_creating_the_plan_with_a_bad_date_names_the_field(
    as_member, implementation_pm, partnership
):
    response = as_member(implementation_pm).post(
        page("plan", partnership), {"template": "", "go_live": "soon"}
    )
    assert response.status_code == 200
    assert "go_live" in response.context["create_form"].errors
    assert not TransitionPlan.objects.filter(partnership=partnership).exists()


def test_a_client_executive_sees_no_create_form_and_may_not_create(
    as_member, client_executive, partnership
):
    member = as_member(client_executive)
    response = member.get(page("plan", partnership))
    assert response.status_code == 200
    assert "create_form" not in response.context
    assert member.post(page("plan", partnership), {"go_live": "2026-09-01"}).status_code == 403
    assert not TransitionPlan.objects.filter(partnership=partnership).exists()


def gantt_data(html: str) -> dict:
    found = re.search(r'<script id="gantt-data" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_the_plan_shows_phases_slip_critical_path_and_gantt_data(
    as_member, implementation_pm, partnership
):
    tasks = chain(partnership, 4, owner=implementation_pm.user)
    # The last step is late: its forecast slips two days against its baseline.
    last = tasks[-1]
    PlanTask.objects.filter(pk=last.pk).update(
        start=last.start + datetime.timedelta(days=2), due=last.due + datetime.timedelta(days=2)
    )
    response = as_member(implementation_pm).get(page("plan", partnership))
    assert response.status_code == 200
    html = response.content.decode()
    data = gantt_data(html)
    assert [bar["name"] for bar in data["tasks"]] == ["Step 1", "Step 2", "Step 3", "Step 4"]
    assert [bar["slip_days"] for bar in data["tasks"]][-1] == 2
    # The gap before the late step leaves the first three two days of float.
    assert [bar["critical"] for bar in data["tasks"]] == [False, False, False, True]
    assert '<span class="slip-late">+2 d</span>' in html
    bars = {bar["name"]: bar for bar in data["tasks"]}
    assert bars["Step 2"]["dependencies"] == [str(tasks[0].pk)]
    assert bars["Step 4"]["custom_class"] == "is-critical"
    assert bars["Step 4"]["end"] == (last.due + datetime.timedelta(days=2)).isoformat()
    assert "frappe-gantt.umd.js" in html and "js/transition.js" in html


def test_a_plan_whose_tasks_were_all_deleted_still_shows(as_member, implementation_pm, plan):
    plan.tasks.all().delete()
    response = as_member(implementation_pm).get(page("plan", plan.partnership))
    assert response.status_code == 200
    assert response.context["summary"]["task_count"] == 0


@pytest.mark.parametrize("rows", [3, 30, 200])
def test_the_plan_page_query_count_does_not_grow_with_tasks(
    as_member, implementation_pm, partnership, rows, django_assert_num_queries
):
    chain(partnership, rows, owner=implementation_pm.user)
    member = as_member(implementation_pm)
    # 1 the user with their memberships (the session comes from the cache), 2 partnership
    # with client and manager, 3 its PMs, 4 the plan with who baselined it, 5 tasks with
    # owners, 6 dependencies; the session is not written (the organization is unchanged).
    member.get(page("people", partnership))  # records the current organization once
    with django_assert_num_queries(6):
        response = member.get(page("plan", partnership))
    assert len(gantt_data(response.content.decode())["tasks"]) == rows


def test_recording_the_baseline_then_refusing_a_silent_rebaseline(
    as_member, implementation_pm, partnership
):
    tasks = chain(partnership, 2, baseline=False)
    member = as_member(implementation_pm)
    response = member.post(page("plan-baseline", partnership), follow=True)
    assert "Baseline recorded" in response.content.decode()
    tasks[0].refresh_from_db()
    assert tasks[0].baseline_due == tasks[0].due
    again = member.post(page("plan-baseline", partnership), follow=True)
    assert "Re-baselining replaces" in again.content.decode()
    replaced = member.post(page("plan-baseline", partnership), {"replace": "1"}, follow=True)
    assert "Baseline recorded" in replaced.content.decode()


def test_a_client_executive_may_not_baseline_or_auto_schedule(
    as_member, client_executive, partnership
):
    chain(partnership, 2)
    member = as_member(client_executive)
    assert member.post(page("plan-baseline", partnership)).status_code == 403
    assert member.post(page("plan-auto-schedule", partnership)).status_code == 403


def test_invisible_and_foreign_partnerships_are_404(
    as_member, implementation_pm, outsider, other_client_partnership, partnership
):
    chain(other_client_partnership, 2)
    member = as_member(implementation_pm)
    for name in ("plan", "people", "knowledge", "communications", "readiness"):
        assert member.get(page(name, other_client_partnership)).status_code == 404, name
    outsider_member = as_member(outsider)
    assert outsider_member.get(page("plan", partnership)).status_code == 404


# --- A task -----------------------------------------------------------------------------------


def task_data(task, **overrides) -> dict:
    data = {
        "form": "task",
        "title": task.title,
        "phase": task.phase,
        "owner": task.owner_id or "",
        "start": task.start.isoformat(),
        "due": task.due.isoformat(),
        "status": task.status,
        "estimate_hours": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_the_pm_edits_a_task_and_its_dependencies_with_lag(
    as_member, implementation_pm, partnership
):
    first, second, third = chain(partnership, 3)
    response = as_member(implementation_pm).post(
        page("task", partnership, pk=third.pk),
        task_data(
            third,
            title="Step 3, revised",
            owner=implementation_pm.user.pk,
            pred_0=str(second.pk),
            lag_0="1",
            pred_1=str(first.pk),
            lag_1="0",
        ),
    )
    assert response.status_code == 302
    third.refresh_from_db()
    assert third.title == "Step 3, revised" and third.owner == implementation_pm.user
    links = dict(
        TaskDependency.objects.filter(successor=third).values_list("predecessor_id", "lag_days")
    )
    assert links == {second.pk: 1, first.pk: 0}


def test_a_dependency_that_would_make_a_cycle_is_refused_with_its_path(
    as_member, implementation_pm, partnership
):
    first, _, third = chain(partnership, 3)
    response = as_member(implementation_pm).post(
        page("task", partnership, pk=first.pk), task_data(first, pred_0=str(third.pk))
    )
    assert response.status_code == 200
    (message,) = response.context["task_form"].errors["dependencies"]
    assert "cycle" in message
    assert "Step 3 → Step 1 → Step 2 → Step 3" in message
    assert 'id="dependencies-error"' in response.content.decode()
    assert not TaskDependency.objects.filter(successor=first).exists()


def test_moving_a_task_later_flags_the_conflict_or_moves_the_dependants(
    as_member, implementation_pm, partnership
):
    first, second, _ = chain(partnership, 3)
    member = as_member(implementation_pm)
    later = {"start": "2026-03-05", "due": "2026-03-06"}
    response = member.post(
        page("task", partnership, pk=first.pk), task_data(first, **later), follow=True
    )
    assert "Conflict: “Step 2” starts on Mar 4" in response.content.decode()
    second.refresh_from_db()
    assert second.start == datetime.date(2026, 3, 4)  # not moved

    first.refresh_from_db()
    response = member.post(
        page("task", partnership, pk=first.pk),
        task_data(first, start="2026-03-06", due="2026-03-07", auto_schedule="on"),
        follow=True,
    )
    assert "Moved 2 dependants later" in response.content.decode()
    second.refresh_from_db()
    assert second.start == datetime.date(2026, 3, 8)


def test_a_task_form_error_names_the_field(as_member, implementation_pm, partnership):
    (task,) = chain(partnership, 1)
    response = as_member(implementation_pm).post(
        page("task", partnership, pk=task.pk), task_data(task, due="2026-03-01")
    )
    assert response.status_code == 200
    assert "due" in response.context["task_form"].errors


def test_a_client_executive_comments_but_cannot_edit_and_never_sees_internal_comments(
    as_member, client_executive, account_manager, partnership
):
    (task,) = chain(partnership, 1)
    CommentFactory(target=task, author=account_manager.user, body="Margin note")
    CommentFactory(
        target=task, author=account_manager.user, body="Status shared", shared_with_client=True
    )
    member = as_member(client_executive)
    response = member.get(page("task", partnership, pk=task.pk))
    html = response.content.decode()
    assert "Status shared" in html and "Margin note" not in html
    assert "task_form" not in response.context
    # The thread's form: the client's comments are always shared, so no choice is offered.
    assert 'name="shared_with_client"' not in html and 'name="body"' in html
    assert member.post(page("task", partnership, pk=task.pk), task_data(task)).status_code == 403
    thread = reverse(
        "partnerships:comments",
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk},
    )
    task_page = page("task", partnership, pk=task.pk)
    posted = member.post(
        thread,
        {
            "target_type": "transition.plantask",
            "target_id": task.pk,
            "body": "Thanks, agreed.",
            "next": task_page,
        },
    )
    assert posted.status_code == 302 and posted.url == task_page + "#comments"
    assert Comment.objects.filter(
        target_type="transition.plantask",
        target_id=task.pk,
        body="Thanks, agreed.",
        author=client_executive.user,
        shared_with_client=True,
    ).exists()


def test_a_task_of_another_partnership_is_404_under_this_one(
    as_member, admin, partnership, other_client_partnership
):
    (foreign,) = chain(other_client_partnership, 1)
    member = as_member(admin)
    assert member.get(page("task", partnership, pk=foreign.pk)).status_code == 404
    assert member.get(page("task", other_client_partnership, pk=foreign.pk)).status_code == 200


# --- My tasks ---------------------------------------------------------------------------------


def my_task(partnership, owner, *, title: str, due: datetime.date, **kwargs) -> PlanTask:
    plan = TransitionPlan.objects.filter(partnership=partnership).first() or (
        TransitionPlanFactory(partnership=partnership)
    )
    return PlanTaskFactory(plan=plan, title=title, start=due, due=due, owner=owner, **kwargs)


@pytest.fixture
def today(org_a):

    return org_a.local_today()


def test_my_tasks_buckets_and_the_nav_link(as_member, implementation_pm, partnership, today):
    user = implementation_pm.user
    my_task(partnership, user, title="Late one", due=today - datetime.timedelta(days=3))
    my_task(partnership, user, title="Soon one", due=today + datetime.timedelta(days=2))
    my_task(partnership, user, title="Far one", due=today + datetime.timedelta(days=40))
    response = as_member(implementation_pm).get(my_tasks_url(partnership.organization))
    buckets = response.context["buckets"]
    assert [row["title"] for row in buckets["overdue"]] == ["Late one"]
    assert buckets["overdue"][0]["days_overdue"] == 3
    assert [row["title"] for row in buckets["due_this_week"]] == ["Soon one"]
    assert [row["title"] for row in response.context["later"]] == ["Far one"]
    assert 'aria-current="page">My tasks</a>' in response.content.decode()


def test_my_tasks_shows_who_blocks_me(
    as_member, implementation_pm, account_manager, partnership, today
):
    theirs = my_task(partnership, account_manager.user, title="Their part", due=today)
    mine = my_task(
        partnership,
        implementation_pm.user,
        title="My part",
        due=today + datetime.timedelta(days=10),
    )
    TaskDependencyFactory(predecessor=theirs, successor=mine)
    response = as_member(implementation_pm).get(my_tasks_url(partnership.organization))
    (row,) = response.context["buckets"]["blocked_by_others"]
    assert row["blocked_by"][0]["title"] == "Their part"
    assert "Alice Manager" in response.content.decode()


def test_bulk_status_update_of_my_tasks(as_member, implementation_pm, partnership, today):
    user = implementation_pm.user
    first = my_task(partnership, user, title="One", due=today)
    second = my_task(partnership, user, title="Two", due=today)
    response = as_member(implementation_pm).post(
        my_tasks_url(partnership.organization),
        {"action": "bulk", "tasks": [first.pk, second.pk], "status": TaskStatus.DONE},
    )
    assert response.status_code == 302
    assert set(PlanTask.objects.filter(status=TaskStatus.DONE).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_bulk_status_refuses_nothing_ticked_and_someone_elses_task(
    as_member, implementation_pm, account_manager, partnership, today
):
    theirs = my_task(partnership, account_manager.user, title="Theirs", due=today)
    member = as_member(implementation_pm)
    response = member.post(
        my_tasks_url(partnership.organization), {"action": "bulk", "status": TaskStatus.DONE}
    )
    assert "Tick at least one task." in response.content.decode()
    response = member.post(
        my_tasks_url(partnership.organization),
        {"action": "bulk", "tasks": [theirs.pk], "status": TaskStatus.DONE},
    )
    assert response.status_code == 200 and "tasks" in response.context["bulk_form"].errors
    theirs.refresh_from_db()
    assert theirs.status == TaskStatus.NOT_STARTED


def test_the_calendar_feed_link_is_shown_once_and_can_be_revoked(
    as_member, implementation_pm, partnership
):
    member = as_member(implementation_pm)
    url = my_tasks_url(partnership.organization)
    response = member.post(url, {"action": "feed-key"})
    feed_url = response.context["issued_feed_url"]
    assert "/my-tasks/calendar/feed/" in feed_url and feed_url in response.content.decode()
    assert "?" not in feed_url  # the key is never a query string
    assert CalendarFeedKey.objects.active().filter(user=implementation_pm.user).count() == 1
    calendar = member.get(feed_url.split("testserver", 1)[1])
    assert calendar.status_code == 200 and b"BEGIN:VCALENDAR" in calendar.content
    page_again = member.get(url)
    assert feed_url not in page_again.content.decode()  # shown once
    member.post(url, {"action": "feed-revoke"})
    assert not CalendarFeedKey.objects.active().filter(user=implementation_pm.user).exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_my_tasks_query_count_does_not_grow_with_tasks(
    as_member,
    implementation_pm,
    account_manager,
    partnership,
    today,
    rows,
    django_assert_num_queries,
):
    for index in range(rows):
        mine = my_task(
            partnership,
            implementation_pm.user,
            title=f"Mine {index}",
            due=today + datetime.timedelta(days=index - 2),
        )
        theirs = my_task(partnership, account_manager.user, title=f"Theirs {index}", due=today)
        TaskDependencyFactory(predecessor=theirs, successor=mine)
    member = as_member(implementation_pm)
    member.get(my_tasks_url(partnership.organization))
    # 1 the user with their memberships, 2 my open tasks with partnerships, 3 their
    # unfinished predecessors with owners, 4 my open tasks for "due later", 5 my calendar
    # feed key.
    with django_assert_num_queries(5):
        member.get(my_tasks_url(partnership.organization))


# --- People -----------------------------------------------------------------------------------


def test_the_roster_with_outcomes_coverage_and_groups(
    as_member, implementation_pm, partnership, today
):
    departing = StaffMemberFactory(
        partnership=partnership,
        full_name="Peg Ellison",
        role=StaffRole.TRIAGE_RN,
        outcome=Outcome.RETIRING,
        last_day=today + datetime.timedelta(days=5),
    )
    group = StakeholderGroupFactory(partnership=partnership, name="Triage nurses")
    for day, score in ((10, 4), (5, 3), (1, 2)):
        SentimentCheckInFactory(
            staff_member=None, group=group, score=score, checked_on=today - datetime.timedelta(day)
        )
    response = as_member(implementation_pm).get(page("people", partnership))
    html = response.content.decode()
    assert "Peg Ellison" in html and "Retiring" in html
    (coverage,) = response.context["coverage"]["people"]
    assert coverage["staff_member"] == departing.pk and coverage["state"] == "red"
    (row,) = response.context["groups"]
    assert row["scores"] == [4, 3, 2] and row["trend"] == "down"
    assert '<polyline points="' in html


def test_the_notice_check_warns_prominently_citing_the_rule(
    as_member, account_manager, partnership
):
    last_day = datetime.date(2026, 7, 31)
    StaffMemberFactory.create_batch(
        50,
        partnership=partnership,
        outcome=Outcome.LAID_OFF,
        last_day=last_day,
        notice_date=last_day - datetime.timedelta(days=30),
    )
    response = as_member(account_manager).get(page("people", partnership))
    html = response.content.decode()
    assert 'class="notice-check notice-warning"' in html and 'role="alert"' in html
    assert "50 lay-offs reach the mass-layoff threshold of 50" in html
    assert "29 U.S.C." in html and "Not legal advice." in html


def test_sentiment_flags_are_for_the_provider_not_the_client_executive(
    as_member, account_manager, client_executive, partnership
):
    person = StaffMemberFactory(partnership=partnership, full_name="Kim Tran")
    for day, score in ((1, 2), (2, 2)):
        SentimentCheckInFactory(staff_member=person, score=score, checked_on=START.replace(day=day))
    manager_page = as_member(account_manager).get(page("people", partnership))
    html = manager_page.content.decode()
    assert "Signs that someone is unsettled or disengaging" in html
    assert "malcompliance" not in html.lower()  # headings speak plainly and kindly
    executive_page = as_member(client_executive).get(page("people", partnership))
    assert executive_page.context["flags"] is None
    assert "Signs that someone" not in executive_page.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_the_people_page_query_count_does_not_grow_with_people(
    as_member, account_manager, partnership, rows, django_assert_num_queries
):
    group = StakeholderGroupFactory(partnership=partnership)
    for index in range(rows):
        person = StaffMemberFactory(
            partnership=partnership,
            outcome=Outcome.LAID_OFF if index % 2 else Outcome.RETIRING,
            last_day=datetime.date(2026, 7, 1),
            notice_date=datetime.date(2026, 5, 1),
        )
        KnowledgeItemFactory(partnership=partnership, source=person)
        SentimentCheckInFactory(staff_member=person, score=2)
        SentimentCheckInFactory(staff_member=None, group=group, score=3)
    member = as_member(account_manager)
    member.get(page("people", partnership))
    # 1 the user with their memberships, 2 partnership, 3 roster, 4 coverage, 5 notice check,
    # 6 groups, 7 group check-ins, 8 sentiment flags, 9 the partnership's PMs and 10 their
    # people-access grants (the People access panel).
    with django_assert_num_queries(10):
        member.get(page("people", partnership))


HR_TEXT = "Interviewing with the county; reference sent."


def test_hr_fields_are_shown_to_the_account_manager_and_the_view_is_logged(
    as_member, account_manager, partnership
):
    person = StaffMemberFactory(partnership=partnership, hr_notes=HR_TEXT)
    response = as_member(account_manager).get(page("staff", partnership, pk=person.pk))
    assert HR_TEXT in response.content.decode()
    log = SensitiveAccessLog.objects.get(staff_member=person)
    assert log.viewer == account_manager.user and log.context == "page.staff.detail"
    assert "hr_notes" in log.fields


def test_hr_fields_are_hidden_from_the_client_executive(as_member, client_executive, partnership):
    person = StaffMemberFactory(partnership=partnership, hr_notes=HR_TEXT)
    SentimentCheckInFactory(staff_member=person, note="Feels unheard.")
    member = as_member(client_executive)
    html = member.get(page("staff", partnership, pk=person.pk)).content.decode()
    assert HR_TEXT not in html and "Feels unheard." not in html
    assert "A person's sentiment is HR-sensitive" in html
    assert not SensitiveAccessLog.objects.exists()


def test_the_edit_form_logs_its_view_of_hr_fields_and_is_forbidden_to_the_executive(
    as_member, account_manager, client_executive, partnership
):
    person = StaffMemberFactory(partnership=partnership, support_details="Six weeks' pay.")
    as_member(account_manager).get(page("staff-update", partnership, pk=person.pk))
    assert SensitiveAccessLog.objects.filter(context="page.staff.edit").count() == 1
    executive = as_member(client_executive)
    assert executive.get(page("staff-update", partnership, pk=person.pk)).status_code == 403
    assert executive.get(page("staff-create", partnership)).status_code == 403


def staff_data(**overrides) -> dict:
    data = {
        "full_name": "Carla Mendes",
        "role": StaffRole.LPN,
        "site": "Student Health Center",
        "tenure_years": "9.5",
        "work_email": "c.mendes@client.example",
        "knowledge_areas": "Refill requests\nImmunization records",
        "outcome": Outcome.LAID_OFF,
        "outcome_status": "communicated",
        "notice_date": "2026-04-01",
        "last_day": "2026-06-15",
        "recognition": "",
        "support_offered": ["severance", "outplacement"],
        "support_details": "Twelve weeks' severance.",
        "hr_notes": "",
    }
    data.update(overrides)
    return data


def test_the_pm_adds_a_person(as_member, implementation_pm, partnership):
    response = as_member(implementation_pm).post(page("staff-create", partnership), staff_data())
    assert response.status_code == 302
    person = StaffMember.objects.get(partnership=partnership)
    assert person.knowledge_areas == ["Refill requests", "Immunization records"]
    # Without people access the HR-sensitive fields are not on the PM's form: not written.
    assert person.support_offered == [] and person.support_details == ""
    assert str(person.tenure_years) == "9.5"


def test_adding_a_person_names_the_field_in_error(as_member, implementation_pm, partnership):
    StaffMemberFactory(partnership=partnership, work_email="c.mendes@client.example")
    member = as_member(implementation_pm)
    response = member.post(page("staff-create", partnership), staff_data())
    assert "work_email" in response.context["form"].errors
    response = member.post(
        page("staff-create", partnership),
        staff_data(work_email="carla@client.example", last_day="2026-03-01"),
    )
    assert "last_day" in response.context["form"].errors
    assert StaffMember.objects.filter(partnership=partnership).count() == 1


def test_a_csv_import_with_errors_saves_nothing_and_lists_them_by_line(
    as_member, implementation_pm, partnership
):
    content = (
        "full_name,role,work_email,last_day\n"
        "Peg Ellison,Triage RN,peg@client.example,2026-06-30\n"
        "Kim Tran,Juggler,kim@client.example,someday\n"
    )
    response = as_member(implementation_pm).post(
        page("staff-import", partnership),
        {"file": SimpleUploadedFile("roster.csv", content.encode(), "text/csv")},
    )
    assert response.status_code == 200
    errors = response.context["row_errors"]
    assert {(error["row"], error["column"]) for error in errors} == {(3, "role"), (3, "last_day")}
    assert "Nothing was imported" in response.content.decode()
    assert not StaffMember.objects.filter(partnership=partnership).exists()


def test_a_valid_csv_import_adds_the_roster(as_member, implementation_pm, partnership):
    content = "full_name,role,outcome\nPeg Ellison,Triage RN,retiring\nLuis Ortega,scheduler,\n"
    response = as_member(implementation_pm).post(
        page("staff-import", partnership),
        {"file": SimpleUploadedFile("roster.csv", content.encode(), "text/csv")},
    )
    assert response.status_code == 302
    assert StaffMember.objects.filter(partnership=partnership).count() == 2


def test_appointing_a_manager_who_is_a_member_makes_them_pm_at_once(
    as_member, admin, org_a, partnership
):
    new_pm = MembershipFactory(
        organization=org_a, role=Role.IMPLEMENTATION_PM, user__email="renee@northstar.example"
    )
    manager = StaffMemberFactory(
        partnership=partnership,
        role=StaffRole.CALL_CENTER_MANAGER,
        work_email="renee@northstar.example",
    )
    member = as_member(admin)
    html = member.get(page("staff", partnership, pk=manager.pk)).content.decode()
    assert "Appoint as implementation PM" in html
    response = member.post(page("staff-appoint-pm", partnership, pk=manager.pk), follow=True)
    assert "is now an implementation PM of this partnership" in response.content.decode()
    assert new_pm.user in partnership.implementation_pms.all()


def test_appointing_someone_new_invites_them_and_needs_an_admin(
    as_member, admin, account_manager, partnership
):
    manager = StaffMemberFactory(
        partnership=partnership,
        role=StaffRole.CALL_CENTER_MANAGER,
        work_email="beth@client.example",
    )
    refused = as_member(account_manager).post(
        page("staff-appoint-pm", partnership, pk=manager.pk), follow=True
    )
    assert "only an admin can invite someone new" in refused.content.decode()
    assert not Invitation.objects.exists()
    invited = as_member(admin).post(
        page("staff-appoint-pm", partnership, pk=manager.pk), follow=True
    )
    assert "Invitation sent to beth@client.example" in invited.content.decode()
    invitation = Invitation.objects.get(email="beth@client.example")
    assert invitation.role == Role.IMPLEMENTATION_PM
    manager.refresh_from_db()
    assert manager.pm_invitation == invitation


def test_a_check_in_is_recorded_and_a_bad_score_names_the_field(
    as_member, implementation_pm, partnership
):
    person = StaffMemberFactory(partnership=partnership)
    member = as_member(implementation_pm)
    response = member.post(
        page("staff", partnership, pk=person.pk), {"score": "9", "note": "Better."}
    )
    assert "score" in response.context["check_in_form"].errors
    response = member.post(
        page("staff", partnership, pk=person.pk), {"score": "4", "note": "Better."}
    )
    assert response.status_code == 302
    assert SentimentCheckIn.objects.get(staff_member=person).score == 4


def test_a_group_moves_along_adkar_and_records_check_ins(
    as_member, account_manager, client_executive, partnership
):
    group = StakeholderGroupFactory(partnership=partnership, name="Schedulers")
    member = as_member(account_manager)
    response = member.post(
        page("group", partnership, pk=group.pk),
        {"form": "group", "name": "Schedulers", "headcount": "3", "adkar_stage": "knowledge"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.adkar_stage == "knowledge"
    member.post(page("group", partnership, pk=group.pk), {"form": "check-in", "score": "3"})
    assert group.check_ins.count() == 1
    executive = as_member(client_executive)
    assert executive.get(page("group", partnership, pk=group.pk)).status_code == 200
    assert (
        executive.post(page("group", partnership, pk=group.pk), {"form": "check-in"}).status_code
        == 403
    )


# --- Knowledge capture and communications ------------------------------------------------------


def test_knowledge_is_captured_reviewed_then_transferred(as_member, implementation_pm, partnership):
    person = StaffMemberFactory(partnership=partnership, outcome=Outcome.RETIRING)
    member = as_member(implementation_pm)
    response = member.post(
        page("knowledge", partnership),
        {
            "source": str(person.pk),
            "category": "physician_preference",
            "title": "Dr. Okafor and chest pain",
            "content": "Page directly, day or night.",
            "captured_on": "",
        },
    )
    assert response.status_code == 302
    item = KnowledgeItem.objects.get(partnership=partnership)
    assert item.source == person
    refused = member.post(page("knowledge-transfer", partnership, pk=item.pk), follow=True)
    assert "Review the item before marking it transferred." in refused.content.decode()
    member.post(page("knowledge-review", partnership, pk=item.pk))
    member.post(page("knowledge-transfer", partnership, pk=item.pk))
    item.refresh_from_db()
    assert item.status == KnowledgeStatus.TRANSFERRED


def test_capturing_knowledge_without_content_names_the_field(
    as_member, implementation_pm, partnership
):
    response = as_member(implementation_pm).post(
        page("knowledge", partnership),
        {"category": "standing_order", "title": "Ondansetron", "content": ""},
    )
    assert "content" in response.context["form"].errors


def test_the_communications_plan_adds_and_marks_sent(
    as_member, account_manager, client_executive, partnership
):
    member = as_member(account_manager)
    response = member.post(
        page("communications", partnership),
        {
            "audience": "All triage nurses",
            "message": "What changes and when.",
            "channel": "town_hall",
            "planned_on": "2026-03-10",
            "owner": str(account_manager.user.pk),
        },
    )
    assert response.status_code == 302
    item = CommunicationItem.objects.get(partnership=partnership)
    member.post(page("communication-sent", partnership, pk=item.pk))
    item.refresh_from_db()
    assert item.sent_at is not None
    executive = as_member(client_executive)
    assert (
        "All triage nurses" in executive.get(page("communications", partnership)).content.decode()
    )
    assert executive.post(page("communication-sent", partnership, pk=item.pk)).status_code == 403


def test_a_communication_owner_must_be_a_provider_member(
    as_member, account_manager, client_executive, partnership
):
    response = as_member(account_manager).post(
        page("communications", partnership),
        {
            "audience": "Students",
            "message": "New number.",
            "channel": "email",
            "planned_on": "2026-03-10",
            "owner": str(client_executive.user.pk),
        },
    )
    assert "owner" in response.context["form"].errors


@pytest.mark.parametrize("rows", [3, 30])
def test_knowledge_and_communications_query_counts_do_not_grow(
    as_member, account_manager, partnership, rows
):
    for _ in range(rows):
        person = StaffMemberFactory(partnership=partnership, outcome=Outcome.RETIRING)
        KnowledgeItemFactory(partnership=partnership, source=person)
        CommunicationItemFactory(partnership=partnership, owner=account_manager.user)
    member = as_member(account_manager)
    member.get(page("knowledge", partnership))
    counts = {
        name: count_queries(member, page(name, partnership))
        for name in ("knowledge", "communications")
    }
    # knowledge: the user with their memberships, partnership, roster (form choices), items
    # with people, coverage; communications: the user with their memberships, partnership,
    # groups (form choices), items with owners and groups, owner choices. (No PMs: the
    # account manager's rights do not ask for them.)
    assert counts == {"knowledge": 5, "communications": 5}


# --- Go/no-go ---------------------------------------------------------------------------------


def test_the_readiness_checklist_says_why_for_each_item(as_member, admin, partnership):
    tasks = chain(partnership, 2)
    PlanTask.objects.filter(pk=tasks[0].pk).update(status=TaskStatus.DONE)
    StaffMemberFactory(partnership=partnership, outcome=Outcome.UNDECIDED)
    response = as_member(admin).get(page("readiness", partnership))
    items = {item["key"]: item for item in response.context["readiness"]["items"]}
    assert items["critical_tasks"]["state"] == "open"
    assert items["staff_outcomes"]["state"] == "open"
    assert "0 of 1 people have an agreed or completed outcome." in response.content.decode()
    assert "Not ready yet" in response.content.decode()


def test_the_client_executive_records_a_decision_with_who_and_why(
    as_member, client_executive, partnership
):
    chain(partnership, 1)
    member = as_member(client_executive)
    missing = member.post(page("readiness", partnership), {"decision": "go", "rationale": ""})
    assert "rationale" in missing.context["decision_form"].errors
    response = member.post(
        page("readiness", partnership),
        {"decision": "no_go", "rationale": "Training is not finished."},
        follow=True,
    )
    record = GoNoGoDecision.objects.get(partnership=partnership)
    assert record.decided_by == client_executive.user and record.decision == "no_go"
    html = response.content.decode()
    assert "Training is not finished." in html and "Erin Executive" in html


def test_an_account_manager_of_another_partnership_may_read_but_not_decide(
    as_member, org_a, partnership
):
    other_manager = MembershipFactory(organization=org_a, role=Role.ACCOUNT_MANAGER)
    member = as_member(other_manager)
    assert member.get(page("readiness", partnership)).status_code == 200
    response = member.post(page("readiness", partnership), {"decision": "go", "rationale": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_the_readiness_query_count_does_not_grow_with_the_plan(
    as_member, account_manager, partnership, rows
):
    chain(partnership, rows)
    for _ in range(rows):
        StaffMemberFactory(partnership=partnership, outcome=Outcome.RETIRING)
    member = as_member(account_manager)
    member.get(page("readiness", partnership))
    # the user with their memberships, partnership, plan, tasks, dependencies, staff totals,
    # coverage, discovery sign-off, decisions (the account manager's rights do not read the
    # PMs).
    assert count_queries(member, page("readiness", partnership)) == 9


def test_the_plan_page_is_remembered_until_a_task_changes(
    as_member, implementation_pm, partnership
):
    tasks = chain(partnership, 3, owner=implementation_pm.user)
    member = as_member(implementation_pm)
    member.get(page("people", partnership))  # records the current organization once
    with CaptureQueriesContext(connection) as computed:
        first = member.get(page("plan", partnership)).content.decode()
    with CaptureQueriesContext(connection) as remembered:
        again = member.get(page("plan", partnership)).content.decode()
    assert len(remembered) < len(computed)
    assert [bar["status"] for bar in gantt_data(again)["tasks"]] == [
        bar["status"] for bar in gantt_data(first)["tasks"]
    ]
    PlanTask.objects.filter(pk=tasks[0].pk).update(title="Renamed first step")
    assert "Renamed first step" in member.get(page("plan", partnership)).content.decode()
