"""The account manager's portfolio: what it shows per partnership, "needs attention" first,
the filters, the alerts inbox, its API twin, who may see it, and flat queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import selectors
from health.models import Alert, AlertKind
from partnerships.models import PartnershipStatus
from tests.dashboards.conftest import NOW, issue, measure, snapshot, touch
from tests.discovery.factories import KpiFactory
from tests.factories import ClientOrganizationFactory, PartnershipFactory
from tests.transition.factories import PlanTaskFactory, TransitionPlanFactory


@pytest.fixture
def portfolio_data(org_a, partnership, account_manager, admin, university):
    """Three of the account manager's partnerships and one of someone else's:
    - `calm`: live, green, a touchpoint two days ago, data today;
    - `slipping`: transition, amber then red (worsening), a critical issue past its SLA, an
      overdue milestone, no touchpoint ever;
    - `quiet`: live, green, but its KPI feed stopped ten days ago;
    - `theirs`: the admin's, red."""
    county = ClientOrganizationFactory(organization=org_a, name="County Clinic")
    kpi = KpiFactory(organization=org_a, key="asa", name="Average speed of answer")
    calm = partnership
    calm.status = PartnershipStatus.LIVE
    calm.actual_go_live = datetime.date(2026, 6, 1)
    calm.name = "Calm line"
    calm.save()
    snapshot(calm, score=Decimal("88.0"), band="green")
    touch(calm, account_manager.user, days_ago=2)
    measure(calm, kpi, Decimal("25"))

    slipping = PartnershipFactory(
        organization=org_a,
        client=county,
        name="Slipping line",
        status=PartnershipStatus.TRANSITION,
        account_manager=account_manager.user,
    )
    snapshot(slipping, score=Decimal("68.0"), band="amber", hours_ago=30)
    snapshot(slipping, score=Decimal("41.5"), band="red", trend="worsening")
    issue(slipping, account_manager.user, severity="critical", hours_ago=48)
    issue(slipping, account_manager.user, severity="high", hours_ago=1)
    plan = TransitionPlanFactory(partnership=slipping)
    today = org_a.local_today()
    PlanTaskFactory(
        plan=plan,
        title="Parallel run",
        is_milestone=True,
        start=today - datetime.timedelta(days=3),
        due=today - datetime.timedelta(days=3),
        baseline_due=today - datetime.timedelta(days=8),
    )
    PlanTaskFactory(
        plan=plan,
        title="Go-live",
        is_milestone=True,
        start=today + datetime.timedelta(days=20),
        due=today + datetime.timedelta(days=20),
        baseline_due=today + datetime.timedelta(days=14),
    )
    PlanTaskFactory(plan=plan, title="Done task", status="done", start=today, due=today)

    quiet = PartnershipFactory(
        organization=org_a,
        client=university,
        name="Quiet line",
        status=PartnershipStatus.LIVE,
        actual_go_live=datetime.date(2026, 5, 1),
        account_manager=account_manager.user,
    )
    snapshot(quiet, score=Decimal("80.0"), band="green")
    touch(quiet, account_manager.user, days_ago=40)
    measure(quiet, kpi, Decimal("30"), days_ago=10, received_days_ago=10)

    theirs = PartnershipFactory(
        organization=org_a,
        client=county,
        name="Admin's line",
        status=PartnershipStatus.LIVE,
        account_manager=admin.user,
    )
    snapshot(theirs, score=Decimal("30.0"), band="red")
    return {"calm": calm, "slipping": slipping, "quiet": quiet, "theirs": theirs}


