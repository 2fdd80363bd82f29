"""Offboarding a partnership: the archive of everything (admins only, audited), and the erasure
of its staff's HR records once it has been over the organization's retention period."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from discovery.models import ReviewedReport
from partnerships.models import PartnershipStatus, PartnershipStatusChange
from tenancy.models import AuditEvent
from tests.discovery.factories import ReviewedReportFactory
from tests.transition.factories import StaffMemberFactory
from transition.models import SensitiveAccessLog, SentimentCheckIn, StaffMember

pytestmark = pytest.mark.django_db


def page(partnership) -> str:
    return reverse(
        "dashboards:offboarding",
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk},
    )


@pytest.fixture
def staffed(partnership):
    nurse = StaffMemberFactory(
        partnership=partnership,
        full_name="Nina Nurse",
        hr_notes='=HYPERLINK("http://evil") on leave in May',
        support_details="Outplacement with Acme",
        support_offered=["outplacement"],
    )
    SentimentCheckIn.objects.create(
        organization=partnership.organization,
        partnership=partnership,
        staff_member=nurse,
        checked_on=datetime.date(2026, 5, 1),
        recorded_by=partnership.account_manager,
        score=2,
        note="Worried about the night shift",
    )
    ReviewedReportFactory(partnership=partnership)
    return nurse


def end(partnership, *, days_ago: int, by) -> None:
    partnership.status = PartnershipStatus.ENDED
    partnership.save()
    change = PartnershipStatusChange.objects.create(
        organization=partnership.organization,
        partnership=partnership,
        from_status=PartnershipStatus.LIVE,
        to_status=PartnershipStatus.ENDED,
        changed_by=by,
    )
    PartnershipStatusChange.objects.filter(pk=change.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def test_the_archive_holds_every_record_the_files_and_the_trail(
    client, admin, partnership, staffed
):
    client.force_login(admin.user)
    response = client.post(page(partnership), {"action": "export"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"manifest.json", "partnership.json", "audit_trail.csv"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["records"]["transition.staffmember"] == 1
    assert manifest["records"]["transition.sentimentcheckin"] == 1
    data = json.loads(archive.read("partnership.json"))
    assert data["partnership"][0]["fields"]["name"] == "University after-hours line"
    staff = data["records"]["transition.staffmember"][0]["fields"]
    assert staff["hr_notes"].endswith("on leave in May")  # nothing held back
    # CSV cells that a spreadsheet would run are neutralised.
    rows = list(
        csv.DictReader(io.StringIO(archive.read("csv/transition.staffmember.csv").decode()))
    )
    assert rows[0]["hr_notes"].startswith("'=HYPERLINK")
    stored = ReviewedReport.objects.get().file.name
    assert archive.read(f"files/{stored}") == b"service,calls\nAfter-hours,2400\n"
    event = AuditEvent.objects.get(verb="partnership.exported")
    assert event.actor == admin.user and event.partnership == partnership
    # The HR fields left in the archive: the HR access log names whose.
    logged = SensitiveAccessLog.objects.get(context="offboarding.export")
    assert logged.staff_name == "Nina Nurse" and logged.viewer == admin.user


def test_offboarding_is_an_admins_alone(
    client, account_manager, client_executive, outsider, partnership
):
    for member, status in ((account_manager, 403), (client_executive, 403), (outsider, 404)):
        client.force_login(member.user)
        assert client.get(page(partnership)).status_code == status, member
        assert client.post(page(partnership), {"action": "export"}).status_code == status
    assert not AuditEvent.objects.filter(verb="partnership.exported").exists()


def test_hr_records_wait_for_the_end_and_the_retention_period(client, admin, partnership, staffed):
    client.force_login(admin.user)
    html = client.get(page(partnership)).content.decode()
    assert "has not ended" in html
    refused = client.post(page(partnership), {"action": "erase-hr"}, follow=True)
    assert "Only an ended partnership" in refused.content.decode()

    end(partnership, days_ago=10, by=admin.user)
    html = client.get(page(partnership)).content.decode()
    assert "may be erased from" in html
    refused = client.post(page(partnership), {"action": "erase-hr"}, follow=True)
    assert "180 days after the partnership ended" in refused.content.decode()
    staffed.refresh_from_db()
    assert staffed.hr_notes


def test_erasure_empties_hr_fields_only_and_is_audited(client, admin, partnership, staffed):
    end(partnership, days_ago=200, by=admin.user)
    client.force_login(admin.user)
    assert "Erase the HR records now" in client.get(page(partnership)).content.decode()
    done = client.post(page(partnership), {"action": "erase-hr"}, follow=True)
    assert "HR records erased" in done.content.decode()

    nurse = StaffMember.objects.get(pk=staffed.pk)
    assert (nurse.hr_notes, nurse.support_details, nurse.support_offered) == ("", "", [])
    assert nurse.full_name == "Nina Nurse"  # the record itself stays
    # A named person's sentiment is HR data as a whole: their check-ins are gone.
    assert not SentimentCheckIn.objects.exists()
    event = AuditEvent.objects.get(verb="partnership.hr_erased")
    assert event.changes["transition.staffmember"] == [None, 1]
    assert event.changes["transition.sentimentcheckin (deleted)"] == [None, 1]
    assert "Worried" not in json.dumps(event.changes)
    assert "Erased" in client.get(page(partnership)).content.decode()


def test_the_retention_period_is_the_organizations(client, admin, partnership, staffed):
    partnership.organization.hr_retention_days = 5
    partnership.organization.save()
    end(partnership, days_ago=6, by=admin.user)
    client.force_login(admin.user)
    client.post(page(partnership), {"action": "erase-hr"})
    staffed.refresh_from_db()
    assert staffed.hr_notes == ""


def test_the_partnership_page_links_admins_to_offboarding(
    client, admin, account_manager, partnership
):
    detail = reverse("partnerships:detail", args=["northstar", partnership.pk])
    client.force_login(admin.user)
    assert page(partnership) in client.get(detail).content.decode()
    client.force_login(account_manager.user)
    assert page(partnership) not in client.get(detail).content.decode()
