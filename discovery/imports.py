"""KPI baselines from a CSV report, validated whole before anything is saved.

Columns (header row, any order, case-insensitive): service, kpi, value, period_start,
period_end, and optionally target, target_reason, notes. `service` is the name of one of the
partnership's services, `kpi` a key or a name from the organization's catalog, dates are
YYYY-MM-DD. Row numbers are those a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from discovery.models import KpiBaseline, KpiDefinition, KpiDirection, ServiceLine

REQUIRED_COLUMNS = ("service", "kpi", "value", "period_start", "period_end")
OPTIONAL_COLUMNS = ("target", "target_reason", "notes")
MAX_ROWS = 5000
# Model field → CSV column, to name the column in errors the model raises.
COLUMN_OF_FIELD = {"service_line": "service", "kpi": "kpi", "source_report": "report"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class BaselineImport:
    """The outcome of reading a file: baselines to create and to update, or errors."""

    to_create: list[KpiBaseline] = field(default_factory=list)
    to_update: list[KpiBaseline] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: tuple[str, ...] = ()


def _column_name(raw: str) -> str:
    return raw.strip().lower().replace(" ", "_").replace("-", "_")


def _number(text: str, *, percent_ok: bool) -> Decimal:
    cleaned = text.strip().replace(" ", "")
    if percent_ok and cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(f"“{text}” is not a number (use a dot for decimals).") from error
    if not value.is_finite():
        raise ValueError(f"“{text}” is not a number.")
    if abs(value) >= Decimal("1e9"):
        raise ValueError(f"“{text}” is too large.")
    return value.quantize(Decimal("0.001"))


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError as error:
        raise ValueError(f"“{text}” is not a date (use YYYY-MM-DD).") from error


def default_target(kpi: KpiDefinition, value: Decimal) -> Decimal | None:
    """The provider aims at the catalog target, or at the baseline when it is better."""
    if kpi.direction == KpiDirection.NEUTRAL or kpi.check_value(value):
        return kpi.target  # an impossible value reports its own error, not a target's
    return kpi.better_of(kpi.target, value)


CSV_ERROR = "A cell is longer than 128 KB, or this is not a CSV file the importer can read"


def _rows(reader, errors: list[RowError]):
    """The reader's rows; a row the csv module cannot read (a cell over its 128 KB limit, a
    broken quote) becomes an error on its line and ends the file."""
    try:
        yield from reader
    except csv.Error as error:
        errors.append(RowError(reader.line_num, "", f"{CSV_ERROR} ({error})."))


def read_baselines(
    *,
    text: str,
    partnership,
    services: list[ServiceLine],
    kpis: list[KpiDefinition],
    existing: list[KpiBaseline],
    source_report=None,
) -> BaselineImport:
    """Check every row; build unsaved baselines only if the whole file is right."""
    result = BaselineImport()
    errors = result.errors
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    # Spreadsheets in some locales save with semicolons; the header says which was used.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append(RowError(1, "", "The file is empty."))
        return result
    except csv.Error as error:
        result.errors.append(RowError(1, "", f"{CSV_ERROR} ({error})."))
        return result
    columns = [_column_name(name) for name in header]
    result.columns = tuple(columns)
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    for name in columns:
        if name and name not in known:
            errors.append(
                RowError(
                    1,
                    name,
                    f"Unknown column “{name}”. Expected: {', '.join(REQUIRED_COLUMNS)} and "
                    f"optionally {', '.join(OPTIONAL_COLUMNS)}.",
                )
            )
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            errors.append(RowError(1, name, f"The column “{name}” is missing."))
    for name in set(columns):
        if name and columns.count(name) > 1:
            errors.append(RowError(1, name, f"The column “{name}” appears twice."))
    if errors:
        return result

    services_by_name = {service.name.strip().lower(): service for service in services}
    kpis_by_label = {kpi.key.lower(): kpi for kpi in kpis}
    kpis_by_label.update({kpi.name.strip().lower(): kpi for kpi in kpis})
    existing_by_pair = {(b.service_line_id, b.kpi_id): b for b in existing}
    seen: dict[tuple[int, int], int] = {}
    has_target_column = "target" in columns

    data_rows = 0
    for number, raw in enumerate(_rows(reader, errors), start=2):
        if not any(cell.strip() for cell in raw):
            continue  # blank lines, as spreadsheets leave them at the end
        data_rows += 1
        if data_rows > MAX_ROWS:
            errors.append(RowError(number, "", f"At most {MAX_ROWS} rows can be imported."))
            break
        if len(raw) > len(columns):
            errors.append(
                RowError(
                    number, "", f"The row has {len(raw)} cells; the header has {len(columns)}."
                )
            )
            continue
        row = dict(zip(columns, [cell.strip() for cell in raw], strict=False))
        row_errors: list[RowError] = []

        def fail(column: str, message: str, _errors=row_errors, _number=number) -> None:
            _errors.append(RowError(_number, column, message))

        for name in REQUIRED_COLUMNS:
            if not row.get(name):
                fail(name, "This cell is required.")
        service = kpi = None
        if row.get("service"):
            service = services_by_name.get(row["service"].lower())
            if service is None:
                fail("service", f"There is no service “{row['service']}” in this partnership.")
        if row.get("kpi"):
            kpi = kpis_by_label.get(row["kpi"].lower())
            if kpi is None:
                fail("kpi", f"There is no KPI “{row['kpi']}” in the catalog (use its key or name).")
        values: dict[str, object] = {}
        percent_ok = kpi is not None and kpi.unit == "percent"
        for name in ("value", "target"):
            if row.get(name):
                try:
                    values[name] = _number(row[name], percent_ok=percent_ok)
                except ValueError as error:
                    fail(name, str(error))
        for name in ("period_start", "period_end"):
            if row.get(name):
                try:
                    values[name] = _date(row[name])
                except ValueError as error:
                    fail(name, str(error))
        if service is not None and kpi is not None:
            pair = (service.pk, kpi.pk)
            if pair in seen:
                fail("kpi", f"Row {seen[pair]} already gives {service} · {kpi}.")
            seen.setdefault(pair, number)
        if row_errors:
            errors.extend(row_errors)
            continue

        baseline = existing_by_pair.get((service.pk, kpi.pk))
        is_new = baseline is None
        if is_new:
            baseline = KpiBaseline(
                organization_id=partnership.organization_id,
                partnership=partnership,
                service_line=service,
                kpi=kpi,
            )
        baseline.value = values["value"]
        baseline.period_start = values["period_start"]
        baseline.period_end = values["period_end"]
        if source_report is not None:
            baseline.source_report = source_report
        if "target" in values:
            baseline.target = values["target"]
        elif has_target_column or is_new:
            baseline.target = default_target(kpi, baseline.value)
        if "target_reason" in row:
            baseline.target_reason = row["target_reason"]
        if "notes" in row:
            baseline.notes = row["notes"]
        try:
            # Relations were resolved from the partnership's own rows: no lookups per row.
            baseline.full_clean(
                exclude=["organization", "partnership", "service_line", "kpi", "source_report"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = COLUMN_OF_FIELD.get(name, name)
                errors.extend(RowError(number, column, message) for message in messages)
            continue
        (result.to_create if is_new else result.to_update).append(baseline)

    if not errors and data_rows == 0:
        errors.append(RowError(2, "", "The file has a header but no rows."))
    return result
