"""The KPI catalog, services and baselines (the target rule), reports (files checked by
content and size) and the CSV import of baselines (validated whole, nothing saved on error)."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from discovery import selectors, services
from discovery.models import DEFAULT_KPI_CATALOG, KpiBaseline, KpiDefinition, ReviewedReport
from discovery.validators import check_upload
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent
from tests.discovery.conftest import csv_upload
from tests.discovery.factories import KpiBaselineFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db

PERIOD = {"period_start": datetime.date(2026, 1, 1), "period_end": datetime.date(2026, 3, 31)}


def xlsx_bytes(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
        if macros:
            archive.writestr("xl/vbaProject.bin", b"\x00\x01")
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


# --- KPI catalog ---------------------------------------------------------------------------


def test_each_organization_starts_with_the_design_catalog(org_a, org_b):
    assert services.kpi_catalog_ensure(organization=org_a) == 10
    assert services.kpi_catalog_ensure(organization=org_a) == 0  # idempotent
    catalog = {kpi.key: kpi for kpi in KpiDefinition.objects.filter(organization=org_a)}
    assert [kpi["key"] for kpi in DEFAULT_KPI_CATALOG] == list(
        KpiDefinition.objects.filter(organization=org_a).values_list("key", flat=True)
    )
    asa = catalog["average_speed_of_answer"]
    assert (asa.unit, asa.direction, asa.target, asa.source) == (
        "seconds",
        "lower",
        Decimal("30"),
        "URAC health call center standard",
    )
    assert asa.target_display == "≤ 30 s"
    assert catalog["service_level_30s"].target_display == "≥ 80 %"
    assert catalog["average_handle_time"].target_display == "8\u201312 min"
    assert catalog["emergency_disposition_rate"].target_display == "~8 %"
    assert all(kpi.is_builtin for kpi in catalog.values())
    assert not KpiDefinition.objects.filter(organization=org_b).exists()


def test_the_catalog_is_seeded_on_first_use(admin):
    services.kpi_catalog_ready(organization=admin.organization)
    assert [kpi.key for kpi in selectors.kpi_catalog(membership=admin)][:2] == [
        "average_speed_of_answer",
        "abandonment_rate",
    ]


def test_ensure_keeps_edited_targets(org_a, admin, kpis, actor_for):
    services.kpi_update(actor=actor_for(admin), kpi=kpis["abandonment_rate"], target=Decimal("3"))
    services.kpi_catalog_ensure(organization=org_a)
    assert KpiDefinition.objects.get(organization=org_a, key="abandonment_rate").target == 3


def test_admins_add_kpis_others_may_not(admin, account_manager, kpis, actor_for):
    kpi = services.kpi_create(
        actor=actor_for(admin),
        key="first_call_resolution",
        name="First call resolution",
        unit="percent",
        direction="higher",
        target=Decimal("85"),
    )
    assert not kpi.is_builtin
    assert AuditEvent.objects.filter(verb="kpi.created", target_id=str(kpi.pk)).exists()
    with pytest.raises(PermissionDenied, match="Only admins"):
        services.kpi_update(actor=actor_for(account_manager), kpi=kpi, target=Decimal("1"))
    with pytest.raises(ApplicationError) as caught:
        services.kpi_create(
            actor=actor_for(admin),
            key="first_call_resolution",
            name="FCR",
            unit="percent",
            direction="higher",
        )
    assert caught.value.field == "key"


def test_a_shipped_kpis_unit_and_direction_do_not_change(admin, kpis, actor_for):
    with pytest.raises(ApplicationError) as caught:
        services.kpi_update(
            actor=actor_for(admin), kpi=kpis["abandonment_rate"], direction="higher"
        )
    assert caught.value.field == "direction"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit": "percent", "direction": "higher", "target": Decimal("120")}, "target"),
        ({"unit": "seconds", "direction": "lower", "target": Decimal("-1")}, "target"),
        (
            {"unit": "minutes", "direction": "lower", "target_low": 1, "target_high": 2},
            "target_low",
        ),
        ({"unit": "minutes", "direction": "neutral", "target_low": 5}, "target_high"),
        (
            {"unit": "minutes", "direction": "neutral", "target_low": 9, "target_high": 2},
            "target_high",
        ),
    ],
)
def test_kpi_targets_are_checked(admin, kpis, actor_for, fields, field):
    with pytest.raises(ValidationError) as caught:
        services.kpi_create(actor=actor_for(admin), key="x", name="X", **fields)
    assert field in caught.value.message_dict


# --- Baselines -----------------------------------------------------------------------------


def test_a_baseline_without_target_aims_at_the_better_of_catalog_and_baseline(
    partnership, service, implementation_pm, kpis, actor_for
):
    pm = actor_for(implementation_pm)
    slow = services.baseline_create(
        actor=pm,
        partnership=partnership,
        service_line=service,
        kpi=kpis["average_speed_of_answer"],
        value=Decimal("42"),
        **PERIOD,
    )
    fast = services.baseline_create(
        actor=pm,
        partnership=partnership,
        service_line=service,
        kpi=kpis["abandonment_rate"],
        value=Decimal("3.5"),
        **PERIOD,
    )
    neutral = services.baseline_create(
        actor=pm,
        partnership=partnership,
        service_line=service,
        kpi=kpis["average_handle_time"],
        value=Decimal("14"),
        **PERIOD,
    )
    assert slow.target == Decimal("30")  # the catalog's ≤ 30 s beats the center's 42 s
    assert fast.target == Decimal("3.5")  # the center already does better than ≤ 5 %
    assert neutral.target is None
    assert AuditEvent.objects.filter(verb="baseline.created", partnership=partnership).count() == 3


def test_a_target_worse_than_the_baseline_needs_a_reason(
    partnership, service, implementation_pm, kpis, actor_for
):
    pm = actor_for(implementation_pm)
    fields = dict(
        partnership=partnership,
        service_line=service,
        kpi=kpis["service_level_30s"],
        value=Decimal("88"),
        target=Decimal("80"),
        **PERIOD,
    )
    with pytest.raises(ValidationError) as caught:
        services.baseline_create(actor=pm, **fields)
    assert caught.value.message_dict["target"] == [
        "The target (80 %) is worse than the baseline (88 %); record a reason or aim at least "
        "as high."
    ]
    baseline = services.baseline_create(
        actor=pm, target_reason="Staffing ramps up over the first quarter.", **fields
    )
    assert baseline.target_below_baseline


def test_one_baseline_per_service_and_kpi(partnership, service, implementation_pm, kpis, actor_for):
    pm = actor_for(implementation_pm)
    fields = dict(
        partnership=partnership,
        service_line=service,
        kpi=kpis["caller_satisfaction"],
        value=Decimal("91"),
        **PERIOD,
    )
    services.baseline_create(actor=pm, **fields)
    with pytest.raises(ApplicationError) as caught:
        services.baseline_create(actor=pm, **fields)
    assert caught.value.field == "kpi"


def test_baselines_stay_inside_their_partnership(
    partnership, other_client_partnership, implementation_pm, admin, kpis, actor_for
):
    foreign_service = ServiceLineFactory(partnership=other_client_partnership)
    with pytest.raises(ValidationError) as caught:
        services.baseline_create(
            actor=actor_for(admin),
            partnership=partnership,
            service_line=foreign_service,
            kpi=kpis["caller_satisfaction"],
            value=Decimal("91"),
            **PERIOD,
        )
    assert caught.value.message_dict["service_line"] == [
        "The service belongs to another partnership."
    ]
    with pytest.raises(PermissionDenied):  # the PM is not assigned to the other partnership
        services.service_line_create(
            actor=actor_for(implementation_pm),
            partnership=other_client_partnership,
            kind="other",
            name="Sneaky",
        )


def test_a_service_with_baselines_is_not_deleted(partnership, implementation_pm, actor_for):
    baseline = KpiBaselineFactory(partnership=partnership)
    with pytest.raises(ApplicationError, match="still has baselines") as caught:
        services.service_line_delete(
            actor=actor_for(implementation_pm), service_line=baseline.service_line
        )
    assert caught.value.status == 409


def test_client_executives_do_not_do_discovery_work(partnership, client_executive, actor_for):
    with pytest.raises(PermissionDenied):
        services.service_line_create(
            actor=actor_for(client_executive), partnership=partnership, kind="other", name="X"
        )


# --- Uploads -------------------------------------------------------------------------------


def upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (b"service,calls\nAfter-hours,2400\n", "acd.csv", "csv"),
        ("service;appels\nNuit;2400\n".encode("cp1252"), "export.CSV", "csv"),
        (b"\xef\xbb\xbfservice\tcalls\nNight\t12\n", "export.txt", "csv"),
        (xlsx_bytes(), "qa.xlsx", "xlsx"),
        (PDF_BYTES, "survey.pdf", "pdf"),
        (PDF_BYTES, "survey", "pdf"),  # no extension: the content decides
    ],
)
def test_uploads_are_recognised_by_content(content, name, kind):
    assert check_upload(upload(content, name)).kind == kind


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "report.csv", "content is a PNG image"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "report.pdf", "content is a Windows program"),
        (b"just some notes\nwithout columns\n", "notes.csv", "plain text without comma"),
        (b"a,b\n\x00\x01\x02binary", "data.csv", "content is binary data"),
        (xlsx_bytes(macros=True), "qa.xlsx", "macro-enabled workbook"),
        (b"PK\x03\x04garbage", "qa.xlsx", "damaged ZIP archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old.xls", "legacy Office file"),
        (PDF_BYTES, "numbers.csv", "named .csv but its content is PDF"),
        (b"service,calls\n1,2\n", "numbers.pdf", "named .pdf but its content is CSV"),
        (b"", "empty.csv", "The file is empty."),
    ],
)
def test_wrong_types_are_refused_by_content(content, name, message):
    with pytest.raises(ApplicationError) as caught:
        check_upload(upload(content, name))
    assert caught.value.field == "file"
    assert message in caught.value.message


def test_oversize_uploads_are_refused(settings):
    settings.DISCOVERY_MAX_UPLOAD_BYTES = 2 * 1_048_576
    with pytest.raises(ApplicationError) as caught:
        check_upload(upload(b"a,b\n" + b"1,2\n" * 600_000, "big.csv"))
    assert caught.value.message == "The file is 2.3 MB; the limit is 2 MB."


def test_a_report_is_stored_under_a_generated_name(partnership, implementation_pm, actor_for):
    report = services.report_create(
        actor=actor_for(implementation_pm),
        partnership=partnership,
        upload=upload(PDF_BYTES, "../../etc/Survey Q1.pdf"),
        name="Caller survey Q1",
        **PERIOD,
    )
    assert report.original_filename == "Survey Q1.pdf"
    assert report.file_kind == "pdf" and report.file_size == len(PDF_BYTES)
    assert report.file.name.startswith(
        f"discovery/reports/org-{partnership.organization_id}/partnership-{partnership.pk}/"
    )
    assert report.file.name.endswith(".pdf") and "Survey" not in report.file.name
    assert default_storage.open(report.file.name).read() == PDF_BYTES
    assert not report.is_reviewed


def stored_files(path: str = "") -> set[str]:
    """Every file in the default storage (in memory under tests), whatever the test."""
    try:
        directories, files = default_storage.listdir(path)
    except FileNotFoundError:
        return set()
    found = {f"{path}/{name}".lstrip("/") for name in files}
    for directory in directories:
        found |= stored_files(f"{path}/{directory}".lstrip("/"))
    return found


def test_a_refused_report_stores_nothing(partnership, implementation_pm, actor_for):
    before = stored_files()
    with pytest.raises(ApplicationError):
        services.report_create(
            actor=actor_for(implementation_pm),
            partnership=partnership,
            upload=upload(b"\x89PNG\r\n\x1a\n", "chart.pdf"),
            name="Chart",
            **PERIOD,
        )
    assert not ReviewedReport.objects.exists()
    assert stored_files() == before


def test_a_report_with_a_bad_period_stores_no_file(partnership, implementation_pm, actor_for):
    before = stored_files()
    with pytest.raises(ValidationError) as caught:
        services.report_create(
            actor=actor_for(implementation_pm),
            partnership=partnership,
            upload=csv_upload(),
            name="ACD",
            period_start=datetime.date(2026, 2, 1),
            period_end=datetime.date(2026, 1, 1),
        )
    assert "period_end" in caught.value.message_dict
    assert not ReviewedReport.objects.exists()
    assert stored_files() == before


# --- CSV import of baselines ---------------------------------------------------------------


def import_csv(partnership, membership, actor_for, text: str, **kwargs):
    return services.baselines_import(
        actor=actor_for(membership),
        partnership=partnership,
        upload=csv_upload(text.encode(), "baselines.csv"),
        **kwargs,
    )


GOOD_CSV = (
    "Service,KPI,Value,Period start,Period end,Target,Target reason\n"
    "After-hours triage,average_speed_of_answer,42,2026-01-01,2026-03-31,,\n"
    "After-hours triage,Abandonment rate,9.5%,2026-01-01,2026-03-31,5,\n"
    "after-hours TRIAGE,caller_satisfaction,88,2026-01-01,2026-03-31,85,Ramp-up quarter\n"
    "\n"
)


def test_a_good_csv_creates_and_updates_baselines(
    partnership, service, implementation_pm, kpis, actor_for
):
    existing = KpiBaselineFactory(
        partnership=partnership,
        service_line=service,
        kpi=kpis["caller_satisfaction"],
        value=Decimal("70"),
        target=Decimal("90"),
    )
    summary = import_csv(partnership, implementation_pm, actor_for, GOOD_CSV)
    assert summary == {"created": 2, "updated": 1}
    values = dict(
        KpiBaseline.objects.filter(partnership=partnership).values_list("kpi__key", "value")
    )
    assert values == {
        "average_speed_of_answer": Decimal("42"),
        "abandonment_rate": Decimal("9.5"),
        "caller_satisfaction": Decimal("88"),
    }
    existing.refresh_from_db()
    assert (existing.target, existing.target_reason) == (Decimal("85"), "Ramp-up quarter")
    asa = KpiBaseline.objects.get(kpi__key="average_speed_of_answer")
    assert asa.target == Decimal("30")  # blank target: the default rule
    event = AuditEvent.objects.get(verb="baselines.imported")
    assert event.changes == {"created": [0, 2], "updated": [0, 1]}


def test_every_error_is_reported_with_row_and_column_and_nothing_is_saved(
    partnership, service, implementation_pm, kpis, actor_for
):
    existing = KpiBaselineFactory(
        partnership=partnership,
        service_line=service,
        kpi=kpis["caller_satisfaction"],
        value=Decimal("70"),
        target=Decimal("90"),
    )
    text = (
        "service,kpi,value,period_start,period_end,target\n"
        "After-hours triage,caller_satisfaction,88,2026-01-01,2026-03-31,\n"  # fine
        "Refills,caller_satisfaction,88,2026-01-01,2026-03-31,\n"  # unknown service
        "After-hours triage,hold_time,12,2026-01-01,2026-03-31,\n"  # unknown KPI
        "After-hours triage,abandonment_rate,twelve,2026-01-01,31/03/2026,\n"  # value, date
        "After-hours triage,qa_correct_guideline,112,2026-01-01,2026-03-31,\n"  # percent > 100
        "After-hours triage,service_level_30s,90,2026-03-31,2026-01-01,85\n"  # period, target
        "After-hours triage,caller_satisfaction,89,2026-01-01,2026-03-31,\n"  # repeats row 2
        "After-hours triage,,,2026-01-01,2026-03-31,\n"  # missing cells
    )
    with pytest.raises(ApplicationError) as caught:
        import_csv(partnership, implementation_pm, actor_for, text)
    error = caught.value
    assert error.field == "file"
    assert error.message == "The file has 10 errors; nothing was imported."
    found = [(e["row"], e["column"]) for e in error.extra["errors"]]
    assert found == [
        (3, "service"),
        (4, "kpi"),
        (5, "value"),
        (5, "period_end"),
        (6, "value"),
        (7, "period_end"),
        (7, "target"),
        (8, "kpi"),
        (9, "kpi"),
        (9, "value"),
    ]
    messages = {(e["row"], e["column"]): e["message"] for e in error.extra["errors"]}
    assert messages[(3, "service")] == "There is no service “Refills” in this partnership."
    assert messages[(5, "period_end")] == "“31/03/2026” is not a date (use YYYY-MM-DD)."
    assert messages[(6, "value")] == "A percentage must be between 0 and 100."
    assert (
        messages[(8, "kpi")]
        == "Row 2 already gives After-hours triage · Caller satisfaction (CSAT)."
    )
    # Nothing saved: the good row 2 did not touch the existing baseline.
    existing.refresh_from_db()
    assert existing.value == Decimal("70")
    assert KpiBaseline.objects.count() == 1
    assert not AuditEvent.objects.filter(verb="baselines.imported").exists()


def test_header_errors_are_on_row_1(partnership, service, implementation_pm, kpis, actor_for):
    with pytest.raises(ApplicationError) as caught:
        import_csv(
            partnership,
            implementation_pm,
            actor_for,
            "service,kpi,amount,period_start,period_start\nx,y,1,2026-01-01,2026-01-01\n",
        )
    errors = caught.value.extra["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (1, "amount"),
        (1, "value"),
        (1, "period_end"),
        (1, "period_start"),
    ]
    assert errors[0]["message"].startswith("Unknown column “amount”. Expected: service, kpi")
    assert errors[1]["message"] == "The column “value” is missing."
    assert errors[3]["message"] == "The column “period_start” appears twice."


def test_semicolon_csvs_import(partnership, service, implementation_pm, kpis, actor_for):
    text = (
        "service;kpi;value;period_start;period_end\n"
        "After-hours triage;caller_satisfaction;91;2026-01-01;2026-03-31\n"
    )
    assert import_csv(partnership, implementation_pm, actor_for, text) == {
        "created": 1,
        "updated": 0,
    }


def test_a_csv_report_already_uploaded_can_be_imported(
    partnership, service, implementation_pm, kpis, actor_for
):
    report = services.report_create(
        actor=actor_for(implementation_pm),
        partnership=partnership,
        upload=csv_upload(GOOD_CSV.encode(), "baselines.csv"),
        name="Quarterly KPI export",
        **PERIOD,
    )
    summary = services.baselines_import(
        actor=actor_for(implementation_pm), partnership=partnership, report=report
    )
    assert summary == {"created": 3, "updated": 0}
    assert set(KpiBaseline.objects.values_list("source_report", flat=True)) == {report.pk}


def test_a_pdf_report_cannot_be_imported(partnership, implementation_pm, actor_for):
    report = services.report_create(
        actor=actor_for(implementation_pm),
        partnership=partnership,
        upload=upload(PDF_BYTES, "s.pdf"),
        name="Survey",
        **PERIOD,
    )
    with pytest.raises(ApplicationError) as caught:
        services.baselines_import(
            actor=actor_for(implementation_pm), partnership=partnership, report=report
        )
    assert caught.value.field == "report"


def test_an_import_refuses_a_non_csv_file(partnership, implementation_pm, actor_for):
    with pytest.raises(ApplicationError) as caught:
        services.baselines_import(
            actor=actor_for(implementation_pm),
            partnership=partnership,
            upload=upload(xlsx_bytes(), "kpis.xlsx"),
        )
    assert caught.value.field == "file"
    assert caught.value.message.startswith(
        "The file's content is an Excel workbook (XLSX) file, not CSV."
    )
