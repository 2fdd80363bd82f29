"""Reading KPI measurements from CSV: the file's shape is checked here, its rows by
`health.services.kpis.rows_check` (the same checks as the API's), all before anything is saved.

Format: UTF-8 (a byte-order mark is fine), a header row, then one measurement per row.
Columns, case-insensitive and in any order: day, kpi, value (required), service and
sample_size (optional). `day` is YYYY-MM-DD, `kpi` a key of the catalog, `service` the name
of one of the partnership's services (empty: the whole line), `value` a number (a percent
sign is allowed on percentages). At most 2 MB and 10,000 rows. Errors carry the line of the
file (the header is line 1) and the column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from tenancy.csvfiles import (  # noqa: F401  (MAX_IMPORT_BYTES, TOO_LARGE: the forms' limits)
    MAX_IMPORT_BYTES,
    TOO_LARGE,
    ImportFailed,
    RowError,
    dict_reader,
    unreadable,
)

REQUIRED_COLUMNS = ("day", "kpi", "value")
OPTIONAL_COLUMNS = ("service", "sample_size")
COLUMNS = ("day", "kpi", "service", "value", "sample_size")
MAX_IMPORT_ROWS = 10_000
EXAMPLE = (
    "day,kpi,service,value,sample_size\n"
    "2026-06-01,average_speed_of_answer,After-hours triage,27,412\n"
    "2026-06-01,abandonment_rate,After-hours triage,4.1,412\n"
    "2026-06-01,service_level_30s,,82.5,\n"
)


@dataclass(frozen=True)
class ParsedRow:
    line: int
    values: dict[str, str]


def _column_name(raw: str | None) -> str:
    return (raw or "").strip().lower().replace(" ", "_").replace("-", "_")


def _header(fieldnames: list[str]) -> tuple[dict[str, str], list[RowError]]:
    """Map the file's columns to row fields; unknown or repeated columns are errors on line 1."""
    mapping: dict[str, str] = {}
    errors = []
    for column in fieldnames:
        name = _column_name(column)
        if name not in COLUMNS:
            errors.append(
                RowError(
                    1,
                    column or "(empty)",
                    f"Unknown column. Expected: {', '.join(REQUIRED_COLUMNS)} and optionally "
                    f"{', '.join(OPTIONAL_COLUMNS)}.",
                )
            )
        elif name in mapping.values():
            errors.append(RowError(1, column, "This column appears twice."))
        else:
            mapping[column] = name
    for name in REQUIRED_COLUMNS:
        if name not in mapping.values():
            errors.append(RowError(1, name, f"The column “{name}” is missing."))
    return mapping, errors


def measurement_rows_parse(content: str | bytes) -> list[ParsedRow]:
    """The file's rows as `{field: text}` with their line numbers; raises ImportFailed for a
    file that cannot be read as measurements (encoding, size, header, a row too long, too
    many rows), with every such error found."""
    reader = dict_reader(content)
    try:
        return _parse(reader)
    except csv.Error as error:
        raise unreadable(reader, error) from None


def _parse(reader: csv.DictReader) -> list[ParsedRow]:
    if not reader.fieldnames:
        raise ImportFailed([RowError(1, "", "The file is empty.")])
    mapping, errors = _header(list(reader.fieldnames))
    if errors:
        raise ImportFailed(errors)
    rows: list[ParsedRow] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            errors.append(RowError(line, "", "This row has more cells than the header."))
            continue
        if not any((value or "").strip() for value in row.values()):
            continue  # a blank line, as spreadsheets leave them at the end
        if len(rows) >= MAX_IMPORT_ROWS:
            errors.append(RowError(line, "", f"At most {MAX_IMPORT_ROWS} rows per file."))
            break
        rows.append(
            ParsedRow(
                line=line,
                values={name: (row.get(column) or "").strip() for column, name in mapping.items()},
            )
        )
    if errors:
        raise ImportFailed(errors)
    if not rows:
        raise ImportFailed([RowError(2, "", "The file has a header but no rows.")])
    return rows
