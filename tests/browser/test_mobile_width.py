"""Every page fits a 390-px-wide phone: for each demo role (and for someone signed out), every
GET page of the site, filled with the demo data that role sees, is loaded at 390 px and must
not scroll sideways (`scrollWidth <= innerWidth`). Wide content (tables, diagrams, charts)
scrolls inside its own box instead.

The pages come from the URL patterns, as the isolation walker finds them
(tests/test_isolation.py), so a page added later is measured without editing this test. A
route is measured when the role's GET of it answers an HTML 200; the API, the Django admin
and downloads (anything not HTML) are left out.
"""

from __future__ import annotations

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from partnerships.models import Partnership, PartnershipStatus
from tenancy import access
from tenancy.models import Membership
from tests.browser.conftest import SCREENSHOTS
from tests.test_isolation import Route, all_routes, fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
ROLES = (
    "admin@northstar.example",
    "am@northstar.example",
    "pm@northstar.example",
    "exec@university.example",
)
SKIPPED_PREFIXES = ("admin/", "api/")
# The richest partnership first: everyone sees the university's, which is in transition.
STATUS_ORDER = [
    PartnershipStatus.TRANSITION,
    PartnershipStatus.DISCOVERY,
    PartnershipStatus.LIVE,
    PartnershipStatus.PROSPECT,
    PartnershipStatus.ENDED,
]

# Reports what sticks out, as tag#id.class with its right edge: the outermost elements past
# the right edge that are not inside a box that scrolls or clips (those are fine), and
# positioned ones (a scrolling box does not clip them unless it is their containing block).
# Pseudo-elements (::before, ::after) are not reported; an overflow with no culprit is one.
MEASURE = """
() => {
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= width) return null;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].slice(0, 3).map((c) => "." + c).join("");
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const right = el.getBoundingClientRect().right;
    const parent = el.parentElement;
    const loose = ["absolute", "fixed"].includes(getComputedStyle(el).position);
    if (right > width + 1 && parent
        && (loose || (parent.getBoundingClientRect().right <= width + 1 && !clipped(el)))) {
      culprits.push(`${name(parent)} > ${name(el)} (${Math.round(right)}px)`);
      if (culprits.length >= 4) break;
    }
  }
  return {scrollWidth, culprits};
}
"""


def page_routes() -> list[Route]:
    """GET pages: not the API, the admin or POST-only actions."""
    return [
        route
        for route in all_routes()
        if not route.text.startswith(SKIPPED_PREFIXES)
        and not route.is_api
        and "GET" in route.mapped_methods
        and not set(route.kwargs) & {"token", "uidb64", "format"}
        and not route.unfillable()
    ]


def _targets(route: Route, membership: Membership | None, partnerships: list[Partnership]):
    """Rows to fill the route with: one per partnership the member sees (richest first) for a
    partnership's pages, else the first visible row."""
    if not route.object_kwargs:
        return [None]
    model = route.target_model
    if membership is None or model is None or not access.is_registered(model):
        return []
    rows = access.visible(membership, model)
    if model is Partnership:
        return partnerships
    if "partnership_pk" in route.kwargs or hasattr(model, "partnership_id"):
        found = []
        for partnership in partnerships:
            row = rows.filter(partnership=partnership).order_by("pk").first()
            if row is not None:
                found.append(row)
        return found
    row = rows.order_by("pk").first()
    return [row] if row is not None else []


def urls_for(membership: Membership | None) -> list[str]:
    """Every page URL a person (a member, or no one signed in) can open, demo rows filled in."""
    partnerships = []
    if membership is not None:
        visible = list(access.visible(membership, Partnership))
        partnerships = sorted(visible, key=lambda p: (STATUS_ORDER.index(p.status), p.pk))
    urls: list[str] = []
    for route in page_routes():
        if ("org_slug" in route.kwargs) != (membership is not None):
            continue
        slug = membership.organization.slug if membership else "-"
        for target in _targets(route, membership, partnerships):
            url = route.url(fill(route, slug, target))
            if url not in urls:
                urls.append(url)
    return urls


def html_pages(client: Client, urls: list[str]) -> list[str]:
    """The URLs that answer this client's GET with an HTML page."""
    pages = []
    for url in urls:
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(url)
    return pages


def test_every_page_fits_a_390px_phone(browser_page, live_server, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    page = browser_page
    context = page.context
    page.set_viewport_size({"width": WIDTH, "height": 844})

    offenders: list[str] = []
    measured = 0
    started = time.monotonic()
    visitors = [(None, None), *((email, None) for email in ROLES)]
    for email, _ in visitors:
        client = Client()
        membership = None
        if email is not None:
            membership = Membership.objects.select_related("organization", "user").get(
                user__email=email, organization__slug="northstar"
            )
            client.force_login(membership.user)
        pages = html_pages(client, urls_for(membership))
        assert pages, f"no page found for {email or 'a signed-out visitor'}"
        context.clear_cookies()
        if email is not None:
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
        for url in pages:
            # Until the network is idle: the bell's count (htmx, after the page) must be done
            # before the next page starts, or two requests would share the live server's one
            # SQLite connection at once (under SQLite in memory, threads share it).
            page.goto(f"{live_server.url}{url}", wait_until="networkidle")
            result = page.evaluate(MEASURE)
            measured += 1
            if result is not None:
                who = email or "signed out"
                culprits = "; ".join(result["culprits"]) or "?"
                offenders.append(f"{url} as {who}: {result['scrollWidth']}px — {culprits}")
                if os.environ.get("SWITCHBOARD_SCREENSHOTS"):
                    name = url.strip("/").replace("/", "_") or "home"
                    page.screenshot(path=SCREENSHOTS / f"mobile-{name}.png", full_page=True)

    elapsed = time.monotonic() - started
    assert measured > 50, f"only {measured} pages measured"
    assert not offenders, (
        f"{len(offenders)} of {measured} pages scroll sideways at {WIDTH}px "
        f"({elapsed:.0f}s):\n" + "\n".join(offenders)
    )
    assert page.console_errors == []
