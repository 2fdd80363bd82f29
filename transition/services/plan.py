"""Writes for transition plans: create from a template, baseline, save as a template, tasks
with their dependencies (no cycles), moving tasks with or without auto-schedule, bulk status,
comments, go/no-go decisions and the calendar feed key. Keyword-only, atomic, audited.

A plan's culture tasks (one per adaptation of the partnership's culture tab) are kept in step
by `plan_sync_culture`, which reads `culture.selectors` (the documented exception in
pyproject.toml) and runs when a plan is created and when an adaptation is saved or deleted
(`culture.signals`, connected in transition/apps.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from culture import selectors as culture_selectors
from tenancy import access
from tenancy.access import Action
from tenancy.audit import Actor, audit_record, diff
from tenancy.errors import ApplicationError
from tenancy.services import check_fields
from transition import schedule, selectors
from transition import templates_default as templates
from transition.models import (
    MAX_LAG_DAYS,
    MIN_LAG_DAYS,
    CalendarFeedKey,
    Decision,
    GoNoGoDecision,
    PlanTask,
    PlanTemplate,
    TaskDependency,
    TaskStatus,
    TransitionPlan,
)
from transition.services._common import (
    clean,
    provider_member,
    require_work,
    snapshot,
    update,
)

MAX_BULK_TASKS = 200


# --- Plans -----------------------------------------------------------------------------


def _template_tasks(template: PlanTemplate | None) -> tuple[str, list[templates.T]]:
    if template is None:
        return templates.NURSE_TRIAGE_TEMPLATE_NAME, list(templates.NURSE_TRIAGE_TEMPLATE)
    try:
        return template.name, templates.parse_template(template.tasks)
    except templates.TemplateError as error:
        raise ApplicationError(f"The template is not valid: {error}", field="template") from error


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    partnership,
    template: PlanTemplate | None = None,
    go_live: datetime.date | None = None,
) -> TransitionPlan:
    """Lay a template out around the go-live date (the partnership's planned go-live unless
    another date is given): each task starts `offset` days from go-live and lasts `duration`
    calendar days; dependencies are copied by key. No template: the shipped nurse-triage one."""
    require_work(actor, partnership)
    if TransitionPlan.objects.filter(partnership=partnership).exists():
        raise ApplicationError(
            "This partnership already has a transition plan.", field="partnership", status=409
        )
    if template is not None and template.organization_id != partnership.organization_id:
        raise ApplicationError("Nothing matches this template.", field="template")
    go_live = go_live or partnership.planned_go_live
    if go_live is None:
        raise ApplicationError(
            "Give a go-live date, or set the partnership's planned go-live first.",
            field="go_live",
        )
    name, tasks = _template_tasks(template)
    plan = TransitionPlan(
        organization_id=partnership.organization_id,
        partnership=partnership,
        template_name=name,
        go_live=go_live,
        created_by_id=actor.membership.user_id,
    )
    clean(plan, exclude=["go_live_task"])
    plan.save()
    rows = []
    for position, item in enumerate(tasks):
        start = go_live + datetime.timedelta(days=item.offset)
        rows.append(
            PlanTask(
                organization_id=partnership.organization_id,
                partnership=partnership,
                plan=plan,
                key=item.key,
                phase=item.phase,
                title=item.title,
                start=start,
                due=start + datetime.timedelta(days=max(item.duration - 1, 0)),
                estimate_hours=item.estimate,
                is_milestone=item.milestone,
                notes=item.notes,
                sort_order=position,
            )
        )
    PlanTask.objects.bulk_create(rows, batch_size=500)
    by_key = {row.key: row for row in rows}
    TaskDependency.objects.bulk_create(
        [
            TaskDependency(
                organization_id=partnership.organization_id,
                partnership=partnership,
                predecessor=by_key[link.key],
                successor=by_key[item.key],
                lag_days=link.lag,
            )
            for item in tasks
            for link in item.depends_on
        ],
        batch_size=500,
    )
    go_live_item = next((item for item in tasks if item.go_live), None)
    if go_live_item is not None:
        plan.go_live_task = by_key[go_live_item.key]
        plan.save(update_fields=["go_live_task", "updated_at"])
    audit_record(
        actor=actor,
        verb="transition_plan.created",
        target=plan,
        partnership=partnership,
        changes={"template": [None, name], "go_live": [None, go_live.isoformat()]},
    )
    plan_sync_culture(actor=actor, plan=plan)
    return plan


# --- Culture tasks ---------------------------------------------------------------------

REMOVED_FLAG = (
    "Its adaptation was removed from the culture tab (or dropped) after this task started, "
    "so the task was kept: finish it, or remove it from the plan if the work is no longer "
    "needed."
)


@dataclass
class CultureSync:
    """What `plan_sync_culture` did to the plan's culture tasks."""

    added: list[PlanTask] = field(default_factory=list)
    renamed: list[PlanTask] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # titles: the tasks are gone
    flagged: list[PlanTask] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.renamed or self.removed or self.flagged)


