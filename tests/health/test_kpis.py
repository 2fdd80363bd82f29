"""KPI measurements: the upsert service (one row per KPI, service and day; all or nothing;
checked by the KPI's unit; dry run) and the pages (the KPIs tab, the CSV upload in two
steps)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from health.models import KpiMeasurement, MeasurementSource
from health.services.kpis import MAX_ROWS, measurements_upsert
from tenancy.errors import ApplicationError
from tenancy.models import (
    AuditEvent,
    Job,
)
from tests.discovery.factories import KpiBaselineFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db

DAY = "2026-06-02"


def upsert(actor, partnership, rows, **kwargs):
    return measurements_upsert(
        actor=actor, partnership=partnership, rows=rows, source=MeasurementSource.API, **kwargs
    )


def row(**fields):
    return {"kpi": "abandonment_rate", "day": DAY, "value": "4.2"} | fields


def row_errors(excinfo) -> dict:
    return excinfo.value.extra["rows"]


# --- The service -----------------------------------------------------------------------


def test_posting_the_same_day_again_updates_never_duplicates(
    actor_for, implementation_pm, live, kpis, service
):
    first = upsert(actor_for(implementation_pm), live, [row(service=service.name)])
    assert (first.created, first.updated) == (1, 0)
    again = upsert(
        actor_for(implementation_pm), live, [row(service=service.pk, value=6, sample_size=310)]
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 0)
    stored = KpiMeasurement.objects.get()
    assert stored.value == Decimal("6.000")
    assert stored.sample_size == 310
    assert stored.service_line == service
    assert stored.line_key == service.pk
    assert stored.source == MeasurementSource.API
    assert stored.received_by == implementation_pm.user
    # The whole line is a row of its own, beside the service's.
    upsert(actor_for(implementation_pm), live, [row(service="")])
    assert KpiMeasurement.objects.count() == 2
    assert KpiMeasurement.objects.filter(service_line=None, line_key=0).count() == 1


def test_sending_the_same_value_again_keeps_one_row_and_renews_its_receipt(
    actor_for, implementation_pm, live, kpis
):
    upsert(actor_for(implementation_pm), live, [row()])
    before = KpiMeasurement.objects.get().received_at
    result = upsert(actor_for(implementation_pm), live, [row()])
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert KpiMeasurement.objects.get().received_at > before


def test_a_percentage_over_100_is_refused_naming_the_field(
    actor_for, implementation_pm, live, kpis
):
    with pytest.raises(ApplicationError) as excinfo:
        upsert(actor_for(implementation_pm), live, [row(value="101")])
    assert row_errors(excinfo) == {"0": {"value": ["A percentage must be between 0 and 100."]}}
    assert excinfo.value.message == "1 row has errors; nothing was saved."
    assert not KpiMeasurement.objects.exists()


def test_an_unknown_kpi_key_is_refused(actor_for, implementation_pm, live, kpis):
    with pytest.raises(ApplicationError) as excinfo:
        upsert(actor_for(implementation_pm), live, [row(kpi="calls_per_hour")])
    assert row_errors(excinfo) == {
        "0": {"kpi": ["There is no KPI “calls_per_hour” in the catalog (use its key)."]}
    }


def test_one_bad_row_saves_nothing_and_every_error_is_listed(
    actor_for, implementation_pm, live, kpis
):
    rows = [
        row(),
        row(kpi="average_speed_of_answer", value="-3"),
        row(kpi="service_level_30s", value="82"),
        row(kpi="caller_satisfaction", value="lots", day="2026-13-01", sample_size="-1"),
    ]
    with pytest.raises(ApplicationError) as excinfo:
        upsert(actor_for(implementation_pm), live, rows)
    assert row_errors(excinfo) == {
        "1": {"value": ["Must not be negative."]},
        "3": {
            "day": ["“2026-13-01” is not a date (use YYYY-MM-DD)."],
            "value": ["“lots” is not a number (use a dot for decimals)."],
            "sample_size": ["Must be a whole number, 0 or more."],
        },
    }
    assert excinfo.value.message == "2 rows have errors; nothing was saved."
    assert not KpiMeasurement.objects.exists()
    assert not AuditEvent.objects.filter(verb="kpi_measurements.received").exists()


def test_days_outside_the_sane_range_or_in_the_future_are_refused(
    actor_for, implementation_pm, live, kpis
):
    today = live.organization.local_today()
    tomorrow = today + datetime.timedelta(days=1)
    rows = [
        row(day="1989-12-31"),
        row(day=(today + datetime.timedelta(days=2)).isoformat()),
        row(day=tomorrow.isoformat(), kpi="service_level_30s"),  # the feed's clock may run ahead
    ]
    with pytest.raises(ApplicationError) as excinfo:
        upsert(actor_for(implementation_pm), live, rows)
    assert row_errors(excinfo) == {
        "0": {"day": ["Enter a date between 1990 and 2100."]},
        "1": {
            "day": [
                f"{(today + datetime.timedelta(days=2)).isoformat()} is in the future: the "
                f"latest day taken is {tomorrow.isoformat()}."
            ]
        },
    }


def test_units_other_than_percent_are_never_negative_and_values_must_fit(
    actor_for, implementation_pm, live, kpis
):
    rows = [
        row(kpi="average_speed_of_answer", value="0"),
        row(kpi="triage_callback_time", value="-0.5"),
        row(kpi="average_handle_time", value="1000000000"),
        row(kpi="caller_satisfaction", value="NaN"),
    ]
    with pytest.raises(ApplicationError) as excinfo:
        upsert(actor_for(implementation_pm), live, rows)
    assert row_errors(excinfo) == {
        "1": {"value": ["Must not be negative."]},
        "2": {"value": ["Too large: at most 999999999.999."]},
        "3": {"value": ["“NaN” is not a number."]},
    }


def test_a_service_of_another_partnership_is_unknown_here(
    actor_for, admin, live, kpis, other_client_partnership
):
    elsewhere = ServiceLineFactory(partnership=other_client_partnership, name="Daytime")
    with pytest.raises(ApplicationError) as excinfo:
        upsert(actor_for(admin), live, [row(service=elsewhere.pk), row(service="Daytime")])
    assert row_errors(excinfo) == {
        "0": {"service": [f"There is no service “{elsewhere.pk}” in this partnership."]},
        "1": {"service": ["There is no service “Daytime” in this partnership."]},
    }


def test_the_same_kpi_and_day_twice_in_one_call_is_refused(
    actor_for, implementation_pm, live, kpis
):
    with pytest.raises(ApplicationError) as excinfo:
        upsert(actor_for(implementation_pm), live, [row(), row(value="5")])
    assert row_errors(excinfo) == {
        "1": {"day": ["The same KPI, service and day are already on row 0; send each once."]}
    }


def test_unknown_fields_and_rows_that_are_not_objects_are_refused(
    actor_for, implementation_pm, live, kpis
):
    with pytest.raises(ApplicationError) as excinfo:
        upsert(actor_for(implementation_pm), live, [row(colour="blue"), ["not", "a", "row"]])
    assert row_errors(excinfo) == {
        "0": {"colour": ["Unknown field. Known: kpi, service, day, value, sample_size."]},
        "1": {"non_field_errors": ["Each row must be an object of fields."]},
    }


def test_at_most_10000_rows_per_call(actor_for, implementation_pm, live, kpis):
    with pytest.raises(ApplicationError) as excinfo:
        upsert(actor_for(implementation_pm), live, [row()] * (MAX_ROWS + 1))
    assert excinfo.value.field == "rows"
    assert excinfo.value.message == "At most 10000 rows per request; this one has 10001. Split it."


def test_a_dry_run_writes_nothing_and_says_what_would_change(
    actor_for, implementation_pm, live, kpis
):
    upsert(actor_for(implementation_pm), live, [row(), row(kpi="service_level_30s", value="80")])
    rows = [
        row(value="5.5"),
        row(kpi="service_level_30s", value="80"),
        row(kpi="caller_satisfaction", value="91"),
    ]
    result = upsert(actor_for(implementation_pm), live, rows, dry_run=True)
    assert (result.created, result.updated, result.unchanged, result.dry_run) == (1, 1, 1, True)
    assert [(c.row.kpi.key, c.status, c.old_value) for c in result.changes] == [
        ("abandonment_rate", "updated", Decimal("4.200")),
        ("service_level_30s", "unchanged", Decimal("80.000")),
        ("caller_satisfaction", "new", None),
    ]
    assert KpiMeasurement.objects.count() == 2
    assert KpiMeasurement.objects.get(kpi__key="abandonment_rate").value == Decimal("4.2")
    assert AuditEvent.objects.filter(verb="kpi_measurements.received").count() == 1


def test_one_audit_event_per_call_with_counts(actor_for, implementation_pm, live, kpis):
    upsert(actor_for(implementation_pm), live, [row(), row(kpi="service_level_30s", value=80)])
    event = AuditEvent.objects.get(verb="kpi_measurements.received")
    assert event.partnership_id == live.pk
    assert event.changes["created"] == [0, 2]
    assert event.changes["source"] == [None, "api"]


def test_client_executives_and_others_may_not_write(
    actor_for, client_executive, account_manager, admin, live, kpis
):
    with pytest.raises(PermissionDenied):
        upsert(actor_for(client_executive), live, [row()])
    upsert(actor_for(account_manager), live, [row()])
    upsert(actor_for(admin), live, [row(value="3")])
    assert KpiMeasurement.objects.get().value == Decimal("3")


# --- Pages -----------------------------------------------------------------------------


def kpis_url(partnership):
    return reverse(
        "health:kpis",
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk},
    )


def upload_url(partnership):
    return reverse(
        "health:kpi-upload",
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk},
    )


def test_the_kpis_tab_shows_the_latest_value_against_baseline_and_target(
    as_member, actor_for, implementation_pm, client_executive, live, kpis, service
):
    KpiBaselineFactory(
        partnership=live,
        service_line=service,
        kpi=kpis["abandonment_rate"],
        value=Decimal("7.8"),
        target=Decimal("5"),
    )
    today = live.organization.local_today()
    upsert(
        actor_for(implementation_pm),
        live,
        [
            row(service=service.name, day=(today - datetime.timedelta(days=2)).isoformat()),
            row(service=service.name, day=today.isoformat(), value="9.1"),
        ],
    )
    page = as_member(client_executive).get(kpis_url(live))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-current="page">KPIs</a>' in html
    assert "9.1 %" in html  # the latest, not the earlier day
    assert "7.8 %" in html  # the baseline
    assert "≤ 5 %" in html  # the baseline's target
    assert "Misses target" in html
    assert "worse than the baseline" in html
    assert "4.2 %" in html  # among the last 30 days
    assert "Upload CSV" not in html  # the client reads, never writes


def test_the_kpis_tab_says_what_to_do_when_empty(as_member, implementation_pm, live):
    html = as_member(implementation_pm).get(kpis_url(live)).content.decode()
    assert "No KPI values yet" in html
    assert upload_url(live) in html


def test_the_kpis_tab_costs_the_same_queries_for_3_and_30_values(
    as_member, actor_for, implementation_pm, live, kpis, service
):
    client = as_member(implementation_pm)
    today = live.organization.local_today()

    def seed(count):
        rows = [
            row(service=service.name, day=(today - datetime.timedelta(days=n)).isoformat())
            for n in range(count)
        ]
        upsert(actor_for(implementation_pm), live, rows)

    client.get(kpis_url(live))  # the session's first page loads what it caches
    seed(3)
    with CaptureQueriesContext(connection) as few:
        client.get(kpis_url(live))
    seed(30)
    with CaptureQueriesContext(connection) as many:
        client.get(kpis_url(live))
    assert len(many) == len(few), [query["sql"] for query in many]


def csv_file(text: str, name: str = "kpis.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_uploading_a_csv_previews_first_and_imports_on_confirmation(
    as_member, implementation_pm, live, kpis, service, django_capture_on_commit_callbacks
):
    client = as_member(implementation_pm)
    assert client.get(upload_url(live)).status_code == 200
    text = (
        "day,kpi,service,value,sample_size\n"
        f"{DAY},abandonment_rate,{service.name},4.1,412\n"
        f"{DAY},service_level_30s,,82.5,\n"
    )
    preview = client.post(upload_url(live), {"file": csv_file(text)})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Nothing is saved yet" in html
    assert "<strong>2 new</strong>" in html
    assert not KpiMeasurement.objects.exists()  # the dry run wrote nothing
    key = preview.context["preview_key"]
    # The import runs in the background (Celery, after the commit); its page follows it.
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(upload_url(live), {"preview": key})
    assert done.status_code == 302
    job = Job.objects.get(kind="kpi_import")
    assert done["Location"] == reverse("jobs:job", kwargs={"org_slug": "northstar", "pk": job.pk})
    assert KpiMeasurement.objects.filter(source=MeasurementSource.CSV).count() == 2
    page = client.get(done["Location"]).content.decode()
    assert "KPIs imported: 2 new, 0 updated, 0 unchanged." in page
    assert kpis_url(live) in page  # "See the result"
    job.refresh_from_db()
    assert job.status == "done" and job.payload == ""  # the file is not kept
    # The checked file is used once.
    again = client.post(upload_url(live), {"preview": key})
    assert "The checked file is no longer here" in again.content.decode()
    assert KpiMeasurement.objects.count() == 2


def test_a_preview_belongs_to_the_member_who_checked_it(
    as_member, client, implementation_pm, account_manager, live, kpis
):
    text = f"day,kpi,value\n{DAY},abandonment_rate,4.1\n"
    key = (
        as_member(implementation_pm)
        .post(upload_url(live), {"file": csv_file(text)})
        .context["preview_key"]
    )
    client.logout()
    response = as_member(account_manager).post(upload_url(live), {"preview": key})
    assert "The checked file is no longer here" in response.content.decode()
    assert not KpiMeasurement.objects.exists()


def test_an_upload_with_errors_lists_them_by_line_and_column(
    as_member, implementation_pm, live, kpis
):
    text = f"day,kpi,value\n{DAY},abandonment_rate,4.1\n{DAY},abandonment_rate,140\n"
    response = as_member(implementation_pm).post(upload_url(live), {"file": csv_file(text)})
    assert response.status_code == 200
    assert response.context["row_errors"] == [
        {"row": 3, "column": "value", "message": "A percentage must be between 0 and 100."}
    ]
    html = response.content.decode()
    assert "Nothing was imported: fix this error and try again" in html
    assert not KpiMeasurement.objects.exists()


def test_only_those_who_change_the_work_upload(
    as_member, client, client_executive, outsider, live, kpis
):
    assert as_member(client_executive).get(upload_url(live)).status_code == 403
    text = f"day,kpi,value\n{DAY},abandonment_rate,4.1\n"
    assert (
        as_member(client_executive).post(upload_url(live), {"file": csv_file(text)}).status_code
        == 403
    )
    client.logout()
    assert as_member(outsider).get(upload_url(live)).status_code == 404
    assert not KpiMeasurement.objects.exists()
