"""Plans from templates, baselines, dependencies without cycles, moving tasks with and without
auto-schedule, bulk status, templates saved from plans, and who may do each."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent, Role
from tests.factories import MembershipFactory, PartnershipFactory
from tests.transition.conftest import GO_LIVE
from tests.transition.factories import PlanTaskFactory, TransitionPlanFactory
from transition import schedule, selectors, services
from transition import templates_default as templates
from transition.models import Phase, PlanTask, PlanTemplate, TaskDependency, TaskStatus

pytestmark = pytest.mark.django_db


def day(offset: int) -> datetime.date:
    return GO_LIVE + datetime.timedelta(days=offset)


# --- The shipped template ----------------------------------------------------------------


def test_the_shipped_template_is_a_realistic_nurse_triage_transition():
    tasks = templates.NURSE_TRIAGE_TEMPLATE
    assert 38 <= len(tasks) <= 45
    assert {task.phase for task in tasks} == set(Phase.values)
    keys = {task.key for task in tasks}
    for needed in (
        "telephony-cutover",
        "protocol-configuration",
        "physician-preferences",
        "parallel-run",
        "go-no-go",
        "go-live",
        "knowledge-interviews",
    ):
        assert needed in keys
    # No caller population is written into the template: those tasks come from the
    # partnership's adaptations (tests/transition/test_culture_tasks.py).
    assert [task.key for task in tasks if task.key.startswith("train-")] == ["train-general"]
    assert [task.key for task in tasks if task.go_live] == ["go-live"]
    templates.parse_template(templates.default_template_json())  # valid in its own format


def test_the_shipped_offsets_are_the_earliest_schedule_with_go_live_at_zero():
    """Laid out from its offsets, the template has no conflict, every task starts as early as
    its dependencies allow (except those that have none), and go-live is at offset 0."""
    tasks = list(templates.NURSE_TRIAGE_TEMPLATE)
    index = {task.key: i for i, task in enumerate(tasks)}
    nodes = [
        schedule.Node(
            i,
            day(task.offset),
            day(task.offset + max(task.duration - 1, 0)),
            milestone=task.milestone,
        )
        for i, task in enumerate(tasks)
    ]
    edges = [
        schedule.Edge(index[link.key], index[task.key], link.lag)
        for task in tasks
        for link in task.depends_on
    ]
    result = schedule.compute(nodes, edges)
    assert result.conflicts == []
    for task in tasks:
        if task.depends_on:
            required = max(
                day(tasks[index[link.key]].offset).toordinal()
                + (0 if tasks[index[link.key]].milestone else tasks[index[link.key]].duration)
                + link.lag
                for link in task.depends_on
            )
            assert day(task.offset).toordinal() == required, task.key
    assert tasks[index["go-live"]].offset == 0
    assert index["go-live"] in result.critical_path
    assert index["go-no-go"] in result.critical_path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t[1]["depends_on"].append({"key": "nope", "lag": 0}), "unknown task nope"),
        (lambda t: t[0].update(depends_on=[{"key": t[1]["key"], "lag": 0}]), "make a cycle"),
        (lambda t: t[1].update(duration=2), "a milestone has a duration of 0"),
        (lambda t: t[0].update(phase="lunch"), "the phase must be one of"),
        (lambda t: t[0].update(key=t[1]["key"]), "the key is used twice"),
        (lambda t: t[0].update(offset="soon"), "the offset must be a whole number"),
    ],
)
def test_a_broken_template_is_refused_naming_the_task(change, message):
    tasks = [
        {"key": "build", "phase": "build", "title": "Build", "duration": 3, "offset": -5},
        {
            "key": "go-live",
            "phase": "go_live",
            "title": "Go-live",
            "duration": 0,
            "offset": 0,
            "milestone": True,
            "depends_on": [{"key": "build", "lag": 0}],
        },
    ]
    change(tasks)
    with pytest.raises(templates.TemplateError, match=message):
        templates.parse_template(tasks)


# --- Creating a plan ---------------------------------------------------------------------


def test_a_plan_is_laid_out_around_go_live(plan, partnership):
    tasks = {task.key: task for task in PlanTask.objects.filter(plan=plan)}
    assert len(tasks) == len(templates.NURSE_TRIAGE_TEMPLATE)
    assert plan.go_live == GO_LIVE
    assert plan.go_live_task == tasks["go-live"]
    assert (tasks["go-live"].start, tasks["go-live"].due) == (GO_LIVE, GO_LIVE)
    kickoff = tasks["kickoff"]
    assert (kickoff.start, kickoff.due) == (day(-77), day(-77))
    inventory = tasks["service-inventory"]
    assert (inventory.start, inventory.due) == (day(-76), day(-62))  # 15 days inclusive
    assert tasks["telephony-cutover"].due == day(-1)
    assert tasks["lessons-learned"].start == day(23)
    assert all(task.partnership_id == partnership.pk for task in tasks.values())
    assert TaskDependency.objects.filter(partnership=partnership).count() == sum(
        len(t.depends_on) for t in templates.NURSE_TRIAGE_TEMPLATE
    )
    assert AuditEvent.objects.filter(
        verb="transition_plan.created", partnership=partnership
    ).exists()


def test_a_plan_from_another_go_live_and_an_organization_template(partnership, admin, actor_for):
    template = services.plan_template_create(
        actor=actor_for(admin),
        name="Small clinic",
        tasks=[
            {"key": "build", "phase": "build", "title": "Build", "duration": 3, "offset": -5},
            {
                "key": "go-live",
                "phase": "go_live",
                "title": "Go-live",
                "duration": 0,
                "offset": 0,
                "milestone": True,
                "go_live": True,
                "depends_on": [{"key": "build", "lag": 2}],
            },
        ],
    )
    plan = services.plan_create(
        actor=actor_for(admin),
        partnership=partnership,
        template=template,
        go_live=datetime.date(2026, 9, 1),
    )
    build = PlanTask.objects.get(plan=plan, key="build")
    assert (build.start, build.due) == (datetime.date(2026, 8, 27), datetime.date(2026, 8, 29))
    assert plan.template_name == "Small clinic"


def test_one_plan_per_partnership(plan, partnership, implementation_pm, actor_for):
    with pytest.raises(ApplicationError) as caught:
        services.plan_create(actor=actor_for(implementation_pm), partnership=partnership)
    assert caught.value.field == "partnership"
    assert caught.value.status == 409


def test_a_plan_needs_a_go_live(org_a, admin, actor_for):
    partnership = PartnershipFactory(organization=org_a, planned_go_live=None)
    with pytest.raises(ApplicationError) as caught:
        services.plan_create(actor=actor_for(admin), partnership=partnership)
    assert caught.value.field == "go_live"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("account_manager", True),  # the dedicated AM
        ("implementation_pm", True),  # assigned to it
        ("client_executive", False),
        ("other_am", False),  # an account manager, but not this partnership's
        ("other_pm", False),  # a PM of the organization, not assigned here
    ],
)
def test_who_may_create_the_plan(request, org_a, partnership, actor_for, who, allowed):
    if who in ("other_am", "other_pm"):
        role = Role.ACCOUNT_MANAGER if who == "other_am" else Role.IMPLEMENTATION_PM
        membership = MembershipFactory(organization=org_a, role=role)
    else:
        membership = request.getfixturevalue(who)
    if allowed:
        services.plan_create(actor=actor_for(membership), partnership=partnership)
    else:
        with pytest.raises(PermissionDenied):
            services.plan_create(actor=actor_for(membership), partnership=partnership)


# --- Baseline ----------------------------------------------------------------------------


def test_baseline_is_recorded_once_and_replaced_only_when_asked(plan, implementation_pm, actor_for):
    actor = actor_for(implementation_pm)
    services.plan_baseline(actor=actor, plan=plan)
    task = PlanTask.objects.get(plan=plan, key="parallel-run")
    assert (task.baseline_start, task.baseline_due) == (task.start, task.due)
    task.start += datetime.timedelta(days=3)
    task.due += datetime.timedelta(days=3)
    task.save()
    with pytest.raises(ApplicationError) as caught:
        services.plan_baseline(actor=actor, plan=plan)
    assert caught.value.field == "replace"
    task.refresh_from_db()
    assert task.baseline_due == task.due - datetime.timedelta(days=3)  # untouched
    services.plan_baseline(actor=actor, plan=plan, replace=True)
    task.refresh_from_db()
    assert task.baseline_due == task.due
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="transition_plan.").values_list(
            "verb", flat=True
        )
    )
    assert "transition_plan.baselined" in verbs and "transition_plan.rebaselined" in verbs


def test_go_live_slip_against_baseline(plan, implementation_pm, actor_for):
    actor = actor_for(implementation_pm)
    services.plan_baseline(actor=actor, plan=plan)
    parallel = PlanTask.objects.get(plan=plan, key="parallel-run")
    services.task_update(actor=actor, task=parallel, due=parallel.due + datetime.timedelta(days=4))
    view = selectors.plan_view(membership=implementation_pm, plan=plan)
    forecast = selectors.go_live_forecast(view)
    # Parallel run is on the critical path: go-live slips by the same four days.
    assert forecast["baseline"] == GO_LIVE
    assert forecast["forecast"] == GO_LIVE + datetime.timedelta(days=4)
    assert forecast["slip_days"] == 4
    assert forecast["days_past_planned"] == 4
    rows = {row["key"]: row for row in selectors.gantt_rows(view)}
    assert rows["parallel-run"]["slip_days"] == 4
    assert rows["go-no-go"]["slip_days"] == 4
    assert rows["recognition"]["slip_days"] == 4  # pushed via go/no-go
    assert rows["staffing-plan"]["slip_days"] == 0
    assert rows["go-live"]["critical"] and rows["parallel-run"]["critical"]
    assert not rows["staffing-plan"]["critical"]


# --- Dependencies ------------------------------------------------------------------------


def test_a_dependency_that_would_make_a_cycle_is_refused_with_its_path(
    plan, implementation_pm, actor_for
):
    by_key = {task.key: task for task in PlanTask.objects.filter(plan=plan)}
    kickoff = by_key["kickoff"]
    before = TaskDependency.objects.filter(successor=kickoff).count()
    with pytest.raises(ApplicationError) as caught:
        services.task_update(
            actor=actor_for(implementation_pm),
            task=kickoff,
            dependencies=[(by_key["patient-experience-session"], 0)],
        )
    assert caught.value.field == "dependencies"
    assert caught.value.message == (
        "This dependency would make a cycle: "
        "Desired patient experience session with the client → "
        "Transition kick-off with client leadership and the account manager → "
        "Inventory the services the current center delivers (volumes, hours, baseline KPIs) → "
        "Desired patient experience session with the client."
    )
    assert TaskDependency.objects.filter(successor=kickoff).count() == before


def test_dependencies_are_replaced_and_checked(plan, implementation_pm, actor_for, org_a):
    actor = actor_for(implementation_pm)
    tasks = {task.key: task for task in PlanTask.objects.filter(plan=plan)}
    services.task_update(
        actor=actor, task=tasks["recognition"], dependencies=[(tasks["parallel-run-review"], 1)]
    )
    links = list(TaskDependency.objects.filter(successor=tasks["recognition"]))
    assert [(link.predecessor_id, link.lag_days) for link in links] == [
        (tasks["parallel-run-review"].pk, 1)
    ]
    with pytest.raises(ApplicationError, match="cannot depend on itself"):
        services.task_update(
            actor=actor, task=tasks["kickoff"], dependencies=[(tasks["kickoff"], 0)]
        )
    other_plan = TransitionPlanFactory(partnership=PartnershipFactory(organization=org_a))
    stranger = PlanTaskFactory(plan=other_plan)
    with pytest.raises(ApplicationError, match="belongs to another plan"):
        services.task_update(actor=actor, task=tasks["kickoff"], dependencies=[(stranger, 0)])


# --- Moving tasks ------------------------------------------------------------------------


def test_moving_a_task_flags_the_conflict_without_auto_schedule(plan, implementation_pm, actor_for):
    tasks = {task.key: task for task in PlanTask.objects.filter(plan=plan)}
    curriculum = tasks["training-curriculum"]
    general_start = tasks["train-general"].start
    change = services.task_move(
        actor=actor_for(implementation_pm),
        task=curriculum,
        start=curriculum.start + datetime.timedelta(days=5),
    )
    assert change.moved == []
    (conflict,) = change.conflicts
    assert conflict.successor == tasks["train-general"].pk
    assert conflict.days == 5
    tasks["train-general"].refresh_from_db()
    assert tasks["train-general"].start == general_start


def test_auto_schedule_moves_the_dependants(plan, implementation_pm, actor_for):
    tasks = {task.key: task for task in PlanTask.objects.filter(plan=plan)}
    before = {key: (task.start, task.due) for key, task in tasks.items()}
    change = services.task_move(
        actor=actor_for(implementation_pm),
        task=tasks["training-curriculum"],
        start=tasks["training-curriculum"].start + datetime.timedelta(days=5),
        auto_schedule=True,
    )
    moved = {task.key for task in change.moved}
    assert {
        "train-general",
        "training-signoff",
        "parallel-run",
        "go-live",
    } <= moved
    assert "staffing-plan" not in moved  # not downstream
    assert "acceptance-testing" not in moved  # downstream of build, which did not move
    assert change.conflicts == []
    for key in moved:
        task = PlanTask.objects.get(pk=tasks[key].pk)
        assert task.start == before[key][0] + datetime.timedelta(days=5), key
        assert (task.due - task.start) == (before[key][1] - before[key][0]), key
    view = selectors.plan_view(membership=implementation_pm, plan=plan)
    assert view.schedule.conflicts == []
    assert AuditEvent.objects.filter(verb="transition_task.dependants_moved").exists()


def test_plan_auto_schedule_resolves_every_conflict(plan, implementation_pm, actor_for):
    actor = actor_for(implementation_pm)
    parallel = PlanTask.objects.get(plan=plan, key="parallel-run")
    services.task_update(actor=actor, task=parallel, due=parallel.due + datetime.timedelta(days=2))
    assert selectors.plan_view(membership=implementation_pm, plan=plan).schedule.conflicts
    moved = services.plan_auto_schedule(actor=actor, plan=plan)
    assert {task.key for task in moved} >= {"parallel-run-review", "go-no-go", "go-live"}
    assert selectors.plan_view(membership=implementation_pm, plan=plan).schedule.conflicts == []
    assert PlanTask.objects.get(plan=plan, key="go-live").start == GO_LIVE + datetime.timedelta(
        days=2
    )


def test_a_milestone_is_one_day(plan, implementation_pm, actor_for):
    go_live = PlanTask.objects.get(plan=plan, key="go-live")
    with pytest.raises(ApplicationError) as caught:
        services.task_update(
            actor=actor_for(implementation_pm),
            task=go_live,
            due=GO_LIVE + datetime.timedelta(days=1),
        )
    assert caught.value.field == "due"


def test_an_owner_must_be_a_provider_member(plan, implementation_pm, client_executive, actor_for):
    task = PlanTask.objects.get(plan=plan, key="kickoff")
    with pytest.raises(ApplicationError) as caught:
        services.task_update(
            actor=actor_for(implementation_pm), task=task, owner=client_executive.user
        )
    assert caught.value.field == "owner"


def test_bulk_status_is_all_or_nothing(plan, org_a, implementation_pm, actor_for):
    tasks = list(PlanTask.objects.filter(plan=plan).select_related("partnership")[:3])
    foreign = PlanTaskFactory(
        plan=TransitionPlanFactory(partnership=PartnershipFactory(organization=org_a))
    )
    with pytest.raises(PermissionDenied):
        services.task_bulk_status(
            actor=actor_for(implementation_pm), tasks=[*tasks, foreign], status=TaskStatus.DONE
        )
    assert not PlanTask.objects.filter(status=TaskStatus.DONE).exists()
    services.task_bulk_status(
        actor=actor_for(implementation_pm), tasks=tasks, status=TaskStatus.DONE
    )
    done = PlanTask.objects.filter(status=TaskStatus.DONE)
    assert done.count() == 3 and all(task.completed_at for task in done)


# --- Templates saved from plans ----------------------------------------------------------


def test_a_plan_saved_as_a_template_lays_out_the_same_plan(
    plan, org_a, admin, implementation_pm, actor_for
):
    template = services.plan_save_as_template(
        actor=actor_for(implementation_pm), plan=plan, name="University standard"
    )
    assert template.task_count == len(templates.NURSE_TRIAGE_TEMPLATE)
    other = PartnershipFactory(organization=org_a, planned_go_live=datetime.date(2026, 10, 1))
    copy = services.plan_create(actor=actor_for(admin), partnership=other, template=template)
    original = {
        t.key: (t.start - GO_LIVE, t.duration_days) for t in PlanTask.objects.filter(plan=plan)
    }
    copied = {
        t.key: (t.start - datetime.date(2026, 10, 1), t.duration_days)
        for t in PlanTask.objects.filter(plan=copy)
    }
    assert copied == original
    assert copy.go_live_task.key == "go-live"
    with pytest.raises(ApplicationError) as caught:
        services.plan_save_as_template(
            actor=actor_for(implementation_pm), plan=plan, name="university STANDARD"
        )
    assert caught.value.field == "name"


def test_only_admins_curate_templates(implementation_pm, account_manager, admin, actor_for):
    tasks = templates.default_template_json()
    for member in (implementation_pm, account_manager):
        with pytest.raises(PermissionDenied):
            services.plan_template_create(actor=actor_for(member), name="Mine", tasks=tasks)
    template = services.plan_template_create(actor=actor_for(admin), name="Mine", tasks=tasks)
    with pytest.raises(ApplicationError) as caught:
        services.plan_template_create(actor=actor_for(admin), name="Broken", tasks=[{"key": "x"}])
    assert caught.value.field == "tasks"
    services.plan_template_delete(actor=actor_for(admin), template=template)
    assert not PlanTemplate.objects.exists()