def _culture_title(item: culture_selectors.PlanAdaptation) -> str:
    stream = templates.CULTURE_WORKSTREAMS[item.kind]
    prefix = f"{stream.prefix}, {item.language}" if item.language else stream.prefix
    name = item.title
    if name.casefold().startswith(f"{stream.prefix.casefold()}:"):  # "Script: …" already
        name = name[len(stream.prefix) + 1 :].strip() or name
    title = f"{prefix}: {name} · {item.population}"
    return title if len(title) <= 200 else title[:199] + "…"


def _culture_notes(item: culture_selectors.PlanAdaptation) -> str:
    due = f" The culture tab has it due on {item.due_date:%b %-d, %Y}." if item.due_date else ""
    return (
        f"From the culture tab: the {item.kind_label.lower()} adaptation “{item.title}” for "
        f"{item.population}.{due} This task follows the adaptation: it goes when the adaptation "
        "is deleted or dropped (if the task has not started)."
    )


def _culture_status(item: culture_selectors.PlanAdaptation) -> str:
    # An adaptation already under way or done when the plan learns of it is so in the plan.
    return {"done": TaskStatus.DONE, "in_progress": TaskStatus.IN_PROGRESS}.get(
        item.status, TaskStatus.NOT_STARTED
    )


def _add_culture_task(
    *,
    plan: TransitionPlan,
    item: culture_selectors.PlanAdaptation,
    by_key: dict[str, PlanTask],
    graph: list[schedule.Edge],
    position: int,
    owners: set[int],
) -> PlanTask:
    """A task for `item` in its kind's workstream: after the workstream's task (or at the
    workstream's offset from go-live when the plan has none), before its milestone."""
    stream = templates.CULTURE_WORKSTREAMS[item.kind]
    after, before = by_key.get(stream.after), by_key.get(stream.before)
    if after is not None:
        start = after.start if after.is_milestone else after.due + datetime.timedelta(days=1)
    else:
        start = plan.go_live + datetime.timedelta(days=stream.offset)
    status = _culture_status(item)
    key = f"culture-{item.id}"
    task = PlanTask(
        organization_id=plan.organization_id,
        partnership_id=plan.partnership_id,
        plan=plan,
        key="" if key in by_key else key,  # a hand-made template may have used it
        phase=stream.phase,
        title=_culture_title(item),
        owner_id=item.owner_id if item.owner_id in owners else None,
        start=start,
        due=start + datetime.timedelta(days=stream.duration - 1),
        estimate_hours=stream.estimate,
        status=status,
        completed_at=timezone.now() if status == TaskStatus.DONE else None,
        notes=_culture_notes(item),
        sort_order=position,
        culture_adaptation_id=item.id,
    )
    clean(task, exclude=["owner"])
    task.save()
    links = []
    if after is not None:
        links.append((after.pk, task.pk))
    if before is not None and not schedule.cycle_path_if_added(graph, task.pk, before.pk):
        links.append((task.pk, before.pk))
    for predecessor, successor in links:
        TaskDependency.objects.create(
            organization_id=plan.organization_id,
            partnership_id=plan.partnership_id,
            predecessor_id=predecessor,
            successor_id=successor,
        )
        graph.append(schedule.Edge(predecessor, successor, 0))
    return task


