"""A comment thread in a real browser: a PM comments on a task in place (htmx), markup in a
comment stays text, and the client executive sees only what was shared with the client."""

from __future__ import annotations

import re

import pytest

from partnerships.models import Comment, PartnershipStatus
from tenancy.models import Role
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_smoke import sign_in
from tests.factories import (
    ClientOrganizationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnershipFactory,
)
from tests.transition.factories import PlanTaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img src=x onerror="window.pwned=1"><a id="injected" href="/x">link</a>'


def test_a_pm_comments_in_place_and_the_client_sees_only_what_is_shared(browser_page):
    page = browser_page
    org = OrganizationFactory(name="Northstar Nurse Line", slug="northstar")
    university = ClientOrganizationFactory(organization=org, name="Lakeshore University Health")
    manager = MembershipFactory(organization=org, role=Role.ACCOUNT_MANAGER)
    pm = MembershipFactory(
        organization=org, role=Role.IMPLEMENTATION_PM, user__email="pm@northstar.example"
    )
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
        account_manager=manager.user,
        implementation_pms=[pm.user],
    )
    task = PlanTaskFactory(plan__partnership=partnership, title="Go/no-go meeting")
    task_url = f"{page.live_server_url}/o/northstar/{partnership.pk}/transition/tasks/{task.pk}/"

    sign_in(page, pm.user.email)
    page.wait_for_url(re.compile(r"/o/northstar/"))
    page.goto(task_url)
    page.get_by_role("textbox", name="Comment").fill(PAYLOAD)
    page.get_by_role("button", name="Add the comment").click()
    # htmx swaps the thread in place: the page itself does not reload.
    page.get_by_text("provider only").wait_for()
    assert page.url == task_url
    page.get_by_role("textbox", name="Comment").fill("Vendor confirmed the date.")
    page.get_by_label("Share with the client's executives").check()
    page.get_by_role("button", name="Add the comment").click()
    page.get_by_text("Vendor confirmed the date.").wait_for()
    page.screenshot(path=SCREENSHOTS / "comment-thread-pm.png", full_page=True)

    # The markup was stored as text and drawn as text: no element came of it.
    assert page.locator("#injected").count() == 0
    assert page.evaluate("window.pwned") is None
    assert page.get_by_text(PAYLOAD).is_visible()
    assert list(
        Comment.objects.order_by("created_at").values_list("body", "shared_with_client")
    ) == [(PAYLOAD, False), ("Vendor confirmed the date.", True)]

    page.context.clear_cookies()
    sign_in(page, executive.user.email)
    page.wait_for_url(re.compile(r"/o/northstar/"))
    page.goto(task_url)
    assert page.get_by_text("Vendor confirmed the date.").is_visible()
    assert page.get_by_text("link").count() == 0  # the internal comment is not there
    assert page.get_by_label("Share with the client's executives").count() == 0
    page.screenshot(path=SCREENSHOTS / "comment-thread-client.png", full_page=True)
    assert page.console_errors == []
