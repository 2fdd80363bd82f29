"""Caller satisfaction results from CSV, validated whole before anything is saved.

The file has a header row and one row per population and period:

    population,period_start,period_end,responses,satisfied_pct,questions_answered_pct
    "Students, main campus, Ann Arbor MI",2026-01-01,2026-01-31,212,91.5,88

- `population` is a population's name within the partnership (case does not matter);
- dates are YYYY-MM-DD (MM/DD/YYYY, as US spreadsheets save them, is accepted too);
- `responses` is a whole number ≥ 0; percentages are 0-100 (a trailing % is accepted and
  values are rounded to two decimals).

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first result row
2. Every error names its row and column ("row 4, satisfied_pct: must be between 0 and 100");
one error anywhere and nothing is saved. Importing a period again updates it (an upsert on
population + period), so a corrected export can simply be imported again.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO

from django.db import transaction

from culture.models import CallerPopulation, SatisfactionResult, SatisfactionSource
from partnerships.models import Partnership
from tenancy.access import Action, require
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError

COLUMNS = (
    "population",
    "period_start",
    "period_end",
    "responses",
    "satisfied_pct",
    "questions_answered_pct",
)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS_REPORTED = 200
TWO_DECIMALS = Decimal("0.01")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "text": str(self)}


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    dry_run: bool = False

    @property
    def rows(self) -> int:
        return self.created + self.updated


class CsvImportError(ApplicationError):
    """The file was refused as a whole; `errors` lists every row error found."""

    def __init__(self, errors: list[RowError], *, field: str = "file"):
        self.errors = errors
        count = len(errors)
        shown = errors[:MAX_ERRORS_REPORTED]
        summary = (
            f"The file has {count} error{'s' if count != 1 else ''}; nothing was saved. "
            f"First: {errors[0]}."
        )
        super().__init__(summary, field=field, extra={"errors": [e.as_dict() for e in shown]})


def _text(file: IO | bytes | str) -> str:
    data = file.read(MAX_BYTES + 1) if hasattr(file, "read") else file
    if len(data) > MAX_BYTES:
        raise ApplicationError(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.", field="file"
        )
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows still saves cp1252
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError("The file is not a text (UTF-8) CSV file.", field="file")


def _date(value: str) -> datetime.date:
    value = value.strip()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.datetime.strptime(value, "%m/%d/%Y").date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise ValueError(f"“{value}” is not a date (use YYYY-MM-DD)") from None


def _whole(value: str) -> int:
    cleaned = value.strip().replace(",", "")
    if not cleaned.isdigit():
        raise ValueError(f"“{value.strip()}” is not a whole number of 0 or more")
    return int(cleaned)


def _percent(value: str) -> Decimal:
    cleaned = value.strip().removesuffix("%").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{value.strip()}” is not a number") from None
    if not number.is_finite() or number < 0 or number > 100:
        raise ValueError("must be between 0 and 100")
    return number.quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP)


def _header(names: list[str] | None) -> dict[str, int]:
    """Each expected column's position in the file (header case and spaces ignored)."""
    if not names or not any(name.strip() for name in names):
        raise CsvImportError([RowError(1, None, "the file is empty; it needs a header row")])
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        found.setdefault(name.strip().lower().replace(" ", "_"), index)
    missing = [column for column in COLUMNS if column not in found]
    if missing:
        raise CsvImportError(
            [RowError(1, column, f"the header has no “{column}” column") for column in missing]
        )
    return {column: found[column] for column in COLUMNS}


@dataclass
class _ParsedRow:
    row: int
    population: CallerPopulation
    period_start: datetime.date
    period_end: datetime.date
    responses: int
    satisfied_pct: Decimal
    questions_answered_pct: Decimal