@transaction.atomic
def plan_sync_culture(*, actor: Actor, plan: TransitionPlan) -> CultureSync:
    """Keep the plan's culture tasks in step with the partnership's adaptations: a task for
    each adaptation that is not dropped (placed by `templates.CULTURE_WORKSTREAMS`), its title
    following the adaptation's; the task of a deleted or dropped adaptation goes if it has not
    started, else it stays, flagged for the PM. Audited when anything changed."""
    require_work(actor, plan.partnership)
    TransitionPlan.objects.select_for_update().filter(pk=plan.pk).first()
    from tenancy.models import PROVIDER_ROLES, Membership

    wanted = {
        item.id: item
        for item in culture_selectors.plan_adaptations(plan.partnership)
        if item.kind in templates.CULTURE_WORKSTREAMS
    }
    tasks, graph = _plan_graph(plan)
    existing = {task.culture_adaptation_id: task for task in tasks if task.from_culture}
    by_key = {task.key: task for task in tasks if task.key}
    owners = set(
        Membership.objects.filter(
            organization_id=plan.organization_id,
            role__in=PROVIDER_ROLES,
            user_id__in={item.owner_id for item in wanted.values() if item.owner_id},
        ).values_list("user_id", flat=True)
    )
    done = CultureSync()
    position = len(tasks)
    for adaptation_id, item in wanted.items():
        task = existing.get(adaptation_id)
        if task is None:
            done.added.append(
                _add_culture_task(
                    plan=plan,
                    item=item,
                    by_key=by_key,
                    graph=graph,
                    position=position,
                    owners=owners,
                )
            )
            position += 1
            continue
        fields = {}
        if task.title != _culture_title(item):
            fields["title"] = _culture_title(item)
        if task.culture_sync_flag:
            fields["culture_sync_flag"] = ""  # the adaptation is back (no longer dropped)
        if fields:
            for name, value in fields.items():
                setattr(task, name, value)
            task.save(update_fields=[*fields, "updated_at"])
            done.renamed.append(task)
    for adaptation_id, task in existing.items():
        if adaptation_id in wanted:
            continue
        if task.status == TaskStatus.NOT_STARTED:
            done.removed.append(task.title)
            task.delete()
        elif task.culture_sync_flag != REMOVED_FLAG:
            task.culture_sync_flag = REMOVED_FLAG
            task.save(update_fields=["culture_sync_flag", "updated_at"])
            done.flagged.append(task)
    if done:
        changes = {
            "added": [None, [task.title for task in done.added]],
            "updated": [None, [task.title for task in done.renamed]],
            "removed": [done.removed, None],
            "flagged": [None, [task.title for task in done.flagged]],
        }
        audit_record(
            actor=actor,
            verb="transition_plan.culture_synced",
            target=plan,
            partnership=plan.partnership,
            changes={key: value for key, value in changes.items() if any(value)},
        )
    return done


@transaction.atomic
def plan_baseline(*, actor: Actor, plan: TransitionPlan, replace: bool = False) -> TransitionPlan:
    """Freeze every task's current start and due as its baseline. Recorded once; replacing
    an existing baseline must be asked for explicitly, and is audited as a re-baseline."""
    require_work(actor, plan.partnership)
    plan = TransitionPlan.objects.select_for_update().get(pk=plan.pk)
    previous = plan.baselined_at
    if previous is not None and not replace:
        raise ApplicationError(
            f"The plan was baselined on {previous.date().isoformat()}. Re-baselining replaces "
            "the dates slip is measured against; ask for it explicitly (replace).",
            field="replace",
        )
    tasks = list(PlanTask.objects.filter(plan=plan).only("id", "start", "due"))
    for task in tasks:
        task.baseline_start, task.baseline_due = task.start, task.due
    PlanTask.objects.bulk_update(tasks, ["baseline_start", "baseline_due"], batch_size=1000)
    plan.baselined_at = timezone.now()
    plan.baselined_by_id = actor.membership.user_id
    plan.save(update_fields=["baselined_at", "baselined_by", "updated_at"])
    audit_record(
        actor=actor,
        verb="transition_plan.rebaselined" if previous else "transition_plan.baselined",
        target=plan,
        partnership=plan.partnership,
        changes={
            "baselined_at": [
                previous.isoformat() if previous else None,
                plan.baselined_at.isoformat(),
            ],
            "tasks": [None, len(tasks)],
        },
    )
    return plan


