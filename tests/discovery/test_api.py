"""The discovery API: routes under /api/v1/orgs/<org_slug>/(partnerships/<partnership_pk>/),
per role (403), per tenant (404), bad input (400 naming the field), the gate (409 with the
missing items), uploads, call-flow versions, and flat query counts on every list."""

from __future__ import annotations

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discovery.models import CallFlow, KpiBaseline, Opportunity, ReviewedReport
from discovery.samples import AFTER_HOURS_TRIAGE_CURRENT, AFTER_HOURS_TRIAGE_FUTURE
from tenancy.rest import NOT_FOUND
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

ROLES = ["admin", "account_manager", "implementation_pm", "client_executive"]
WORKERS = ["admin", "account_manager", "implementation_pm"]
PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


# --- KPI catalog -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_the_kpi_catalog(request, role, as_member, url):
    response = as_member(request.getfixturevalue(role)).get(url("kpi-list"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 10
    assert rows[0]["key"] == "average_speed_of_answer"
    assert rows[0]["target"] == 30.0
    assert rows[0]["target_display"] == "≤ 30 s"


def test_the_outsider_gets_404_on_the_catalog(outsider, as_member, url):
    response = as_member(outsider).get(url("kpi-list"))
    assert response.status_code == 404
    assert response.json() == {"detail": NOT_FOUND}


@pytest.mark.parametrize("role", ["account_manager", "implementation_pm", "client_executive"])
def test_only_admins_edit_the_catalog(request, role, kpis, as_member, url):
    api = as_member(request.getfixturevalue(role))
    kpi = kpis["abandonment_rate"]
    assert api.patch(url("kpi-detail", pk=kpi.pk), {"target": 3}).status_code == 403
    body = {"key": "fcr", "name": "FCR", "unit": "percent", "direction": "higher"}
    assert api.post(url("kpi-list"), body).status_code == 403


def test_an_admin_edits_a_target_and_adds_a_kpi(admin, kpis, as_member, url):
    api = as_member(admin)
    response = api.patch(url("kpi-detail", pk=kpis["abandonment_rate"].pk), {"target": "4"})
    assert response.status_code == 200
    assert response.json()["target"] == 4.0
    response = api.post(
        url("kpi-list"),
        {"key": "fcr", "name": "First call resolution", "unit": "percent", "direction": "sideways"},
    )
    assert response.status_code == 400
    assert "direction" in response.json()


# --- Isolation: 404 for what is not visible ---------------------------------------------------

PARTNERSHIP_LISTS = [
    "service-list",
    "baseline-list",
    "report-list",
    "call-flow-list",
    "discovery-session-list",
    "experience-goal-list",
    "discovery-list",
    "opportunity-list",
]


@pytest.mark.parametrize("name", PARTNERSHIP_LISTS)
def test_the_outsider_gets_404_on_every_partnership_route(
    name, partnership, outsider, as_member, url
):
    response = as_member(outsider).get(url(name, partnership))
    assert response.status_code == 404
    assert response.json() == {"detail": NOT_FOUND}


@pytest.mark.parametrize("name", PARTNERSHIP_LISTS)
@pytest.mark.parametrize("role", ["implementation_pm", "client_executive"])
def test_a_partnership_one_may_not_see_is_404(
    request, name, role, other_client_partnership, as_member, url
):
    response = as_member(request.getfixturevalue(role)).get(url(name, other_client_partnership))
    assert response.status_code == 404
    assert response.json() == {"detail": NOT_FOUND}


def test_a_missing_partnership_reads_like_an_invisible_one(admin, as_member, url, partnership):
    missing = type(partnership)(pk=partnership.pk + 999)
    response = as_member(admin).get(url("service-list", missing))
    assert response.status_code == 404
    assert response.json() == {"detail": NOT_FOUND}


def test_another_partnerships_object_under_this_partnership_is_404(
    partnership, other_client_partnership, admin, as_member, url
):
    foreign = ServiceLineFactory(partnership=other_client_partnership)
    api = as_member(admin)
    assert api.get(url("service-detail", partnership, pk=foreign.pk)).status_code == 404
    assert (
        api.get(url("service-detail", other_client_partnership, pk=foreign.pk)).status_code == 200
    )


def test_another_tenants_object_is_404_even_for_its_admin_elsewhere(
    partnership, outsider_partnership, admin, as_member, url
):
    foreign = CallFlowVersionFactory(call_flow__partnership=outsider_partnership).call_flow
    api = as_member(admin)
    for name in ("call-flow-detail", "call-flow-versions", "call-flow-export"):
        assert api.get(url(name, partnership, pk=foreign.pk)).status_code == 404


def test_a_choice_from_another_partnership_is_refused_by_name(
    partnership, other_client_partnership, admin, kpis, as_member, url
):
    foreign = ServiceLineFactory(partnership=other_client_partnership)
    response = as_member(admin).post(
        url("baseline-list", partnership),
        {
            "service": foreign.pk,
            "kpi": kpis["caller_satisfaction"].pk,
            "value": "90",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
        },
    )
    assert response.status_code == 400
    assert list(response.json()) == ["service"]


# --- Roles -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", WORKERS)
def test_provider_workers_record_services(request, role, partnership, as_member, url):
    response = as_member(request.getfixturevalue(role)).post(
        url("service-list", partnership),
        {"kind": "refill_requests", "name": "Refill requests", "monthly_volume": 300},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["baseline_count"] == 0


def test_the_client_executive_reads_but_does_not_edit(
    partnership, client_executive, as_member, url, service
):
    api = as_member(client_executive)
    listed = api.get(url("service-list", partnership))
    assert listed.status_code == 200
    assert "internal_notes" not in listed.json()["results"][0]
    assert (
        api.post(url("service-list", partnership), {"kind": "other", "name": "X"}).status_code
        == 403
    )
    detail = url("service-detail", partnership, pk=service.pk)
    assert api.patch(detail, {"hours": "24/7"}).status_code == 403
    assert api.delete(detail).status_code == 403


def test_provider_staff_see_internal_notes(partnership, account_manager, as_member, url, service):
    row = as_member(account_manager).get(url("service-list", partnership)).json()["results"][0]
    assert row["internal_notes"] == "Internal: volumes look understated."


def test_an_account_manager_of_another_partnership_reads_but_does_not_edit(
    other_client_partnership, account_manager, as_member, url
):
    service = ServiceLineFactory(partnership=other_client_partnership)
    api = as_member(account_manager)
    detail = url("service-detail", other_client_partnership, pk=service.pk)
    assert api.get(detail).status_code == 200
    assert api.patch(detail, {"hours": "24/7"}).status_code == 403


def test_the_client_executive_cannot_edit_call_flows(partnership, client_executive, as_member, url):
    call_flow = CallFlowVersionFactory(call_flow__partnership=partnership).call_flow
    api = as_member(client_executive)
    assert api.get(url("call-flow-detail", partnership, pk=call_flow.pk)).status_code == 200
    assert (
        api.post(
            url("call-flow-versions", partnership, pk=call_flow.pk),
            {"graph": AFTER_HOURS_TRIAGE_FUTURE},
            format="json",
        ).status_code
        == 403
    )
    assert api.post(url("call-flow-review", partnership, pk=call_flow.pk)).status_code == 403
    assert (
        api.patch(url("call-flow-detail", partnership, pk=call_flow.pk), {"name": "X"}).status_code
        == 403
    )
    assert call_flow.versions.count() == 1


def test_bad_input_names_the_field(partnership, implementation_pm, as_member, url):
    response = as_member(implementation_pm).post(
        url("discovery-session-list", partnership), {"title": "Workshop", "held_on": "tomorrow"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["held_on"]


# --- Call flows through the API ----------------------------------------------------------------


def test_call_flow_versions_validate_diff_review_and_round_trip(
    partnership, implementation_pm, service, as_member, url
):
    api = as_member(implementation_pm)
    created = api.post(
        url("call-flow-list", partnership),
        {
            "service": service.pk,
            "name": "After-hours line",
            "state": "current",
            "graph": AFTER_HOURS_TRIAGE_CURRENT,
            "note": "As described by the night supervisor.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    flow = created.json()
    assert flow["latest_version"]["number"] == 1 and flow["latest_version"]["is_valid"]
    pk = flow["id"]

    broken = copy.deepcopy(AFTER_HOURS_TRIAGE_FUTURE)
    broken["edges"] = [
        e for e in broken["edges"] if e["target"] not in ("ed_now", "emergency_message")
    ]
    second = api.post(
        url("call-flow-versions", partnership, pk=pk),
        {"graph": broken, "note": "Draft"},
        format="json",
    )
    assert second.status_code == 201
    assert second.json()["number"] == 2
    assert [p["code"] for p in second.json()["problems"]] == [
        "unreachable_node",
        "unreachable_node",
        "no_emergency_path",
    ]

    validated = api.get(url("call-flow-validate", partnership, pk=pk), {"version": 1}).json()
    assert validated == {"version": 1, "is_valid": True, "problems": []}
    draft = api.post(
        url("call-flow-validate", partnership, pk=pk),
        {"graph": {"nodes": [{"key": "a", "kind": "entry"}], "edges": []}},
        format="json",
    ).json()
    assert draft["version"] is None
    assert [p["code"] for p in draft["problems"]] == ["path_without_end", "no_emergency_path"]
    malformed = api.post(
        url("call-flow-validate", partnership, pk=pk),
        {"graph": {"nodes": [{"key": "a", "kind": "lobby"}]}},
        format="json",
    )
    assert malformed.status_code == 400
    assert malformed.json()["graph"][0].startswith("nodes[0].kind: “lobby” is not a node kind")

    review = api.post(url("call-flow-review", partnership, pk=pk), {}, format="json")
    assert review.status_code == 409  # the latest (v2) has problems
    assert review.json()["problems"][0]["code"] == "unreachable_node"
    old = api.post(url("call-flow-review", partnership, pk=pk), {"version": 1}, format="json")
    assert old.status_code == 409
    assert "not the latest" in old.json()["version"][0]

    diff = api.get(url("call-flow-diff", partnership, pk=pk)).json()
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    assert {e["target"] for e in diff["edges_removed"]} == {"ed_now", "emergency_message"}
    assert [n["key"] for n in diff["nodes_changed"]] == ["overflow_voicemail", "page_on_call"]
    assert api.get(url("call-flow-diff", partnership, pk=pk), {"to": 9}).status_code == 404
    assert api.get(url("call-flow-diff", partnership, pk=pk), {"to": "x"}).status_code == 400

    exported = api.get(url("call-flow-export", partnership, pk=pk), {"version": 1}).json()
    assert exported["format"] == "switchboard.call-flow/1"
    assert exported["graph"] == AFTER_HOURS_TRIAGE_CURRENT
    imported = api.post(
        url("call-flow-import", partnership),
        {"service": service.pk, "document": exported, "state": "future"},
        format="json",
    )
    assert imported.status_code == 201, imported.json()
    assert imported.json()["name"] == "After-hours line"
    assert imported.json()["state"] == "future"
    again = api.get(url("call-flow-export", partnership, pk=imported.json()["id"])).json()
    assert again["graph"] == exported["graph"]
    assert again["call_flow"] == exported["call_flow"] | {"state": "future"}

    # Posting an export back as a new version round-trips too.
    third = api.post(
        url("call-flow-versions", partnership, pk=pk), {"graph": exported}, format="json"
    )
    assert third.json()["graph"] == AFTER_HOURS_TRIAGE_CURRENT
    reviewed = api.post(url("call-flow-review", partnership, pk=pk), {}, format="json")
    assert reviewed.status_code == 200
    assert reviewed.json()["reviewed_by"]["email"] == "pm@northstar.example"
    versions = api.get(url("call-flow-versions", partnership, pk=pk)).json()
    assert [v["number"] for v in versions] == [3, 2, 1]


def test_a_malformed_graph_is_400_naming_graph(
    partnership, implementation_pm, service, as_member, url
):
    response = as_member(implementation_pm).post(
        url("call-flow-list", partnership),
        {
            "service": service.pk,
            "name": "IVR",
            "state": "current",
            "graph": {
                "nodes": [{"key": "a", "kind": "entry"}],
                "edges": [{"source": "a", "target": "z"}],
            },
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"graph": ["edges[0].target: there is no node “z”."]}
    assert not CallFlow.objects.exists()


# --- Reports and imports through the API -------------------------------------------------------


def test_a_report_is_uploaded_listed_and_downloaded(
    partnership, implementation_pm, client_executive, as_member, url
):
    api = as_member(implementation_pm)
    response = api.post(
        url("report-list", partnership),
        {
            "name": "Caller survey Q1",
            "source_system": "Press Ganey",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "findings": "Students want more detail.",
            "file": SimpleUploadedFile("survey.pdf", PDF_BYTES),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    report = response.json()
    assert (report["file_kind"], report["original_filename"]) == ("pdf", "survey.pdf")
    downloaded = as_member(client_executive).get(report["download_url"])
    assert downloaded.status_code == 200
    assert downloaded["Content-Type"] == "application/pdf"
    assert downloaded["Content-Disposition"] == 'attachment; filename="survey.pdf"'
    assert b"".join(downloaded.streaming_content) == PDF_BYTES


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "chart.pdf", "content is a PNG image"),
        (PDF_BYTES, "survey.csv", "named .csv but its content is PDF"),
    ],
)
def test_a_wrong_file_is_400_naming_file_and_saves_nothing(
    partnership, implementation_pm, as_member, url, content, name, message
):
    response = as_member(implementation_pm).post(
        url("report-list", partnership),
        {
            "name": "Upload",
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "file": SimpleUploadedFile(name, content),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert message in response.json()["file"][0]
    assert not ReviewedReport.objects.exists()


def test_an_oversize_file_is_400(partnership, implementation_pm, as_member, url, settings):
    settings.DISCOVERY_MAX_UPLOAD_BYTES = 1_048_576
    response = as_member(implementation_pm).post(
        url("report-list", partnership),
        {
            "name": "Huge",
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "file": SimpleUploadedFile("huge.csv", b"a,b\n" + b"1,2\n" * 300_000),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {"file": ["The file is 1.1 MB; the limit is 1 MB."]}


def test_baseline_import_errors_come_back_with_rows(
    partnership, implementation_pm, service, kpis, as_member, url
):
    bad = (
        "service,kpi,value,period_start,period_end\n"
        "After-hours triage,abandonment_rate,7,2026-01-01,2026-03-31\n"
        "After-hours triage,abandonment_rate,7,2026-01-01,2026-03-31\n"
    )
    response = as_member(implementation_pm).post(
        url("baseline-import", partnership),
        {"file": SimpleUploadedFile("b.csv", bad.encode())},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["file"] == ["The file has 1 error; nothing was imported."]
    assert body["errors"] == [
        {
            "row": 3,
            "column": "kpi",
            "message": "Row 2 already gives After-hours triage · Abandonment rate.",
        }
    ]
    assert not KpiBaseline.objects.exists()

    good = bad.rsplit("\n", 2)[0] + "\n"
    response = as_member(implementation_pm).post(
        url("baseline-import", partnership),
        {"file": SimpleUploadedFile("b.csv", good.encode())},
        format="multipart",
    )
    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 0}


# --- The gate and the sign-offs through the API ------------------------------------------------


def test_the_discovery_status_lists_what_is_missing(partnership, client_executive, as_member, url):
    body = as_member(client_executive).get(url("discovery-list", partnership)).json()
    assert body["checklist"]["complete"] is False
    assert body["signed_off"] is False and body["sign_off"] is None
    assert body["gate"]["open"] is False
    assert [item["code"] for item in body["gate"]["missing"]][-2:] == [
        "discovery_signed_off",
        "discovery_cosigned",
    ]


def test_opportunities_answer_409_with_missing_items_until_signed_off_and_again_after_reopen(
    complete_discovery, account_manager, client_executive, as_member, url
):
    partnership = complete_discovery.partnership
    api = as_member(account_manager)
    proposal = {"title": "Virtual hold instead of voicemail", "effort": "low"}

    refused = api.post(url("opportunity-list", partnership), proposal)
    assert refused.status_code == 409
    assert [item["code"] for item in refused.json()["missing"]] == [
        "discovery_signed_off",
        "discovery_cosigned",
    ]
    assert refused.json()["non_field_errors"][0].startswith("Optimization opportunities can be")
    # The gate comes before the input: even an empty proposal learns why it is refused.
    assert api.post(url("opportunity-list", partnership), {}).status_code == 409

    signed = api.post(url("discovery-sign-off", partnership), {"note": "Complete."})
    assert signed.status_code == 200, signed.json()
    assert signed.json()["signed_off"] is True and signed.json()["cosigned"] is False
    assert [
        m["code"]
        for m in api.post(url("opportunity-list", partnership), proposal).json()["missing"]
    ] == ["discovery_cosigned"]
    cosigned = as_member(client_executive).post(url("discovery-co-sign", partnership))
    assert cosigned.status_code == 200
    assert cosigned.json()["gate"] == {"open": True, "missing": []}

    api = as_member(account_manager)
    created = api.post(url("opportunity-list", partnership), proposal)
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "proposed"

    no_reason = api.post(url("discovery-reopen", partnership), {})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    reopened = api.post(url("discovery-reopen", partnership), {"reason": "A refill line is added."})
    assert reopened.status_code == 200
    assert reopened.json()["signed_off"] is False
    refused = api.post(url("opportunity-list", partnership), proposal)
    assert refused.status_code == 409
    assert "discovery_signed_off" in [item["code"] for item in refused.json()["missing"]]
    assert Opportunity.objects.count() == 1
    history = api.get(url("discovery-history", partnership)).json()
    assert history[0]["reopen_reason"] == "A refill line is added."


def test_sign_off_of_an_incomplete_checklist_is_409_with_missing(
    partnership, account_manager, as_member, url
):
    response = as_member(account_manager).post(url("discovery-sign-off", partnership))
    assert response.status_code == 409
    assert len(response.json()["missing"]) == 5


@pytest.mark.parametrize("role", ["implementation_pm", "client_executive"])
def test_only_the_account_manager_signs_off_discovery(
    request, role, complete_discovery, as_member, url
):
    response = as_member(request.getfixturevalue(role)).post(
        url("discovery-sign-off", complete_discovery.partnership)
    )
    assert response.status_code == 403


def test_the_client_executive_signs_off_goals_others_may_not(
    partnership, client_executive, account_manager, kpis, as_member, url
):
    ExperienceGoalFactory(partnership=partnership, kpi=kpis["caller_satisfaction"])
    assert (
        as_member(account_manager).post(url("experience-goal-sign-off", partnership)).status_code
        == 403
    )
    response = as_member(client_executive).post(
        url("experience-goal-sign-off", partnership), {"note": "Agreed in the workshop."}
    )
    assert response.status_code == 201
    assert response.json()["signed_by"]["email"] == "exec@university.example"
    assert response.json()["goals"][0]["kpi"] == "caller_satisfaction"
    history = as_member(account_manager).get(url("experience-goal-sign-offs", partnership)).json()
    assert len(history) == 1 and history[0]["is_active"]


def test_the_client_executive_decides_opportunities(
    signed_off, client_executive, account_manager, as_member, url
):
    partnership = signed_off.partnership
    opportunity = OpportunityFactory(partnership=partnership)
    decide = url("opportunity-decide", partnership, pk=opportunity.pk)
    assert as_member(account_manager).post(decide, {"decision": "accepted"}).status_code == 403
    bad = as_member(client_executive).post(decide, {"decision": "maybe"})
    assert bad.status_code == 400 and "decision" in bad.json()
    unexplained = as_member(client_executive).post(decide, {"decision": "rejected", "note": " "})
    assert unexplained.status_code == 400 and "note" in unexplained.json()
    opportunity.refresh_from_db()
    assert opportunity.status == "proposed"
    decided = as_member(client_executive).post(decide, {"decision": "rejected", "note": "Not now."})
    assert decided.status_code == 200
    body = decided.json()
    assert (body["status"], body["decision_note"]) == ("rejected", "Not now.")
    assert "internal_notes" not in body
    assert as_member(client_executive).post(decide, {"decision": "accepted"}).status_code == 409


def test_frozen_discovery_answers_409(signed_off, implementation_pm, as_member, url):
    response = as_member(implementation_pm).patch(
        url("discovery-session-detail", signed_off.partnership, pk=signed_off.session.pk),
        {"notes": "Late addition"},
    )
    assert response.status_code == 409
    assert "reopen it" in response.json()["non_field_errors"][0]


# --- Query counts: flat with 3 rows and with 30 ------------------------------------------------


def _rows(name: str, partnership, count: int, kpis) -> None:
    for _ in range(count):
        match name:
            case "service-list":
                ServiceLineFactory(partnership=partnership)
            case "baseline-list":
                KpiBaselineFactory(partnership=partnership)
            case "report-list":
                ReviewedReportFactory(partnership=partnership)
            case "call-flow-list":
                CallFlowVersionFactory(
                    call_flow=CallFlowFactory(partnership=partnership), reviewed_by=None
                )
            case "discovery-session-list":
                DiscoverySessionFactory(partnership=partnership)
            case "experience-goal-list":
                ExperienceGoalFactory(partnership=partnership)
            case "opportunity-list":
                OpportunityFactory(
                    partnership=partnership,
                    service_line=ServiceLineFactory(partnership=partnership),
                    kpi=kpis["abandonment_rate"],
                )


# Every list: 1 membership (with organization, user, client), 2 the partnership through the
# access policy, 3 count, 4 the page with its joins. The catalog: 2 is "is it seeded?".
@pytest.mark.parametrize(
    "name", [*(n for n in PARTNERSHIP_LISTS if n != "discovery-list"), "kpi-list"]
)
@pytest.mark.parametrize("role", ["implementation_pm", "client_executive"])
def test_lists_run_a_fixed_number_of_queries(
    request, name, role, partnership, kpis, as_member, url
):
    api = as_member(request.getfixturevalue(role))
    target = url(name) if name == "kpi-list" else url(name, partnership)
    counts = []
    for rows in (3, 27):  # 3 rows, then 30
        _rows(name, partnership, rows, kpis)
        with CaptureQueriesContext(connection) as queries:
            response = api.get(target)
        assert response.status_code == 200
        counts.append(len(queries))
    expected_rows = 10 if name == "kpi-list" else 30
    assert response.json()["count"] == expected_rows
    assert counts == [4, 4], [q["sql"] for q in queries.captured_queries]


def test_the_discovery_status_runs_a_fixed_number_of_queries(
    complete_discovery, client_executive, as_member, url, django_assert_num_queries
):
    api = as_member(client_executive)
    target = url("discovery-list", complete_discovery.partnership)
    # membership, partnership, open sign-off, services, call flows, reports, sessions, goals,
    # goal sign-off
    with django_assert_num_queries(9):
        assert api.get(target).status_code == 200
    for index in range(20):
        ServiceLineFactory(partnership=complete_discovery.partnership)
        DiscoverySessionFactory(partnership=complete_discovery.partnership, title=f"S{index}")
    with django_assert_num_queries(9):
        assert api.get(target).status_code == 200


def test_versions_of_a_flow_list_flat(
    partnership, admin, as_member, url, django_assert_num_queries
):
    call_flow = CallFlowFactory(partnership=partnership)
    for _ in range(5):
        CallFlowVersionFactory(call_flow=call_flow)
    api = as_member(admin)
    # membership, partnership, the flow, its versions with authors
    with django_assert_num_queries(4):
        response = api.get(url("call-flow-versions", partnership, pk=call_flow.pk))
    assert len(response.json()) == 5