def parse_satisfaction_csv(*, partnership: Partnership, file: IO | bytes | str) -> list[_ParsedRow]:
    """Read and validate the whole file; raise CsvImportError listing every error found."""
    reader = csv.reader(io.StringIO(_text(file), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise CsvImportError([RowError(1, None, f"unreadable CSV ({error})")]) from error
    columns = _header(header)
    populations = {
        population.name.strip().casefold(): population
        for population in CallerPopulation.objects.filter(
            organization_id=partnership.organization_id, partnership=partnership
        )
    }
    errors: list[RowError] = []
    parsed: list[_ParsedRow] = []
    first_row_of: dict[tuple, int] = {}
    line = reader.line_num
    try:
        for record in reader:
            # A row's number is the file line it starts on (the header is row 1), so that it
            # matches what a spreadsheet shows, blank lines included.
            row_number, line = line + 1, reader.line_num
            if row_number > MAX_ROWS + 1:
                raise ApplicationError(
                    f"The file has more than {MAX_ROWS} rows; split it.", field="file"
                )
            if not any(value.strip() for value in record):
                continue
            parsed_row, row_errors = _parse_row(row_number, record, columns, populations)
            if parsed_row is not None:
                key = (parsed_row.population.pk, parsed_row.period_start, parsed_row.period_end)
                if key in first_row_of:
                    row_errors.append(
                        RowError(
                            row_number,
                            "period_start",
                            f"the same population and period as row {first_row_of[key]}",
                        )
                    )
                else:
                    first_row_of[key] = row_number
            if row_errors:
                errors.extend(row_errors)
            else:
                parsed.append(parsed_row)
    except csv.Error as error:
        errors.append(RowError(line + 1, None, f"unreadable CSV ({error})"))
    if errors:
        raise CsvImportError(errors)
    if not parsed:
        raise CsvImportError([RowError(2, None, "the file has a header but no results")])
    return parsed


def _parse_row(
    row_number: int, record: list[str], columns: dict[str, int], populations: dict
) -> tuple[_ParsedRow | None, list[RowError]]:
    values: dict = {}
    errors: list[RowError] = []
    for column, index in columns.items():
        raw = record[index].strip() if index < len(record) else ""
        if not raw:
            errors.append(RowError(row_number, column, "is required"))
            continue
        try:
            if column == "population":
                population = populations.get(raw.casefold())
                if population is None:
                    raise ValueError(f"no population named “{raw}” in this partnership")
                values[column] = population
            elif column in ("period_start", "period_end"):
                values[column] = _date(raw)
            elif column == "responses":
                values[column] = _whole(raw)
            else:
                values[column] = _percent(raw)
        except ValueError as error:
            errors.append(RowError(row_number, column, str(error)))
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and end < start:
        errors.append(RowError(row_number, "period_end", "the period cannot end before it starts"))
    if errors:
        return None, errors
    return _ParsedRow(row=row_number, **values), errors


@transaction.atomic
def satisfaction_import_csv(
    *, actor: Actor, partnership: Partnership, file: IO | bytes | str, dry_run: bool = False
) -> ImportSummary:
    """Import satisfaction results for the partnership's populations: all rows or none.

    A population + period already stored is updated, not duplicated. With `dry_run`, the
    file is validated and counted but nothing is written.
    """
    require(actor.membership, Action.CHANGE_WORK, partnership)
    rows = parse_satisfaction_csv(partnership=partnership, file=file)
    existing = set(
        SatisfactionResult.objects.filter(
            organization_id=partnership.organization_id,
            partnership=partnership,
            population_id__in={row.population.pk for row in rows},
        ).values_list("population_id", "period_start", "period_end")
    )
    updated = sum(
        1 for row in rows if (row.population.pk, row.period_start, row.period_end) in existing
    )
    summary = ImportSummary(created=len(rows) - updated, updated=updated, dry_run=dry_run)
    if dry_run:
        return summary
    SatisfactionResult.objects.bulk_create(
        [
            SatisfactionResult(
                organization_id=partnership.organization_id,
                partnership_id=partnership.pk,
                population=row.population,
                period_start=row.period_start,
                period_end=row.period_end,
                responses=row.responses,
                satisfied_pct=row.satisfied_pct,
                questions_answered_pct=row.questions_answered_pct,
                source=SatisfactionSource.CSV,
            )
            for row in rows
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["organization", "population", "period_start", "period_end"],
        update_fields=[
            "responses",
            "satisfied_pct",
            "questions_answered_pct",
            "source",
            "updated_at",
        ],
    )
    audit_record(
        actor=actor,
        verb="satisfaction_results.imported",
        target=partnership,
        changes={"created": [0, summary.created], "updated": [0, summary.updated]},
        partnership=partnership,
    )
    return summary