def _template_json_from_plan(plan: TransitionPlan) -> list[dict[str, Any]]:
    # Culture tasks belong to this partnership's populations: a template names none (the next
    # plan gets its own from its partnership's adaptations).
    tasks = list(
        PlanTask.objects.filter(plan=plan, culture_adaptation_id__isnull=True).order_by(
            "start", "sort_order", "id"
        )
    )
    links = list(
        TaskDependency.objects.filter(
            successor__plan=plan,
            successor__culture_adaptation_id__isnull=True,
            predecessor__culture_adaptation_id__isnull=True,
        ).order_by("id")
    )
    go_live_task = next((t for t in tasks if t.pk == plan.go_live_task_id), None)
    anchor = go_live_task.start if go_live_task else plan.go_live
    keys: dict[int, str] = {}
    used: set[str] = set()
    for task in tasks:
        key = task.key or f"task-{task.pk}"
        while key in used:
            key = f"{key}-{task.pk}"
        used.add(key)
        keys[task.pk] = key
    incoming: dict[int, list[TaskDependency]] = {}
    for link in links:
        incoming.setdefault(link.successor_id, []).append(link)
    return [
        {
            "key": keys[task.pk],
            "phase": task.phase,
            "title": task.title,
            "duration": task.duration_days,
            "offset": (task.start - anchor).days,
            "estimate": float(task.estimate_hours) if task.estimate_hours is not None else None,
            "milestone": task.is_milestone,
            "go_live": task.pk == plan.go_live_task_id,
            "notes": task.notes,
            "depends_on": [
                {"key": keys[link.predecessor_id], "lag": link.lag_days}
                for link in incoming.get(task.pk, [])
            ],
        }
        for task in tasks
    ]


