"""A plan's culture tasks: the shipped template names no caller population; each adaptation on
the partnership's culture tab gets a task in its kind's workstream, and the plan keeps them in
step (an adaptation added adds its task; one removed or dropped removes its task when it has
not started, else the task stays, flagged). Gantt: a done critical task shows as done."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from culture import services as culture_services
from culture.models import AdaptationKind, AdaptationStatus
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent
from tests.culture.factories import (
    AdaptationFactory,
    CallerPopulationFactory,
    CallerPopulationLanguageFactory,
)
from transition import selectors, services
from transition import templates_default as templates
from transition.models import PlanTask, PlanTemplate, TaskDependency, TaskStatus
from transition.views.plan import _gantt_task

pytestmark = pytest.mark.django_db


def page(name: str, partnership, **kwargs) -> str:
    return reverse(
        f"transition:{name}",
        kwargs={
            "org_slug": partnership.organization.slug,
            "partnership_pk": partnership.pk,
            **kwargs,
        },
    )


@pytest.fixture
def international(partnership):
    """International students who call in Mandarin and Hindi."""
    population = CallerPopulationFactory(
        partnership=partnership, name="International students", share_of_volume=Decimal("25")
    )
    CallerPopulationLanguageFactory(population=population, language="cmn", share=Decimal("40"))
    CallerPopulationLanguageFactory(population=population, language="hi", share=Decimal("25"))
    return population


def culture_tasks(plan) -> dict[int, PlanTask]:
    return {
        task.culture_adaptation_id: task
        for task in PlanTask.objects.filter(plan=plan, culture_adaptation_id__isnull=False)
    }


def predecessors(task) -> set[str]:
    return set(
        TaskDependency.objects.filter(successor=task).values_list("predecessor__key", flat=True)
    )


def successors(task) -> set[str]:
    return set(
        TaskDependency.objects.filter(predecessor=task).values_list("successor__key", flat=True)
    )


# --- The template ------------------------------------------------------------------------------


def test_the_shipped_template_names_no_caller_population():
    text = " ".join(
        f"{task.key} {task.title} {task.notes}" for task in templates.NURSE_TRIAGE_TEMPLATE
    )
    for population in ("rural", "Spanish", "student", "Mandarin", "Hindi", "retiree"):
        assert population.lower() not in text.lower()


def test_every_adaptation_kind_has_a_workstream_in_the_shipped_template():
    assert set(templates.CULTURE_WORKSTREAMS) == set(AdaptationKind.values)
    keys = {task.key: task for task in templates.NURSE_TRIAGE_TEMPLATE}
    for stream in templates.CULTURE_WORKSTREAMS.values():
        assert stream.after in keys
        assert keys[stream.before].milestone  # the workstream's milestone


# --- A new plan gets the partnership's culture tasks ---------------------------------------------


def test_a_new_plan_gets_a_task_per_adaptation_mandarin_and_hindi_included(
    partnership, international, implementation_pm, actor_for
):
    actor = actor_for(implementation_pm)
    mandarin = culture_services.adaptation_create(
        actor=actor,
        population=international,
        kind=AdaptationKind.LANGUAGE_COVERAGE,
        title="Mandarin-speaking nurse on late-night shifts",
        language="cmn",
        owner=implementation_pm.user,
        status=AdaptationStatus.IN_PROGRESS,
    )
    hindi = culture_services.adaptation_create(
        actor=actor,
        population=international,
        kind=AdaptationKind.SCRIPT,
        title="Hindi interpreter quick-connect from the IVR",
    )
    dropped = AdaptationFactory(population=international, status=AdaptationStatus.DROPPED)

    plan = services.plan_create(actor=actor, partnership=partnership)

    tasks = culture_tasks(plan)
    assert set(tasks) == {mandarin.pk, hindi.pk}  # not the dropped one
    assert dropped.pk not in tasks
    coverage = tasks[mandarin.pk]
    assert coverage.title == (
        "Language coverage, Mandarin Chinese: Mandarin-speaking nurse on late-night shifts "
        "· International students"
    )
    assert coverage.phase == "build"
    assert coverage.owner == implementation_pm.user
    assert coverage.status == TaskStatus.IN_PROGRESS  # as the adaptation is
    assert predecessors(coverage) == {"staffing-plan"}
    assert successors(coverage) == {"training-signoff"}
    script = tasks[hindi.pk]
    assert script.title.startswith("Script: Hindi interpreter quick-connect")
    assert predecessors(script) == {"scripts"} and successors(script) == {"build-complete"}
    # Placed where the workstream allows: the plan has no conflict.
    view = selectors.plan_view(membership=implementation_pm, plan=plan)
    assert view.schedule.conflicts == []
    assert AuditEvent.objects.filter(
        verb="transition_plan.culture_synced", target_id=str(plan.pk)
    ).exists()

    # The plan page shows them as culture tasks.
    from django.test import Client

    client = Client()
    client.force_login(implementation_pm.user)
    html = client.get(page("plan", partnership)).content.decode()
    assert "Mandarin-speaking nurse on late-night shifts" in html
    assert "Hindi interpreter quick-connect" in html
    assert "badge-culture" in html


def test_a_training_adaptation_lands_between_general_training_and_its_sign_off(
    plan, partnership, international, implementation_pm, actor_for
):
    adaptation = culture_services.adaptation_create(
        actor=actor_for(implementation_pm),
        population=international,
        kind=AdaptationKind.TRAINING,
        title="Cultural expectations of Chinese-speaking callers",
    )
    task = culture_tasks(plan)[adaptation.pk]
    general = PlanTask.objects.get(plan=plan, key="train-general")
    assert task.phase == "training"
    assert task.start == general.due + datetime.timedelta(days=1)
    assert predecessors(task) == {"train-general"}
    assert successors(task) == {"training-signoff"}


# --- Keeping them in step ------------------------------------------------------------------------


def test_an_adaptation_added_after_the_plan_adds_its_task(
    plan, international, implementation_pm, actor_for
):
    assert culture_tasks(plan) == {}
    adaptation = culture_services.adaptation_create(
        actor=actor_for(implementation_pm),
        population=international,
        kind=AdaptationKind.LANGUAGE_COVERAGE,
        title="Hindi-speaking nurse on evenings",
        language="hi",
    )
    task = culture_tasks(plan)[adaptation.pk]
    assert task.title.startswith("Language coverage, Hindi: Hindi-speaking nurse on evenings")
    event = AuditEvent.objects.filter(verb="transition_plan.culture_synced").latest("id")
    assert event.changes["added"] == [None, [task.title]]


def test_a_renamed_adaptation_renames_its_task(plan, international, implementation_pm, actor_for):
    actor = actor_for(implementation_pm)
    adaptation = culture_services.adaptation_create(
        actor=actor, population=international, kind=AdaptationKind.STAFFING, title="Night nurse"
    )
    culture_services.adaptation_update(
        actor=actor, adaptation=adaptation, title="Second night nurse Sun-Thu"
    )
    assert culture_tasks(plan)[adaptation.pk].title == (
        "Staffing: Second night nurse Sun-Thu · International students"
    )


def test_a_removed_adaptation_removes_its_task_when_it_has_not_started(
    plan, international, implementation_pm, actor_for
):
    actor = actor_for(implementation_pm)
    adaptation = culture_services.adaptation_create(
        actor=actor, population=international, kind=AdaptationKind.SCRIPT, title="Greeting in Hindi"
    )
    task = culture_tasks(plan)[adaptation.pk]
    culture_services.adaptation_delete(actor=actor, adaptation=adaptation)
    assert not PlanTask.objects.filter(pk=task.pk).exists()
    assert not TaskDependency.objects.filter(successor_id=task.pk).exists()
    event = AuditEvent.objects.filter(verb="transition_plan.culture_synced").latest("id")
    assert event.changes["removed"] == [[task.title], None]


@pytest.mark.parametrize("status", [TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.BLOCKED])
def test_a_removed_adaptation_whose_task_started_keeps_the_task_flagged(
    status, plan, partnership, international, implementation_pm, actor_for, client
):
    actor = actor_for(implementation_pm)
    adaptation = culture_services.adaptation_create(
        actor=actor, population=international, kind=AdaptationKind.SCRIPT, title="Greeting in Hindi"
    )
    task = culture_tasks(plan)[adaptation.pk]
    services.task_update(actor=actor, task=task, status=status)
    culture_services.adaptation_delete(actor=actor, adaptation=adaptation)

    task.refresh_from_db()
    assert task.status == status
    assert "removed from the culture tab" in task.culture_sync_flag
    client.force_login(implementation_pm.user)
    html = client.get(page("plan", partnership)).content.decode()
    assert "removed from the culture tab" in html
    html = client.get(page("task", partnership, pk=task.pk)).content.decode()
    assert "Its adaptation is gone." in html
    assert "Remove it from the plan" in html


def test_a_dropped_adaptation_counts_as_removed_and_coming_back_clears_the_flag(
    plan, international, implementation_pm, actor_for
):
    actor = actor_for(implementation_pm)
    started = culture_services.adaptation_create(
        actor=actor, population=international, kind=AdaptationKind.TRAINING, title="Role-play"
    )
    untouched = culture_services.adaptation_create(
        actor=actor, population=international, kind=AdaptationKind.TRAINING, title="Video module"
    )
    task = culture_tasks(plan)[started.pk]
    services.task_update(actor=actor, task=task, status=TaskStatus.IN_PROGRESS)
    for adaptation in (started, untouched):
        culture_services.adaptation_update(
            actor=actor, adaptation=adaptation, status=AdaptationStatus.DROPPED
        )
    assert set(culture_tasks(plan)) == {started.pk}
    task.refresh_from_db()
    assert task.culture_sync_flag

    culture_services.adaptation_update(
        actor=actor, adaptation=started, status=AdaptationStatus.PLANNED
    )
    task.refresh_from_db()
    assert task.culture_sync_flag == ""
    assert set(culture_tasks(plan)) == {started.pk}


def test_the_pm_removes_a_flagged_task_but_not_another(
    plan, partnership, international, implementation_pm, actor_for, client
):
    actor = actor_for(implementation_pm)
    adaptation = culture_services.adaptation_create(
        actor=actor, population=international, kind=AdaptationKind.SCRIPT, title="Greeting"
    )
    task = culture_tasks(plan)[adaptation.pk]
    services.task_update(actor=actor, task=task, status=TaskStatus.IN_PROGRESS)
    client.force_login(implementation_pm.user)

    # Not flagged (yet): refused, nothing removed.
    response = client.post(page("task", partnership, pk=task.pk), {"form": "remove"}, follow=True)
    assert "Only a task whose culture adaptation was removed" in response.content.decode()
    assert PlanTask.objects.filter(pk=task.pk).exists()

    culture_services.adaptation_delete(actor=actor, adaptation=adaptation)
    response = client.post(page("task", partnership, pk=task.pk), {"form": "remove"})
    assert response.status_code == 302 and response.url == page("plan", partnership)
    assert not PlanTask.objects.filter(pk=task.pk).exists()


def test_a_refused_adaptation_adds_no_task(plan, international, implementation_pm, actor_for):
    actor = actor_for(implementation_pm)
    culture_services.adaptation_create(
        actor=actor, population=international, kind=AdaptationKind.SCRIPT, title="Greeting"
    )
    with pytest.raises(ApplicationError) as error:
        culture_services.adaptation_create(
            actor=actor, population=international, kind=AdaptationKind.SCRIPT, title="greeting"
        )
    assert error.value.field == "title"
    assert len(culture_tasks(plan)) == 1


def test_who_may_sync_the_culture_tasks(
    plan, international, client_executive, account_manager, actor_for
):
    AdaptationFactory(population=international, kind=AdaptationKind.SCRIPT, title="Greeting")
    with pytest.raises(PermissionDenied):
        services.plan_sync_culture(actor=actor_for(client_executive), plan=plan)
    assert culture_tasks(plan) == {}
    with pytest.raises(PermissionDenied):
        culture_services.adaptation_create(
            actor=actor_for(client_executive),
            population=international,
            kind=AdaptationKind.SCRIPT,
            title="Another",
        )
    done = services.plan_sync_culture(actor=actor_for(account_manager), plan=plan)
    assert len(done.added) == 1
    # Once in step, a second sync changes nothing and records nothing.
    events = AuditEvent.objects.filter(verb="transition_plan.culture_synced").count()
    assert not services.plan_sync_culture(actor=actor_for(account_manager), plan=plan)
    assert AuditEvent.objects.filter(verb="transition_plan.culture_synced").count() == events


def test_a_template_saved_from_the_plan_leaves_the_culture_tasks_out(
    plan, international, implementation_pm, actor_for
):
    actor = actor_for(implementation_pm)
    culture_services.adaptation_create(
        actor=actor,
        population=international,
        kind=AdaptationKind.LANGUAGE_COVERAGE,
        title="Mandarin nurse",
        language="cmn",
    )
    template = services.plan_save_as_template(actor=actor, plan=plan, name="University plan")
    template = PlanTemplate.objects.get(pk=template.pk)
    assert len(template.tasks) == len(templates.NURSE_TRIAGE_TEMPLATE)
    assert "Mandarin" not in str(template.tasks)
    templates.parse_template(template.tasks)


# --- The Gantt data -------------------------------------------------------------------------------


def test_a_done_critical_task_shows_as_done_in_the_gantt(plan, implementation_pm, actor_for):
    actor = actor_for(implementation_pm)
    go_live = PlanTask.objects.get(plan=plan, key="kickoff")
    view = selectors.plan_view(membership=implementation_pm, plan=plan)
    assert view.schedule.timings[go_live.pk].critical
    services.task_update(actor=actor, task=go_live, status=TaskStatus.DONE)
    view = selectors.plan_view(membership=implementation_pm, plan=plan)
    row = next(row for row in selectors.gantt_rows(view) if row["key"] == "kickoff")
    bar = _gantt_task(row, "/task/")
    assert bar["done"] is True
    assert bar["custom_class"] == ""  # not drawn as critical: the chart shows it done


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_university_plan_has_its_mandarin_and_hindi_tasks(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    tasks = PlanTask.objects.filter(
        partnership__client__name__startswith="Lakeshore University",
        culture_adaptation_id__isnull=False,
    ).select_related("owner")
    titles = [task.title for task in tasks]
    assert any(title.startswith("Language coverage, Mandarin Chinese:") for title in titles)
    assert any("Hindi interpreter quick-connect" in title for title in titles)
    assert not any(title.startswith("Script: Script:") for title in titles)
    mandarin = next(task for task in tasks if "Mandarin" in task.title)
    assert mandarin.owner.email == "am@northstar.example"  # the adaptation's owner
