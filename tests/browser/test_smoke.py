"""A provider admin's first minutes, in a real browser: sign in, add a client, create a
partnership, move it to discovery; a client executive then sees only their own client."""

from __future__ import annotations

import re

import pytest

from partnerships.models import Partnership, PartnershipStatus
from tenancy.models import Role
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.factories import (
    ClientOrganizationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnershipFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_creates_a_partnership_and_moves_it_to_discovery(browser_page):
    page = browser_page
    org = OrganizationFactory(name="Northstar Nurse Line", slug="northstar")
    admin = MembershipFactory(
        organization=org, role=Role.ADMIN, user__email="admin@northstar.example"
    )
    manager = MembershipFactory(
        organization=org,
        role=Role.ACCOUNT_MANAGER,
        user__email="am@northstar.example",
        user__full_name="Maya Manager",
    )
    ClientOrganizationFactory(organization=org, name="Prairie View Community Hospital")

    sign_in(page, admin.user.email)
    page.wait_for_url(re.compile(r"/o/northstar/home/$"))
    # The admin lands on the organization overview; the list is one click away.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partnerships").click()
    page.wait_for_url(re.compile(r"/o/northstar/$"))
    assert page.get_by_role("heading", name="Partnerships").is_visible()

    page.screenshot(path=SCREENSHOTS / "admin-list-empty.png", full_page=True)
    page.get_by_role("button", name="New partnership").first.click()
    page.get_by_label("Client").select_option(label="Prairie View Community Hospital")
    page.get_by_label("Name").fill("Prairie View after-hours line")
    page.get_by_label("Dedicated account manager").select_option(label="Maya Manager")
    page.screenshot(path=SCREENSHOTS / "partnership-form.png", full_page=True)
    page.get_by_role("button", name="Create partnership").click()

    page.wait_for_url(re.compile(r"/o/northstar/\d+/$"))
    assert page.get_by_role("heading", name="Prairie View after-hours line").is_visible()
    page.get_by_role("button", name=re.compile("discovery", re.I)).first.click()
    # The confirmation page lists what the gate checked, then the move is confirmed.
    page.wait_for_url(re.compile(r"/move/discovery/$"))
    assert page.get_by_text("Every check is met").is_visible()
    page.screenshot(path=SCREENSHOTS / "partnership-move.png", full_page=True)
    page.get_by_role("button", name="Start discovery").click()
    page.wait_for_url(re.compile(r"/o/northstar/\d+/$"))
    page.screenshot(path=SCREENSHOTS / "partnership-detail.png", full_page=True)

    partnership = Partnership.objects.get(name="Prairie View after-hours line")
    assert partnership.status == PartnershipStatus.DISCOVERY
    assert partnership.account_manager == manager.user
    assert partnership.status_changes.get().changed_by == admin.user
    assert page.console_errors == []  # nothing blocked by the CSP, no script errors


def test_client_executive_sees_only_their_clients_partnership(browser_page):
    page = browser_page
    org = OrganizationFactory(name="Northstar Nurse Line", slug="northstar")
    university = ClientOrganizationFactory(organization=org, name="Lakeshore University Health")
    rural = ClientOrganizationFactory(organization=org, name="Prairie View Community Hospital")
    PartnershipFactory(organization=org, client=university, name="Student nurse line")
    PartnershipFactory(organization=org, client=rural, name="Prairie View after-hours line")
    executive = MembershipFactory(
        organization=org,
        role=Role.CLIENT_EXECUTIVE,
        client=university,
        user__email="exec@university.example",
    )

    sign_in(page, executive.user.email)
    page.wait_for_url(re.compile(r"/o/northstar/home/$"))
    assert "Student nurse line" in page.locator("main").inner_text()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partnerships").click()
    page.wait_for_url(re.compile(r"/o/northstar/$"))
    page.screenshot(path=SCREENSHOTS / "executive-list.png", full_page=True)
    body = page.locator("main").inner_text()
    assert "Student nurse line" in body
    assert "Prairie View" not in body
    assert page.get_by_role("button", name="New partnership").count() == 0
