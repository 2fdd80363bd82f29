"""The discovery pages: the Discovery tab (checklist, sign-off, sections, the gate), the forms
behind it, call flows (drawn, validated, compared, imported, exported, edited) and the KPI
catalog. Roles per page (403 / 404), field errors, internal fields kept from client
executives, and flat query counts on the lists.

Personas come from tests/conftest.py (Northstar's admin, the dedicated account manager of
`partnership`, its implementation PM, the client executive of its client, Harbor's admin as
the outsider); discovery fixtures from tests/discovery/conftest.py.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discovery import services
from discovery.models import (
    CallFlow,
    CallFlowVersion,
    DiscoverySignOff,
    GoalSignOff,
    KpiBaseline,
    KpiDefinition,
    Opportunity,
    ReviewedReport,
    ServiceLine,
)
from discovery.samples import AFTER_HOURS_TRIAGE_CURRENT, AFTER_HOURS_TRIAGE_FUTURE
from tenancy.models import AuditEvent
from tests.discovery.conftest import csv_upload
from tests.discovery.factories import (
    CallFlowFactory,
    CallFlowVersionFactory,
    DiscoverySessionFactory,
    ExperienceGoalFactory,
    KpiBaselineFactory,
    OpportunityFactory,
    ReviewedReportFactory,
    ServiceLineFactory,
)

pytestmark = pytest.mark.django_db

BROKEN_GRAPH = {
    "nodes": [
        {"key": "entry", "kind": "entry", "label": "Caller dials"},
        {"key": "queue", "kind": "queue", "label": "Nurse queue"},
        {"key": "voicemail", "kind": "voicemail", "label": "Voicemail"},
        {"key": "lost", "kind": "callback", "label": "Orphan callback"},
    ],
    "edges": [
        {"source": "entry", "target": "queue", "condition": ""},
        {"source": "queue", "target": "voicemail", "condition": "No answer"},
    ],
}


@pytest.fixture
def as_member(client):
    """`as_member(membership)`: the test client, signed in as that member."""

    def sign_in(membership):
        client.force_login(membership.user)
        return client

    return sign_in


def page(name: str, partnership=None, org=None, **kwargs) -> str:
    if partnership is not None:
        kwargs["partnership_pk"] = partnership.pk
        org = org or partnership.organization
    return reverse(f"discovery:{name}", kwargs={"org_slug": org.slug, **kwargs})


def html(response) -> str:
    return response.content.decode()


# --- The Discovery tab ---------------------------------------------------------------------


def test_the_tab_shows_what_is_missing_with_links_to_fix_it(
    as_member, account_manager, partnership, service, kpis
):
    response = as_member(account_manager).get(page("overview", partnership))

    assert response.status_code == 200
    body = html(response)
    assert 'aria-current="page">Discovery</a>' in body  # the partnership's tab
    assert "Discovery checklist" in body
    assert "No baseline yet for After-hours triage." in body
    assert "No current-state call flow." in body
    assert page("baseline-create", partnership) in body  # a link to fix it
    assert page("report-create", partnership) in body
    assert page("session-create", partnership) in body
    assert "Not signed off" in body
    assert "5 checklist items still missing" in body


def test_before_sign_off_the_opportunities_section_explains_the_gate(
    as_member, account_manager, partnership, service
):
    body = html(as_member(account_manager).get(page("overview", partnership)))

    assert "Opportunities come after discovery" in body
    assert "Discovery signed off by the account manager" in body  # a missing item
    assert "Services inventoried with baselines" in body
    assert "Propose an opportunity" not in body
    assert page("opportunity-create", partnership) not in body


def test_a_complete_checklist_offers_the_sign_off_to_the_account_manager_only(
    as_member, account_manager, implementation_pm, client_executive, complete_discovery
):
    partnership = complete_discovery.partnership
    body = html(as_member(account_manager).get(page("overview", partnership)))
    assert "Sign off discovery</button>" in body
    assert page("sign-off", partnership) in body

    body = html(as_member(implementation_pm).get(page("overview", partnership)))
    assert page("sign-off", partnership) not in body
    assert "The dedicated account manager signs off discovery next" in body

    body = html(as_member(client_executive).get(page("overview", partnership)))
    assert page("sign-off", partnership) not in body
    assert "then you co-sign it" in body


def test_sign_off_co_sign_and_reopen_are_recorded(
    client, account_manager, client_executive, complete_discovery
):
    partnership = complete_discovery.partnership
    client.force_login(account_manager.user)
    response = client.post(page("sign-off", partnership), {"note": "All reviewed."})
    assert response.status_code == 302
    sign_off = DiscoverySignOff.objects.get(partnership=partnership)
    assert sign_off.note == "All reviewed." and not sign_off.is_cosigned

    body = html(client.get(page("overview", partnership)))
    assert "Awaiting co-signature" in body
    assert "Discovery records are frozen" in body
    assert page("service-create", partnership) not in body  # frozen: no more edits

    client.force_login(client_executive.user)
    assert client.post(page("cosign", partnership)).status_code == 302
    sign_off.refresh_from_db()
    assert sign_off.cosigned_by == client_executive.user
    body = html(client.get(page("overview", partnership)))
    assert "Co-signed" in body and "Opportunities come after discovery" not in body

    client.force_login(account_manager.user)
    response = client.post(page("reopen", partnership), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]
    response = client.post(page("reopen", partnership), {"reason": "A new paging service."})
    assert response.status_code == 302
    sign_off.refresh_from_db()
    assert sign_off.reopen_reason == "A new paging service."
    assert sign_off.reopened_by == account_manager.user
    body = html(client.get(page("overview", partnership)))
    assert "Earlier sign-offs" in body and "A new paging service." in body
    assert "Opportunities come after discovery" in body


def test_signing_off_an_incomplete_discovery_says_why(as_member, account_manager, partnership):
    response = as_member(account_manager).post(page("sign-off", partnership), {"note": ""})

    assert response.status_code == 409
    assert "until the checklist is complete" in html(response)
    assert not DiscoverySignOff.objects.exists()


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("sign-off", "implementation_pm"),
        ("sign-off", "client_executive"),
        ("cosign", "account_manager"),
        ("goals-sign-off", "account_manager"),
        ("goals-sign-off", "admin"),
        ("reopen", "implementation_pm"),
        ("reopen", "client_executive"),  # the client asks for it instead
        ("reopen-request", "account_manager"),
        ("reopen-request", "admin"),
    ],
)
def test_sign_offs_belong_to_their_roles(request, as_member, partnership, name, who):
    member = request.getfixturevalue(who)
    client = as_member(member)
    assert client.get(page(name, partnership)).status_code == 403
    assert client.post(page(name, partnership), {"note": "x", "reason": "x"}).status_code == 403


def test_the_client_executive_signs_off_the_goals(
    as_member, client_executive, partnership, kpis, account_manager, actor_for
):
    services.goal_create(
        actor=actor_for(account_manager),
        partnership=partnership,
        statement="Students reach a nurse within 30 seconds",
        kpi=kpis["average_speed_of_answer"],
        target=Decimal("30"),
    )
    client = as_member(client_executive)
    body = html(client.get(page("overview", partnership)))
    assert "Sign off these goals" in body
    assert "30 s" in body

    response = client.post(page("goals-sign-off", partnership), {"note": "Agreed."})
    assert response.status_code == 302
    sign_off = GoalSignOff.objects.get(partnership=partnership)
    assert sign_off.signed_by == client_executive.user and sign_off.note == "Agreed."
    assert "Signed off by the client" in html(client.get(page("overview", partnership)))


def test_the_client_executive_never_sees_internal_notes(
    as_member, client_executive, implementation_pm, signed_off, actor_for
):
    partnership = signed_off.partnership
    ServiceLine.objects.filter(pk=signed_off.service.pk).update(internal_notes="SVC-SECRET")
    ReviewedReport.objects.filter(pk=signed_off.report.pk).update(internal_notes="RPT-SECRET")
    signed_off.session.__class__.objects.filter(pk=signed_off.session.pk).update(
        internal_notes="SES-SECRET"
    )
    CallFlow.objects.filter(pk=signed_off.call_flow.pk).update(internal_notes="FLOW-SECRET")
    services.opportunity_create(
        actor=actor_for(implementation_pm),
        partnership=partnership,
        title="Virtual hold",
        internal_notes="OPP-SECRET",
    )
    secrets = ("SVC-SECRET", "RPT-SECRET", "SES-SECRET", "OPP-SECRET")

    provider = html(as_member(implementation_pm).get(page("overview", partnership)))
    assert all(secret in provider for secret in secrets)
    flow_page = page("callflow-detail", partnership, pk=signed_off.call_flow.pk)
    assert "FLOW-SECRET" in html(as_member(implementation_pm).get(flow_page))

    executive = as_member(client_executive)
    body = html(executive.get(page("overview", partnership)))
    assert not any(secret in body for secret in secrets)
    assert "provider only" not in body
    assert "FLOW-SECRET" not in html(executive.get(flow_page))
    # Nor do the forms a client executive may open offer the internal field.
    response = executive.get(page("reopen-request", partnership))
    assert response.status_code == 200
    assert "internal_notes" not in html(response)


def test_outsiders_and_invisible_partnerships_answer_404(
    as_member,
    outsider,
    implementation_pm,
    client_executive,
    partnership,
    other_client_partnership,
):
    assert as_member(outsider).get(page("overview", partnership)).status_code == 404
    for member in (implementation_pm, client_executive):
        client = as_member(member)
        assert client.get(page("overview", other_client_partnership)).status_code == 404
        assert client.get(page("callflows", other_client_partnership)).status_code == 404
    # Another partnership's row under a visible partnership's address: 404 as well.
    other_service = ServiceLineFactory(partnership=other_client_partnership)
    response = as_member(implementation_pm).get(
        page("service-update", partnership, pk=other_service.pk)
    )
    assert response.status_code == 404


# --- The gate ------------------------------------------------------------------------------


def test_the_propose_page_explains_the_gate_before_sign_off_without_a_form(
    as_member, account_manager, complete_discovery
):
    partnership = complete_discovery.partnership
    client = as_member(account_manager)
    response = client.get(page("opportunity-create", partnership))

    assert response.status_code == 409
    body = html(response)
    assert "Opportunities come after discovery" in body
    assert "Discovery signed off by the account manager" in body
    assert 'name="title"' not in body
    response = client.post(page("opportunity-create", partnership), {"title": "Virtual hold"})
    assert response.status_code == 409
    assert not Opportunity.objects.exists()


def test_opportunities_are_proposed_after_sign_off_decided_by_the_client_then_implemented(
    client, account_manager, client_executive, implementation_pm, signed_off, kpis
):
    partnership = signed_off.partnership
    client.force_login(implementation_pm.user)
    body = html(client.get(page("overview", partnership)))
    assert "Propose an opportunity" in body
    assert client.get(page("opportunity-create", partnership)).status_code == 200

    response = client.post(
        page("opportunity-create", partnership),
        {
            "title": "Virtual hold",
            "service_line": signed_off.service.pk,
            "kpi": kpis["abandonment_rate"].pk,
            "expected_value": "120",
            "effort": "low",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["expected_value"] == [
        "A percentage must be between 0 and 100."
    ]
    response = client.post(
        page("opportunity-create", partnership),
        {"title": "Virtual hold", "expected_effect": "Abandonment under 5%", "effort": "low"},
    )
    assert response.status_code == 302
    opportunity = Opportunity.objects.get()

    decide = page("opportunity-decide", partnership, pk=opportunity.pk)
    assert client.get(decide).status_code == 403  # the client decides
    client.force_login(client_executive.user)
    response = client.post(decide, {"note": "Why not"})
    assert response.context["form"].errors["decision"] == ["This field is required."]
    response = client.post(decide, {"decision": "rejected", "note": ""})
    assert response.context["form"].errors["note"] == ["Say why the opportunity is rejected."]
    assert client.post(decide, {"decision": "accepted", "note": "Yes"}).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == "accepted" and opportunity.decided_by == client_executive.user

    implement = page("opportunity-implement", partnership, pk=opportunity.pk)
    assert client.post(implement).status_code == 403
    client.force_login(account_manager.user)
    assert client.post(implement).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == "implemented"


def test_reopening_freezes_new_proposals_again(as_member, account_manager, signed_off, actor_for):
    partnership = signed_off.partnership
    services.discovery_reopen(
        actor=actor_for(account_manager), partnership=partnership, reason="New service found."
    )
    response = as_member(account_manager).get(page("opportunity-create", partnership))
    assert response.status_code == 409
    assert "Discovery is not signed off." in html(response)


def test_client_executives_cannot_propose(as_member, client_executive, signed_off):
    response = as_member(client_executive).get(page("opportunity-create", signed_off.partnership))
    assert response.status_code == 403


# --- Services, baselines, reports, sessions, goals -----------------------------------------


def test_a_service_is_added_and_bad_input_names_the_field(
    as_member, implementation_pm, partnership, service
):
    client = as_member(implementation_pm)
    url = page("service-create", partnership)
    response = client.post(url, {"kind": "refill_requests", "name": "", "monthly_volume": "-3"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors and "monthly_volume" in errors

    response = client.post(url, {"kind": "refill_requests", "name": "after-hours TRIAGE"})
    assert response.context["form"].errors["name"] == [
        "“after-hours TRIAGE” is already used in this partnership."
    ]

    response = client.post(
        url,
        {"kind": "refill_requests", "name": "Refill requests", "monthly_volume": "240"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#services")
    assert ServiceLine.objects.filter(partnership=partnership, name="Refill requests").exists()


def test_client_executives_read_but_never_open_the_forms(
    as_member, client_executive, partnership, service
):
    client = as_member(client_executive)
    assert client.get(page("overview", partnership)).status_code == 200
    for url in (
        page("service-create", partnership),
        page("service-update", partnership, pk=service.pk),
        page("baseline-create", partnership),
        page("baseline-import", partnership),
        page("report-create", partnership),
        page("session-create", partnership),
        page("goal-create", partnership),
        page("callflow-create", partnership),
        page("callflow-import", partnership),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(page("service-delete", partnership, pk=service.pk))
    assert response.status_code == 403
    assert ServiceLine.objects.filter(pk=service.pk).exists()


def test_a_target_below_the_baseline_needs_a_reason(
    as_member, implementation_pm, partnership, service, kpis
):
    client = as_member(implementation_pm)
    data = {
        "service_line": service.pk,
        "kpi": kpis["average_speed_of_answer"].pk,
        "value": "42",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "target": "60",
    }
    response = client.post(page("baseline-create", partnership), data)
    assert response.status_code == 200
    assert "worse than the baseline" in response.context["form"].errors["target"][0]

    data["target_reason"] = "Staffing ramps up over the first quarter."
    assert client.post(page("baseline-create", partnership), data).status_code == 302
    body = html(client.get(page("overview", partnership)))
    assert "target below baseline" in body
    assert "Target below baseline — reason:" in body
    assert "Staffing ramps up over the first quarter." in body


def test_a_report_is_checked_by_content_and_size_on_the_file_field(
    as_member, implementation_pm, partnership, settings
):
    client = as_member(implementation_pm)
    url = page("report-create", partnership)
    fields = {"name": "ACD report", "period_start": "2026-01-01", "period_end": "2026-01-31"}

    png = SimpleUploadedFile("acd.csv", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    response = client.post(url, {**fields, "file": png})
    assert response.status_code == 200
    assert "PNG image" in response.context["form"].errors["file"][0]

    settings.DISCOVERY_MAX_UPLOAD_BYTES = 1024
    big = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 400)
    response = client.post(url, {**fields, "file": big})
    assert "the limit is" in response.context["form"].errors["file"][0]
    assert not ReviewedReport.objects.exists()

    response = client.post(url, {**fields, "file": csv_upload(), "findings": "Spikes."})
    assert response.status_code == 302
    report = ReviewedReport.objects.get()
    download = client.get(page("report-download", partnership, pk=report.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"service,calls")
    assert 'filename="acd-january.csv"' in download["Content-Disposition"]
    # A file that leaves the system is in the audit trail: who, which, from where.
    event = AuditEvent.objects.get(verb="report.downloaded")
    assert event.actor == implementation_pm.user and event.partnership == partnership
    assert event.changes == {"file": [None, "acd-january.csv"]}


def test_a_baselines_csv_with_errors_lists_them_by_row_and_saves_nothing(
    as_member, implementation_pm, partnership, service, kpis
):
    client = as_member(implementation_pm)
    bad = (
        b"service,kpi,value,period_start,period_end\n"
        b"After-hours triage,average_speed_of_answer,42,2026-01-01,2026-03-31\n"
        b"After-hours triage,abandonment_rate,lots,2026-01-01,2026-03-31\n"
        b"Nowhere,caller_satisfaction,91,2026-01-01,2026-03-31\n"
    )
    response = client.post(
        page("baseline-import", partnership), {"file": csv_upload(bad, "baselines.csv")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file has 2 errors; nothing was imported."
    ]
    rows = [(e["row"], e["column"]) for e in response.context["row_errors"]]
    assert rows == [(3, "value"), (4, "service")]
    assert "“lots” is not a number" in html(response)
    assert not KpiBaseline.objects.exists()

    good = bad.rsplit(b"\n", 2)[0].replace(b"lots", b"7.5") + b"\n"
    response = client.post(
        page("baseline-import", partnership), {"file": csv_upload(good, "baselines.csv")}
    )
    assert response.status_code == 302
    assert KpiBaseline.objects.filter(partnership=partnership).count() == 2


def test_sessions_and_goals_are_recorded(as_member, account_manager, partnership, kpis):
    client = as_member(account_manager)
    response = client.post(
        page("session-create", partnership),
        {"held_on": "2026-02-10", "title": "Kickoff", "attendees": "CNO\nNight nurse lead"},
    )
    assert response.status_code == 302
    response = client.post(
        page("goal-create", partnership),
        {
            "statement": "Quick answers",
            "kpi": kpis["service_level_30s"].pk,
            "target": "150",
            "priority": "2",
        },
    )
    assert response.context["form"].errors["target"] == ["A percentage must be between 0 and 100."]
    response = client.post(
        page("goal-create", partnership),
        {
            "statement": "Quick answers",
            "kpi": kpis["service_level_30s"].pk,
            "target": "85",
            "priority": "1",
        },
    )
    assert response.status_code == 302
    body = html(client.get(page("overview", partnership)))
    assert "Kickoff" in body and "Night nurse lead" in body and "Quick answers" in body


# --- Call flows ----------------------------------------------------------------------------


@pytest.fixture
def flows(partnership, service, implementation_pm, actor_for):
    """A valid current-state flow (2 versions) and its future state."""
    pm = actor_for(implementation_pm)
    current = services.call_flow_create(
        actor=pm,
        partnership=partnership,
        service_line=service,
        name="After-hours line",
        state="current",
        graph=BROKEN_GRAPH,
        note="First sketch.",
    )
    services.call_flow_version_create(
        actor=pm, call_flow=current, graph=AFTER_HOURS_TRIAGE_CURRENT, note="Walked through."
    )
    future = services.call_flow_create(
        actor=pm,
        partnership=partnership,
        service_line=service,
        name="After-hours line",
        state="future",
        graph=AFTER_HOURS_TRIAGE_FUTURE,
    )
    current.refresh_from_db()
    future.refresh_from_db()
    return current, future


def test_the_call_flow_list_shows_states_versions_and_validity(
    as_member, client_executive, partnership, flows
):
    current, _ = flows
    CallFlowFactory(partnership=partnership, service_line=current.service_line, name="Draft")
    body = html(as_member(client_executive).get(page("callflows", partnership)))

    assert "Current state" in body and "Future state" in body
    assert 'v2 · <span class="valid">valid</span>' in body
    assert "no version yet" in body
    assert "Current and future side by side" in body
    assert page("callflow-create", partnership) not in body  # read only


def test_a_version_page_draws_the_graph_and_lists_it_plainly(
    as_member, implementation_pm, partnership, flows
):
    current, future = flows
    client = as_member(implementation_pm)
    response = client.get(page("callflow-detail", partnership, pk=current.pk) + "?version=1")
    assert response.status_code == 200
    body = html(response)
    assert 'src="/static/vendor/cytoscape.min.js"' in body
    assert 'src="/static/vendor/cytoscape-dagre.min.js"' in body
    assert 'id="__________cytoscape_stylesheet"' in body
    assert '<script id="graph-main" type="application/json">' in body
    data = response.context["panel"]["diagram"]
    assert {node["data"]["kind"] for node in data["nodes"]} >= {"entry", "queue", "voicemail"}
    assert "style=" not in body  # the CSP allows no inline styles
    # The problems by name, and the graph as tables.
    for name in ("No emergency escalation path", "Unreachable node", "Path that does not"):
        assert name in body
    assert "Orphan callback" in body and "<code>voicemail</code>" in body
    assert f"{len(response.context['panel']['problems'])} problems" in body

    # The latest version, with the future state side by side.
    response = client.get(page("callflow-detail", partnership, pk=future.pk))
    body = html(response)
    assert "Current state and future state, side by side" in body
    left, right = response.context["side_by_side"]
    assert left["flow"] == current and right["flow"] == future
    assert 'id="graph-other"' in body


def test_an_unknown_version_number_is_404(as_member, implementation_pm, partnership, flows):
    url = page("callflow-detail", partnership, pk=flows[0].pk) + "?version=9"
    assert as_member(implementation_pm).get(url).status_code == 404


def test_versions_are_compared(as_member, client_executive, partnership, flows):
    current, future = flows
    client = as_member(client_executive)
    response = client.get(page("callflow-diff", partnership, pk=current.pk))
    assert response.status_code == 200
    result = response.context["result"]
    assert (response.context["before"].number, response.context["after"].number) == (1, 2)
    assert [n["key"] for n in result["nodes_removed"]] == ["queue", "voicemail", "lost"]
    assert "emergency_message" in [n["key"] for n in result["nodes_added"]]

    # The future state against the current state: changed nodes with their kinds.
    response = client.get(
        page("callflow-diff", partnership, pk=future.pk)
        + f"?from={current.latest_version_id}&to={future.latest_version_id}"
    )
    body = html(response)
    changed = {row["key"] for row in response.context["result"]["nodes_changed"]}
    assert changed == {"overflow_voicemail", "page_on_call"}
    assert "<del>Voicemail</del> → <ins>Callback</ins>" in body
    assert "Hold &gt; 2 min, caller opts in" in body


def test_export_and_import_round_trip(as_member, implementation_pm, partnership, flows, service):
    current, _ = flows
    client = as_member(implementation_pm)
    response = client.get(page("callflow-export", partnership, pk=current.pk) + "?version=2")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="after-hours-line-current-v2.json"'
    )
    document = json.loads(response.content)
    assert document["graph"] == CallFlowVersion.objects.get(call_flow=current, number=2).graph
    event = AuditEvent.objects.get(verb="call_flow.exported")
    assert event.changes == {"version": [None, 2]} and event.partnership == partnership

    # As a new flow (uploaded file), under another name and state.
    upload = SimpleUploadedFile("flow.json", response.content, content_type="application/json")
    response = client.post(
        page("callflow-import", partnership),
        {"service_line": service.pk, "name": "Copy", "state": "future", "file": upload},
    )
    assert response.status_code == 302
    copy = CallFlow.objects.get(name="Copy")
    assert copy.state == "future" and copy.latest_version.graph == document["graph"]

    # As the next version of a flow (pasted).
    response = client.post(
        page("callflow-import-version", partnership, pk=copy.pk),
        {"text": json.dumps(BROKEN_GRAPH), "note": "Pasted."},
    )
    assert response.status_code == 302
    assert copy.versions.count() == 2
    assert not copy.versions.get(number=2).is_valid


def test_an_import_names_what_is_wrong_on_its_input(
    as_member, implementation_pm, partnership, flows, service
):
    client = as_member(implementation_pm)
    url = page("callflow-import-version", partnership, pk=flows[0].pk)
    response = client.post(url, {"text": "{not json"})
    assert "Not valid JSON" in response.context["form"].errors["text"][0]
    bad_kind = {"nodes": [{"key": "a", "kind": "robot", "label": ""}], "edges": []}
    response = client.post(url, {"text": json.dumps(bad_kind)})
    assert "“robot” is not a node kind" in response.context["form"].errors["text"][0]
    response = client.post(url, {})
    assert response.context["form"].errors["file"] == ["Upload a JSON file or paste the document."]
    response = client.post(
        page("callflow-import", partnership),
        {"service_line": service.pk, "text": json.dumps(AFTER_HOURS_TRIAGE_CURRENT)},
    )
    assert response.context["form"].errors["name"] == [
        "Name the call flow (or import an exported one)."
    ]
    assert flows[0].versions.count() == 2


def test_editing_through_forms_saves_new_versions(
    as_member, implementation_pm, partnership, service
):
    client = as_member(implementation_pm)
    response = client.post(
        page("callflow-create", partnership),
        {"service_line": service.pk, "name": "Weekend line", "state": "current"},
    )
    assert response.status_code == 302
    flow = CallFlow.objects.get(name="Weekend line")
    assert response["Location"] == page("callflow-edit", partnership, pk=flow.pk)
    assert client.get(response["Location"]).status_code == 200

    add_node = page("callflow-add-node", partnership, pk=flow.pk)
    assert client.post(add_node, {"node-kind": "entry", "node-label": "Caller dials"})
    response = client.post(
        add_node,
        {
            "node-kind": "queue",
            "node-label": "Nurse queue",
            "node-connect_from": "caller_dials",
            "node-condition": "Business hours over",
        },
    )
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.latest_version.number == 2
    assert flow.latest_version.graph["edges"] == [
        {"source": "caller_dials", "target": "nurse_queue", "condition": "Business hours over"}
    ]
    assert "Added queue “Nurse queue”" in flow.latest_version.note

    response = client.post(add_node, {"node-kind": "end", "node-label": "Done", "node-key": "x y"})
    assert response.status_code == 200
    assert response.context["node_form"].errors["key"]
    add_edge = page("callflow-add-edge", partnership, pk=flow.pk)
    response = client.post(add_edge, {"edge-source": "caller_dials", "edge-target": "nurse_queue"})
    assert "already an edge" in response.context["edge_form"].errors["target"][0]
    client.post(add_node, {"node-kind": "end", "node-label": "Done"})
    assert (
        client.post(
            add_edge, {"edge-source": "nurse_queue", "edge-target": "done", "edge-condition": "x"}
        ).status_code
        == 302
    )

    remove = page("callflow-remove", partnership, pk=flow.pk)
    assert client.post(remove, {"remove-source": "nurse_queue", "remove-target": "done"})
    assert client.post(remove, {"remove-node": "nurse_queue"}).status_code == 302
    flow.refresh_from_db()
    assert flow.latest_version.number == 6
    assert [n["key"] for n in flow.latest_version.graph["nodes"]] == ["caller_dials", "done"]
    assert flow.latest_version.graph["edges"] == []
    assert CallFlowVersion.objects.get(call_flow=flow, number=2).graph["nodes"][1]["key"] == (
        "nurse_queue"
    )  # earlier versions stay as they were


def test_a_valid_latest_version_is_reviewed(as_member, implementation_pm, partnership, flows):
    current, _ = flows
    client = as_member(implementation_pm)
    body = html(client.get(page("callflow-detail", partnership, pk=current.pk)))
    assert "Mark version 2 as reviewed" in body
    assert client.post(page("callflow-review", partnership, pk=current.pk)).status_code == 302
    current.refresh_from_db()
    assert current.latest_version.reviewed_by == implementation_pm.user


def test_client_executives_read_call_flows_and_cannot_edit_them(
    as_member, client_executive, partnership, flows
):
    current, future = flows
    client = as_member(client_executive)
    for name in ("callflow-detail", "callflow-diff", "callflow-export"):
        assert client.get(page(name, partnership, pk=current.pk)).status_code == 200, name
    body = html(client.get(page("callflow-detail", partnership, pk=current.pk)))
    assert page("callflow-edit", partnership, pk=current.pk) not in body
    for name in ("callflow-edit", "callflow-import-version"):
        assert client.get(page(name, partnership, pk=future.pk)).status_code == 403, name
    for name in (
        "callflow-edit",
        "callflow-add-node",
        "callflow-add-edge",
        "callflow-remove",
        "callflow-review",
        "callflow-delete",
        "callflow-import-version",
    ):
        response = client.post(
            page(name, partnership, pk=future.pk),
            {"node-kind": "end", "node-label": "x", "remove-node": "entry", "text": "{}"},
        )
        assert response.status_code == 403, name
    assert future.versions.count() == 1


def test_signed_off_current_state_flows_are_frozen_but_future_ones_are_not(
    as_member, account_manager, signed_off
):
    partnership = signed_off.partnership
    flow = signed_off.call_flow
    client = as_member(account_manager)
    body = html(client.get(page("callflow-edit", partnership, pk=flow.pk)))
    assert "Discovery was signed off on" in body
    assert 'name="node-kind"' not in body
    response = client.post(
        page("callflow-add-node", partnership, pk=flow.pk),
        {"node-kind": "end", "node-label": "Another end"},
    )
    assert response.status_code == 409
    assert "reopen it (with a reason)" in html(response)


# --- KPI catalog ---------------------------------------------------------------------------


def test_admins_edit_the_kpi_catalog_and_others_read_it(
    client, admin, account_manager, client_executive, kpis
):
    asa = kpis["average_speed_of_answer"]
    client.force_login(client_executive.user)
    response = client.get(page("kpis", org=admin.organization))
    assert response.status_code == 200
    assert "Average speed of answer" in html(response) and "≤ 30 s" in html(response)
    assert page("kpi-update", org=admin.organization, pk=asa.pk) not in html(response)
    for member in (account_manager, client_executive):
        client.force_login(member.user)
        assert client.get(page("kpi-update", org=admin.organization, pk=asa.pk)).status_code == 403
        assert client.get(page("kpi-create", org=admin.organization)).status_code == 403

    client.force_login(admin.user)
    url = page("kpi-update", org=admin.organization, pk=asa.pk)
    data = {
        "name": asa.name,
        "unit": "minutes",  # disabled for a shipped KPI: ignored
        "direction": asa.direction,
        "target": "25",
        "position": asa.position,
    }
    assert client.post(url, data).status_code == 302
    asa.refresh_from_db()
    assert asa.target == Decimal("25") and asa.unit == "seconds"

    create = page("kpi-create", org=admin.organization)
    fields = {"key": "first_call_resolution", "name": "First-call resolution", "unit": "percent"}
    response = client.post(create, {**fields, "direction": "higher", "target": "130"})
    assert response.context["form"].errors["target"] == ["A percentage must be between 0 and 100."]
    response = client.post(
        create, {**fields, "direction": "higher", "target": "85", "position": "200"}
    )
    assert response.status_code == 302
    assert KpiDefinition.objects.get(key="first_call_resolution").target == Decimal("85")


def test_another_organizations_kpi_is_404(client, admin, outsider, org_b):
    services.kpi_catalog_ensure(organization=org_b)
    harbor_kpi = KpiDefinition.objects.filter(organization=org_b).first()
    client.force_login(admin.user)
    url = page("kpi-update", org=admin.organization, pk=harbor_kpi.pk)
    assert client.get(url).status_code == 404


# --- Query counts --------------------------------------------------------------------------


def _rows(partnership, count: int, kpi, user) -> None:
    """`count` rows of every section of the Discovery tab (through factories: the records
    are frozen once signed off)."""
    for index in range(count):
        service = ServiceLineFactory(partnership=partnership)
        KpiBaselineFactory(partnership=partnership, service_line=service, kpi=kpi)
        ReviewedReportFactory(partnership=partnership, uploaded_by=user)
        DiscoverySessionFactory(partnership=partnership, held_on=datetime.date(2026, 1, 1 + index))
        ExperienceGoalFactory(partnership=partnership, kpi=kpi)
        OpportunityFactory(partnership=partnership, service_line=service, kpi=kpi, proposed_by=user)
        flow = CallFlowFactory(partnership=partnership, service_line=service)
        CallFlowVersionFactory(call_flow=flow, created_by=user)


def _queries(client, url: str) -> int:
    from django.db import connection

    client.get(url)  # the first visit remembers the organization in the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("count", [3, 30])
def test_the_discovery_tab_runs_a_fixed_number_of_queries(
    client, implementation_pm, signed_off, kpis, count, django_assert_num_queries
):
    partnership = signed_off.partnership
    _rows(partnership, count, kpis["abandonment_rate"], implementation_pm.user)
    client.force_login(implementation_pm.user)
    url = page("overview", partnership)
    client.get(url)
    # 1 the user with their memberships (the session comes from the cache), 2 partnership
    # with client and AM, 3 its PMs, 4 open sign-off (checklist as signed), 5 sign-off
    # history, 6 services, 7 their baselines with KPIs and reports, 8 goals, 9 goal
    # sign-offs, 10 call flows with latest versions, 11 reports, 12 sessions,
    # 13 opportunities, 14 the client's requests to reopen discovery.
    with django_assert_num_queries(14):
        response = client.get(url)
    assert len(response.context["services"]) == count + 1


@pytest.mark.parametrize("count", [3, 30])
def test_the_call_flow_list_runs_a_fixed_number_of_queries(
    client, implementation_pm, partnership, kpis, count, django_assert_num_queries
):
    _rows(partnership, count, kpis["abandonment_rate"], implementation_pm.user)
    client.force_login(implementation_pm.user)
    url = page("callflows", partnership)
    client.get(url)
    # 1 the user with their memberships, 2 partnership, 3 its PMs, 4 flows with latest
    # versions, reviewers and version counts, 5 services.
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.context["flow_count"] == count


def test_a_call_flow_page_runs_the_same_queries_for_any_graph(
    client, implementation_pm, partnership, flows
):
    current, _ = flows
    client.force_login(implementation_pm.user)
    small = _queries(client, page("callflow-detail", partnership, pk=current.pk) + "?version=1")
    large = _queries(client, page("callflow-detail", partnership, pk=current.pk))
    assert small == large


def test_the_kpi_catalog_runs_a_fixed_number_of_queries(
    client, admin, kpis, django_assert_num_queries
):
    client.force_login(admin.user)
    url = page("kpis", org=admin.organization)
    client.get(url)
    # 1 the user with their memberships, 2 "is the catalog seeded?", 3 the catalog.
    with django_assert_num_queries(3):
        client.get(url)
    for index in range(20):
        KpiDefinition.objects.create(
            organization=admin.organization,
            key=f"custom_{index}",
            name=f"Custom {index}",
            unit="count",
            direction="higher",
        )
    with django_assert_num_queries(3):
        client.get(url)
