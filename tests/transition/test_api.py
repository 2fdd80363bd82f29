"""The transition API: roles, tenancy (404 for another tenant's objects), HR-sensitive fields
hidden from client executives and every view of them logged, bad input naming the field, and
flat query counts (the Gantt data of a 200-task plan included)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tenancy.models import Role
from tenancy.rest import NOT_FOUND
from tests.factories import MembershipFactory, PartnershipFactory
from tests.transition.factories import (
    CommunicationItemFactory,
    KnowledgeItemFactory,
    PlanTaskFactory,
    SentimentCheckInFactory,
    StaffMemberFactory,
    TaskDependencyFactory,
    TransitionPlanFactory,
)
from transition.models import (
    CalendarFeedKey,
    GoNoGoDecision,
    PlanTask,
    SensitiveAccessLog,
    StaffMember,
    TaskStatus,
    TransitionPlan,
)

pytestmark = pytest.mark.django_db

HR_FIELDS = ("support_offered", "support_details", "hr_notes")


def url(name: str, org, partnership=None, **kwargs) -> str:
    if partnership is not None:
        kwargs["partnership_pk"] = partnership.pk
    return reverse(f"api:{name}", kwargs={"org_slug": org.slug, **kwargs})


def login(api, membership):
    api.force_authenticate(membership.user)
    return api


# --- The plan ----------------------------------------------------------------------------


def test_a_pm_creates_the_plan_and_reads_it(api, org_a, partnership, implementation_pm):
    login(api, implementation_pm)
    response = api.post(url("transition-plan-list", org_a, partnership), {}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["go_live"]["forecast"] == "2026-06-01"
    assert body["go_live"]["slip_days"] is None  # no baseline yet
    assert body["task_count"] == PlanTask.objects.filter(partnership=partnership).count()
    assert "calendar days" in body["calendar_note"].lower()
    again = api.post(url("transition-plan-list", org_a, partnership), {}, format="json")
    assert again.status_code == 409
    assert "partnership" in again.json()

    baseline = api.post(url("transition-plan-baseline", org_a, partnership), {}, format="json")
    assert baseline.status_code == 200 and baseline.json()["baselined_at"]
    twice = api.post(url("transition-plan-baseline", org_a, partnership), {}, format="json")
    assert twice.status_code == 400 and "replace" in twice.json()

    path = api.get(url("transition-plan-critical-path", org_a, partnership)).json()
    titles = [step["title"] for step in path["path"]]
    assert "Go/no-go decision" in titles and "Go-live" in titles
    assert path["conflicts"] == []


def test_no_plan_yet_answers_404_with_a_clear_message(api, org_a, partnership, admin):
    login(api, admin)
    response = api.get(url("transition-plan-list", org_a, partnership))
    assert response.status_code == 404
    assert "no transition plan yet" in response.json()["detail"]


def test_a_plan_needs_a_go_live_named_as_the_field(api, org_a, admin):
    partnership = PartnershipFactory(organization=org_a, planned_go_live=None)
    login(api, admin)
    response = api.post(url("transition-plan-list", org_a, partnership), {}, format="json")
    assert response.status_code == 400
    assert "go_live" in response.json()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 201),
        ("account_manager", 201),
        ("implementation_pm", 201),
        ("client_executive", 403),
    ],
)
def test_plan_creation_per_role(request, api, org_a, partnership, who, expected):
    login(api, request.getfixturevalue(who))
    response = api.post(url("transition-plan-list", org_a, partnership), {}, format="json")
    assert response.status_code == expected


def test_a_pm_of_another_partnership_sees_nothing(
    api, org_a, other_client_partnership, implementation_pm
):
    login(api, implementation_pm)
    for name in ("transition-plan-list", "transition-task-list", "transition-staff-list"):
        response = api.get(url(name, org_a, other_client_partnership))
        assert response.status_code == 404
        assert response.json() == {"detail": NOT_FOUND}


def test_an_account_manager_sees_but_may_not_change_another_managers_partnership(
    api, org_a, other_client_partnership, account_manager
):
    login(api, account_manager)
    assert api.get(url("transition-task-list", org_a, other_client_partnership)).status_code == 200
    response = api.post(
        url("transition-plan-list", org_a, other_client_partnership), {}, format="json"
    )
    assert response.status_code == 403


def test_another_tenants_objects_answer_404(
    api, org_a, org_b, partnership, outsider, outsider_partnership, admin, plan
):
    foreign_plan = TransitionPlanFactory(partnership=outsider_partnership)
    foreign_task = PlanTaskFactory(plan=foreign_plan)
    foreign_staff = StaffMemberFactory(partnership=outsider_partnership)
    login(api, admin)
    # Harbor's partnership under Northstar's slug, Harbor's task under Northstar's partnership.
    for address in (
        url("transition-task-list", org_a, outsider_partnership),
        url("transition-task-detail", org_a, partnership, pk=foreign_task.pk),
        url("transition-staff-detail", org_a, partnership, pk=foreign_staff.pk),
        url("transition-check-in-list", org_a, partnership, staff_pk=foreign_staff.pk),
        url("transition-task-list", org_b, outsider_partnership),
    ):
        response = api.get(address)
        assert response.status_code == 404, address
        assert response.json() == {"detail": NOT_FOUND}
    # And the outsider gets nothing of Northstar's.
    login(api, outsider)
    task = PlanTask.objects.filter(plan=plan).first()
    assert api.get(url("transition-task-detail", org_a, partnership, pk=task.pk)).status_code == 404
    assert api.get(url("transition-task-detail", org_b, partnership, pk=task.pk)).status_code == 404


def test_a_predecessor_from_another_tenant_is_simply_not_found(
    api, org_a, partnership, outsider_partnership, implementation_pm, plan
):
    foreign = PlanTaskFactory(plan=TransitionPlanFactory(partnership=outsider_partnership))
    task = PlanTask.objects.get(plan=plan, key="kickoff")
    login(api, implementation_pm)
    response = api.patch(
        url("transition-task-detail", org_a, partnership, pk=task.pk),
        {"dependencies": [{"predecessor": foreign.pk, "lag_days": 0}]},
        format="json",
    )
    assert response.status_code == 400
    assert "dependencies" in response.json()
    assert not task.predecessor_links.filter(predecessor=foreign).exists()


# --- Tasks -------------------------------------------------------------------------------


def test_creating_and_moving_tasks_with_auto_schedule(
    api, org_a, partnership, implementation_pm, plan
):
    login(api, implementation_pm)
    review = PlanTask.objects.get(plan=plan, key="parallel-run-review")
    created = api.post(
        url("transition-task-list", org_a, partnership),
        {
            "phase": "parallel_run",
            "title": "Review after-hours pages with the on-call physicians",
            "start": "2026-05-10",
            "due": "2026-05-12",
            "owner": implementation_pm.user_id,
            "dependencies": [{"predecessor": review.pk, "lag_days": 0}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["task"]["dependencies"] == [{"predecessor": review.pk, "lag_days": 0}]
    # It starts before its predecessor ends: the conflict is reported, not silently fixed.
    assert body["conflicts"][0]["predecessor"] == review.pk

    new_id = body["task"]["id"]
    moved = api.post(
        url("transition-task-move", org_a, partnership, pk=review.pk),
        {"start": (review.start + datetime.timedelta(days=2)).isoformat(), "auto_schedule": True},
        format="json",
    ).json()
    moved_ids = {row["id"] for row in moved["moved"]}
    assert new_id in moved_ids
    assert PlanTask.objects.get(plan=plan, key="go-live").start == datetime.date(2026, 6, 3)


def test_a_cycle_is_refused_through_the_api(api, org_a, partnership, implementation_pm, plan):
    login(api, implementation_pm)
    kickoff = PlanTask.objects.get(plan=plan, key="kickoff")
    golive = PlanTask.objects.get(plan=plan, key="go-live")
    response = api.patch(
        url("transition-task-detail", org_a, partnership, pk=kickoff.pk),
        {"dependencies": [{"predecessor": golive.pk}]},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["dependencies"][0]
    assert message.startswith("This dependency would make a cycle: Go-live → Transition kick-off")
    assert message.endswith("→ Go-live.")


def test_bad_task_input_names_the_field(api, org_a, partnership, implementation_pm, plan):
    login(api, implementation_pm)
    response = api.post(
        url("transition-task-list", org_a, partnership),
        {"phase": "build", "title": "Backwards", "start": "2026-05-10", "due": "2026-05-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "due" in response.json()
    response = api.post(
        url("transition-task-list", org_a, partnership),
        {"phase": "lunch", "title": "x", "start": "2026-05-10", "due": "2026-05-11"},
        format="json",
    )
    assert "phase" in response.json()


def test_client_executives_read_tasks_and_comment_but_never_see_internal_comments(
    api, org_a, partnership, client_executive, implementation_pm, plan
):
    """Task comments are the comment thread of the task (`api:comment-list`)."""
    task = PlanTask.objects.get(plan=plan, key="go-no-go")
    comments = reverse(
        "api:comment-list", kwargs={"org_slug": org_a.slug, "partnership_pk": partnership.pk}
    )
    thread = {"target_type": "transition.plantask", "target_id": task.pk}
    login(api, implementation_pm)
    api.post(comments, {**thread, "body": "Internal: the vendor is late again."}, format="json")
    login(api, client_executive)
    assert api.get(url("transition-task-list", org_a, partnership)).status_code == 200
    assert (
        api.patch(
            url("transition-task-detail", org_a, partnership, pk=task.pk),
            {"title": "x"},
            format="json",
        ).status_code
        == 403
    )
    posted = api.post(
        comments, {**thread, "body": "We will bring our CMO to the go/no-go."}, format="json"
    )
    assert posted.status_code == 201
    assert posted.json()["shared_with_client"] is True
    bodies = [c["body"] for c in api.get(comments, thread).json()["results"]]
    assert bodies == ["We will bring our CMO to the go/no-go."]


def _big_plan(partnership, size: int) -> TransitionPlan:
    plan = TransitionPlanFactory(partnership=partnership)
    start = datetime.date(2026, 1, 5)
    previous = None
    for index in range(size):
        task = PlanTaskFactory(
            plan=plan,
            start=start + datetime.timedelta(days=index),
            due=start + datetime.timedelta(days=index),
        )
        if previous is not None and index % 3:
            TaskDependencyFactory(predecessor=previous, successor=task)
        previous = task
    return plan


@pytest.mark.parametrize("size", [3, 200])
def test_gantt_data_takes_the_same_queries_for_3_and_200_tasks(
    api, org_a, partnership, implementation_pm, django_assert_num_queries, size
):
    _big_plan(partnership, size)
    login(api, implementation_pm)
    # 1 membership, 2 partnership, 3 plan, 4 tasks with owners, 5 dependencies
    # (a read asks no question of the PMs, so they are not loaded)
    with django_assert_num_queries(5):
        response = api.get(url("transition-plan-gantt", org_a, partnership))
    assert response.status_code == 200
    assert len(response.json()["tasks"]) == size


@pytest.mark.parametrize("size", [3, 30])
def test_task_list_queries_are_flat(
    api, org_a, partnership, implementation_pm, django_assert_num_queries, size
):
    _big_plan(partnership, size)
    login(api, implementation_pm)
    # 1 membership, 2 partnership, 3 its PMs, 4 count, 5 page of tasks with owners,
    # 6 their dependencies (prefetch)
    with django_assert_num_queries(6):
        response = api.get(url("transition-task-list", org_a, partnership))
    assert response.json()["count"] == size


# --- People: HR-sensitive fields and the view log ----------------------------------------


def _sensitive_staff(partnership, count: int, **kwargs) -> list[StaffMember]:
    return StaffMemberFactory.create_batch(
        count,
        partnership=partnership,
        support_offered=["severance", "counselling"],
        support_details="Twelve weeks of severance.",
        hr_notes="Asked for a reference letter.",
        **kwargs,
    )


def test_client_executives_never_see_hr_fields(api, org_a, partnership, client_executive):
    (hidden,) = _sensitive_staff(partnership, 1)
    login(api, client_executive)
    (row,) = api.get(url("transition-staff-list", org_a, partnership)).json()["results"]
    assert not any(field in row for field in HR_FIELDS)
    assert row["full_name"] == hidden.full_name  # the rest is there
    assert "shared_with_client" not in row  # the flag is gone (issue 9)
    detail = api.get(url("transition-staff-detail", org_a, partnership, pk=hidden.pk)).json()
    assert not any(field in detail for field in HR_FIELDS)
    assert not SensitiveAccessLog.objects.exists()  # nothing was shown


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", True),
        ("account_manager", True),
        ("implementation_pm", False),  # not without people access (test_people_access.py)
        ("other_am", False),  # an account manager who is not this partnership's
        ("client_executive", False),
    ],
)
def test_hr_fields_per_role(request, api, org_a, partnership, who, sees):
    (staff,) = _sensitive_staff(partnership, 1)
    membership = (
        MembershipFactory(organization=org_a, role=Role.ACCOUNT_MANAGER)
        if who == "other_am"
        else request.getfixturevalue(who)
    )
    login(api, membership)
    row = api.get(url("transition-staff-detail", org_a, partnership, pk=staff.pk)).json()
    assert ("hr_notes" in row) is sees
    assert SensitiveAccessLog.objects.filter(viewer=membership.user).exists() is sees


@pytest.mark.parametrize("size", [3, 30])
def test_every_view_is_logged_in_one_insert(
    api, org_a, partnership, account_manager, django_assert_num_queries, size
):
    _sensitive_staff(partnership, size)
    login(api, account_manager)
    # 1 membership, 2 partnership, 3 count, 4 page of staff,
    # 5 one bulk insert into the view log
    with django_assert_num_queries(5):
        response = api.get(url("transition-staff-list", org_a, partnership))
    assert response.json()["count"] == size
    logs = SensitiveAccessLog.objects.filter(viewer=account_manager.user)
    assert logs.count() == size
    first = logs.first()
    assert first.viewer_role == "account_manager"
    assert first.fields == sorted(HR_FIELDS)
    assert first.partnership_id == partnership.pk


def test_records_without_hr_content_are_not_logged(api, org_a, partnership, admin):
    StaffMemberFactory.create_batch(3, partnership=partnership)
    login(api, admin)
    api.get(url("transition-staff-list", org_a, partnership))
    assert not SensitiveAccessLog.objects.exists()


def test_a_persons_check_ins_are_refused_to_client_executives_and_views_logged(
    api, org_a, partnership, client_executive, implementation_pm, account_manager
):
    staff = StaffMemberFactory(partnership=partnership)
    SentimentCheckInFactory(staff_member=staff, score=2, note="Angry about the lay-off.")
    SentimentCheckInFactory(staff_member=staff, score=4, note="Proud of the team.")
    address = url("transition-check-in-list", org_a, partnership, staff_pk=staff.pk)
    login(api, client_executive)
    # A named person's sentiment is never the client's to read (issue 9).
    assert api.get(address).status_code == 403
    assert api.post(address, {"score": 3}, format="json").status_code == 403
    assert not SensitiveAccessLog.objects.exists()
    login(api, account_manager)
    assert all("note" in row for row in api.get(address).json()["results"])
    assert list(SensitiveAccessLog.objects.values_list("viewer_id", "staff_member_id")) == [
        (account_manager.user_id, staff.pk)
    ]
    login(api, implementation_pm)
    created = api.post(address, {"score": 7}, format="json")
    assert created.status_code == 400 and "score" in created.json()


def test_sentiment_flags_are_for_the_account_team_only(
    api, org_a, partnership, client_executive, account_manager
):
    staff = StaffMemberFactory(partnership=partnership, full_name="Pat Doe")
    for day, score in ((1, 2), (8, 1)):
        SentimentCheckInFactory(
            staff_member=staff, score=score, checked_on=datetime.date(2026, 3, day)
        )
    login(api, client_executive)
    assert api.get(url("transition-staff-sentiment-flags", org_a, partnership)).status_code == 403
    login(api, account_manager)
    flags = api.get(url("transition-staff-sentiment-flags", org_a, partnership)).json()
    assert flags[0]["name"] == "Pat Doe" and flags[0]["flags"][0] == "low_twice"


def test_csv_import_through_the_api(api, org_a, partnership, implementation_pm, client_executive):
    address = url("transition-staff-import-csv", org_a, partnership)
    good = SimpleUploadedFile(
        "roster.csv", b"full_name,role,email\nAnn Lee,Triage RN,ann@uh.example\n", "text/csv"
    )
    login(api, client_executive)
    assert api.post(address, {"file": good}, format="multipart").status_code == 403
    login(api, implementation_pm)
    good.seek(0)
    response = api.post(address, {"file": good}, format="multipart")
    assert response.status_code == 201 and response.json() == {"created": 1, "updated": 0}
    bad = api.post(address, {"csv": "full_name,role\nBob,astronaut\n"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"row": 2, "column": "role", "message": bad.json()["errors"][0]["message"]}
    ]
    assert "file" in bad.json()
    assert StaffMember.objects.count() == 1


def test_a_csv_cell_over_128_kb_is_a_row_error(api, org_a, partnership, implementation_pm):
    login(api, implementation_pm)
    roster = f'full_name,role,email\nAnn Lee,Triage RN,ann@uh.example\n"{"x" * 140_000}",x,y\n'
    response = api.post(
        url("transition-staff-import-csv", org_a, partnership), {"csv": roster}, format="json"
    )
    assert response.status_code == 400
    assert "128 KB" in response.json()["errors"][0]["message"]
    assert not StaffMember.objects.exists()


def test_an_import_over_2_mb_is_refused_before_it_is_read(
    api, org_a, partnership, implementation_pm
):
    login(api, implementation_pm)
    address = url("transition-staff-import-csv", org_a, partnership)
    row = b"Ann Lee,Triage RN,ann@uh.example\n"
    big = SimpleUploadedFile(
        "roster.csv", b"full_name,role,email\n" + row * (3 * 1024 * 1024 // len(row)), "text/csv"
    )
    response = api.post(address, {"file": big}, format="multipart")
    assert response.status_code == 400
    assert response.json()["file"] == ["The file is larger than 2 MB; split it."]
    text = api.post(address, {"csv": "full_name\n" + "x" * (3 * 1024 * 1024)}, format="json")
    assert text.status_code == 400 and "file" in text.json()
    assert not StaffMember.objects.exists()


def test_notice_check_and_knowledge_coverage_endpoints(api, org_a, partnership, client_executive):
    StaffMemberFactory(
        partnership=partnership, outcome="laid_off", last_day=datetime.date(2026, 7, 1)
    )
    login(api, client_executive)
    notice = api.get(url("transition-staff-notice-check", org_a, partnership)).json()
    assert notice["warning"] is False and "not legal advice" in notice["disclaimer"]
    coverage = api.get(url("transition-knowledge-coverage", org_a, partnership)).json()
    assert coverage["departing"] == 1 and coverage["people"][0]["captured"] == 0


def test_knowledge_review_and_transfer(api, org_a, partnership, implementation_pm):
    item = KnowledgeItemFactory(partnership=partnership)
    login(api, implementation_pm)
    early = api.post(url("transition-knowledge-transfer", org_a, partnership, pk=item.pk))
    assert early.status_code == 400 and "status" in early.json()
    api.post(url("transition-knowledge-review", org_a, partnership, pk=item.pk))
    done = api.post(url("transition-knowledge-transfer", org_a, partnership, pk=item.pk)).json()
    assert done["status"] == "transferred"
    assert done["transferred_by"]["id"] == implementation_pm.user_id


@pytest.mark.parametrize("size", [3, 30])
def test_knowledge_and_communications_lists_are_flat(
    api, org_a, partnership, implementation_pm, django_assert_num_queries, size
):
    staff = StaffMemberFactory(partnership=partnership)
    KnowledgeItemFactory.create_batch(size, partnership=partnership, source=staff)
    CommunicationItemFactory.create_batch(
        size, partnership=partnership, owner=implementation_pm.user
    )
    login(api, implementation_pm)
    # 1 membership, 2 partnership, 3 its PMs, 4 count, 5 page with its people (joins)
    with django_assert_num_queries(5):
        assert api.get(url("transition-knowledge-list", org_a, partnership)).json()["count"] == size
    with django_assert_num_queries(5):
        assert (
            api.get(url("transition-communication-list", org_a, partnership)).json()["count"]
            == size
        )


def test_communications_plan(api, org_a, partnership, implementation_pm, client_executive):
    login(api, implementation_pm)
    created = api.post(
        url("transition-communication-list", org_a, partnership),
        {
            "audience": "All triage nurses",
            "message": "Your outcome, your last day and the support we offer.",
            "channel": "one_on_one",
            "planned_on": "2026-03-15",
            "owner": implementation_pm.user_id,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    item_id = created.json()["id"]
    sent = api.post(
        url("transition-communication-mark-sent", org_a, partnership, pk=item_id), {}, format="json"
    )
    assert sent.json()["is_sent"] is True
    again = api.post(
        url("transition-communication-mark-sent", org_a, partnership, pk=item_id), {}, format="json"
    )
    assert again.status_code == 400 and "sent_at" in again.json()
    bad_owner = api.post(
        url("transition-communication-list", org_a, partnership),
        {
            "audience": "x",
            "message": "x",
            "channel": "email",
            "planned_on": "2026-03-15",
            "owner": client_executive.user_id,
        },
        format="json",
    )
    assert bad_owner.status_code == 400 and "owner" in bad_owner.json()


def test_appoint_pm_through_the_api(api, org_a, partnership, admin, account_manager):
    staff = StaffMemberFactory(partnership=partnership, work_email="dana@uh.example")
    login(api, account_manager)
    assert (
        api.post(url("transition-staff-appoint-pm", org_a, partnership, pk=staff.pk)).status_code
        == 403
    )
    login(api, admin)
    response = api.post(url("transition-staff-appoint-pm", org_a, partnership, pk=staff.pk))
    assert response.json() == {
        "state": "invited",
        "staff_member": staff.pk,
        "email": "dana@uh.example",
    }
    assert (
        api.get(url("transition-staff-detail", org_a, partnership, pk=staff.pk)).json()[
            "pm_appointment"
        ]
        == "invited"
    )


def test_a_pm_cannot_make_a_colleague_pm_of_their_partnership(
    api, org_a, partnership, implementation_pm, account_manager
):
    """Appointing a PM opens the partnership (HR data included) to someone: the account
    manager's decision. A staff row carrying a colleague's e-mail changes nothing of that."""
    colleague = MembershipFactory(
        organization=org_a, role=Role.IMPLEMENTATION_PM, user__email="colleague@northstar.example"
    )
    staff = StaffMemberFactory(partnership=partnership, work_email="colleague@northstar.example")
    login(api, implementation_pm)
    appoint = url("transition-staff-appoint-pm", org_a, partnership, pk=staff.pk)
    assert api.post(appoint).status_code == 403
    assert colleague.user not in partnership.implementation_pms.all()
    login(api, account_manager)
    assert api.post(appoint).json()["state"] == "assigned"
    assert colleague.user in partnership.implementation_pms.all()


# --- Readiness and the decision ----------------------------------------------------------


def test_readiness_and_the_go_no_go_decision(
    api, org_a, partnership, implementation_pm, client_executive, plan
):
    login(api, implementation_pm)
    readiness = api.get(url("transition-readiness-list", org_a, partnership)).json()
    items = {item["key"]: item for item in readiness["items"]}
    assert set(items) == {"critical_tasks", "training", "staff_outcomes", "knowledge", "discovery"}
    assert items["critical_tasks"]["state"] == "open"
    assert items["staff_outcomes"]["state"] == "not_available"  # no roster yet
    assert items["discovery"]["state"] == "open"
    assert readiness["ready"] is False

    StaffMemberFactory(
        partnership=partnership, outcome="hired_by_provider", outcome_status="agreed"
    )
    training = PlanTask.objects.filter(plan=plan, phase="training", is_milestone=False)
    training.update(status=TaskStatus.DONE)
    items = {
        item["key"]: item
        for item in api.get(url("transition-readiness-list", org_a, partnership)).json()["items"]
    }
    assert items["staff_outcomes"]["state"] == "done"
    assert items["training"]["state"] == "done"
    assert items["knowledge"]["state"] == "done"  # nobody departing

    login(api, client_executive)
    no_reason = api.post(
        url("transition-readiness-decide", org_a, partnership),
        {"decision": "no_go", "rationale": " "},
        format="json",
    )
    assert no_reason.status_code == 400 and "rationale" in no_reason.json()
    decided = api.post(
        url("transition-readiness-decide", org_a, partnership),
        {"decision": "no_go", "rationale": "Parallel run quality is below baseline."},
        format="json",
    )
    assert decided.status_code == 201
    record = GoNoGoDecision.objects.get()
    assert record.decided_by == client_executive.user
    assert record.readiness["ready"] is False
    listed = api.get(url("transition-readiness-list", org_a, partnership)).json()["decisions"]
    assert listed[0]["rationale"] == "Parallel run quality is below baseline."


def test_another_clients_executive_cannot_decide(api, org_a, other_client_partnership):
    stranger = MembershipFactory(organization=org_a, role=Role.CLIENT_EXECUTIVE)
    login(api, stranger)
    response = api.post(
        url("transition-readiness-decide", org_a, other_client_partnership),
        {"decision": "go", "rationale": "x"},
        format="json",
    )
    assert response.status_code == 404  # not their client's partnership: invisible


# --- My tasks, bulk status and the calendar feed -----------------------------------------


def test_my_tasks_buckets(api, org_a, partnership, implementation_pm, account_manager, plan):
    today = org_a.local_today()  # the organization's date, not the server's
    mine = dict(owner=implementation_pm.user, plan=plan)
    overdue = PlanTaskFactory(
        **mine,
        title="Overdue",
        start=today - datetime.timedelta(days=5),
        due=today - datetime.timedelta(days=2),
    )
    soon = PlanTaskFactory(
        **mine, title="Soon", start=today, due=today + datetime.timedelta(days=6)
    )
    later = PlanTaskFactory(
        **mine, title="Later", start=today, due=today + datetime.timedelta(days=7)
    )
    theirs = PlanTaskFactory(
        plan=plan, owner=account_manager.user, title="Their part", start=today, due=today
    )
    TaskDependencyFactory(predecessor=theirs, successor=later)
    PlanTaskFactory(**mine, title="Done", status=TaskStatus.DONE, start=today, due=today)
    login(api, implementation_pm)
    body = api.get(url("transition-my-tasks-list", org_a)).json()
    assert [t["id"] for t in body["overdue"]] == [overdue.pk]
    assert [t["id"] for t in body["due_this_week"]] == [soon.pk]
    assert [t["id"] for t in body["blocked_by_others"]] == [later.pk]
    assert body["blocked_by_others"][0]["blocked_by"][0]["title"] == "Their part"
    assert body["open_count"] == 3
    assert body["overdue"][0]["days_overdue"] == 2


def test_bulk_status_through_the_api(
    api, org_a, partnership, other_client_partnership, implementation_pm, plan
):
    tasks = list(PlanTask.objects.filter(plan=plan)[:2])
    invisible = PlanTaskFactory(plan=TransitionPlanFactory(partnership=other_client_partnership))
    login(api, implementation_pm)
    address = url("transition-my-tasks-bulk-status", org_a)
    refused = api.post(
        address, {"tasks": [tasks[0].pk, invisible.pk], "status": "done"}, format="json"
    )
    assert refused.status_code == 400 and "tasks" in refused.json()
    assert not PlanTask.objects.filter(status="done").exists()
    done = api.post(address, {"tasks": [t.pk for t in tasks], "status": "done"}, format="json")
    assert done.status_code == 200
    assert PlanTask.objects.filter(status="done").count() == 2


def test_the_calendar_feed_by_key_session_and_nowhere_else(
    api, org_a, org_b, partnership, implementation_pm, plan
):
    task = PlanTask.objects.get(plan=plan, key="go-no-go")
    task.owner = implementation_pm.user
    task.save()
    login(api, implementation_pm)
    issued = api.post(url("transition-my-tasks-calendar-key", org_a))
    assert issued.status_code == 201
    feed_url = issued.json()["url"]
    # The key is the path's last segment, never a query string (logs mask that segment).
    assert "?" not in feed_url and "/my-tasks/calendar/feed/" in feed_url
    key = feed_url.rstrip("/").rsplit("/", 1)[1]
    api.force_authenticate(None)
    api.logout()
    feed = url("transition-my-tasks-calendar-feed", org_a, feed_key=key)
    assert feed_url.endswith(feed)
    response = api.get(feed)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]  # fetched by key, kept by no cache
    text = response.content.decode()
    assert "BEGIN:VCALENDAR" in text and "Go/no-go decision" in text
    assert "DTSTART;VALUE=DATE:20260530" in text
    # The key opens this organization's feed only, and nothing else of the API; the old
    # query-string form opens nothing.
    MembershipFactory(organization=org_b, user=implementation_pm.user, role=Role.ADMIN)
    assert api.get(url("transition-my-tasks-calendar-feed", org_b, feed_key=key)).status_code == (
        404
    )
    assert api.get(url("transition-my-tasks-calendar", org_a), {"key": key}).status_code in (
        401,
        403,
    )
    assert api.get(url("transition-my-tasks-list", org_a), {"key": key}).status_code in (401, 403)
    wrong = url("transition-my-tasks-calendar-feed", org_a, feed_key="not-the-key")
    assert api.get(wrong).status_code == 401
    # Session auth works on the plain feed; a revoked key does not.
    login(api, implementation_pm)
    assert api.get(url("transition-my-tasks-calendar", org_a)).status_code == 200
    assert api.delete(url("transition-my-tasks-calendar-key", org_a)).status_code == 204
    api.force_authenticate(None)
    api.logout()
    assert api.get(feed).status_code == 401
    assert CalendarFeedKey.objects.get().revoked_at is not None


@pytest.mark.parametrize("how", ["removed", "deactivated"])
def test_a_calendar_key_dies_with_the_membership_or_the_account(
    api, org_a, admin, implementation_pm, actor_for, how
):
    from accounts import services as account_services

    login(api, implementation_pm)
    key = api.post(url("transition-my-tasks-calendar-key", org_a)).json()["url"]
    key = key.rstrip("/").rsplit("/", 1)[1]
    feed = url("transition-my-tasks-calendar-feed", org_a, feed_key=key)
    api.force_authenticate(None)
    api.logout()
    assert api.get(feed).status_code == 200
    user = implementation_pm.user
    if how == "removed":
        account_services.membership_remove(actor=actor_for(admin), membership=implementation_pm)
        # Invited back, the person is a member again; the old feed address stays dead.
        MembershipFactory(organization=org_a, user=user, role=Role.IMPLEMENTATION_PM)
    else:
        user.is_active = False
        user.save()
        account_services.user_deactivated(user=user)
        user.is_active = True  # switched back on
        user.save()
    assert api.get(feed).status_code == 401
    assert CalendarFeedKey.objects.get(user=user).revoked_at is not None
    if how == "removed":  # the removal's audit event says what went with the membership
        from tenancy.models import AuditEvent

        event = AuditEvent.objects.get(verb="member.removed")
        assert event.changes["calendar_feed_keys_revoked"] == [None, 1]


# --- Templates ---------------------------------------------------------------------------


def test_templates_for_provider_members_only(
    api, org_a, partnership, admin, implementation_pm, client_executive, plan
):
    login(api, implementation_pm)
    builtin = api.get(url("transition-template-builtin", org_a)).json()
    assert builtin["task_count"] == len(builtin["tasks"]) >= 38
    saved = api.post(
        url("transition-plan-save-as-template", org_a, partnership),
        {"name": "University"},
        format="json",
    )
    assert saved.status_code == 201
    assert [
        t["name"] for t in api.get(url("transition-template-list", org_a)).json()["results"]
    ] == ["University"]
    template_id = saved.json()["id"]
    assert api.delete(url("transition-template-detail", org_a, pk=template_id)).status_code == 403
    login(api, client_executive)
    assert api.get(url("transition-template-list", org_a)).json()["results"] == []
    assert api.get(url("transition-template-detail", org_a, pk=template_id)).status_code == 404
    assert api.get(url("transition-template-builtin", org_a)).status_code == 404
    login(api, admin)
    assert api.delete(url("transition-template-detail", org_a, pk=template_id)).status_code == 204


def test_the_gantt_data_is_remembered_until_a_task_changes(
    api, org_a, partnership, implementation_pm, django_assert_num_queries
):
    """Read again in the same minute without a write, the Gantt data is what was computed
    (the membership's query only); completing a task shows at once."""
    plan = _big_plan(partnership, 3)
    login(api, implementation_pm)
    gantt = url("transition-plan-gantt", org_a, partnership)
    first = api.get(gantt).json()
    with django_assert_num_queries(2):  # the membership, the partnership (404 stays live)
        assert api.get(gantt).json() == first
    task = plan.tasks.order_by("start").first()
    PlanTask.objects.filter(pk=task.pk).update(status="done")
    bars = {bar["id"]: bar for bar in api.get(gantt).json()["tasks"]}
    assert bars[task.pk]["status"] == "done"


def test_a_remembered_gantt_is_never_anothers(api, org_a, partnership, implementation_pm, outsider):
    """Another tenant's member asking for the same URL gets 404, never the remembered data."""
    _big_plan(partnership, 3)
    login(api, implementation_pm)
    gantt = url("transition-plan-gantt", org_a, partnership)
    assert api.get(gantt).status_code == 200
    login(api, outsider)
    assert api.get(gantt).status_code == 404
