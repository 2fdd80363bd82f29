"""KPI measurements: one value per partnership, service line (or the whole line), KPI and
day, pushed by the call center's telephony/ACD feed (API) or uploaded as CSV.

`measurements_upsert` checks every row first and saves nothing when any row is wrong (every
error is returned, by row and field); posting the same KPI and day again updates the value,
never duplicates it. A dry run answers what would change without writing. The source and the
time of receipt are kept on each row; the call is audited once, with counts.

A row (a mapping; the CSV columns have the same names):
- `kpi`: the KPI's key in the organization's catalog (e.g. `abandonment_rate`);
- `service`: a service line of the partnership, by id or by name; empty for the whole line;
- `day`: YYYY-MM-DD, no later than tomorrow (the feed's clock may run ahead of ours);
- `value`: a number, checked by the KPI's unit (a percentage is 0 to 100; seconds, minutes
  and counts are never negative); up to 3 decimals;
- `sample_size`: optional, how many calls or audits the value stands on (0 or more).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from discovery.models import KpiDefinition, ServiceLine
from discovery.services import kpi_catalog_ready
from health import imports
from health.models import KpiMeasurement, MeasurementSource
from health.tasks import checks_after_upload
from partnerships.models import Partnership
from tenancy.access import Action, require
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError
from tenancy.validators import sane_date

MAX_ROWS = 10_000
ROW_FIELDS = ("kpi", "service", "day", "value", "sample_size")
# Aliases an integration may use for `service` (the model's own name).
SERVICE_ALIASES = ("service_line",)
MAX_VALUE = Decimal("1e9")  # max_digits=12, decimal_places=3
MAX_SAMPLE_SIZE = 2_147_483_647
MAX_REPORTED_ROWS = 500

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"

RowErrors = dict[int, dict[str, list[str]]]


@dataclass(frozen=True)
class CheckedRow:
    """A row that passed every check, ready to be written."""

    index: int
    kpi: KpiDefinition
    service_line: ServiceLine | None
    day: datetime.date
    value: Decimal
    sample_size: int | None

    @property
    def key(self) -> tuple[int, datetime.date, int]:
        return (self.kpi.pk, self.day, self.service_line.pk if self.service_line else 0)


@dataclass(frozen=True)
class Change:
    """What a row does (or would do): new, updated (old → new) or unchanged."""

    row: CheckedRow
    status: str
    old_value: Decimal | None = None
    old_sample_size: int | None = None

    @property
    def value_display(self) -> str:
        return self.row.kpi.format_value(self.row.value)

    @property
    def old_value_display(self) -> str:
        return self.row.kpi.format_value(self.old_value)


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }


# --- Checking rows ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _day(raw: Any, *, latest: datetime.date) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        raise ValueError("Give a day (YYYY-MM-DD), not a time.")
    if isinstance(raw, datetime.date):
        day = raw
    else:
        try:
            day = datetime.date.fromisoformat(_text(raw))
        except ValueError:
            raise ValueError(f"“{_text(raw)}” is not a date (use YYYY-MM-DD).") from None
    try:
        sane_date(day)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    if day > latest:
        raise ValueError(f"{day.isoformat()} is in the future: the latest day taken is {latest}.")
    return day


def _value(raw: Any, kpi: KpiDefinition | None) -> Decimal:
    if isinstance(raw, bool | list | dict):
        raise ValueError("Must be a number.")
    text = _text(raw).replace(" ", "")
    if kpi is not None and kpi.unit == "percent" and text.endswith("%"):
        text = text[:-1]
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{_text(raw)}” is not a number (use a dot for decimals).") from None
    if not value.is_finite():
        raise ValueError(f"“{_text(raw)}” is not a number.")
    if abs(value) >= MAX_VALUE:
        raise ValueError("Too large: at most 999999999.999.")
    value = value.quantize(Decimal("0.001"))
    if kpi is not None and (problem := kpi.check_value(value)):
        raise ValueError(problem)
    return value


def _sample_size(raw: Any) -> int | None:
    if raw is None or _text(raw) == "":
        return None
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise ValueError("Must be a whole number, 0 or more.")
    try:
        number = int(raw) if isinstance(raw, int | float) else int(_text(raw))
    except ValueError:
        raise ValueError("Must be a whole number, 0 or more.") from None
    if not 0 <= number <= MAX_SAMPLE_SIZE:
        raise ValueError("Must be a whole number, 0 or more.")
    return number


class _Catalog:
    """The organization's KPIs and the partnership's service lines, read once per call."""

    def __init__(self, partnership: Partnership):
        kpi_catalog_ready(organization=partnership.organization)
        self.kpis = {
            kpi.key.lower(): kpi
            for kpi in KpiDefinition.objects.filter(organization_id=partnership.organization_id)
        }
        lines = list(ServiceLine.objects.filter(partnership=partnership))
        self.lines_by_id = {line.pk: line for line in lines}
        self.lines_by_name = {line.name.strip().lower(): line for line in lines}
        self.latest_day = partnership.organization.local_today() + datetime.timedelta(days=1)

    def kpi(self, raw: Any) -> KpiDefinition:
        key = _text(raw)
        if not key:
            raise ValueError("This field is required: the KPI's key in the catalog.")
        kpi = self.kpis.get(key.lower())
        if kpi is None:
            raise ValueError(f"There is no KPI “{key}” in the catalog (use its key).")
        return kpi

    def service_line(self, raw: Any) -> ServiceLine | None:
        if isinstance(raw, bool | list | dict):
            raise ValueError("Give a service's id or name, or leave it empty for the whole line.")
        text = _text(raw)
        if not text:
            return None
        line = self.lines_by_name.get(text.lower())
        if line is None and text.isdigit():
            line = self.lines_by_id.get(int(text))
        if line is None:
            raise ValueError(f"There is no service “{text}” in this partnership.")
        return line


def rows_check(
    *,
    partnership: Partnership,
    rows: Sequence[Any],
    extra_fields: tuple[str, ...] = (),
    row_names: Sequence[str] | None = None,
) -> tuple[list[CheckedRow], RowErrors]:
    """Check every row; answer the rows that passed and the errors by row index and field.

    Fields outside `ROW_FIELDS` (and `extra_fields`, which the caller reads itself) are
    errors. The same KPI, service and day twice in one call is an error on the later row,
    naming the earlier one (`row_names[index]`, default "row <index>")."""
    catalog = _Catalog(partnership)
    known = set(ROW_FIELDS) | set(SERVICE_ALIASES) | set(extra_fields)
    checked: list[CheckedRow] = []
    errors: RowErrors = {}
    seen: dict[tuple[int, datetime.date, int], int] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors[index] = {"non_field_errors": ["Each row must be an object of fields."]}
            continue
        problems: dict[str, list[str]] = {}

        def fail(name: str, message: str, _problems=problems) -> None:
            _problems.setdefault(name, []).append(message)

        for name in row:
            if name not in known:
                fail(str(name), f"Unknown field. Known: {', '.join(ROW_FIELDS)}.")
        kpi = line = day = value = None
        sample_size = None
        try:
            kpi = catalog.kpi(row.get("kpi"))
        except ValueError as error:
            fail("kpi", str(error))
        service_name = next((n for n in ("service", *SERVICE_ALIASES) if n in row), "service")
        try:
            line = catalog.service_line(row.get(service_name))
        except ValueError as error:
            fail(service_name, str(error))
        if _text(row.get("day")) == "" and not isinstance(row.get("day"), datetime.date):
            fail("day", "This field is required (YYYY-MM-DD).")
        else:
            try:
                day = _day(row.get("day"), latest=catalog.latest_day)
            except ValueError as error:
                fail("day", str(error))
        if row.get("value") is None or _text(row.get("value")) == "":
            fail("value", "This field is required.")
        else:
            try:
                value = _value(row.get("value"), kpi)
            except ValueError as error:
                fail("value", str(error))
        try:
            sample_size = _sample_size(row.get("sample_size"))
        except ValueError as error:
            fail("sample_size", str(error))
        if not problems:
            candidate = CheckedRow(index, kpi, line, day, value, sample_size)
            if candidate.key in seen:
                earlier = seen[candidate.key]
                name = row_names[earlier] if row_names else f"row {earlier}"
                fail(
                    "day",
                    f"The same KPI, service and day are already on {name}; send each once.",
                )
            else:
                seen[candidate.key] = index
                checked.append(candidate)
        if problems:
            errors[index] = problems
    return checked, errors


def _too_many(count: int) -> ApplicationError:
    return ApplicationError(
        f"At most {MAX_ROWS} rows per request; this one has {count}. Split it.", field="rows"
    )


# --- Writing ---------------------------------------------------------------------------------


def _changes(partnership: Partnership, checked: list[CheckedRow]) -> list[Change]:
    """Each row's effect, from one query for the stored values it may replace."""
    if not checked:
        return []
    stored = {
        (kpi_id, day, line_key): (value, sample_size)
        for kpi_id, day, line_key, value, sample_size in KpiMeasurement.objects.filter(
            partnership=partnership,
            kpi_id__in={row.kpi.pk for row in checked},
            day__range=(min(row.day for row in checked), max(row.day for row in checked)),
        ).values_list("kpi_id", "day", "line_key", "value", "sample_size")
    }
    changes = []
    for row in checked:
        before = stored.get(row.key)
        if before is None:
            changes.append(Change(row, NEW))
        elif before == (row.value, row.sample_size):
            changes.append(Change(row, UNCHANGED, before[0], before[1]))
        else:
            changes.append(Change(row, UPDATED, before[0], before[1]))
    return changes