def row_names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def test_an_account_manager_lands_on_their_portfolio_needs_attention_first(
    as_member, account_manager, portfolio_data, home_url
):
    response = as_member(account_manager).get(home_url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "My portfolio" in html
    # Their three partnerships, not the admin's; the slipping one first, then the quiet feed.
    assert "Admin&#x27;s line" not in html and "Admin's line" not in html
    first, second, third = (html.index(name) for name in ("Slipping line", "Quiet line", "Calm"))
    assert first < second < third
    # Why it needs attention, in words.
    for reason in ("Score worsening", "1 SLA breach", "1 overdue milestone", "KPI feed stale"):
        assert reason in html
    # The figures behind each row.
    assert "41.5" in html and "88" in html
    assert "Parallel run" in html and "5 d late vs baseline" in html
    assert "Never" in html  # no touchpoint on the slipping line
    assert "40 d ago" in html
    # One click to each partnership's "why" panel.
    why = reverse(
        "health:check",
        kwargs={"org_slug": "northstar", "partnership_pk": portfolio_data["slipping"].pk},
    )
    assert why in html


def test_the_portfolio_rows_carry_what_the_selector_computes(account_manager, portfolio_data):
    data = selectors.portfolio(membership=account_manager)
    rows = {row.name: row for row in data.rows}

    slipping = rows["Slipping line"]
    assert slipping.band == "red" and slipping.score == 41.5
    assert slipping.issues.critical == 1 and slipping.issues.high == 1
    assert slipping.issues.breached == 1  # the critical one, 48 h old; the high one is in time
    assert slipping.next_milestone["title"] == "Parallel run"
    assert slipping.next_milestone["slip_days"] == 5
    assert slipping.progress["percent_done"] == 33
    assert slipping.days_since_touchpoint is None
    assert slipping.days_since_data is None and not slipping.stale  # not live: no feed yet
    assert rows["Quiet line"].stale and rows["Quiet line"].days_since_data == 10
    assert rows["Calm line"].attention == []
    assert data.bands == {"red": 1, "green": 2}
    assert data.breached == 1 and data.stale == 1 and data.attention == 2
    assert data.touchpoints_due == 2  # never, and 40 days ago


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"band": "red"}, ["Slipping line"]),
        ({"band": "green", "sort": "name"}, ["Calm line", "Quiet line"]),
        ({"status": "transition"}, ["Slipping line"]),
        ({"sort": "score"}, ["Slipping line", "Quiet line", "Calm line"]),
        ({"manager": "all", "band": "red", "sort": "score"}, ["Admin's line", "Slipping line"]),
    ],
)
def test_the_portfolio_filters_and_sorts(
    as_member, account_manager, portfolio_data, org_a, query, expected
):
    url = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    response = as_member(account_manager).get(url, query)
    assert response.status_code == 200
    assert row_names(response) == expected


def test_the_portfolio_filters_by_client(as_member, account_manager, portfolio_data, org_a):
    county = portfolio_data["slipping"].client
    url = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    response = as_member(account_manager).get(url, {"client": county.pk})
    assert row_names(response) == ["Slipping line"]


def test_the_page_ignores_filter_values_it_does_not_know(
    as_member, account_manager, portfolio_data, portfolio_url
):
    response = as_member(account_manager).get(
        portfolio_url, {"band": "purple", "status": "<script>", "client": "x"}
    )
    assert response.status_code == 200
    assert "Calm line" in response.content.decode()
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"band": "purple"}, "band"),
        ({"status": "ended"}, "status"),
        ({"client": "1; drop"}, "client"),
        ({"sort": "random"}, "sort"),
        ({"manager": "me"}, "manager"),
    ],
)
def test_the_api_refuses_unknown_filter_values_naming_the_field(
    as_member, account_manager, org_a, query, field
):
    url = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    response = as_member(account_manager).get(url, query)
    assert response.status_code == 400
    assert field in str(response.json())


