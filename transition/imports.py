"""Parsing and validating a staff roster from CSV, all of it before anything is saved.

Format: a header row, then one person per row. Columns (case-insensitive; the aliases in
`IMPORT_COLUMNS` work too): full_name (required), role, site, tenure_years, knowledge_areas,
work_email, outcome, outcome_status, notice_date, last_day, support_offered, recognition.
Choices take their value or their label ("triage_rn" or "Triage RN"); dates are YYYY-MM-DD
(or MM/DD/YYYY); lists (knowledge areas, support offered) are separated by semicolons.
Errors carry the line of the file (the header is line 1) and the column as written.
"""

from __future__ import annotations

import copy
import csv
import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tenancy.csvfiles import (  # noqa: F401  (MAX_IMPORT_BYTES, TOO_LARGE: the forms' limits)
    MAX_IMPORT_BYTES,
    TOO_LARGE,
    ImportFailed,
    RowError,
    dict_reader,
    unreadable,
)
from transition.models import Outcome, OutcomeStatus, StaffMember, StaffRole, Support

MAX_IMPORT_ROWS = 5000
LIST_SEPARATOR = ";"
IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("full_name", "name", "full name"),
    "role": ("role",),
    "site": ("site", "location"),
    "tenure_years": ("tenure_years", "tenure", "tenure (years)", "years"),
    "knowledge_areas": ("knowledge_areas", "knowledge areas", "knowledge"),
    "work_email": ("work_email", "email", "work e-mail", "work email", "e-mail"),
    "outcome": ("outcome",),
    "outcome_status": ("outcome_status", "status", "outcome status"),
    "notice_date": ("notice_date", "notice date", "notice"),
    "last_day": ("last_day", "last day"),
    "support_offered": ("support_offered", "support offered", "support"),
    "recognition": ("recognition",),
}


@dataclass(frozen=True)
class ParsedRow:
    line: int
    values: dict[str, Any]


@dataclass
class ParsedFile:
    fields: set[str]  # the model fields the file sets
    rows: list[ParsedRow] = field(default_factory=list)


def _choice(value: str, choices) -> str:
    """A choice by its value or its label, case-insensitively."""
    wanted = value.strip().casefold()
    for choice_value, label in choices:
        if wanted in (str(choice_value).casefold(), str(label).casefold()):
            return choice_value
    raise ValueError("must be one of: " + ", ".join(str(v) for v, _ in choices))


def _date(value: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise ValueError("must be a date as YYYY-MM-DD (or MM/DD/YYYY)")


def parse_cell(name: str, raw: str) -> Any:
    value = raw.strip()
    if name in ("full_name", "site", "recognition"):
        return value
    if name == "work_email":
        if value:
            validate_email(value)
        return value.lower()
    if name == "role":
        return _choice(value, StaffRole.choices) if value else StaffRole.OTHER
    if name == "outcome":
        return _choice(value, Outcome.choices) if value else Outcome.UNDECIDED
    if name == "outcome_status":
        return _choice(value, OutcomeStatus.choices) if value else OutcomeStatus.PROPOSED
    if name in ("notice_date", "last_day"):
        return _date(value) if value else None
    if name == "tenure_years":
        if not value:
            return None
        try:
            return Decimal(value)
        except InvalidOperation as error:
            raise ValueError("must be a number of years, e.g. 4.5") from error
    if name == "knowledge_areas":
        return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]
    if name == "support_offered":
        return [
            _choice(item, Support.choices) for item in value.split(LIST_SEPARATOR) if item.strip()
        ]
    raise AssertionError(name)  # pragma: no cover - every column is handled above


def _header(fieldnames: list[str]) -> tuple[dict[str, str], list[RowError]]:
    """Map the file's columns to fields; unknown or repeated columns are errors on line 1."""
    aliases = {alias: name for name, names in IMPORT_COLUMNS.items() for alias in names}
    mapping: dict[str, str] = {}
    errors = []
    for column in fieldnames:
        name = aliases.get((column or "").strip().casefold())
        if name is None:
            known = ", ".join(IMPORT_COLUMNS)
            errors.append(RowError(1, column or "(empty)", f"Unknown column. Known: {known}."))
        elif name in mapping.values():
            errors.append(RowError(1, column, "This column appears twice."))
        else:
            mapping[column] = name
    if "full_name" not in mapping.values():
        errors.append(RowError(1, "full_name", "The file needs a full_name column."))
    return mapping, errors


def _message(error: Exception) -> str:
    text = error.messages[0] if isinstance(error, ValidationError) else str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def staff_rows_parse(content: str | bytes, *, existing: dict[str, StaffMember]) -> ParsedFile:
    """Every row parsed and validated as the person it would become (an existing one when its
    work e-mail matches, unsaved); raises ImportFailed with every error found."""
    reader = dict_reader(content)
    try:
        return _staff_rows_parse(reader, existing=existing)
    except csv.Error as error:
        raise unreadable(reader, error) from None


def _staff_rows_parse(reader: csv.DictReader, *, existing: dict[str, StaffMember]) -> ParsedFile:
    if not reader.fieldnames:
        raise ImportFailed([RowError(1, "", "The file is empty.")])
    mapping, errors = _header(list(reader.fieldnames))
    if errors:
        raise ImportFailed(errors)
    columns = {name: column for column, name in mapping.items()}
    parsed = ParsedFile(fields=set(mapping.values()))
    seen_emails: dict[str, int] = {}
    for index, row in enumerate(reader):
        line = reader.line_num
        if index >= MAX_IMPORT_ROWS:
            errors.append(RowError(line, "", f"At most {MAX_IMPORT_ROWS} rows per file."))
            break
        if None in row:
            errors.append(RowError(line, "", "This row has more cells than the header."))
            continue
        if not any((value or "").strip() for value in row.values()):
            continue  # a blank line
        values: dict[str, Any] = {}
        row_errors = []
        for column, name in mapping.items():
            try:
                values[name] = parse_cell(name, row.get(column) or "")
            except (ValueError, ValidationError) as error:
                row_errors.append(RowError(line, column, _message(error)))
        email = values.get("work_email") or ""
        if email:
            if email in seen_emails:
                row_errors.append(
                    RowError(
                        line,
                        columns["work_email"],
                        f"The same e-mail is on line {seen_emails[email]}.",
                    )
                )
            seen_emails[email] = line
        if not row_errors:
            # Validate as the record it would become, without touching the stored one.
            base = existing.get(email) if email else None
            candidate = copy.copy(base) if base is not None else StaffMember()
            for name, value in values.items():
                setattr(candidate, name, value)
            try:
                candidate.full_clean(
                    exclude=["organization", "partnership"], validate_constraints=False
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    row_errors.append(RowError(line, columns.get(name, name), " ".join(messages)))
        if row_errors:
            errors.extend(row_errors)
        else:
            parsed.rows.append(ParsedRow(line=line, values=values))
    if errors:
        raise ImportFailed(errors)
    if not parsed.rows:
        raise ImportFailed([RowError(2, "", "The file has no rows to import.")])
    return parsed