def _unique_template_name(organization_id: int, name: str, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Name the template.", field="name")
    if name.casefold() == templates.NURSE_TRIAGE_TEMPLATE_NAME.casefold():
        raise ApplicationError("That is the name of the shipped template.", field="name")
    clash = PlanTemplate.objects.filter(organization_id=organization_id, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ApplicationError(f"A template named “{name}” already exists.", field="name")
    return name


@transaction.atomic
def plan_save_as_template(
    *, actor: Actor, plan: TransitionPlan, name: str, description: str = ""
) -> PlanTemplate:
    """Save a plan as a new template of the organization, relative to its go-live."""
    require_work(actor, plan.partnership)
    name = _unique_template_name(plan.organization_id, name)
    tasks = _template_json_from_plan(plan)
    try:
        templates.parse_template(tasks)
    except templates.TemplateError as error:
        raise ApplicationError(f"This plan cannot be a template: {error}", field="plan") from error
    template = PlanTemplate(
        organization_id=plan.organization_id,
        name=name,
        description=description,
        tasks=tasks,
        created_by_id=actor.membership.user_id,
        source_partnership_id=plan.partnership_id,
    )
    clean(template)
    template.save()
    audit_record(
        actor=actor,
        verb="plan_template.saved_from_plan",
        target=template,
        partnership=plan.partnership,
        changes={"tasks": [None, len(tasks)]},
    )
    return template


def _require_template_admin(actor: Actor, template: PlanTemplate | None = None) -> None:
    # Templates belong to the whole organization; admins curate them.
    if template is None:
        allowed = access.can(actor.membership, Action.CREATE)
    else:
        allowed = access.can(actor.membership, Action.CHANGE, template)
    if not allowed:
        raise PermissionDenied("Only admins manage the organization's templates.")


@transaction.atomic
def plan_template_create(
    *, actor: Actor, name: str, tasks: Any, description: str = ""
) -> PlanTemplate:
    """Store a template given in the template format (see templates_default.py)."""
    _require_template_admin(actor)
    name = _unique_template_name(actor.membership.organization_id, name)
    try:
        parsed = templates.parse_template(tasks)
    except templates.TemplateError as error:
        raise ApplicationError(str(error), field="tasks") from error
    template = PlanTemplate(
        organization_id=actor.membership.organization_id,
        name=name,
        description=description,
        tasks=[task.as_json() for task in parsed],
        created_by_id=actor.membership.user_id,
    )
    clean(template)
    template.save()
    audit_record(actor=actor, verb="plan_template.created", target=template)
    return template


@transaction.atomic
def plan_template_update(
    *, actor: Actor, template: PlanTemplate, name: str | None = None, description: str | None = None
) -> PlanTemplate:
    _require_template_admin(actor, template)
    fields = {}
    if name is not None:
        fields["name"] = _unique_template_name(template.organization_id, name, exclude=template.pk)
    if description is not None:
        fields["description"] = description
    changes = update(template, fields)
    if changes:
        audit_record(actor=actor, verb="plan_template.updated", target=template, changes=changes)
    return template


@transaction.atomic
def plan_template_delete(*, actor: Actor, template: PlanTemplate) -> None:
    _require_template_admin(actor, template)
    audit_record(actor=actor, verb="plan_template.deleted", target=template)
    template.delete()


# --- Tasks -----------------------------------------------------------------------------


@dataclass
class TaskChange:
    """What a task write did: the task, the dependants auto-schedule moved, and the
    dependency conflicts left for a person to resolve."""

    task: PlanTask
    moved: list[PlanTask] = field(default_factory=list)
    conflicts: list[schedule.Conflict] = field(default_factory=list)


def _plan_graph(plan: TransitionPlan) -> tuple[list[PlanTask], list[schedule.Edge]]:
    tasks = list(PlanTask.objects.filter(plan=plan).order_by("start", "sort_order", "id"))
    edges = [
        schedule.Edge(p, s, lag)
        for p, s, lag in TaskDependency.objects.filter(successor__plan=plan).values_list(
            "predecessor_id", "successor_id", "lag_days"
        )
    ]
    return tasks, edges


def _cycle_message(path: list[int], titles: dict[int, str]) -> str:
    return "This dependency would make a cycle: " + " → ".join(titles[i] for i in path) + "."


def _set_dependencies(*, task: PlanTask, dependencies: Sequence[tuple[PlanTask, int]]) -> None:
    """Replace the task's predecessors, refusing a link that would close a loop (naming it)."""
    seen: set[int] = set()
    for predecessor, lag in dependencies:
        if predecessor.plan_id != task.plan_id:
            raise ApplicationError(
                f"“{predecessor.title}” belongs to another plan.", field="dependencies"
            )
        if predecessor.pk == task.pk:
            raise ApplicationError("A task cannot depend on itself.", field="dependencies")
        if predecessor.pk in seen:
            raise ApplicationError(f"“{predecessor.title}” is listed twice.", field="dependencies")
        if not isinstance(lag, int) or not MIN_LAG_DAYS <= lag <= MAX_LAG_DAYS:
            raise ApplicationError(
                f"A lag is between {MIN_LAG_DAYS} and {MAX_LAG_DAYS} days.", field="dependencies"
            )
        seen.add(predecessor.pk)
    # Lock the plan: two concurrent edits could each pass the check and together make a loop.
    TransitionPlan.objects.select_for_update().filter(pk=task.plan_id).first()
    tasks, edges = _plan_graph(task.plan)
    titles = {t.pk: t.title for t in tasks}
    graph = [edge for edge in edges if edge.successor != task.pk]
    for predecessor, lag in dependencies:
        loop = schedule.cycle_path_if_added(graph, predecessor.pk, task.pk)
        if loop:
            raise ApplicationError(_cycle_message(loop, titles), field="dependencies")
        graph.append(schedule.Edge(predecessor.pk, task.pk, lag))
    existing = {link.predecessor_id: link for link in TaskDependency.objects.filter(successor=task)}
    wanted = {predecessor.pk: lag for predecessor, lag in dependencies}
    TaskDependency.objects.filter(successor=task).exclude(predecessor_id__in=wanted).delete()
    for predecessor_id, lag in wanted.items():
        link = existing.get(predecessor_id)
        if link is None:
            TaskDependency.objects.create(
                organization_id=task.organization_id,
                partnership_id=task.partnership_id,
                predecessor_id=predecessor_id,
                successor=task,
                lag_days=lag,
            )
        elif link.lag_days != lag:
            link.lag_days = lag
            link.save(update_fields=["lag_days", "updated_at"])


def _reschedule(*, actor: Actor, task: PlanTask, auto_schedule: bool) -> TaskChange:
    tasks, edges = _plan_graph(task.plan)
    nodes = selectors.nodes_for(tasks)
    moved: list[PlanTask] = []
    if auto_schedule:
        new_dates = schedule.auto_schedule(nodes, edges, only_after=[task.pk])
        by_id = {t.pk: t for t in tasks}
        before = {}
        now = timezone.now()
        for task_id, (start, due) in new_dates.items():
            row = by_id[task_id]
            before[task_id] = row.start
            row.start, row.due, row.updated_at = start, due, now
            moved.append(row)
        if moved:
            PlanTask.objects.bulk_update(moved, ["start", "due", "updated_at"], batch_size=1000)
            audit_record(
                actor=actor,
                verb="transition_task.dependants_moved",
                target=task,
                partnership=task.partnership,
                changes={
                    f"{row.pk}: {row.title}": [before[row.pk].isoformat(), row.start.isoformat()]
                    for row in moved
                },
            )
        nodes = selectors.nodes_for(tasks)
    conflicts = schedule.direct_conflicts(nodes, edges, task.pk)
    return TaskChange(task=task, moved=moved, conflicts=conflicts)


def _status_fields(task: PlanTask, status: str) -> dict[str, Any]:
    """What setting `status` writes: `completed_at` is stamped when the task becomes done and
    cleared when it is reopened."""
    if status not in TaskStatus.values:
        raise ApplicationError(f"“{status}” is not a task status.", field="status")
    fields: dict[str, Any] = {"status": status}
    if status == TaskStatus.DONE and task.status != TaskStatus.DONE:
        fields["completed_at"] = timezone.now()
    elif status != TaskStatus.DONE:
        fields["completed_at"] = None
    return fields


def _task_fields(task: PlanTask, fields: dict[str, Any]) -> dict[str, Any]:
    """What writing `fields` (of `PlanTask.EDITABLE_FIELDS`) sets on `task`: the status with
    its completion time, and a milestone's due date, which is its start."""
    check_fields(fields, PlanTask.EDITABLE_FIELDS)
    fields = dict(fields)
    status = fields.pop("status", None)
    if status is not None:
        fields.update(_status_fields(task, status))
    start = fields.get("start", task.start)
    if fields.get("is_milestone", task.is_milestone) and "due" not in fields and start:
        fields["due"] = start  # a milestone is one day; its start decides it
    return fields


@transaction.atomic
def task_create(
    *,
    actor: Actor,
    plan: TransitionPlan,
    dependencies: Sequence[tuple[PlanTask, int]] = (),
    auto_schedule: bool = False,
    **fields: Any,
) -> TaskChange:
    partnership = plan.partnership
    require_work(actor, partnership)
    provider_member(plan.organization_id, fields.get("owner"))
    task = PlanTask(
        organization_id=plan.organization_id,
        partnership=partnership,
        plan=plan,
        sort_order=PlanTask.objects.filter(plan=plan).count(),
    )
    update(task, _task_fields(task, fields), also=("completed_at",))
    if dependencies:
        _set_dependencies(task=task, dependencies=dependencies)
    audit_record(
        actor=actor,
        verb="transition_task.created",
        target=task,
        partnership=partnership,
        changes=diff({}, snapshot(task, ("title", "phase", "start", "due", "owner"))),
    )
    return _reschedule(actor=actor, task=task, auto_schedule=auto_schedule)


@transaction.atomic
def task_update(
    *,
    actor: Actor,
    task: PlanTask,
    dependencies: Sequence[tuple[PlanTask, int]] | None = None,
    auto_schedule: bool = False,
    **fields: Any,
) -> TaskChange:
    """Change a task. When its dates move, `auto_schedule` moves its dependants later as
    far as their dependencies require; otherwise the conflicts are returned, not fixed."""
    require_work(actor, task.partnership)
    if "owner" in fields:
        provider_member(task.organization_id, fields["owner"])
    changes = update(task, _task_fields(task, fields), also=("completed_at",))
    changes.pop("completed_at", None)  # the status change says it
    if dependencies is not None:
        _set_dependencies(task=task, dependencies=dependencies)
        changes["dependencies"] = [None, [f"{p.pk}+{lag}" for p, lag in dependencies]]
    if changes:
        audit_record(
            actor=actor,
            verb="transition_task.updated",
            target=task,
            partnership=task.partnership,
            changes=changes,
        )
    return _reschedule(actor=actor, task=task, auto_schedule=auto_schedule)


@transaction.atomic
def task_move(
    *, actor: Actor, task: PlanTask, start: datetime.date, auto_schedule: bool = False
) -> TaskChange:
    """Move a task to a new start, keeping its duration."""
    shift = datetime.timedelta(days=(start - task.start).days)
    return task_update(
        actor=actor,
        task=task,
        auto_schedule=auto_schedule,
        start=task.start + shift,
        due=task.due + shift,
    )


@transaction.atomic
def task_delete(*, actor: Actor, task: PlanTask) -> None:
    require_work(actor, task.partnership)
    audit_record(
        actor=actor, verb="transition_task.deleted", target=task, partnership=task.partnership
    )
    task.delete()


@transaction.atomic
def task_bulk_status(*, actor: Actor, tasks: Iterable[PlanTask], status: str) -> list[PlanTask]:
    """Set one status on many tasks, all or nothing: every task must be one the actor may
    change. (The caller gets the tasks through the access policy.)"""
    tasks = list(tasks)
    if not tasks:
        raise ApplicationError("Choose at least one task.", field="tasks")
    if len(tasks) > MAX_BULK_TASKS:
        raise ApplicationError(f"At most {MAX_BULK_TASKS} tasks at once.", field="tasks")
    for task in tasks:
        require_work(actor, task.partnership)
    changed = []
    now = timezone.now()
    for task in tasks:
        before = task.status
        written = _status_fields(task, status)
        task.status = written["status"]
        task.completed_at = written.get("completed_at", task.completed_at)
        task.updated_at = now  # bulk_update does not apply auto_now
        if before != task.status:
            changed.append((task, before))
    PlanTask.objects.bulk_update(
        [task for task, _ in changed], ["status", "completed_at", "updated_at"], batch_size=1000
    )
    for task, before in changed:
        audit_record(
            actor=actor,
            verb="transition_task.status_changed",
            target=task,
            partnership=task.partnership,
            changes={"status": [before, task.status]},
        )
    return tasks


@transaction.atomic
def plan_auto_schedule(*, actor: Actor, plan: TransitionPlan) -> list[PlanTask]:
    """Resolve every dependency conflict of the plan by moving tasks later (never earlier)."""
    require_work(actor, plan.partnership)
    TransitionPlan.objects.select_for_update().filter(pk=plan.pk).first()
    tasks, edges = _plan_graph(plan)
    new_dates = schedule.auto_schedule(selectors.nodes_for(tasks), edges)
    by_id = {t.pk: t for t in tasks}
    moved = []
    now = timezone.now()
    for task_id, (start, due) in new_dates.items():
        row = by_id[task_id]
        row.start, row.due, row.updated_at = start, due, now  # bulk_update skips auto_now
        moved.append(row)
    if moved:
        PlanTask.objects.bulk_update(moved, ["start", "due", "updated_at"], batch_size=1000)
        audit_record(
            actor=actor,
            verb="transition_plan.auto_scheduled",
            target=plan,
            partnership=plan.partnership,
            changes={"moved_tasks": [None, len(moved)]},
        )
    return moved


# --- Go/no-go --------------------------------------------------------------------------


@transaction.atomic
def go_no_go_record(*, actor: Actor, partnership, decision: str, rationale: str) -> GoNoGoDecision:
    """Record who decided go or no-go and why, with the readiness checklist as it stood."""
    if not access.can(actor.membership, Action.GO_NO_GO, partnership):
        raise PermissionDenied("Your role may not record the go/no-go decision.")
    if decision not in Decision.values:
        raise ApplicationError(f"“{decision}” is not a decision.", field="decision")
    if not (rationale or "").strip():
        raise ApplicationError(
            "Say why: the decision is recorded with its reasons.", field="rationale"
        )
    readiness = selectors.readiness(membership=actor.membership, partnership=partnership)
    readiness.pop("go_live", None)
    record = GoNoGoDecision(
        organization_id=partnership.organization_id,
        partnership=partnership,
        decision=decision,
        rationale=rationale.strip(),
        decided_by_id=actor.membership.user_id,
        readiness=readiness,
    )
    clean(record)
    record.save()
    audit_record(
        actor=actor,
        verb="transition.go_no_go_decided",
        target=record,
        partnership=partnership,
        changes={"decision": [None, decision], "ready": [None, readiness["ready"]]},
    )
    return record


# --- Calendar feed ---------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedFeedKey:
    key: CalendarFeedKey
    raw: str  # shown once; only its hash is stored

    @property
    def path(self) -> str:
        """The feed's address: the key is the path's last segment, which every log masks
        (`tenancy.logmask`), never a query string."""
        return reverse(
            "api:transition-my-tasks-calendar-feed",
            kwargs={"org_slug": self.key.organization.slug, "feed_key": self.raw},
        )


@transaction.atomic
def calendar_feed_key_issue(*, actor: Actor) -> IssuedFeedKey:
    """A new secret for the member's feed URL; any earlier one stops working."""
    now = timezone.now()
    CalendarFeedKey.objects.active().filter(
        organization_id=actor.membership.organization_id, user_id=actor.membership.user_id
    ).update(revoked_at=now)
    raw = CalendarFeedKey.new_key()
    key = CalendarFeedKey(
        organization=actor.membership.organization,
        user_id=actor.membership.user_id,
        prefix=raw[: CalendarFeedKey.PREFIX_LENGTH],
        key_hash=CalendarFeedKey.hash_key(raw),
    )
    clean(key)
    key.save()
    audit_record(actor=actor, verb="calendar_feed_key.issued", target=key)
    return IssuedFeedKey(key=key, raw=raw)


@transaction.atomic
def calendar_feed_key_revoke(*, actor: Actor) -> int:
    revoked = CalendarFeedKey.objects.active().filter(
        organization_id=actor.membership.organization_id, user_id=actor.membership.user_id
    )
    keys = list(revoked)
    for key in keys:
        audit_record(actor=actor, verb="calendar_feed_key.revoked", target=key)
    return revoked.update(revoked_at=timezone.now())


def calendar_feed_keys_revoke_for(*, user_id: int, organization=None) -> int:
    """Revoke a person's calendar feed keys (in `organization`, or in every organization):
    their membership ended or their account was switched off. The removal or deactivation is
    what the audit trail records; the number of keys revoked."""
    keys = CalendarFeedKey.objects.active().filter(user_id=user_id)
    if organization is not None:
        keys = keys.filter(organization=organization)
    return keys.update(revoked_at=timezone.now())
