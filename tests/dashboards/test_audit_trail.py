"""The audit trail page (admins): filters by partnership, person, action and dates, pages of
50, and the CSV export with spreadsheet formulas neutralised (and itself recorded)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from tenancy.csvfiles import safe_cell
from tenancy.models import AuditEvent
from tests.factories import AuditEventFactory


@pytest.fixture
def events(org_a, org_b, admin, account_manager, partnership, outsider):
    AuditEventFactory(
        organization=org_a,
        actor=account_manager.user,
        verb="partnership.updated",
        target_repr=partnership.name,
        partnership=partnership,
        changes={"planned_go_live": ["2026-12-01", "2027-01-15"]},
        ip_address="203.0.113.9",
    )
    AuditEventFactory(
        organization=org_a,
        actor=admin.user,
        verb="member.invited",
        target_repr='=HYPERLINK("http://evil.example","Click")',
    )
    AuditEventFactory(
        organization=org_b, actor=outsider.user, verb="partnership.updated", target_repr="Harbor"
    )


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_an_admin_browses_the_trail_newest_first_without_other_tenants(
    as_member, admin, events, audit_url
):
    html = as_member(admin).get(audit_url).content.decode()
    assert "partnership.updated" in html and "member.invited" in html
    assert html.index("member.invited") < html.index("partnership.updated")
    assert "Harbor" not in html.split("<tbody>")[1]
    assert "2027-01-15" in html and "203.0.113.9" in html


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"verb": "member.invited"}, "member.invited", "planned_go_live"),
        ({"partnership": "PARTNERSHIP"}, "planned_go_live", "member.invited"),
        ({"actor": "AM"}, "planned_go_live", "member.invited"),
    ],
)
def test_the_trail_filters(
    as_member, admin, account_manager, partnership, events, audit_url, params, shown, hidden
):
    ids = {"PARTNERSHIP": str(partnership.pk), "AM": str(account_manager.user_id)}
    params = {k: ids.get(v, v) for k, v in params.items()}
    body = as_member(admin).get(audit_url, params).content.decode().split("<tbody>")[1]
    assert shown in body and hidden not in body


def test_the_trail_filters_by_the_organizations_days(as_member, admin, org_a, events, audit_url):
    AuditEventFactory(organization=org_a, actor=admin.user, verb="old.thing")
    today = org_a.local_today()
    body = (
        as_member(admin)
        .get(audit_url, {"since": today.isoformat(), "until": today.isoformat()})
        .content.decode()
    )
    assert "old.thing" in body  # made today
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    body = as_member(admin).get(audit_url, {"since": tomorrow}).content.decode()
    assert "No event matches these filters" in body


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"since": "2026-13-45"}, "since", "Enter a valid date"),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "until", "before the start date"),
        ({"until": "1066-10-14"}, "until", ""),
        ({"verb": "not.a.verb"}, "verb", "Select a valid choice"),
    ],
)
def test_bad_filters_name_the_field(as_member, admin, events, audit_url, params, field, message):
    member = as_member(admin)
    page = member.get(audit_url, params)
    assert page.status_code == 200
    assert field in page.context["form"].errors
    assert message in " ".join(page.context["form"].errors[field])
    export = member.get(audit_url, {**params, "format": "csv"})
    assert export.status_code == 400
    assert export["Content-Type"].startswith("text/html")


def test_the_csv_export_holds_every_field_and_neutralises_formulas(
    as_member, admin, events, audit_url
):
    response = as_member(admin).get(audit_url, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    # The admin's own sign-in is in the trail too (accounts/security.py).
    assert {row["action"] for row in rows} == {
        "partnership.updated",
        "member.invited",
        "user.signed_in",
    }
    invited = next(row for row in rows if row["action"] == "member.invited")
    assert invited["target"].startswith("'=HYPERLINK")
    updated = next(row for row in rows if row["action"] == "partnership.updated")
    assert updated["changes"] == "planned_go_live: 2026-12-01 → 2027-01-15"
    assert updated["address"] == "203.0.113.9"
    assert updated["person"] == "Alice Manager"


def test_the_export_is_recorded_with_its_filters(as_member, admin, events, audit_url):
    as_member(admin).get(audit_url, {"format": "csv", "verb": "member.invited"})
    exported = AuditEvent.objects.get(verb="audit.exported")
    assert exported.actor == admin.user
    assert exported.changes["filters"][1] == {"verb": "member.invited"}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("plain text", "plain text"),
        ("a\x00b", "ab"),
        (None, ""),
        (42, "42"),
    ],
)
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell
