"""The issue log's API: the clock in every issue, filters (breached), raise, edit, move,
comments, the organization's SLA targets, permissions and a flat list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from health.models import Issue, SlaTarget
from health.services import issues as services

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


@pytest.fixture
def raise_issue(actor_for, partnership, account_manager):
    def build(**fields) -> Issue:
        fields = {"title": "Callbacks over 30 minutes", "severity": "high"} | fields
        return services.issue_raise(
            actor=actor_for(account_manager), partnership=partnership, **fields
        )

    return build


def test_create_and_read_with_the_clock(as_api, api_url, account_manager, partnership):
    api = as_api(account_manager)
    response = api.post(
        api_url("health-issue-list", partnership),
        {"title": "Transfers dropped", "severity": "critical", "internal_notes": "Vendor bug"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["response_minutes"] == 60 and body["resolution_minutes"] == 24 * 60
    assert body["status"] == "open" and not body["paused"] and body["paused_seconds"] == 0
    assert body["response_breached"] is False and body["resolution_breached"] is False
    opened = dt.datetime.fromisoformat(body["opened_at"])
    assert dt.datetime.fromisoformat(body["response_due_at"]) - opened == H
    assert body["internal_notes"] == "Vendor bug"
    assert body["allowed_moves"] == ["in_progress", "waiting_on_client", "resolved"]


def test_bad_input_names_the_field(as_api, api_url, account_manager, partnership):
    api = as_api(account_manager)
    response = api.post(
        api_url("health-issue-list", partnership), {"title": "No severity"}, format="json"
    )
    assert response.status_code == 400 and "severity" in response.json()
    assert not Issue.objects.exists()


def test_the_client_executive_raises_comments_but_never_moves_or_sees_internal_notes(
    as_api, api_url, client_executive, raise_issue, partnership
):
    issue = raise_issue(internal_notes="Renewal leverage")
    api = as_api(client_executive)
    listed = api.get(api_url("health-issue-list", partnership)).json()["results"]
    assert [row["id"] for row in listed] == [issue.pk]
    assert "internal_notes" not in listed[0]
    detail = api.get(api_url("health-issue-detail", partnership, pk=issue.pk)).json()
    assert "internal_notes" not in detail
    assert "Renewal leverage" not in str(detail)
    created = api.post(
        api_url("health-issue-list", partnership),
        {"title": "Line busy", "severity": "low"},
        format="json",
    )
    assert created.status_code == 201
    refused = api.post(
        api_url("health-issue-list", partnership),
        {"title": "Line busy", "severity": "low", "internal_notes": "sneaky"},
        format="json",
    )
    assert refused.status_code == 400 and "internal_notes" in refused.json()
    comment = api.post(
        api_url("health-issue-comments", partnership, pk=issue.pk),
        {"body": "Any news?"},
        format="json",
    )
    assert comment.status_code == 201 and comment.json()["shared_with_client"] is True
    moved = api.post(
        api_url("health-issue-transition", partnership, pk=issue.pk),
        {"status": "in_progress"},
        format="json",
    )
    assert moved.status_code == 403
    edited = api.patch(
        api_url("health-issue-detail", partnership, pk=issue.pk), {"title": "x"}, format="json"
    )
    assert edited.status_code == 403


def test_the_pm_manages_and_the_clock_pauses(
    as_api, api_url, implementation_pm, raise_issue, partnership
):
    issue = raise_issue()
    api = as_api(implementation_pm)
    url = api_url("health-issue-transition", partnership, pk=issue.pk)
    moved = api.post(url, {"status": "waiting_on_client", "note": "Need logs"}, format="json")
    assert moved.status_code == 200, moved.json()
    body = moved.json()
    assert body["issue"]["paused"] is True and body["issue"]["first_response_at"]
    assert body["change"]["from_status"] == "open" and body["change"]["note"] == "Need logs"
    no_resolution = api.post(url, {"status": "resolved"}, format="json")
    assert no_resolution.status_code == 400 and "resolution" in no_resolution.json()
    resolved = api.post(url, {"status": "resolved", "resolution": "Logs arrived"}, format="json")
    assert resolved.status_code == 200
    assert resolved.json()["issue"]["paused"] is False
    history = api.get(api_url("health-issue-history", partnership, pk=issue.pk)).json()
    assert [row["to_status"] for row in history] == ["waiting_on_client", "resolved"]
    patched = api.patch(
        api_url("health-issue-detail", partnership, pk=issue.pk),
        {"severity": "critical"},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["response_minutes"] == 60


def test_filter_breached(as_api, api_url, account_manager, raise_issue, partnership):
    fine = raise_issue(title="Fine")
    late = raise_issue(title="Late", severity="critical")
    Issue.objects.filter(pk=late.pk).update(opened_at=timezone.now() - 30 * H)
    api = as_api(account_manager)
    url = api_url("health-issue-list", partnership)
    breached = api.get(url, {"breached": "true"}).json()["results"]
    assert [row["id"] for row in breached] == [late.pk]
    assert breached[0]["response_breached"] and breached[0]["resolution_breached"]
    assert [row["id"] for row in api.get(url, {"breached": "false"}).json()["results"]] == [fine.pk]
    assert api.get(url, {"breached": "maybe"}).status_code == 400
    assert [row["id"] for row in api.get(url, {"severity": "critical"}).json()["results"]] == [
        late.pk
    ]


def test_the_list_is_flat(
    as_api, api_url, account_manager, implementation_pm, raise_issue, partnership
):
    api = as_api(account_manager)
    url = api_url("health-issue-list", partnership)
    for n in range(3):
        raise_issue(title=f"Issue {n}", owner=implementation_pm.user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        assert api.get(url, {"breached": "true"}).status_code == 200
    for n in range(30):
        raise_issue(title=f"More {n}", owner=implementation_pm.user)
    with CaptureQueriesContext(connection) as thirty:
        assert len(api.get(url, {"breached": "true"}).json()["results"]) == 0
    assert len(thirty) == len(three)


def test_another_tenant_gets_404(as_api, api_url, outsider, raise_issue, partnership):
    issue = raise_issue()
    api = as_api(outsider)
    assert api.get(api_url("health-issue-list", partnership)).status_code == 404
    assert api.get(api_url("health-issue-detail", partnership, pk=issue.pk)).status_code == 404


def test_sla_targets(as_api, api_url, admin, account_manager, client_executive):
    url = api_url("health-sla-target-list")
    assert as_api(client_executive).get(url).status_code == 404
    rows = as_api(account_manager).get(url).json()
    assert [row["severity"] for row in rows] == ["critical", "high", "medium", "low"]
    assert rows[0] == {
        "id": None,
        "severity": "critical",
        "response_minutes": 60,
        "resolution_minutes": 1440,
        "is_default": True,
    }
    body = {"severity": "critical", "response_minutes": 30, "resolution_minutes": 600}
    assert as_api(account_manager).post(url, body, format="json").status_code == 403
    api = as_api(admin)
    created = api.post(url, body, format="json")
    assert created.status_code == 201 and created.json()["is_default"] is False
    target = SlaTarget.objects.get(severity="critical")
    detail = api_url("health-sla-target-detail", pk=target.pk)
    bad = api.patch(detail, {"resolution_minutes": 10}, format="json")
    assert bad.status_code == 400 and "resolution_minutes" in bad.json()
    too_long = api.patch(detail, {"resolution_minutes": 366 * 24 * 60}, format="json")
    assert too_long.status_code == 400 and "resolution_minutes" in too_long.json()
    assert (
        api.patch(detail, {"resolution_minutes": 900}, format="json").json()["resolution_minutes"]
        == 900
    )
    assert as_api(account_manager).patch(detail, {"resolution_minutes": 60}).status_code == 403
