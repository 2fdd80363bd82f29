"""Accessibility of the home pages and what hangs off them: axe-core (from the npm registry,
node_modules/axe-core, a test-only dependency never served) runs in Chromium on each role's
home page, the portfolio, the notifications, the audit trail, the executive summary, the
security and two-factor set-up pages, the members and API tokens pages and a partnership's
offboarding, filled with the demo data, at 1280 and 390 px. No serious or critical violation
is allowed."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from partnerships.models import Partnership, PartnershipStatus
from tenancy.models import Membership
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3)
      .map((n) => n.target.join(" ")).join("; ")})`);
}
"""


def pages_for(email: str) -> list[str]:
    membership = Membership.objects.select_related("organization").get(
        user__email=email, organization__slug="northstar"
    )
    slug = membership.organization.slug
    pages = [f"/o/{slug}/home/", f"/o/{slug}/notifications/", "/account/security/"]
    if membership.is_provider:
        pages += [f"/o/{slug}/portfolio/?manager=all", f"/o/{slug}/tokens/"]
    if membership.role == "admin":
        pages += [f"/o/{slug}/audit/", f"/o/{slug}/members/", "/two-factor/setup/"]
    from tenancy import access

    live = (
        access.visible(membership, Partnership)
        .filter(status__in=[PartnershipStatus.LIVE, PartnershipStatus.TRANSITION])
        .order_by("-status", "pk")
        .first()
    )
    if live is not None:
        pages.append(f"/o/{slug}/{live.pk}/summary/")
        if membership.role == "admin":
            pages.append(f"/o/{slug}/{live.pk}/offboarding/")
    return pages


def test_the_dashboards_have_no_serious_accessibility_violation(
    browser_page, live_server, settings
):
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make install` (npm ci).")
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    axe_source = AXE.read_text() + "\n;undefined"
    page = browser_page
    context = page.context
    problems: list[str] = []
    checked = 0
    for email in (
        "am@northstar.example",
        "exec@university.example",
        "pm@northstar.example",
        "admin@northstar.example",
    ):
        client = Client()
        membership = Membership.objects.get(user__email=email, organization__slug="northstar")
        client.force_login(membership.user)
        context.clear_cookies()
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        for url in pages_for(email):
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(f"{live_server.url}{url}", wait_until="networkidle")
                assert response.status == 200, f"{url} as {email}: {response.status}"
                # axe is evaluated through the DevTools protocol: the pages' CSP allows no
                # inline or foreign script, and the test leaves it on.
                page.evaluate(axe_source)
                for violation in page.evaluate(RUN_AXE):
                    problems.append(f"{url} at {width}px as {email}: {violation}")
                checked += 1
            name = url.strip("/").replace("/", "_").replace("?", "_")
            page.screenshot(path=SCREENSHOTS / f"a11y-{email.split('@')[0]}-{name}.png")
    assert checked >= 20
    assert not problems, f"{len(problems)} serious or critical violations:\n" + "\n".join(problems)