def test_the_api_twin_returns_the_pages_rows_with_their_figures(
    as_member, account_manager, portfolio_data, org_a
):
    url = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    body = as_member(account_manager).get(url).json()
    assert body["count"] == 3 and body["needs_attention"] == 2 and body["sla_breaches"] == 1
    first = body["results"][0]
    assert first["name"] == "Slipping line"
    assert first["health"]["band"] == "red" and first["health"]["score"] == 41.5
    assert first["open_issues"] == {"critical": 1, "high": 1, "medium": 0, "low": 0, "breached": 1}
    assert first["next_milestone"]["slip_days"] == 5
    assert "Score worsening" in first["needs_attention"]


def test_a_client_executive_has_no_portfolio(
    as_member, client_executive, portfolio_data, portfolio_url, org_a
):
    member = as_member(client_executive)
    assert member.get(portfolio_url).status_code == 404
    api = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    assert member.get(api).status_code == 404


def test_another_tenant_gets_404(as_member, outsider, portfolio_data, portfolio_url, org_a):
    member = as_member(outsider)
    assert member.get(portfolio_url).status_code == 404
    api = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    assert member.get(api).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, portfolio_url, org_a):
    assert client.get(portfolio_url).status_code == 302
    api = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    assert client.get(api).status_code in (401, 403)


def test_an_account_manager_without_partnerships_is_told_what_to_do(
    as_member, account_manager, home_url
):
    html = as_member(account_manager).get(home_url).content.decode()
    assert "You manage no discovery, transition or live partnership yet" in html
    assert "every partnership" in html


def test_the_inbox_shows_the_members_open_alerts_only(
    as_member, account_manager, admin, portfolio_data, home_url
):
    slipping = portfolio_data["slipping"]
    common = {"organization": slipping.organization, "partnership": slipping, "band": "red"}
    Alert.objects.create(
        **common,
        recipient=account_manager.user,
        kind=AlertKind.BAND_WORSENED,
        title="Slipping line went from amber to red",
    )
    Alert.objects.create(
        **common,
        recipient=account_manager.user,
        kind=AlertKind.BAND_WORSENED,
        title="An acknowledged one",
        acknowledged_at=NOW,
        acknowledged_by=account_manager.user,
        acknowledgement_note="Called them.",
    )
    Alert.objects.create(
        **common,
        recipient=admin.user,
        kind=AlertKind.STALE_DATA,
        title="The admin's own alert",
    )
    html = as_member(account_manager).get(home_url).content.decode()
    assert "Slipping line went from amber to red" in html
    assert "An acknowledged one" not in html
    assert "The admin&#x27;s own alert" not in html
    assert "1 open alert" in html  # and it counts as a reason for attention


def test_markup_in_names_is_shown_as_text(as_member, account_manager, org_a, home_url):
    PartnershipFactory(
        organization=org_a,
        name="<img src=x onerror=alert(1)>",
        status=PartnershipStatus.DISCOVERY,
        account_manager=account_manager.user,
    )
    html = as_member(account_manager).get(home_url).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def _portfolio_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_portfolio_takes_the_same_queries_whatever_its_size(
    as_member, account_manager, org_a, university, portfolio_url
):
    kpi = KpiFactory(organization=org_a, key="asa", name="Average speed of answer")

    def add(n: int) -> None:
        for i in range(n):
            p = PartnershipFactory(
                organization=org_a,
                client=university,
                name=f"Line {i}-{n}",
                status=PartnershipStatus.LIVE if i % 2 else PartnershipStatus.TRANSITION,
                account_manager=account_manager.user,
            )
            snapshot(p, score=Decimal("70"), band="amber", hours_ago=26)
            snapshot(p, score=Decimal("60"), band="amber")
            issue(p, account_manager.user, severity="high")
            touch(p, account_manager.user)
            measure(p, kpi, Decimal("20"))
            plan = TransitionPlanFactory(partnership=p)
            PlanTaskFactory(plan=plan, is_milestone=True)

    member = as_member(account_manager)
    member.get(portfolio_url)  # the first visit remembers the organization in the session
    add(2)
    small = _portfolio_queries(member, portfolio_url)
    add(6)
    large = _portfolio_queries(member, portfolio_url)
    assert small == large
    api = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    api_large = _portfolio_queries(member, api)
    add(3)
    assert _portfolio_queries(member, api) == api_large


