"""Free text has a limit (20,000 characters): a megabyte pasted into an issue, an audit or a
touchpoint is a 400 naming the field, and nothing is saved."""

from __future__ import annotations

import datetime

import pytest

from health.models import CallAudit, Issue, Touchpoint
from health.services.audits import audit_record
from health.services.issues import issue_raise, issue_transition
from health.services.touchpoints import touchpoint_create
from tenancy.errors import ApplicationError
from tenancy.validators import MAX_TEXT

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * (MAX_TEXT + 1)


def test_an_issue_description_over_the_limit_is_a_400_naming_it(
    as_api, api_url, client_executive, live
):
    response = as_api(client_executive).post(
        api_url("health-issue-list", live),
        {"title": "Long", "severity": "low", "description": TOO_LONG},
        format="json",
    )

    assert response.status_code == 400
    assert "description" in response.json()
    assert not Issue.objects.exists()


def test_an_issue_move_note_over_the_limit_names_the_note(actor_for, implementation_pm, live):
    actor = actor_for(implementation_pm)
    issue = issue_raise(actor=actor, partnership=live, title="Dropped calls", severity="high")

    with pytest.raises(ApplicationError) as caught:
        issue_transition(actor=actor, issue=issue, status="in_progress", note=TOO_LONG)

    assert caught.value.field == "note"
    issue.refresh_from_db()
    assert issue.status == "open"


def test_audit_notes_and_touchpoint_notes_have_the_limit(
    actor_for, implementation_pm, account_manager, live, kpis
):
    with pytest.raises(ApplicationError) as audit_error:
        audit_record(
            actor=actor_for(implementation_pm),
            partnership=live,
            auditor=implementation_pm.user,
            call_date=datetime.date(2026, 6, 2),
            notes=TOO_LONG,
        )
    with pytest.raises(ApplicationError) as touchpoint_error:
        touchpoint_create(
            actor=actor_for(account_manager),
            partnership=live,
            date=datetime.date(2026, 6, 2),
            kind="call",
            attendees="Erin",
            notes=TOO_LONG,
        )

    assert audit_error.value.field == "notes"
    assert touchpoint_error.value.field == "notes"
    assert not CallAudit.objects.exists() and not Touchpoint.objects.exists()


def test_text_at_the_limit_is_kept(actor_for, implementation_pm, live):
    issue = issue_raise(
        actor=actor_for(implementation_pm),
        partnership=live,
        title="Long but fine",
        severity="low",
        description="x" * MAX_TEXT,
    )

    assert len(issue.description) == MAX_TEXT
