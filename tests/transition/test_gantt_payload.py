"""The Gantt API writes its JSON without serializer fields (`transition.api.payloads`): the
same JSON as `GanttSerializer`, on a plan with every kind of task."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from tenancy.renderers import dumps
from transition import selectors, services
from transition.api import payloads
from transition.api import serializers as s
from transition.models import PlanTask, TaskDependency, TaskStatus


def _varied_plan(plan, implementation_pm, actor_for):
    """The shipped template's plan, baselined, then made untidy: no owner, hours, a task done,
    a lag, a conflict, a culture flag."""
    services.plan_baseline(actor=actor_for(implementation_pm), plan=plan)
    tasks = list(plan.tasks.order_by("start", "id"))
    PlanTask.objects.filter(pk=tasks[0].pk).update(owner=None, estimate_hours=Decimal("2.25"))
    PlanTask.objects.filter(pk=tasks[1].pk).update(
        status=TaskStatus.DONE, completed_at=timezone.now(), estimate_hours=Decimal("40")
    )
    PlanTask.objects.filter(pk=tasks[2].pk).update(culture_sync_flag="The adaptation changed.")
    link = TaskDependency.objects.filter(partnership=plan.partnership).first()
    TaskDependency.objects.filter(pk=link.pk).update(lag_days=3)
    late = tasks[-1]
    PlanTask.objects.filter(pk=late.pk).update(
        start=late.start - datetime.timedelta(days=400), due=late.due - datetime.timedelta(days=400)
    )
    return plan


def test_the_payload_is_the_serializers(plan, implementation_pm, actor_for):
    _varied_plan(plan, implementation_pm, actor_for)
    plan.refresh_from_db()
    view = selectors.plan_view(membership=implementation_pm, plan=plan)
    expected = s.GanttSerializer(
        {
            "summary": selectors.plan_summary(view),
            "tasks": selectors.gantt_rows(view),
            "conflicts": selectors.conflict_rows(view),
        }
    ).data
    written = payloads.gantt(view)
    assert written["conflicts"], "the plan has a conflict"
    assert any(row["estimate_hours"] for row in written["tasks"])
    assert any(row["owner"] is None for row in written["tasks"])
    assert written["summary"]["baselined_at"] is not None
    assert dumps(written) == dumps(expected)


def test_the_gantt_endpoint_answers_the_payload(api, plan, implementation_pm, actor_for):
    _varied_plan(plan, implementation_pm, actor_for)
    api.force_authenticate(implementation_pm.user)
    url = reverse(
        "api:transition-plan-gantt",
        kwargs={"org_slug": plan.organization.slug, "partnership_pk": plan.partnership_id},
    )
    response = api.get(url)
    assert response.status_code == 200
    body = json.loads(response.content)
    assert len(body["tasks"]) == plan.tasks.count()
    assert set(body["tasks"][0]) == set(s.GanttRowSerializer().fields)
    assert set(body["summary"]) == set(s.PlanSummarySerializer().fields)
