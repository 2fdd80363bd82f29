"""KPI measurements from CSV: checked whole first, every error with its line (the header is
line 1) and column, nothing saved on any error; UTF-8 (a BOM is fine), at most 2 MB and
10,000 rows, a cell over 128 KB is an error of its line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from health.imports import MAX_IMPORT_BYTES
from health.models import KpiMeasurement, MeasurementSource
from health.services.kpis import measurements_import_csv
from tenancy.errors import ApplicationError

pytestmark = pytest.mark.django_db

HEADER = "day,kpi,service,value,sample_size\n"


@pytest.fixture
def import_csv(actor_for, implementation_pm, live, kpis, service):
    def run(content, **kwargs):
        return measurements_import_csv(
            actor=actor_for(implementation_pm), partnership=live, content=content, **kwargs
        )

    return run


def errors_of(import_csv, content) -> list[dict]:
    with pytest.raises(ApplicationError) as excinfo:
        import_csv(content)
    assert excinfo.value.field == "file"
    assert not KpiMeasurement.objects.exists()
    return excinfo.value.extra["errors"]


def test_a_correct_file_is_imported_with_its_source(import_csv, service):
    content = (
        "\ufeff"
        + HEADER
        + f"2026-06-01,average_speed_of_answer,{service.name},27,412\n"
        + "2026-06-01,abandonment_rate,,4.1%,\n"
        + "\n"  # a blank line, as spreadsheets leave them
    ).encode()
    result = import_csv(content)
    assert (result.created, result.updated) == (2, 0)
    assert KpiMeasurement.objects.filter(source=MeasurementSource.CSV).count() == 2
    whole = KpiMeasurement.objects.get(service_line=None)
    assert whole.value == Decimal("4.1")
    assert whole.sample_size is None
    assert KpiMeasurement.objects.get(service_line=service).sample_size == 412


def test_columns_may_come_in_any_order_and_case_and_the_optional_ones_may_be_left_out(
    import_csv,
):
    result = import_csv("Value,KPI,Day\n82.5,service_level_30s,2026-06-01\n")
    assert result.created == 1


def test_every_row_error_names_its_line_and_column(import_csv):
    content = (
        HEADER
        + "2026-06-01,abandonment_rate,,4.1,\n"
        + "2026-06-01,abandonment_rate,,101,\n"
        + "2026-06-31,calls_per_hour,Daytime,12,-4\n"
    )
    assert errors_of(import_csv, content) == [
        {"row": 3, "column": "value", "message": "A percentage must be between 0 and 100."},
        {
            "row": 4,
            "column": "kpi",
            "message": "There is no KPI “calls_per_hour” in the catalog (use its key).",
        },
        {
            "row": 4,
            "column": "service",
            "message": "There is no service “Daytime” in this partnership.",
        },
        {"row": 4, "column": "day", "message": "“2026-06-31” is not a date (use YYYY-MM-DD)."},
        {"row": 4, "column": "sample_size", "message": "Must be a whole number, 0 or more."},
    ]


def test_the_summary_names_the_first_error(import_csv):
    with pytest.raises(ApplicationError) as excinfo:
        import_csv(HEADER + "2026-06-01,abandonment_rate,,101,\n")
    assert excinfo.value.message == (
        "Nothing was imported: the file has 1 error (first: line 2, column value: A percentage "
        "must be between 0 and 100.)"
    )


def test_the_same_row_twice_names_the_earlier_line(import_csv):
    content = HEADER + "2026-06-01,abandonment_rate,,4.1,\n" + "2026-06-01,abandonment_rate,,5,\n"
    assert errors_of(import_csv, content) == [
        {
            "row": 3,
            "column": "day",
            "message": "The same KPI, service and day are already on line 2; send each once.",
        }
    ]


def test_the_header_is_checked_first(import_csv):
    assert errors_of(import_csv, "day,kpi,amount,colour\n2026-06-01,abandonment_rate,4,\n") == [
        {
            "row": 1,
            "column": "amount",
            "message": "Unknown column. Expected: day, kpi, value and optionally service, "
            "sample_size.",
        },
        {
            "row": 1,
            "column": "colour",
            "message": "Unknown column. Expected: day, kpi, value and optionally service, "
            "sample_size.",
        },
        {"row": 1, "column": "value", "message": "The column “value” is missing."},
    ]
    assert errors_of(import_csv, "day,kpi,value,Value\n") == [
        {"row": 1, "column": "Value", "message": "This column appears twice."}
    ]


def test_empty_files_and_rows_with_too_many_cells(import_csv):
    assert errors_of(import_csv, "") == [{"row": 1, "column": "", "message": "The file is empty."}]
    assert errors_of(import_csv, HEADER) == [
        {"row": 2, "column": "", "message": "The file has a header but no rows."}
    ]
    assert errors_of(import_csv, HEADER + "2026-06-01,abandonment_rate,,4,,surplus\n") == [
        {"row": 2, "column": "", "message": "This row has more cells than the header."}
    ]


def test_only_utf8_is_read(import_csv):
    content = (HEADER + "2026-06-01,abandonment_rate,Caf\u00e9,4,\n").encode("latin-1")
    assert errors_of(import_csv, content) == [
        {"row": 1, "column": "", "message": "The file must be UTF-8 text (CSV)."}
    ]


def test_a_file_over_2_mb_is_refused(import_csv):
    content = (HEADER + "2026-06-01,abandonment_rate,,4,\n").encode()
    content += b"#" * (MAX_IMPORT_BYTES + 1 - len(content))
    assert errors_of(import_csv, content) == [
        {"row": 1, "column": "", "message": "The file is larger than 2 MB; split it."}
    ]


def test_a_cell_over_128_kb_is_an_error_of_its_line(import_csv):
    content = HEADER + "2026-06-01,abandonment_rate,,4,\n" + f'2026-06-02,"{"x" * 140_000}",,4,\n'
    [error] = errors_of(import_csv, content)
    assert error["row"] == 3
    assert error["message"].startswith(
        "A cell is longer than 128 KB, or this is not a CSV file the importer can read"
    )


def test_at_most_10000_rows(import_csv):
    content = HEADER + "2026-06-01,abandonment_rate,,4,\n" * 10_001
    errors = errors_of(import_csv, content)
    assert errors == [{"row": 10_002, "column": "", "message": "At most 10000 rows per file."}]


def test_a_dry_run_reports_and_writes_nothing(import_csv):
    import_csv(HEADER + "2026-06-01,abandonment_rate,,4,\n")
    result = import_csv(
        HEADER + "2026-06-01,abandonment_rate,,4.5,\n2026-06-02,abandonment_rate,,3,\n",
        dry_run=True,
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert [change.status for change in result.changes] == ["updated", "new"]
    assert KpiMeasurement.objects.get().value == Decimal("4")
