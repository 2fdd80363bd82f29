"""The Gantt chart of a plan, in a real browser: the task popup stays inside the chart (even
for a bar at its right or bottom edge), and a done task on the critical path is drawn done."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest

from partnerships.models import PartnershipStatus
from tenancy.models import Role
from tests.browser.test_smoke import sign_in
from tests.factories import (
    ClientOrganizationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnershipFactory,
)
from tests.transition.factories import (
    PlanTaskFactory,
    TaskDependencyFactory,
    TransitionPlanFactory,
)
from transition.models import TaskStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = datetime.date(2026, 3, 2)
DONE_GREEN = "rgb(18, 183, 106)"  # --tr-done


def test_the_popup_stays_inside_the_chart_and_a_done_critical_task_is_done(browser_page):
    page = browser_page
    org = OrganizationFactory(name="Northstar Nurse Line", slug="northstar")
    pm = MembershipFactory(
        organization=org, role=Role.IMPLEMENTATION_PM, user__email="pm@northstar.example"
    )
    partnership = PartnershipFactory(
        organization=org,
        client=ClientOrganizationFactory(organization=org, name="Lakeshore University Health"),
        name="Student nurse line",
        status=PartnershipStatus.TRANSITION,
        account_manager=MembershipFactory(organization=org, role=Role.ACCOUNT_MANAGER).user,
    )
    partnership.implementation_pms.add(pm.user)
    plan = TransitionPlanFactory(partnership=partnership)
    # A chain over half a year: every task is critical; the first is done, the last one is
    # the bar at the chart's right and bottom edges.
    tasks = []
    for index in range(5):
        start = START + datetime.timedelta(days=45 * index)
        tasks.append(
            PlanTaskFactory(
                plan=plan,
                title=f"Step {index + 1} with a long enough title to make a wide popup",
                start=start,
                due=start + datetime.timedelta(days=44),
                status=TaskStatus.DONE if index == 0 else TaskStatus.NOT_STARTED,
            )
        )
    for before, after in itertools.pairwise(tasks):
        TaskDependencyFactory(predecessor=before, successor=after)

    sign_in(page, pm.user.email)
    page.wait_for_url(re.compile(r"/o/northstar/"))
    page.goto(f"{page.live_server_url}/o/northstar/{partnership.pk}/transition/plan/")
    done = page.locator(f'.bar-wrapper[data-id="{tasks[0].pk}"]')
    done.wait_for()
    assert "is-done" in done.get_attribute("class")
    assert "is-critical" not in done.get_attribute("class")
    fill = done.locator(".bar").evaluate("bar => getComputedStyle(bar).fill")
    assert fill == DONE_GREEN

    last = page.locator(f'.bar-wrapper[data-id="{tasks[-1].pk}"] .bar')
    last.scroll_into_view_if_needed()
    box = last.bounding_box()
    # Click the bar's right end, near the bottom of the chart.
    page.mouse.click(box["x"] + box["width"] - 4, box["y"] + box["height"] / 2)
    popup = page.locator(".popup-wrapper")
    popup.locator(".title").wait_for()
    assert popup.locator(".title").text_content().startswith("Step 5")
    chart = page.locator(".gantt-container").bounding_box()
    shown = popup.bounding_box()
    assert shown["x"] >= chart["x"] and shown["y"] >= chart["y"]
    assert shown["x"] + shown["width"] <= chart["x"] + chart["width"]
    assert shown["y"] + shown["height"] <= chart["y"] + chart["height"]
    page.screenshot(path="var/screenshots/gantt-popup.png")
    assert page.console_errors == []
