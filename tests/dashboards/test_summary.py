"""The monthly executive summary: the page (what each audience sees), the month chosen, the
PDF written in the background with its progress and download, who may fetch it, and a URL
fetcher that never leaves the app's static files."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from dashboards import summary
from dashboards.models import SummaryDocument
from partnerships.models import PartnershipStatus
from tenancy.models import AuditEvent, JobStatus
from tests.dashboards.conftest import issue, measure, touch
from tests.discovery.factories import KpiFactory


@pytest.fixture
def live_partnership(partnership, org_a, account_manager, client_executive):
    partnership.status = PartnershipStatus.LIVE
    partnership.actual_go_live = datetime.date(2026, 6, 1)
    partnership.save()
    kpi = KpiFactory(
        organization=org_a,
        key="asa",
        name="Average speed of answer",
        unit="seconds",
        direction="lower",
        target=Decimal("30"),
    )
    measure(partnership, kpi, Decimal("24.5"))
    issue(partnership, client_executive.user, severity="critical", title="Calls dropping")
    touch(partnership, account_manager.user, days_ago=0)
    return partnership


def url(name, partnership, **kwargs):
    return reverse(
        f"dashboards:{name}",
        kwargs={"org_slug": "northstar", "partnership_pk": partnership.pk, **kwargs},
    )


def test_the_summary_page_shows_the_month(as_member, account_manager, live_partnership, org_a):
    html = as_member(account_manager).get(url("summary", live_partnership)).content.decode()
    month = org_a.local_today()
    assert f"Executive summary · {month:%B %Y}" in html
    assert "Average speed of answer" in html and "24.5 s" in html
    assert "Calls dropping" in html and "breached" in html
    assert "Touchpoints with the client" in html
    assert "Resolve “Calls dropping” (past its SLA)." in html


def test_a_client_executive_never_sees_the_providers_touchpoints(
    as_member, client_executive, live_partnership
):
    html = as_member(client_executive).get(url("summary", live_partnership)).content.decode()
    assert "Average speed of answer" in html
    assert "Touchpoints with the client" not in html


@pytest.mark.parametrize("month", ["2099-01", "1999-12", "2026-13", "abc", "2026"])
def test_a_month_outside_the_range_is_refused_with_a_message(
    as_member, account_manager, live_partnership, month
):
    response = as_member(account_manager).get(
        url("summary", live_partnership), {"month": month}, follow=True
    )
    assert response.redirect_chain[0][0] == url("summary", live_partnership)
    assert "Choose a month between January 2000 and this month." in response.content.decode()


def test_another_clients_or_tenants_summary_is_404(
    as_member, client_executive, outsider, other_client_partnership, live_partnership
):
    assert (
        as_member(client_executive).get(url("summary", other_client_partnership)).status_code == 404
    )
    assert as_member(outsider).get(url("summary", live_partnership)).status_code == 404


def test_the_pdf_is_written_in_the_background_and_downloaded(
    as_member, client_executive, live_partnership, django_capture_on_commit_callbacks
):
    member = as_member(client_executive)
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(url("summary-pdf-create", live_partnership), {"month": ""})
    document = SummaryDocument.objects.get()
    assert response.url == url("summary-pdf", live_partnership, pk=document.pk)
    assert document.status == JobStatus.DONE and document.progress == 100
    status = member.get(response.url).content.decode()
    assert "Ready." in status
    download = member.get(url("summary-pdf-download", live_partnership, pk=document.pk))
    assert download["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(download.content)).pages)
    assert "University after-hours line" in text
    assert "Calls dropping" in text
    assert "Touchpoints" not in text  # the client's executive asked: the provider's stay out
    assert AuditEvent.objects.filter(verb="summary.downloaded", partnership=live_partnership)


def test_the_progress_fragment_polls_until_done(
    as_member, account_manager, live_partnership, org_a
):
    document = SummaryDocument.objects.create(
        organization=org_a,
        partnership=live_partnership,
        month=org_a.local_today().replace(day=1),
        requested_by=account_manager.user,
        status=JobStatus.RUNNING,
        progress=40,
    )
    fragment = (
        as_member(account_manager)
        .get(url("summary-pdf", live_partnership, pk=document.pk), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'hx-trigger="every 1s"' in fragment and 'value="40"' in fragment
    assert "<html" not in fragment
    download = as_member(account_manager).get(
        url("summary-pdf-download", live_partnership, pk=document.pk)
    )
    assert download.status_code == 302  # not ready: back to the progress page


def test_someone_elses_pdf_is_404(
    as_member, account_manager, admin, live_partnership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_member(account_manager).post(url("summary-pdf-create", live_partnership))
    document = SummaryDocument.objects.get()
    other = as_member(admin)
    assert other.get(url("summary-pdf", live_partnership, pk=document.pk)).status_code == 404
    assert (
        other.get(url("summary-pdf-download", live_partnership, pk=document.pk)).status_code == 404
    )


def test_markup_in_names_stays_text_in_the_pdf(
    as_member, account_manager, live_partnership, django_capture_on_commit_callbacks
):
    live_partnership.name = '<img src="http://evil.example/x.png"> Line'
    live_partnership.save()
    with django_capture_on_commit_callbacks(execute=True):
        as_member(account_manager).post(url("summary-pdf-create", live_partnership))
    document = SummaryDocument.objects.get()
    assert document.status == JobStatus.DONE
    text = PdfReader(io.BytesIO(bytes(document.pdf))).pages[0].extract_text()
    assert '<img src="http://evil.example/x.png"> Line' in text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/static/css/summary_print.css",
        "http://switchboard.invalid/static/css/summary_print.css",
        "file:///etc/passwd",
        "https://switchboard.invalid/static/../../etc/passwd",
        "https://switchboard.invalid/media/reports/secret.pdf",
        "https://switchboard.invalid/static/css/no-such-file.css",
    ],
)
def test_the_pdf_fetcher_refuses_anything_but_the_apps_static_files(target):
    with pytest.raises(summary.RemoteFetchRefused):
        summary.static_file(target)


def test_the_pdf_fetcher_serves_the_print_stylesheet():
    body, mime = summary.static_file("https://switchboard.invalid/static/css/summary_print.css")
    assert mime == "text/css" and b"@page" in body


def test_a_member_has_at_most_three_pdfs_waiting(
    as_member, account_manager, live_partnership, org_a
):
    for _ in range(3):
        SummaryDocument.objects.create(
            organization=org_a,
            partnership=live_partnership,
            month=org_a.local_today().replace(day=1),
            requested_by=account_manager.user,
        )
    response = as_member(account_manager).post(
        url("summary-pdf-create", live_partnership), follow=True
    )
    assert "3 of your PDFs are still being written" in response.content.decode()
    assert SummaryDocument.objects.count() == 3


def test_a_pdf_written_for_the_provider_is_not_the_same_members_once_they_are_a_client(
    as_member, account_manager, live_partnership, org_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_member(account_manager).post(url("summary-pdf-create", live_partnership))
    document = SummaryDocument.objects.get()
    account_manager.role = "client_executive"
    account_manager.client = live_partnership.client
    account_manager.save()
    live_partnership.account_manager = None
    live_partnership.save()
    download = as_member(account_manager).get(
        url("summary-pdf-download", live_partnership, pk=document.pk)
    )
    assert download.status_code == 404