def _write(
    *, actor: Actor, partnership: Partnership, checked: list[CheckedRow], source: str
) -> None:
    now = timezone.now()
    # bulk_create skips save(): line_key is set here, as save() would.
    KpiMeasurement.objects.bulk_create(
        [
            KpiMeasurement(
                organization_id=partnership.organization_id,
                partnership=partnership,
                service_line=row.service_line,
                line_key=row.service_line.pk if row.service_line else 0,
                kpi=row.kpi,
                day=row.day,
                value=row.value,
                sample_size=row.sample_size,
                source=source,
                received_at=now,
                received_by=actor.user,
            )
            for row in checked
        ],
        update_conflicts=True,
        unique_fields=["organization", "partnership", "kpi", "day", "line_key"],
        update_fields=[
            "value",
            "sample_size",
            "source",
            "received_at",
            "received_by",
            "updated_at",
        ],
        batch_size=1000,
    )


@transaction.atomic
def measurements_upsert(
    *,
    actor: Actor,
    partnership: Partnership,
    rows: Sequence[Any],
    source: str,
    dry_run: bool = False,
) -> UpsertResult:
    """Check every row, then write them all or none (errors: `ApplicationError` whose
    `extra["rows"]` maps each wrong row's index, from 0, to its fields' messages)."""
    require(actor.membership, Action.CHANGE_WORK, partnership)
    if source not in MeasurementSource.values:
        raise ApplicationError(f"Unknown source “{source}”.", field="source")
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ApplicationError("Send a list of rows.", field="rows")
    if not rows:
        raise ApplicationError("Send at least one row.", field="rows")
    if len(rows) > MAX_ROWS:
        raise _too_many(len(rows))
    checked, errors = rows_check(partnership=partnership, rows=rows)
    if errors:
        raise rows_failed(errors)
    return _apply(
        actor=actor, partnership=partnership, checked=checked, source=source, dry_run=dry_run
    )


