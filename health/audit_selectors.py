"""Reads of the call-quality audits (the Quality tab and the API): the partnership's audits
with their results, the auditors one may name, and the monthly QA figures against targets.
Selectors never write."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from discovery.models import ExperienceGoal, KpiDefinition, KpiDirection
from health.models import CallAudit, KpiMeasurement, MeasurementSource
from health.services.audits import QA_KPIS, audit_result
from tenancy import access


def audits(*, membership, partnership) -> QuerySet[CallAudit]:
    """The partnership's audits the member sees (none for a client's executive), newest call
    first, with what the list shows."""
    return (
        access.visible(membership, CallAudit)
        .filter(partnership=partnership)
        .select_related("auditor", "service_line")
        .order_by("-call_date", "-id")
    )


def with_results(rows) -> list[CallAudit]:
    """The audits, each with its `result` (`health.services.audits.audit_result`)."""
    rows = list(rows)
    for row in rows:
        row.result = audit_result(row)
    return rows


def auditor_choices(*, organization):
    """Who may be named auditor: the organization's active provider members."""
    from partnerships.selectors import pm_choices

    return pm_choices(organization=organization)


@dataclass(frozen=True)
class QaFigure:
    kpi: KpiDefinition
    value: Decimal | None
    sample_size: int | None
    target: Decimal | None
    meets: bool | None  # None: no value or no target


@dataclass(frozen=True)
class QaMonth:
    month: datetime.date
    figures: list[QaFigure]


def _meets(kpi: KpiDefinition, value, target) -> bool | None:
    if value is None or target is None:
        return None
    if kpi.direction == KpiDirection.LOWER:
        return value <= target
    return value >= target


def qa_months(*, membership, partnership, months: int = 6) -> list[QaMonth]:
    """The last `months` months that have audit figures (newest first): each QA KPI's value
    from the audits roll-up, its n, and its target (the partnership's whole-line experience
    goal for the KPI, else the catalog's). Three queries whatever the number of months."""
    kpis = list(
        KpiDefinition.objects.filter(
            organization_id=partnership.organization_id, key__in=QA_KPIS
        ).order_by("position", "name")
    )
    goals = {
        goal.kpi_id: goal.target
        for goal in access.visible(membership, ExperienceGoal).filter(
            partnership=partnership, kpi__in=kpis, service_line__isnull=True
        )
    }
    rows = (
        access.visible(membership, KpiMeasurement)
        .filter(
            partnership=partnership,
            kpi__in=kpis,
            line_key=0,
            source=MeasurementSource.AUDITS,
        )
        .order_by("-day")
        .values("day", "kpi_id", "value", "sample_size")
    )
    by_month: dict[datetime.date, dict[int, dict]] = {}
    for row in rows:
        if row["day"] not in by_month and len(by_month) >= months:
            break
        by_month.setdefault(row["day"], {})[row["kpi_id"]] = row
    result = []
    for month, values in by_month.items():
        figures = []
        for kpi in kpis:
            found = values.get(kpi.pk)
            value = found["value"] if found else None
            target = goals.get(kpi.pk, kpi.target)
            figures.append(
                QaFigure(
                    kpi=kpi,
                    value=value,
                    sample_size=found["sample_size"] if found else None,
                    target=target,
                    meets=_meets(kpi, value, target),
                )
            )
        result.append(QaMonth(month=month, figures=figures))
    return result