def test_kpi_tiles_count_lines_against_target_and_baseline(
    as_member, account_manager, org_a, university, home_url
):
    from tests.discovery.factories import KpiBaselineFactory, ServiceLineFactory

    kpi = KpiFactory(
        organization=org_a,
        key="abandonment_rate",
        name="Abandonment rate",
        direction="lower",
        target=Decimal("5"),
    )
    for n, value in enumerate(["4.0", "6.5", "7.0"]):
        p = PartnershipFactory(
            organization=org_a,
            client=university,
            name=f"Live {n}",
            status=PartnershipStatus.LIVE,
            account_manager=account_manager.user,
        )
        line = ServiceLineFactory(partnership=p, name="After-hours")
        KpiBaselineFactory(
            partnership=p, service_line=line, kpi=kpi, value=Decimal("6.8"), target=None
        )
        measure(p, kpi, Decimal(value), service_line=line)
    data = selectors.portfolio(membership=account_manager)
    (tile,) = data.kpi_tiles
    assert (tile.measured, tile.meeting_target, tile.with_target) == (3, 1, 3)
    assert (tile.at_least_baseline, tile.with_baseline) == (2, 3)
    html = as_member(account_manager).get(home_url).content.decode()
    assert "KPIs across these partnerships" in html
    assert "2 of 3 at or better than baseline" in html


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999999", "-1", "1e3", "0"])
def test_hostile_ids_in_the_query_string_never_break_a_page(
    as_member, account_manager, client_executive, partnership, org_a, portfolio_url, home_url, value
):
    manager = as_member(account_manager)
    assert manager.get(portfolio_url, {"manager": value, "client": value}).status_code == 200
    api = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    for name in ("manager", "client"):
        response = manager.get(api, {name: value})
        assert response.status_code == 400 and name in response.json()
    executive = as_member(client_executive)
    response = executive.get(home_url, {"partnership": value})
    assert response.status_code == 200
    assert "That partnership is not one of yours" in response.content.decode()


def test_the_trend_reads_the_check_that_covers_noon_at_the_organizations_interval(
    account_manager, partnership, org_a
):
    import datetime as dt

    from health.models import HealthCheck
    from health.portfolio_selectors import daily_scores

    today = dt.datetime.now(dt.UTC).date()
    for days_ago, hour, score in ((2, 8, 60), (1, 8, 65), (1, 16, 10), (0, 0, 99)):
        HealthCheck.objects.create(
            organization=org_a,
            partnership=partnership,
            period_start=dt.datetime.combine(
                today - dt.timedelta(days=days_ago), dt.time(hour), dt.UTC
            ),
            phase="discovery",
            score=score,
            band="amber",
        )
    every_8_hours = daily_scores(
        membership=account_manager, partnership_ids=[partnership.pk], days=3, every_minutes=480
    )
    assert every_8_hours == {partnership.pk: [60.0, 65.0]}
    daily = daily_scores(
        membership=account_manager, partnership_ids=[partnership.pk], days=3, every_minutes=1440
    )
    assert daily == {partnership.pk: [99.0]}


def test_the_inbox_acknowledges_and_snoozes_in_place(
    as_member, account_manager, partnership, org_a, home_url
):
    common = {
        "organization": org_a,
        "partnership": partnership,
        "recipient": account_manager.user,
        "kind": AlertKind.BAND_WORSENED,
        "band": "red",
    }
    first = Alert.objects.create(**common, title="First alert")
    second = Alert.objects.create(**common, title="Second alert")
    member = as_member(account_manager)
    slug = {"org_slug": org_a.slug}
    done = member.post(
        reverse("health:alert-acknowledge", kwargs={**slug, "pk": first.pk}),
        {"note": "Called the CNO.", "next": home_url},
    )
    assert done.status_code == 302 and done.url == home_url
    until = (org_a.local_today() + datetime.timedelta(days=3)).isoformat()
    snoozed = member.post(
        reverse("health:alert-snooze", kwargs={**slug, "pk": second.pk}),
        {"until": until, "reason": "Waiting for the carrier.", "next": "https://evil.example/"},
    )
    assert snoozed.url == reverse("health:alerts", kwargs=slug)  # never off the site
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.acknowledgement_note == "Called the CNO." and second.snoozed_until is not None
    html = member.get(home_url).content.decode()
    assert "First alert" not in html and "Second alert" not in html


