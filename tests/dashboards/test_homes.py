"""The client executive's, the implementation PM's and the admin's home pages: what each
shows first, that each sees only what their access allows, and flat queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discovery.models import DiscoverySignOff
from health.models import Alert, AlertKind, IssueStatus
from partnerships.models import PartnershipStatus
from tests.culture.factories import (
    CallerPopulationFactory,
    PhysicianPreferenceFactory,
    SatisfactionResultFactory,
)
from tests.dashboards.conftest import NOW, issue, measure, snapshot, touch
from tests.discovery.factories import (
    ExperienceGoalFactory,
    KpiBaselineFactory,
    KpiFactory,
    OpportunityFactory,
    ServiceLineFactory,
)
from tests.factories import PartnershipFactory
from tests.transition.factories import PlanTaskFactory, TransitionPlanFactory


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


# --- Client executive ------------------------------------------------------------------


@pytest.fixture
def waiting(partnership, other_client_partnership, account_manager, client_executive, org_a):
    """Five things waiting on University's executive, and the same kinds on the County
    partnership (another client), which she must never see."""
    items = {}
    for p in (partnership, other_client_partnership):
        DiscoverySignOff.objects.create(
            organization=org_a,
            partnership=p,
            signed_by=account_manager.user,
            signed_at=NOW,
            checklist=[],
        )
        ExperienceGoalFactory(partnership=p, statement=f"Goal of {p.name}")
        OpportunityFactory(partnership=p, title=f"Opportunity of {p.name}")
        PhysicianPreferenceFactory(partnership=p, physician=f"Dr. {p.name}", title="Chest pain")
        issue(
            p,
            account_manager.user,
            severity="high",
            title=f"Question about {p.name}",
            status=IssueStatus.WAITING_ON_CLIENT,
            paused_since=NOW,
            first_response_at=NOW,
        )
    return items


def test_a_client_executive_sees_what_awaits_her_first(
    as_member, client_executive, partnership, waiting, home_url
):
    response = as_member(client_executive).get(home_url)
    assert response.status_code == 200
    html = response.content.decode()
    awaiting = html.split("Waiting for you")[1].split("</section>")[0]
    assert "Co-sign the discovery sign-off" in awaiting
    assert "Sign off 1 desired-experience goal" in awaiting
    assert "Opportunity of University after-hours line" in awaiting
    assert "Dr. University after-hours line" in awaiting
    assert "Question about University after-hours line" in awaiting
    # Each links to the page where she acts.
    slug = "northstar"
    assert (
        reverse("discovery:cosign", kwargs={"org_slug": slug, "partnership_pk": partnership.pk})
        in awaiting
    )
    assert (
        reverse(
            "discovery:goals-sign-off", kwargs={"org_slug": slug, "partnership_pk": partnership.pk}
        )
        in awaiting
    )
    # Nothing of the other client's partnership.
    assert "County" not in html


def test_nothing_waiting_says_so(as_member, client_executive, partnership, home_url):
    html = as_member(client_executive).get(home_url).content.decode()
    assert "Nothing waits for you" in html


def test_a_client_executive_follows_parity_kpis_progress_goals_and_satisfaction(
    as_member, client_executive, partnership, org_a, home_url
):
    partnership.status = PartnershipStatus.LIVE
    partnership.actual_go_live = org_a.local_today() - datetime.timedelta(days=60)
    partnership.save()
    kpi = KpiFactory(
        organization=org_a,
        key="abandonment_rate",
        name="Abandonment rate",
        unit="percent",
        direction="lower",
        target=Decimal("5"),
    )
    service = ServiceLineFactory(partnership=partnership, name="After-hours triage")
    KpiBaselineFactory(
        partnership=partnership,
        service_line=service,
        kpi=kpi,
        value=Decimal("7.8"),
        target=Decimal("6"),
    )
    for days_ago in range(3):
        measure(partnership, kpi, Decimal("5.04"), days_ago=days_ago, service_line=service)
    ExperienceGoalFactory(
        partnership=partnership, kpi=kpi, target=Decimal("6"), statement="Few callers hang up"
    )
    population = CallerPopulationFactory(partnership=partnership, name="Students")
    SatisfactionResultFactory(population=population, responses=120, satisfied_pct=Decimal("90"))
    SatisfactionResultFactory(population=population, responses=130, satisfied_pct=Decimal("92.5"))
    mine = issue(partnership, client_executive.user, severity="low", title="Hold music too loud")

    html = as_member(client_executive).get(home_url).content.decode()

    parity = html.split("Parity: live KPIs")[1].split("</section>")[0]
    assert "After-hours triage" in parity and "Abandonment rate" in parity
    assert "7.8 %" in parity and "5 %" in parity and "Same or better" in parity
    assert "Few callers hang up" in html and "met" in html
    assert "Students" in html and "92.5 %" in html and "+2.5 pts" in html
    assert "Hold music too loud" in html
    trends = html.split("KPI trends")[1].split("</section>")[0]
    assert "Last 28 days" in trends and "Abandonment rate" in trends and "meets" in trends
    assert 'aria-label="Abandonment rate: 3 days, from 5.04 to 5.04' in trends
    # The chart (Chart.js) gets the same figures as JSON, baseline and target included.
    chart = html.split('id="kpi-chart-data"')[1].split("</script>")[0]
    assert '"values":[5.04,5.04,5.04]' in chart.replace(" ", "")
    assert '"baseline":7.8' in chart.replace(" ", "") and '"target":6.0' in chart.replace(" ", "")
    week = as_member(client_executive).get(home_url, {"days": "7"}).content.decode()
    assert "Last 7 days" in week
    odd = as_member(client_executive).get(home_url, {"days": "3650"}).content.decode()
    assert "Last 28 days" in odd  # a period not offered falls back to 28 days
    assert (
        reverse(
            "health:issue-detail",
            kwargs={"org_slug": "northstar", "partnership_pk": partnership.pk, "pk": mine.pk},
        )
        in html
    )


def test_transition_progress_and_go_live_countdown(
    as_member, client_executive, partnership, org_a, home_url
):
    today = org_a.local_today()
    partnership.status = PartnershipStatus.TRANSITION
    partnership.planned_go_live = today + datetime.timedelta(days=45)
    partnership.save()
    plan = TransitionPlanFactory(partnership=partnership)
    PlanTaskFactory(plan=plan, status="done", start=today, due=today)
    PlanTaskFactory(plan=plan, start=today, due=today + datetime.timedelta(days=3))
    PlanTaskFactory(
        plan=plan,
        title="Parallel run complete",
        is_milestone=True,
        start=today + datetime.timedelta(days=30),
        due=today + datetime.timedelta(days=30),
        baseline_due=today + datetime.timedelta(days=27),
    )
    html = as_member(client_executive).get(home_url).content.decode()
    assert "33%" in html and "of 3 plan tasks done" in html
    assert "Parallel run complete" in html and "3 days later than planned" in html
    assert "Go-live in <strong>45 days</strong>" in html


def test_another_clients_partnership_cannot_be_chosen(
    as_member, client_executive, partnership, other_client_partnership, home_url
):
    response = as_member(client_executive).get(
        home_url, {"partnership": other_client_partnership.pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "That partnership is not one of yours" in html
    assert "County clinic daytime line" not in html


def test_a_client_executives_home_takes_the_same_queries_whatever_waits(
    as_member, client_executive, partnership, account_manager, org_a, home_url
):
    member = as_member(client_executive)
    member.get(home_url)
    before = _queries(member, home_url)
    for n in range(4):
        p = PartnershipFactory(
            organization=org_a,
            client=partnership.client,
            name=f"Line {n}",
            status=PartnershipStatus.DISCOVERY,
            account_manager=account_manager.user,
        )
        ExperienceGoalFactory(partnership=p)
        OpportunityFactory(partnership=p)
        PhysicianPreferenceFactory(partnership=p)
    assert _queries(member, home_url, {"partnership": partnership.pk}) == before


# --- Implementation PM -------------------------------------------------------------------


def test_a_pm_sees_their_tasks_and_the_critical_path_at_risk(
    as_member, implementation_pm, partnership, org_a, home_url
):
    today = org_a.local_today()
    partnership.status = PartnershipStatus.TRANSITION
    partnership.save()
    plan = TransitionPlanFactory(partnership=partnership)
    PlanTaskFactory(
        plan=plan,
        title="Train the nurses",
        owner=implementation_pm.user,
        start=today - datetime.timedelta(days=5),
        due=today - datetime.timedelta(days=2),
        baseline_due=today - datetime.timedelta(days=4),
    )
    html = as_member(implementation_pm).get(home_url).content.decode()
    assert "My transitions" in html
    assert "Train the nurses" in html and "2 d overdue" in html
    risk = html.split("Critical path at risk")[1].split("</section>")[0]
    assert "Train the nurses" in risk and "overdue" in risk
    assert "Go/no-go readiness" in html and "checks done" in html


def test_a_pm_without_partnerships_is_told_who_assigns_them(as_member, implementation_pm, home_url):
    html = as_member(implementation_pm).get(home_url).content.decode()
    assert "You are not assigned to a partnership yet" in html


def test_a_pm_cannot_open_a_partnership_they_are_not_assigned_to(
    as_member, implementation_pm, partnership, other_client_partnership, home_url
):
    html = (
        as_member(implementation_pm)
        .get(home_url, {"partnership": other_client_partnership.pk})
        .content.decode()
    )
    assert "That partnership is not one of yours" in html
    assert "County clinic daytime line" not in html


# --- Admin -------------------------------------------------------------------------------


def test_an_admin_sees_bands_by_phase_workload_alerts_and_freshness(
    as_member, admin, account_manager, partnership, org_a, home_url
):
    partnership.status = PartnershipStatus.LIVE
    partnership.save()
    snapshot(partnership, score=Decimal("42"), band="red")
    other = PartnershipFactory(
        organization=org_a,
        client=partnership.client,
        name="Second line",
        status=PartnershipStatus.TRANSITION,
        account_manager=account_manager.user,
    )
    touch(other, account_manager.user, days_ago=3)
    Alert.objects.create(
        organization=org_a,
        partnership=partnership,
        recipient=account_manager.user,
        kind=AlertKind.STALE_DATA,
        band="red",
        title="University after-hours line: the KPI feed sent no KPI data in 4 weeks",
    )
    html = as_member(admin).get(home_url).content.decode()
    assert "Partnerships by band and phase" in html
    workload = html.split("Account-manager workload")[1].split("</section>")[0]
    assert "Alice Manager" in workload
    # Alice: 2 partnerships, 1 red, 1 open alert, 1 touchpoint due (the live one has none).
    cells = [c.split("</td>")[0].strip() for c in workload.split('<td class="numeric">')[1:5]]
    assert [c.replace('<span class="breach">', "").replace("</span>", "") for c in cells] == [
        "2",
        "1",
        "1",
        "1",
    ]
    assert "the KPI feed sent no KPI data in 4 weeks" in html
    freshness = html.split("KPI data freshness")[1].split("</section>")[0]
    assert "University after-hours line" in freshness and "No data in 5 weeks" in freshness


@pytest.mark.parametrize("who", ["account_manager", "implementation_pm"])
def test_the_audit_trail_is_the_admins(as_member, request, who, audit_url):
    assert as_member(request.getfixturevalue(who)).get(audit_url).status_code == 403


def test_the_audit_trail_does_not_exist_for_a_client_executive(
    as_member, client_executive, audit_url
):
    assert as_member(client_executive).get(audit_url).status_code == 404


def test_the_admin_home_takes_the_same_queries_whatever_the_size(
    as_member, admin, account_manager, org_a, university, home_url
):
    member = as_member(admin)
    member.get(home_url)

    def add(n):
        for i in range(n):
            p = PartnershipFactory(
                organization=org_a,
                client=university,
                name=f"Line {n}-{i}",
                status=PartnershipStatus.LIVE,
                account_manager=account_manager.user,
            )
            snapshot(p, score=Decimal("55"), band="amber")
            touch(p, account_manager.user)

    add(2)
    small = _queries(member, home_url)
    add(5)
    assert _queries(member, home_url) == small


def test_the_pm_home_takes_the_same_queries_whatever_the_number_of_partnerships(
    as_member, implementation_pm, account_manager, partnership, org_a, university, home_url
):
    partnership.status = PartnershipStatus.TRANSITION
    partnership.save()
    member = as_member(implementation_pm)
    member.get(home_url)

    def add(n):
        for i in range(n):
            p = PartnershipFactory(
                organization=org_a,
                client=university,
                name=f"Transition {n}-{i}",
                status=PartnershipStatus.TRANSITION,
                account_manager=account_manager.user,
                implementation_pms=[implementation_pm.user],
            )
            plan = TransitionPlanFactory(partnership=p)
            PlanTaskFactory(plan=plan, owner=implementation_pm.user, is_milestone=True)

    add(1)
    small = _queries(member, home_url, {"partnership": partnership.pk})
    add(4)
    assert _queries(member, home_url, {"partnership": partnership.pk}) == small
