"""Reads of KPI measurements (the checks' aggregations are in `health.selectors`).

Everything here goes through the access policy: whoever sees the partnership sees its
measurements (the client's executives included). Queries stay flat: a page or a list costs
the same few queries for 3 rows or 3,000.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from discovery.models import KpiBaseline, KpiDefinition, ServiceLine
from health.models import KpiMeasurement
from partnerships.models import Partnership
from tenancy import access

RECENT_DAYS = 30


def measurements(*, membership, partnership: Partnership) -> QuerySet[KpiMeasurement]:
    """The partnership's measurements the member sees, newest day first, with their KPI,
    service line and sender loaded."""
    return (
        access.visible(membership, KpiMeasurement)
        .filter(partnership=partnership)
        .select_related("kpi", "service_line", "received_by")
        .order_by("-day", "kpi__position", "kpi__name", "line_key")
    )


def measurements_filter(
    queryset: QuerySet[KpiMeasurement],
    *,
    kpi: str = "",
    service: str = "",
    day_from: datetime.date | None = None,
    day_to: datetime.date | None = None,
) -> QuerySet[KpiMeasurement]:
    """Narrow by KPI key, service line (an id; "whole" or 0 for the whole line) and days."""
    if kpi:
        queryset = queryset.filter(kpi__key=kpi)
    if service:
        queryset = queryset.filter(line_key=0 if service in ("whole", "0") else int(service))
    if day_from is not None:
        queryset = queryset.filter(day__gte=day_from)
    if day_to is not None:
        queryset = queryset.filter(day__lte=day_to)
    return queryset


@dataclass
class KpiLine:
    """One KPI on one service line (or the whole line): its latest value against the
    discovery baseline and the target, and its recent days."""

    kpi: KpiDefinition
    service_line: ServiceLine | None
    latest: KpiMeasurement
    baseline: KpiBaseline | None = None
    recent: list[KpiMeasurement] = field(default_factory=list)

    @property
    def latest_display(self) -> str:
        return self.kpi.format_value(self.latest.value)

    @property
    def period_average(self) -> Decimal | None:
        """The average of the recent days (None without any)."""
        if not self.recent:
            return None
        total = sum((row.value for row in self.recent), Decimal(0))
        return (total / len(self.recent)).quantize(Decimal("0.1"))

    @property
    def period_display(self) -> str:
        return self.kpi.format_value(self.period_average)

    @property
    def period_meets_target(self) -> bool | None:
        average = self.period_average
        if average is None:
            return None
        if self.baseline is not None and self.baseline.target is not None:
            return self.kpi.meets_target(average, self.baseline.target)
        return self.kpi.meets_target(average)

    @property
    def baseline_display(self) -> str:
        return self.kpi.format_value(self.baseline.value if self.baseline else None)

    @property
    def recent_rows(self) -> list[tuple[KpiMeasurement, str]]:
        """The recent days, each with its value as the page shows it."""
        return [(row, self.kpi.format_value(row.value)) for row in self.recent]

    @property
    def target(self) -> Decimal | None:
        if self.baseline is not None and self.baseline.target is not None:
            return self.baseline.target
        return self.kpi.target

    @property
    def target_display(self) -> str:
        if self.baseline is not None and self.baseline.target is not None:
            sign = {"lower": "≤ ", "higher": "≥ "}.get(self.kpi.direction, "~")
            return f"{sign}{self.kpi.format_value(self.baseline.target)}"
        return self.kpi.target_display

    @property
    def meets_target(self) -> bool | None:
        if self.baseline is not None and self.baseline.target is not None:
            return self.kpi.meets_target(self.latest.value, self.baseline.target)
        return self.kpi.meets_target(self.latest.value)

    @property
    def vs_baseline(self) -> bool | None:
        """At least as good as the baseline? None without a baseline or a better direction."""
        if self.baseline is None:
            return None
        return self.kpi.at_least_as_good(self.latest.value, self.baseline.value)


def kpi_overview(
    *, membership, partnership: Partnership, today: datetime.date, days: int = RECENT_DAYS
) -> list[KpiLine]:
    """Per KPI and service line measured: the latest value, the baseline, the target and the
    last `days` days (RECENT_DAYS by default). Three queries, however many rows."""
    visible = measurements(membership=membership, partnership=partnership)
    latest_rows = list(
        visible.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("kpi_id"), F("line_key")],
                order_by=F("day").desc(),
            )
        ).filter(rank=1)
    )
    if not latest_rows:
        return []
    start = today - datetime.timedelta(days=days - 1)
    recent: dict[tuple[int, int], list[KpiMeasurement]] = defaultdict(list)
    for row in visible.filter(day__gte=start, day__lte=today + datetime.timedelta(days=1)):
        recent[(row.kpi_id, row.line_key)].append(row)
    baselines = {
        (baseline.kpi_id, baseline.service_line_id): baseline
        for baseline in access.visible(membership, KpiBaseline).filter(partnership=partnership)
    }
    lines = [
        KpiLine(
            kpi=row.kpi,
            service_line=row.service_line,
            latest=row,
            baseline=baselines.get((row.kpi_id, row.service_line_id))
            if row.service_line_id
            else None,
            recent=recent.get((row.kpi_id, row.line_key), []),
        )
        for row in latest_rows
    ]
    lines.sort(
        key=lambda line: (
            line.service_line is not None,
            line.service_line.name if line.service_line else "",
            line.kpi.position,
            line.kpi.name,
        )
    )
    return lines
