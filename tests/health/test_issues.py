"""The issue log's services and pages: raising (the client's executives too), the SLA targets
an issue takes, the status moves and the paused clock, comments, the internal notes the
client never sees, and permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from health.models import Issue, IssueStatus, IssueStatusChange, SlaTarget
from health.services import issues as services
from partnerships import services as partnership_services
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


@pytest.fixture
def raise_issue(actor_for, partnership, account_manager):
    def build(membership=None, **fields) -> Issue:
        fields = {"title": "Callbacks over 30 minutes", "severity": "high"} | fields
        return services.issue_raise(
            actor=actor_for(membership or account_manager), partnership=partnership, **fields
        )

    return build


def page(org_a, partnership, name="health:issues", **kwargs) -> str:
    return reverse(
        name, kwargs={"org_slug": org_a.slug, "partnership_pk": partnership.pk, **kwargs}
    )


# --- Raising -----------------------------------------------------------------------------


def test_an_issue_takes_the_default_targets_of_its_severity(raise_issue, account_manager):
    issue = raise_issue(severity="critical")
    assert (issue.response_minutes, issue.resolution_minutes) == (60, 24 * 60)
    assert issue.status == IssueStatus.OPEN
    assert issue.raised_by == account_manager.user
    assert AuditEvent.objects.filter(verb="health_issue.raised", target_id=str(issue.pk)).exists()


def test_an_issue_takes_the_organizations_own_targets(raise_issue, actor_for, admin):
    services.sla_targets_update(
        actor=actor_for(admin),
        targets={"high": {"response_minutes": 120, "resolution_minutes": 2 * 24 * 60}},
    )
    issue = raise_issue(severity="high")
    assert (issue.response_minutes, issue.resolution_minutes) == (120, 2 * 24 * 60)
    # The other severities keep the defaults.
    assert raise_issue(severity="low").response_minutes == 3 * 24 * 60


def test_the_client_executive_raises_but_sets_no_owner_or_internal_notes(
    raise_issue, client_executive, implementation_pm
):
    issue = raise_issue(client_executive, title="Nurses cannot reach on-call OB")
    assert issue.raised_by == client_executive.user
    for field, value in (("internal_notes", "x"), ("owner", implementation_pm.user)):
        with pytest.raises(ApplicationError) as error:
            raise_issue(client_executive, **{field: value})
        assert error.value.field == field


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"severity": ""}, "severity"),
        ({"severity": "urgent"}, "severity"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(raise_issue, fields, field):
    with pytest.raises(ApplicationError) as error:
        raise_issue(**fields)
    assert error.value.field == field
    assert not Issue.objects.exists()


def test_owner_and_service_must_belong(raise_issue, client_executive, other_client_partnership):
    from tests.discovery.factories import ServiceLineFactory

    with pytest.raises(ApplicationError) as error:
        raise_issue(owner=client_executive.user)
    assert error.value.field == "owner"
    elsewhere = ServiceLineFactory(partnership=other_client_partnership)
    with pytest.raises(ApplicationError) as error:
        raise_issue(service_line=elsewhere)
    assert error.value.field == "service_line"


# --- Managing ----------------------------------------------------------------------------


def test_severity_change_recomputes_the_targets(raise_issue, actor_for, implementation_pm, admin):
    services.sla_targets_update(
        actor=actor_for(admin),
        targets={"critical": {"response_minutes": 30, "resolution_minutes": 600}},
    )
    issue = raise_issue(severity="low")
    services.issue_update(actor=actor_for(implementation_pm), issue=issue, severity="critical")
    issue.refresh_from_db()
    assert (issue.severity, issue.response_minutes, issue.resolution_minutes) == (
        "critical",
        30,
        600,
    )
    event = AuditEvent.objects.get(verb="health_issue.updated")
    assert event.changes["resolution_minutes"] == [30 * 24 * 60, 600]


def test_the_clock_pauses_twice_and_the_due_time_moves_out(
    raise_issue, actor_for, implementation_pm
):
    pm = actor_for(implementation_pm)
    issue = raise_issue(severity="high")
    t0 = issue.opened_at
    services.issue_transition(actor=pm, issue=issue, status="in_progress", now=t0 + H)
    assert issue.first_response_at == t0 + H
    services.issue_transition(actor=pm, issue=issue, status="waiting_on_client", now=t0 + 2 * H)
    assert issue.paused_since == t0 + 2 * H
    services.issue_transition(actor=pm, issue=issue, status="in_progress", now=t0 + 7 * H)
    services.issue_transition(actor=pm, issue=issue, status="waiting_on_client", now=t0 + 8 * H)
    services.issue_transition(actor=pm, issue=issue, status="in_progress", now=t0 + 11 * H)
    issue.refresh_from_db()
    assert issue.paused_since is None
    assert issue.paused_seconds == 8 * 3600
    from health import sla

    clock = sla.issue_clock(issue, t0 + 12 * H)
    assert clock.resolution_due_at == t0 + 72 * H + 8 * H
    assert clock.response_due_at == t0 + 4 * H and not clock.response_breached
    moves = list(
        IssueStatusChange.objects.filter(issue=issue).values_list("from_status", "to_status")
    )
    assert moves[0] == ("open", "in_progress") and len(moves) == 5


def test_resolving_needs_a_resolution(raise_issue, actor_for, account_manager):
    am = actor_for(account_manager)
    issue = raise_issue()
    with pytest.raises(ApplicationError) as error:
        services.issue_transition(actor=am, issue=issue, status="resolved")
    assert error.value.field == "resolution"
    assert Issue.objects.get(pk=issue.pk).status == "open"
    services.issue_transition(
        actor=am, issue=issue, status="resolved", resolution="Added a second on-call line."
    )
    issue.refresh_from_db()
    assert issue.status == "resolved" and issue.resolved_at is not None
    assert issue.first_response_at is not None  # resolving straight from open answers it
    # Reopen, then closed for good.
    services.issue_transition(actor=am, issue=issue, status="in_progress", note="Again today")
    assert Issue.objects.get(pk=issue.pk).resolved_at is None
    services.issue_transition(actor=am, issue=issue, status="resolved")
    services.issue_transition(actor=am, issue=issue, status="closed")
    with pytest.raises(ApplicationError) as error:
        services.issue_transition(actor=am, issue=issue, status="in_progress")
    assert error.value.field == "status"


def test_moves_outside_the_workflow_are_refused(raise_issue, actor_for, account_manager):
    issue = raise_issue()
    with pytest.raises(ApplicationError) as error:
        services.issue_transition(actor=actor_for(account_manager), issue=issue, status="closed")
    assert error.value.field == "status"
    assert "can move to in progress, waiting on client, resolved" in error.value.message


def test_the_client_executive_may_not_manage(raise_issue, actor_for, client_executive):
    issue = raise_issue()
    with pytest.raises(PermissionDenied):
        services.issue_transition(
            actor=actor_for(client_executive), issue=issue, status="in_progress"
        )
    with pytest.raises(PermissionDenied):
        services.issue_update(actor=actor_for(client_executive), issue=issue, title="Mine")


def test_a_providers_first_shared_comment_is_the_response(
    raise_issue, actor_for, client_executive, implementation_pm, partnership
):
    issue = raise_issue(client_executive)

    def comment(member, shared):
        partnership_services.comment_create(
            actor=actor_for(member),
            partnership=partnership,
            target_type="health.issue",
            target_id=issue.pk,
            body="Looking into it.",
            shared_with_client=shared,
        )
        issue.refresh_from_db()

    comment(client_executive, True)
    assert issue.first_response_at is None  # the client's own comment answers nothing
    comment(implementation_pm, False)
    assert issue.first_response_at is None  # a provider-only note answers nobody
    comment(implementation_pm, True)
    assert issue.first_response_at is not None


# --- SLA targets -------------------------------------------------------------------------


def test_only_admins_set_the_targets(actor_for, account_manager):
    with pytest.raises(PermissionDenied):
        services.sla_targets_update(
            actor=actor_for(account_manager),
            targets={"low": {"response_minutes": 60, "resolution_minutes": 120}},
        )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"response_minutes": 120, "resolution_minutes": 60}, "low_resolution_minutes"),
        ({"response_minutes": 0, "resolution_minutes": 60}, "low_response_minutes"),
        ({"response_minutes": 60, "resolution_minutes": 366 * 24 * 60}, "low_resolution_minutes"),
    ],
)
def test_bad_targets_name_the_field(actor_for, admin, values, field):
    with pytest.raises(ApplicationError) as error:
        services.sla_targets_update(actor=actor_for(admin), targets={"low": values})
    assert error.value.field == field
    assert not SlaTarget.objects.exists()


# --- Pages -------------------------------------------------------------------------------


def test_the_list_shows_severity_status_owner_and_a_breach(
    as_member, raise_issue, org_a, partnership, implementation_pm, django_assert_max_num_queries
):
    raise_issue(title="On time", owner=implementation_pm.user)
    late = raise_issue(title="Late one", severity="critical")
    Issue.objects.filter(pk=late.pk).update(opened_at=timezone.now() - 30 * H)
    client = as_member(implementation_pm)
    response = client.get(page(org_a, partnership))
    html = response.content.decode()
    assert response.status_code == 200
    assert "SLA breached" in html and "Late one" in html
    assert "Paul Planner" in html and "Critical" in html
    assert "resolution due in" in html.lower() or "response due in" in html.lower()
    for n in range(30):
        raise_issue(title=f"Issue {n}", owner=implementation_pm.user)
    with django_assert_max_num_queries(20):
        assert client.get(page(org_a, partnership)).status_code == 200


def test_the_status_tabs_filter(
    as_member, raise_issue, actor_for, account_manager, org_a, partnership
):
    done = raise_issue(title="Fixed already")
    services.issue_transition(
        actor=actor_for(account_manager), issue=done, status="resolved", resolution="Done."
    )
    raise_issue(title="Still open")
    client = as_member(account_manager)
    open_work = client.get(page(org_a, partnership)).content.decode()
    assert "Still open" in open_work and "Fixed already" not in open_work
    resolved = client.get(page(org_a, partnership) + "?status=resolved").content.decode()
    assert "Fixed already" in resolved and "Still open" not in resolved


def test_the_client_executive_raises_from_the_page_and_never_sees_internal_notes(
    as_member, client_executive, raise_issue, org_a, partnership
):
    raise_issue(title="Staffing gap", internal_notes="Internal: renewal leverage.")
    client = as_member(client_executive)
    form = client.get(page(org_a, partnership, "health:issue-create")).content.decode()
    assert 'name="internal_notes"' not in form and 'name="owner"' not in form
    response = client.post(
        page(org_a, partnership, "health:issue-create"),
        {"title": "Transfer line busy", "severity": "medium", "description": "Since Monday"},
    )
    issue = Issue.objects.get(title="Transfer line busy")
    assert response.status_code == 302
    assert issue.raised_by == client_executive.user and issue.severity == "medium"
    hidden = Issue.objects.get(title="Staffing gap")
    detail = client.get(page(org_a, partnership, "health:issue-detail", pk=hidden.pk))
    assert detail.status_code == 200
    assert "renewal leverage" not in detail.content.decode()
    assert "Internal notes" not in detail.content.decode()
    assert "Add the comment" in detail.content.decode()  # the client comments
    assert 'name="status"' not in detail.content.decode()  # but does not move it
    moved = client.post(
        page(org_a, partnership, "health:issue-move", pk=hidden.pk), {"status": "in_progress"}
    )
    assert moved.status_code == 403
    assert (
        client.get(page(org_a, partnership, "health:issue-edit", pk=hidden.pk)).status_code == 403
    )


def test_the_provider_sees_internal_notes_and_the_clock(
    as_member, account_manager, raise_issue, org_a, partnership
):
    issue = raise_issue(title="Staffing gap", internal_notes="Internal: renewal leverage.")
    html = (
        as_member(account_manager)
        .get(page(org_a, partnership, "health:issue-detail", pk=issue.pk))
        .content.decode()
    )
    assert "renewal leverage" in html
    assert "Response due in 3 h 59 min" in html or "Response due in 4 h" in html


def test_raise_form_bad_input_names_the_field(as_member, account_manager, org_a, partnership):
    response = as_member(account_manager).post(
        page(org_a, partnership, "health:issue-create"), {"title": "No severity"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["severity"]
    assert not Issue.objects.exists()


def test_moving_from_the_page_pauses_and_resolving_needs_a_resolution(
    as_member, implementation_pm, raise_issue, org_a, partnership
):
    issue = raise_issue()
    client = as_member(implementation_pm)
    url = page(org_a, partnership, "health:issue-move", pk=issue.pk)
    assert (
        client.post(url, {"status": "waiting_on_client", "note": "Asked for logs"}).status_code
        == 302
    )
    detail = client.get(page(org_a, partnership, "health:issue-detail", pk=issue.pk))
    assert "Paused: waiting on the client since" in detail.content.decode()
    refused = client.post(url, {"status": "resolved"})
    assert refused.status_code == 400
    assert refused.context["move_form"].errors["resolution"]
    assert client.post(url, {"status": "resolved", "resolution": "Logs fixed"}).status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == "resolved"


def test_the_edit_page(as_member, implementation_pm, raise_issue, org_a, partnership):
    issue = raise_issue(severity="low")
    client = as_member(implementation_pm)
    response = client.post(
        page(org_a, partnership, "health:issue-edit", pk=issue.pk),
        {"title": "Renamed", "severity": "critical", "owner": implementation_pm.user.pk},
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.title, issue.response_minutes, issue.owner) == (
        "Renamed",
        60,
        implementation_pm.user,
    )


def test_another_tenant_gets_404(as_member, outsider, raise_issue, org_a, partnership):
    issue = raise_issue()
    client = as_member(outsider)
    assert client.get(page(org_a, partnership)).status_code == 404
    assert (
        client.get(page(org_a, partnership, "health:issue-detail", pk=issue.pk)).status_code == 404
    )


def test_sla_targets_page(as_member, admin, account_manager, client_executive, org_a):
    url = reverse("health:sla-targets", args=[org_a.slug])
    assert as_member(client_executive).get(url).status_code == 404
    am = as_member(account_manager)
    assert "Only an admin" in am.get(url).content.decode()
    assert am.post(url, {}).status_code == 403
    client = as_member(admin)
    data = {
        f"{severity}_{kind}_minutes": hours
        for severity, hours in (("critical", 1), ("high", 4), ("medium", 24), ("low", 72))
        for kind in ("response", "resolution")
    }
    data["critical_resolution_minutes"] = "12"
    assert client.post(url, data).status_code == 302
    assert SlaTarget.objects.get(severity="critical").resolution_minutes == 12 * 60
    data["high_resolution_minutes"] = "2"
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert refused.context["form"].errors["high_resolution_minutes"]