@pytest.mark.parametrize(
    "target", ["//evil.example/o/northstar/", "/o/harbor/home/", "javascript:alert(1)"]
)
def test_the_inbox_return_address_stays_in_the_organization(
    as_member, account_manager, partnership, org_a, target
):
    alert = Alert.objects.create(
        organization=org_a,
        partnership=partnership,
        recipient=account_manager.user,
        kind=AlertKind.BAND_WORSENED,
        title="An alert",
    )
    response = as_member(account_manager).post(
        reverse("health:alert-acknowledge", kwargs={"org_slug": org_a.slug, "pk": alert.pk}),
        {"note": "Done.", "next": target},
    )
    assert response.url == reverse("health:alerts", kwargs={"org_slug": org_a.slug})


def test_one_kpi_scan_gives_the_windows_averages_and_the_feeds_freshness(
    account_manager, org_a, university
):
    """`kpi_window` reads the figures once for two rules: the health check's 28-day averages
    (the audits' roll-up of the month the window starts in counting whole) and the feed's
    freshness over 35 days (audits left out). Each is held to its own plain reading."""
    from django.db.models import Max

    from health import portfolio_selectors as portfolio
    from health.models import KpiMeasurement
    from health.selectors import KPI_WINDOW_DAYS, _kpi_averages
    from tenancy import access

    kpi = KpiFactory(organization=org_a, key="asa", name="Speed of answer", direction="lower")
    other = KpiFactory(organization=org_a, key="aband", name="Abandonment", direction="lower")
    fed, stale, audited_only = (
        PartnershipFactory(
            organization=org_a,
            client=university,
            status=PartnershipStatus.LIVE,
            account_manager=account_manager.user,
        )
        for _ in range(3)
    )
    today = org_a.local_today()
    since = today - datetime.timedelta(days=KPI_WINDOW_DAYS - 1)
    for days_ago, value in [(0, "30"), (20, "40"), (30, "90"), (40, "99")]:
        measure(fed, kpi, Decimal(value), days_ago=days_ago, received_days_ago=days_ago)
    measure(fed, other, Decimal("3"), days_ago=33, received_days_ago=1)  # late, outside 28 days
    measure(stale, kpi, Decimal("50"), days_ago=36, received_days_ago=36)  # outside both
    for partnership in (fed, audited_only):
        KpiMeasurement.objects.create(
            organization=org_a,
            partnership=partnership,
            kpi=kpi,
            day=since.replace(day=1),
            value=Decimal("70"),
            source="audits",
            received_at=NOW,
        )
    ids = [fed.pk, stale.pk, audited_only.pk]

    window = portfolio.kpi_window(membership=account_manager, partnership_ids=ids, today=today)

    visible = access.visible(account_manager, KpiMeasurement).filter(partnership_id__in=ids)
    assert window.averages == _kpi_averages(visible, since)
    assert window.averages[(fed.pk, 0, kpi.pk)] == (round((30 + 40 + 70) / 3, 3), 3)
    assert (fed.pk, 0, other.pk) not in window.averages
    assert (stale.pk, 0, kpi.pk) not in window.averages
    assert window.averages[(audited_only.pk, 0, kpi.pk)] == (70.0, 1)
    fresh = visible.filter(day__gte=today - datetime.timedelta(days=35)).exclude(source="audits")
    expected = {
        row["partnership_id"]: {"day": row["day"], "received_at": row["received_at"]}
        for row in fresh.order_by()
        .values("partnership_id")
        .annotate(day=Max("day"), received_at=Max("received_at"))
    }
    assert window.received == expected
    assert window.received[fed.pk] == {"day": today, "received_at": NOW}
    assert stale.pk not in window.received and audited_only.pk not in window.received


