"""A date far in the past or future is refused with an error naming the field, and nothing
stored can take the plan down: the scheduler computes whatever dates it is given."""

from __future__ import annotations

import datetime

import pytest

from tests.transition.factories import PlanTaskFactory
from tests.transition.test_api import login, url
from transition import schedule
from transition.models import PlanTask, TransitionPlan


@pytest.fixture
def plan_with_task(partnership):
    return PlanTaskFactory(plan__partnership=partnership, title="Kick-off")


@pytest.mark.parametrize("start", ["0001-01-01", "1989-12-31", "2101-01-01", "9999-12-30"])
def test_a_task_date_outside_1990_2100_is_refused(
    api, org_a, partnership, implementation_pm, plan_with_task, start
):
    task = plan_with_task
    login(api, implementation_pm)
    patched = api.patch(
        url("transition-task-detail", org_a, partnership, pk=task.pk),
        {"start": start, "due": start},
        format="json",
    )
    assert patched.status_code == 400, patched.json()
    assert "between 1990 and 2100" in str(patched.json())
    moved = api.post(url("transition-task-move", org_a, partnership, pk=task.pk), {"start": start})
    assert moved.status_code == 400, moved.json()
    assert PlanTask.objects.get(pk=task.pk).start == task.start
    # The plan still answers for everyone.
    assert api.get(url("transition-plan-list", org_a, partnership)).status_code == 200
    assert api.get(url("transition-readiness-list", org_a, partnership)).status_code == 200


def test_a_go_live_outside_the_range_is_refused_and_no_plan_is_made(
    api, org_a, partnership, implementation_pm
):
    login(api, implementation_pm)
    response = api.post(
        url("transition-plan-list", org_a, partnership), {"go_live": "0001-01-02"}, format="json"
    )
    assert response.status_code == 400
    assert "go_live" in response.json()
    assert not TransitionPlan.objects.filter(partnership=partnership).exists()


def test_the_partnership_dates_are_checked_too(api, admin, university):
    api.force_authenticate(admin.user)
    response = api.post(
        url("partnership-list", admin.organization),
        {"name": "Far future", "client": university.pk, "planned_go_live": "2999-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "planned_go_live" in response.json()


def test_the_scheduler_never_raises_on_stored_dates_at_the_calendar_edges():
    first = schedule.Node(id=1, start=datetime.date(1, 1, 1), due=datetime.date(1, 1, 1))
    last = schedule.Node(id=2, start=datetime.date(9999, 12, 30), due=datetime.date(9999, 12, 31))
    edges = [schedule.Edge(predecessor=2, successor=1, lag=400)]
    result = schedule.compute([first, last], edges)
    assert result.timings[1].early_start == datetime.date.max
    assert schedule.auto_schedule([first, last], edges)
