"""The Gantt API's JSON written without serializer fields: 210 tasks of 19 fields each cost
DRF about 4,000 field calls a request. `GanttSerializer` stays the documented shape (the
schema); `tests/transition/test_gantt_payload.py` holds the two equal on every kind of task."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from transition import selectors

TENTH = Decimal("0.1")
SUMMARY_FIELDS = (
    "id",
    "partnership",
    "template_name",
    "go_live_anchor",
    "baselined_at",
    "baselined_by",
    "task_count",
    "done_count",
    "project_start",
    "project_finish",
    "go_live",
    "milestones",
    "conflict_count",
    "calendar_note",
    "created_at",
)
MILESTONE_FIELDS = (
    "id",
    "title",
    "status",
    "baseline_due",
    "forecast_due",
    "slip_days",
    "critical",
)


def _date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _datetime(value: datetime.datetime | None, zone) -> str | None:
    """As DRF's DateTimeField writes it: in the current time zone, ISO 8601, "Z" for UTC."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _hours(value: Decimal | None) -> str | None:
    """As `DecimalField(decimal_places=1)` writes it: a string with one decimal."""
    return None if value is None else str(Decimal(value).quantize(TENTH))


def summary(view: selectors.PlanView) -> dict[str, Any]:
    data = selectors.plan_summary(view)
    go_live = data["go_live"]
    return {
        **{name: data[name] for name in SUMMARY_FIELDS},
        "go_live_anchor": _date(data["go_live_anchor"]),
        "baselined_at": _datetime(data["baselined_at"], timezone.get_current_timezone()),
        "project_start": _date(data["project_start"]),
        "project_finish": _date(data["project_finish"]),
        "go_live": {
            **go_live,
            "planned": _date(go_live["planned"]),
            "baseline": _date(go_live["baseline"]),
            "forecast": _date(go_live["forecast"]),
        },
        "milestones": [
            {
                **{name: milestone[name] for name in MILESTONE_FIELDS},
                "baseline_due": _date(milestone["baseline_due"]),
                "forecast_due": _date(milestone["forecast_due"]),
            }
            for milestone in data["milestones"]
        ],
        "created_at": _datetime(data["created_at"], timezone.get_current_timezone()),
    }


def gantt(view: selectors.PlanView) -> dict[str, Any]:
    """What `GanttSerializer` writes for the plan."""
    tasks = []
    for row in selectors.gantt_rows(view):
        tasks.append(
            {
                "id": row["id"],
                "key": row["key"],
                "title": row["title"],
                "phase": row["phase"],
                "status": row["status"],
                "is_milestone": row["is_milestone"],
                "owner": row["owner"],
                "start": _date(row["start"]),
                "due": _date(row["due"]),
                "forecast_start": _date(row["forecast_start"]),
                "forecast_due": _date(row["forecast_due"]),
                "baseline_start": _date(row["baseline_start"]),
                "baseline_due": _date(row["baseline_due"]),
                "slip_days": row["slip_days"],
                "total_float_days": row["total_float_days"],
                "critical": row["critical"],
                "conflict": row["conflict"],
                "estimate_hours": _hours(row["estimate_hours"]),
                "dependencies": row["dependencies"],
            }
        )
    conflicts = [
        {
            **conflict,
            "current_start": _date(conflict["current_start"]),
            "required_start": _date(conflict["required_start"]),
        }
        for conflict in selectors.conflict_rows(view)
    ]
    return {"summary": summary(view), "tasks": tasks, "conflicts": conflicts}