def rows_failed(errors: RowErrors) -> ApplicationError:
    count = len(errors)
    shown = dict(sorted(errors.items())[:MAX_REPORTED_ROWS])
    return ApplicationError(
        f"{count} row{'s' if count != 1 else ''} {'have' if count != 1 else 'has'} errors; "
        "nothing was saved.",
        extra={"rows": {str(index): problems for index, problems in shown.items()}},
    )


def _apply(
    *,
    actor: Actor,
    partnership: Partnership,
    checked: list[CheckedRow],
    source: str,
    dry_run: bool,
) -> UpsertResult:
    changes = _changes(partnership, checked)
    result = UpsertResult(dry_run=dry_run, changes=changes)
    for change in changes:
        if change.status == NEW:
            result.created += 1
        elif change.status == UPDATED:
            result.updated += 1
        else:
            result.unchanged += 1
    if dry_run:
        return result
    # Unchanged rows are written too: their time of receipt says the feed is alive.
    _write(actor=actor, partnership=partnership, checked=checked, source=source)
    audit_record(
        actor=actor,
        verb="kpi_measurements.received",
        target=partnership,
        changes={
            "source": [None, source],
            "created": [0, result.created],
            "updated": [0, result.updated],
            "unchanged": [0, result.unchanged],
        },
    )
    # New figures: the partnership's health is checked again once this commits.
    checks_after_upload(
        organization_id=partnership.organization_id, partnership_ids=[partnership.pk]
    )
    return result


# --- CSV -------------------------------------------------------------------------------------


@transaction.atomic
def measurements_import_csv(
    *, actor: Actor, partnership: Partnership, content: str | bytes, dry_run: bool = False
) -> UpsertResult:
    """Import measurements from CSV (format in health/imports.py), checked whole first: on
    any error nothing is saved, and every error names its line and column (`extra["errors"]`:
    `[{row, column, message}]`, the header being line 1)."""
    require(actor.membership, Action.CHANGE_WORK, partnership)
    try:
        parsed = imports.measurement_rows_parse(content)
    except imports.ImportFailed as failure:
        raise ApplicationError(
            failure.summary, field="file", extra={"errors": failure.as_list()}
        ) from failure
    checked, errors = rows_check(
        partnership=partnership,
        rows=[row.values for row in parsed],
        row_names=[f"line {row.line}" for row in parsed],
    )
    if errors:
        failure = imports.ImportFailed(
            [
                imports.RowError(parsed[index].line, column, message)
                for index, problems in sorted(errors.items())
                for column, messages in problems.items()
                for message in messages
            ]
        )
        raise ApplicationError(failure.summary, field="file", extra={"errors": failure.as_list()})
    return _apply(
        actor=actor,
        partnership=partnership,
        checked=checked,
        source=MeasurementSource.CSV,
        dry_run=dry_run,
    )
