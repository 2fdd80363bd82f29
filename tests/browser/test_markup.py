"""Text people type is drawn as text by the front-end libraries: a task title full of markup
becomes no element on the client executive's plan page (the Gantt chart writes bar labels
with innerHTML). Cytoscape (call flows) and Chart.js draw labels on a canvas."""

from __future__ import annotations

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
from tests.transition.factories import PlanTaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<a id="injected" href="/x">Kick-off</a><img src=x onerror="window.pwned=1">'


def test_a_task_title_with_markup_stays_text_in_the_gantt_chart(browser_page):
    page = browser_page
    org = OrganizationFactory(name="Northstar Nurse Line", slug="northstar")
    university = ClientOrganizationFactory(organization=org, name="Lakeshore University Health")
    executive = MembershipFactory(
        organization=org,
        role=Role.CLIENT_EXECUTIVE,
        client=university,
        user__email="exec@university.example",
    )
    partnership = PartnershipFactory(
        organization=org,
        client=university,
        name="Student nurse line",
        status=PartnershipStatus.TRANSITION,
        account_manager=MembershipFactory(organization=org, role=Role.ACCOUNT_MANAGER).user,
    )
    task = PlanTaskFactory(plan__partnership=partnership, title=PAYLOAD)

    sign_in(page, executive.user.email)
    page.wait_for_url(re.compile(r"/o/northstar/"))
    page.goto(f"{page.live_server_url}/o/northstar/{partnership.pk}/transition/plan/")
    label = page.locator(f'.bar-wrapper[data-id="{task.pk}"] .bar-label')
    label.wait_for()
    assert label.text_content() == PAYLOAD
    page.locator(f'.bar-wrapper[data-id="{task.pk}"] .bar').click()
    page.locator(".popup-wrapper .title").wait_for()
    assert page.locator(".popup-wrapper .title").text_content() == PAYLOAD
    assert page.locator("#injected").count() == 0
    assert page.evaluate("window.pwned") is None
    assert page.console_errors == []
