"""Presentation helpers of the discovery pages: KPI figures in their unit."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def kpi_value(value, kpi) -> str:
    """`{{ baseline.value|kpi_value:baseline.kpi }}` → “38 s”, “7.8 %”, “—”."""
    if kpi is None:
        return "" if value is None else str(value)
    return kpi.format_value(value)


@register.filter
def meets_target(baseline) -> bool | None:
    """Does the baseline already meet the provider's target? None when there is none."""
    if baseline.target is None:
        return None
    return baseline.kpi.meets_target(baseline.value, baseline.target)
