"""Four members' first journeys through their home pages, in a real browser: the account
manager works a red partnership from the portfolio (why, alert, touchpoint); the client
executive signs off goals, follows parity and downloads the executive summary as PDF; the
implementation PM completes an overdue critical task and records the go/no-go decision; the
admin invites a PM who joins through the e-mailed link."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from discovery.models import GoalSignOff
from health.models import Alert, AlertKind, Touchpoint
from partnerships.models import Partnership, PartnershipStatus
from tenancy.models import Membership, Role
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.dashboards.conftest import measure, snapshot, touch
from tests.discovery.factories import (
    ExperienceGoalFactory,
    KpiBaselineFactory,
    KpiFactory,
    OpportunityFactory,
    ServiceLineFactory,
)
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
from transition.models import GoNoGoDecision, PlanTask, TaskStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME = re.compile(r"/o/northstar/home/$")
NOT_FOUND_CONSOLE = "Failed to load resource: the server responded with a status of 404 (Not Found)"


def go_home(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    page.wait_for_url(HOME)


def northstar():
    return OrganizationFactory(name="Northstar Nurse Line", slug="northstar")


# --- 1. Account manager ---------------------------------------------------------------------


def test_account_manager_works_a_red_partnership_from_the_portfolio(browser_page):
    page = browser_page
    org = northstar()
    manager = MembershipFactory(
        organization=org,
        role=Role.ACCOUNT_MANAGER,
        user__email="am@northstar.example",
        user__full_name="Maya Manager",
    )
    kpi = KpiFactory(organization=org, key="asa", name="Average speed of answer")
    # Alphabetically the green one comes first: only "needs attention" puts the red one on top.
    green = PartnershipFactory(
        organization=org,
        client=ClientOrganizationFactory(organization=org, name="Birch Clinic"),
        name="Birch daytime line",
        status=PartnershipStatus.LIVE,
        actual_go_live=datetime.date(2026, 1, 15),
        account_manager=manager.user,
    )
    red = PartnershipFactory(
        organization=org,
        client=ClientOrganizationFactory(organization=org, name="Riverside Hospital"),
        name="Riverside after-hours line",
        status=PartnershipStatus.LIVE,
        actual_go_live=datetime.date(2026, 1, 15),
        account_manager=manager.user,
    )
    snapshot(green, score=Decimal("88"), band="green")
    touch(green, manager.user, days_ago=3)
    measure(green, kpi, Decimal("25"))
    check = snapshot(red, score=Decimal("41"), band="red", trend="worsening")
    measure(red, kpi, Decimal("48"))
    alert = Alert.objects.create(
        organization=org,
        partnership=red,
        recipient=manager.user,
        kind=AlertKind.BAND_WORSENED,
        health_check=check,
        band="red",
        title="Riverside after-hours line went from amber to red",
        reasons=["Average speed of answer doubled in a week."],
        suggested_action="Call the client's CNO this week.",
    )

    sign_in(page, manager.user.email)
    page.wait_for_url(HOME)
    assert page.get_by_role("heading", name="My portfolio").is_visible()
    rows = page.locator("table.portfolio-table tbody tr")
    assert rows.count() == 2
    assert "Riverside after-hours line" in rows.nth(0).inner_text()
    assert "Birch daytime line" in rows.nth(1).inner_text()
    red_row = rows.nth(0)
    assert "Score worsening" in red_row.inner_text()
    assert "1 open alert" in red_row.inner_text()
    assert "Never" in red_row.inner_text()
    inbox = page.locator("section.inbox")
    assert alert.title in inbox.inner_text()

    # Why is it red?
    red_row.get_by_role("link", name=re.compile(r"^Why is Riverside")).click()
    page.wait_for_url(re.compile(rf"/o/northstar/{red.pk}/health/$"))
    assert page.get_by_role("heading", name="Health score").is_visible()
    score = page.locator(".health-score").inner_text()
    assert "41" in score and "Red" in score and "Worsening" in score

    # Acknowledge the alert with what was done, from the portfolio's inbox.
    go_home(page)
    inbox = page.locator("section.inbox")
    inbox.get_by_text("Acknowledge or snooze").click()
    acknowledge = inbox.get_by_role("form", name=f"Acknowledge: {alert.title}")
    acknowledge.get_by_label(re.compile(r"^Note")).fill("Called the CNO; weekly calls agreed.")
    acknowledge.get_by_role("button", name="Acknowledge").click()
    # The page posts and comes back to the portfolio: wait for what the answer says.
    expect(page.get_by_text("Alert acknowledged.")).to_be_visible()
    page.wait_for_url(re.compile(r"/o/northstar/home/$"))
    assert alert.title not in page.locator("section.inbox").inner_text()
    page.goto(f"{page.live_server_url}/o/northstar/alerts/")
    expect(page.get_by_role("heading", name="Open (0)")).to_be_visible()
    done = page.locator("section[aria-labelledby='done-heading']").inner_text()
    assert alert.title in done and "Called the CNO; weekly calls agreed." in done

    # Log today's touchpoint from the portfolio's "Last touchpoint" link.
    go_home(page)
    page.locator("table.portfolio-table tbody tr").nth(0).get_by_role("link", name="Never").click()
    page.wait_for_url(re.compile(rf"/o/northstar/{red.pk}/touchpoints/$"))
    assert page.get_by_role("heading", name="No touchpoint recorded yet").is_visible()
    record = page.locator("#record")
    assert record.get_by_label("Date", exact=True).input_value() == str(org.local_today())
    record.get_by_label("Kind").select_option(label="Call")
    record.get_by_label("Attendees").fill("Rita Riverside (CNO)")
    record.get_by_label(re.compile(r"^Notes")).fill("Walked through the answer times.")
    record.get_by_role("button", name="Record the touchpoint").click()
    page.wait_for_url(re.compile(rf"/o/northstar/{red.pk}/touchpoints/#touchpoint-\d+$"))
    expect(page.get_by_role("heading", name="Last touchpoint: today")).to_be_visible()
    assert Touchpoint.objects.filter(partnership=red, recorded_by=manager.user).count() == 1

    # Back home: the row shows today's touchpoint, the inbox is empty.
    go_home(page)
    red_row = page.locator("table.portfolio-table tbody tr").filter(
        has_text="Riverside after-hours line"
    )
    expect(red_row.get_by_role("link", name="Today")).to_be_visible()
    inbox = page.locator("section.inbox")
    assert alert.title not in inbox.inner_text()
    assert "No open alert" in inbox.inner_text()
    alert.refresh_from_db()
    assert alert.acknowledged_by == manager.user
    page.screenshot(path=SCREENSHOTS / "journey-account-manager.png", full_page=True)
    assert page.console_errors == []


# --- 2. Client executive -------------------------------------------------------------------


def test_client_executive_signs_off_goals_follows_parity_and_downloads_the_summary(
    browser_page, tmp_path
):
    page = browser_page
    org = northstar()
    manager = MembershipFactory(
        organization=org, role=Role.ACCOUNT_MANAGER, user__full_name="Maya Manager"
    )
    university = ClientOrganizationFactory(organization=org, name="Lakeshore University Health")
    county = ClientOrganizationFactory(organization=org, name="County Clinic")
    executive = MembershipFactory(
        organization=org,
        role=Role.CLIENT_EXECUTIVE,
        client=university,
        user__email="exec@university.example",
        user__full_name="Erin Executive",
    )
    mine = PartnershipFactory(
        organization=org,
        client=university,
        name="Student nurse line",
        status=PartnershipStatus.DISCOVERY,
        account_manager=manager.user,
    )
    theirs = PartnershipFactory(
        organization=org,
        client=county,
        name="County clinic daytime line",
        status=PartnershipStatus.DISCOVERY,
        account_manager=manager.user,
    )
    ExperienceGoalFactory(partnership=mine, statement="Callers reach a nurse within a minute")
    ExperienceGoalFactory(partnership=mine, statement="Few callers hang up")
    OpportunityFactory(partnership=mine, title="Callbacks instead of voicemail")
    ExperienceGoalFactory(partnership=theirs, statement="County goal")
    # The figures parity reads once the line is live: a discovery baseline and live days.
    abandonment = KpiFactory(
        organization=org,
        key="abandonment_rate",
        name="Abandonment rate",
        unit="percent",
        direction="lower",
        target=Decimal("5"),
    )
    service = ServiceLineFactory(partnership=mine, name="After-hours triage")
    KpiBaselineFactory(
        partnership=mine, service_line=service, kpi=abandonment, value=Decimal("7.8")
    )
    for days_ago in range(3):
        measure(mine, abandonment, Decimal("5.04"), days_ago=days_ago, service_line=service)

    sign_in(page, executive.user.email)
    page.wait_for_url(HOME)
    awaiting = page.locator("section[aria-labelledby='awaiting-heading']")
    assert awaiting.get_by_role("heading", name=re.compile(r"^Waiting for you")).is_visible()
    assert awaiting.get_by_role("link", name="Sign off 2 desired-experience goals").is_visible()
    assert awaiting.get_by_role(
        "link", name="Decide on the opportunity “Callbacks instead of voicemail”"
    ).is_visible()
    assert "County" not in page.locator("main").inner_text()

    # Sign the goals off on their page.
    awaiting.get_by_role("link", name="Sign off 2 desired-experience goals").click()
    page.wait_for_url(re.compile(rf"/o/northstar/{mine.pk}/discovery/.+"))
    goals = page.locator("ol.goal-list").inner_text()
    assert "Callers reach a nurse within a minute" in goals and "Few callers hang up" in goals
    page.get_by_role("button", name="Sign off these goals").click()
    expect(page.get_by_text("Goals signed off. Thank you.")).to_be_visible()
    assert GoalSignOff.objects.filter(partnership=mine, signed_by=executive.user).count() == 1

    go_home(page)
    awaiting = page.locator("section[aria-labelledby='awaiting-heading']")
    assert awaiting.get_by_role("link", name=re.compile("desired-experience goal")).count() == 0
    assert awaiting.get_by_role(
        "link", name="Decide on the opportunity “Callbacks instead of voicemail”"
    ).is_visible()

    # The line goes live: parity against her baselines shows on the home page.
    Partnership.objects.filter(pk=mine.pk).update(
        status=PartnershipStatus.LIVE,
        actual_go_live=org.local_today() - datetime.timedelta(days=60),
    )
    page.reload()
    expect(page.get_by_text("Live since")).to_be_visible()
    parity = page.locator("section[aria-labelledby='parity-heading']")
    expect(
        parity.get_by_role("heading", name="Parity: live KPIs against your baselines")
    ).to_be_visible()
    row = parity.locator("tbody tr").filter(has_text="After-hours triage")
    assert row.count() == 1
    text = row.inner_text()
    assert "Abandonment rate" in text and "7.8 %" in text and "5 %" in text
    assert "Same or better" in text

    # The executive summary, as a PDF written in the background.
    page.get_by_role("button", name="Executive summary").click()
    page.wait_for_url(re.compile(rf"/o/northstar/{mine.pk}/summary/$"))
    page.get_by_role("button", name="Download as PDF").click()
    page.wait_for_url(re.compile(rf"/o/northstar/{mine.pk}/summary/pdf/\d+/$"))
    expect(page.get_by_text("Ready.")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("summary-student-nurse-line-")
    pdf_path = tmp_path / "summary.pdf"
    download.save_as(pdf_path)
    reader = PdfReader(pdf_path)
    assert len(reader.pages) >= 1
    assert "Student nurse line" in "\n".join(p.extract_text() or "" for p in reader.pages)
    page.screenshot(path=SCREENSHOTS / "journey-client-executive.png", full_page=True)
    assert page.console_errors == []

    # Another client's partnership does not exist for her.
    response = page.goto(f"{page.live_server_url}/o/northstar/{theirs.pk}/")
    assert response.status == 404
    assert "County clinic daytime line" not in page.content()
    # Chromium reports the refused page itself as a failed resource; nothing else may fail.
    assert page.console_errors == [NOT_FOUND_CONSOLE]


# --- 3. Implementation PM ------------------------------------------------------------------


def test_implementation_pm_completes_an_overdue_critical_task_and_decides_go_no_go(
    browser_page,
):
    page = browser_page
    org = northstar()
    pm = MembershipFactory(
        organization=org,
        role=Role.IMPLEMENTATION_PM,
        user__email="pm@northstar.example",
        user__full_name="Paul Planner",
    )
    manager = MembershipFactory(
        organization=org, role=Role.ACCOUNT_MANAGER, user__full_name="Maya Manager"
    )
    today = org.local_today()
    day = datetime.timedelta(days=1)
    partnership = PartnershipFactory(
        organization=org,
        client=ClientOrganizationFactory(organization=org, name="Riverside Hospital"),
        name="Riverside after-hours line",
        status=PartnershipStatus.TRANSITION,
        account_manager=manager.user,
        implementation_pms=[pm.user],
        planned_go_live=today + 30 * day,
    )
    plan = TransitionPlanFactory(partnership=partnership, go_live=today + 30 * day)
    task_a = PlanTaskFactory(
        plan=plan,
        title="Load the protocols",
        owner=pm.user,
        start=today - 5 * day,
        due=today - 2 * day,
        baseline_start=today - 5 * day,
        baseline_due=today - 3 * day,
    )
    # B starts the day after A is due and C the day after B: no float, the whole chain is
    # the critical path.
    task_b = PlanTaskFactory(
        plan=plan, title="Train the nurses", owner=pm.user, start=today - day, due=today + 3 * day
    )
    task_c = PlanTaskFactory(
        plan=plan,
        title="Parallel run",
        owner=pm.user,
        start=today + 4 * day,
        due=today + 9 * day,
    )
    TaskDependencyFactory(predecessor=task_a, successor=task_b)
    TaskDependencyFactory(predecessor=task_b, successor=task_c)

    sign_in(page, pm.user.email)
    page.wait_for_url(HOME)
    assert page.get_by_role("heading", name="My transitions").is_visible()
    overdue = page.locator("section[aria-labelledby='overdue-heading']")
    overdue_a = overdue.locator("li").filter(has_text="Load the protocols")
    assert "2 d overdue" in overdue_a.inner_text()
    risk = page.locator("section[aria-labelledby='risk-heading']")
    risk_a = risk.locator("li").filter(has_text="Load the protocols")
    assert "overdue" in risk_a.inner_text()

    # Open task A and mark it done.
    overdue.get_by_role("link", name="Load the protocols").click()
    page.wait_for_url(re.compile(rf"/o/northstar/{partnership.pk}/transition/.*{task_a.pk}/$"))
    assert page.get_by_role("heading", name="Load the protocols").first.is_visible()
    form = page.locator("form.task-form")
    form.get_by_label("Status").select_option(label="Done")
    form.get_by_role("button", name="Save the task").click()
    # Saved, the PM stays on the task (same URL): wait for its new status badge.
    expect(page.locator(".task-badges").get_by_text("Done", exact=True)).to_be_visible()
    page.wait_for_url(re.compile(rf"/o/northstar/{partnership.pk}/transition/.*{task_a.pk}/$"))
    task_a.refresh_from_db()
    assert task_a.status == TaskStatus.DONE

    go_home(page)
    overdue = page.locator("section[aria-labelledby='overdue-heading']")
    assert "Load the protocols" not in overdue.inner_text()
    risk = page.locator("section[aria-labelledby='risk-heading']")
    assert "Load the protocols" not in risk.inner_text()
    assert (
        page.locator(".tile").filter(has_text="of my tasks overdue").locator("strong").inner_text()
        == "0"
    )

    # The go/no-go readiness, and the PM's decision on it.
    page.get_by_role("link", name="Open readiness").click()
    page.wait_for_url(re.compile(rf"/o/northstar/{partnership.pk}/transition/readiness/$"))
    assert page.get_by_role("heading", name="Cutover readiness").is_visible()
    assert page.get_by_text("Not ready yet").is_visible()
    decide = page.locator("section.decide")
    assert decide.get_by_role("heading", name="Record the decision").is_visible()
    decide.get_by_role("radio", name="No go").check()
    decide.get_by_label("Why").fill("Training has not started; decide again after it.")
    decide.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(re.compile(r"^Decision recorded: no go"))).to_be_visible()
    page.wait_for_url(re.compile(rf"/o/northstar/{partnership.pk}/transition/readiness/$"))
    decisions = page.locator("section[aria-labelledby='decisions-heading']").inner_text()
    assert "No go" in decisions and "Paul Planner" in decisions
    decision = GoNoGoDecision.objects.get(partnership=partnership)
    assert decision.decided_by == pm.user and decision.decision == "no_go"
    assert PlanTask.objects.filter(plan=plan, status=TaskStatus.DONE).count() == 1
    page.screenshot(path=SCREENSHOTS / "journey-implementation-pm.png", full_page=True)
    assert page.console_errors == []


# --- 4. Admin invites a PM ----------------------------------------------------------------


def test_admin_invites_an_implementation_pm_who_joins_from_the_email(browser_page):
    page = browser_page
    org = northstar()
    admin = MembershipFactory(
        organization=org,
        role=Role.ADMIN,
        user__email="admin@northstar.example",
        user__full_name="Ada Admin",
    )
    invitee = "new.pm@northstar.example"

    sign_in(page, admin.user.email)
    page.wait_for_url(HOME)
    assert page.get_by_role("heading", name="Northstar Nurse Line", level=1).is_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    page.wait_for_url(re.compile(r"/o/northstar/members/$"))
    assert page.get_by_role("heading", name="Members", level=1).is_visible()

    invite = page.locator("#invite")
    invite.get_by_label("E-mail").fill(invitee)
    invite.get_by_label("Role").select_option(label="Implementation PM")
    invite.get_by_role("button", name="Send invitation").click()
    invitations = page.locator("section[aria-labelledby='invitations-heading']")
    pending = invitations.locator("tbody tr").filter(has_text=invitee)
    expect(pending).to_contain_text("Implementation PM")
    expect(pending).to_contain_text("Pending")

    sent = [message for message in mail.outbox if invitee in message.to]
    assert len(sent) == 1
    link = re.search(r"https?://\S+/invitations/\S+/", sent[0].body)
    assert link, sent[0].body
    accept_path = urlsplit(link.group(0)).path

    # Sign out through the user menu.
    page.locator("details.dropdown > summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto(f"{page.live_server_url}{accept_path}")
    assert page.get_by_role("heading", name="Join Northstar Nurse Line").is_visible()
    new_password = "a-long-enough-passphrase-42"
    page.get_by_label("Full name").fill("Nina Newcomer")
    page.get_by_label("Password", exact=True).fill(new_password)
    page.get_by_label("Password again").fill(new_password)
    page.get_by_role("button", name="Create account and join").click()
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="My transitions")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Welcome to Northstar Nurse Line"))).to_be_visible()
    membership = Membership.objects.get(organization=org, user__email=invitee)
    assert membership.role == Role.IMPLEMENTATION_PM
    assert membership.user.full_name == "Nina Newcomer"
    page.screenshot(path=SCREENSHOTS / "journey-admin-invites.png", full_page=True)
    assert page.console_errors == []