# --- What the portfolio remembers between writes (tenancy/generation.py) ----------------


def test_the_portfolio_shows_a_write_at_once(
    as_member, account_manager, portfolio_data, portfolio_url, org_a
):
    """The page and its API twin are remembered between writes; every write shows on the
    next visit."""
    member = as_member(account_manager)
    api = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    slipping = portfolio_data["slipping"]
    assert "Never" in member.get(portfolio_url).content.decode()
    rows = {row["name"]: row for row in member.get(api).json()["results"]}
    assert rows["Slipping line"]["open_alerts"] == 0

    touch(slipping, account_manager.user, days_ago=1)
    Alert.objects.create(
        organization=org_a,
        partnership=slipping,
        recipient=account_manager.user,
        kind=AlertKind.BAND_WORSENED,
        band="red",
        title="Slipping line turned red",
    )

    html = member.get(portfolio_url).content.decode()
    assert "Never" not in html and "1 open alert" in html
    rows = {row["name"]: row for row in member.get(api).json()["results"]}
    assert rows["Slipping line"]["open_alerts"] == 1
    assert rows["Slipping line"]["days_since_touchpoint"] == 1


def test_members_never_share_a_remembered_portfolio(
    as_member, account_manager, admin, portfolio_data, portfolio_url, org_a
):
    api = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})

    def shows_admins_line(html: str) -> bool:
        return "Admin&#x27;s line" in html or "Admin&#39;s line" in html

    mine = as_member(account_manager)
    assert not shows_admins_line(mine.get(portfolio_url).content.decode())
    assert "Admin's line" not in row_names(mine.get(api))
    theirs = as_member(admin)
    assert shows_admins_line(theirs.get(portfolio_url).content.decode())
    assert "Admin's line" in row_names(theirs.get(api))
    mine = as_member(account_manager)
    assert "Admin's line" not in row_names(mine.get(api))


def test_the_portfolio_is_computed_afresh_each_minute(
    as_member, account_manager, portfolio_data, portfolio_url, org_a, monkeypatch
):
    """What depends on the time (an SLA breached, days since a touchpoint, a stale feed) is
    never more than a minute old: a visit in the same minute reads what the first computed, a
    visit the next minute computes it again."""
    from tenancy import generation

    member = as_member(account_manager)
    api = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    minute = generation.this_minute()
    monkeypatch.setattr(generation, "this_minute", lambda: minute)
    computed = _portfolio_queries(member, portfolio_url)
    remembered = _portfolio_queries(member, portfolio_url)
    assert remembered < computed
    api_computed = _portfolio_queries(member, api)
    assert _portfolio_queries(member, api) < api_computed
    later = minute + datetime.timedelta(minutes=1)
    monkeypatch.setattr(generation, "this_minute", lambda: later)
    assert _portfolio_queries(member, portfolio_url) > remembered
    assert _portfolio_queries(member, api) == api_computed


def test_the_api_twin_reads_the_same_in_the_browsable_api_and_indented(
    as_member, account_manager, portfolio_data, org_a
):
    member = as_member(account_manager)
    api = reverse("api:dashboards-portfolio-list", kwargs={"org_slug": org_a.slug})
    compact = member.get(api).json()
    indented = member.get(api, HTTP_ACCEPT="application/json; indent=2")
    assert b'\n  "count": 3' in indented.content and indented.json() == compact
    browsable = member.get(api, HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200
    assert "Slipping line" in browsable.content.decode()
