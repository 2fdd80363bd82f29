"""The API docs (Swagger UI, from local assets) load under the site's strict Content Security
Policy: no violation, no console error, and the operations are drawn."""

from __future__ import annotations

import re

import pytest

from tenancy.models import Role
from tests.browser.test_smoke import sign_in
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


def test_the_api_docs_load_without_a_csp_violation(browser_page):
    page = browser_page
    org = OrganizationFactory(name="Northstar Nurse Line", slug="northstar")
    admin = MembershipFactory(organization=org, role=Role.ADMIN)
    page.add_init_script(LISTEN)
    sign_in(page, admin.user.email)
    page.wait_for_url(re.compile(r"/o/northstar/"))

    response = page.goto(f"{page.live_server_url}/api/docs/")

    assert response.status == 200
    assert "script-src" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .opblock").first.wait_for()  # the schema loaded and was drawn
    page.get_by_text("Switchboard API").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__violations") == []
    assert page.console_errors == []
