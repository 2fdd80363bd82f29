"""Shared pieces of the discovery serializers: numbers, internal fields, summaries, and
choice lists filled from the viewset's partnership."""

from __future__ import annotations

from rest_framework import serializers

from discovery.models import (
    KpiDefinition,
    KpiDirection,
    KpiUnit,
    ReviewedReport,
    ServiceLine,
)
from tenancy import access

INTERNAL_HELP = "Internal: provider staff only; absent from client executives' responses."


def number_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=3, coerce_to_string=False, **kwargs
    )


def internal_field() -> serializers.CharField:
    # Not read-only, so the response schema lists it as optional (client executives never
    # receive it); output serializers are never used for input.
    return serializers.CharField(required=False, help_text=INTERNAL_HELP)


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class KpiSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    key = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    unit = serializers.ChoiceField(choices=KpiUnit.choices, read_only=True)
    direction = serializers.ChoiceField(choices=KpiDirection.choices, read_only=True)


class PartnershipChoicesMixin:
    """Fills the querysets of related-row fields from the viewset's partnership."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        membership = self.context.get("membership")
        partnership = self.context.get("partnership")
        if membership is None or partnership is None:
            return
        choices = {
            "service": lambda: access.visible(membership, ServiceLine).filter(
                partnership=partnership
            ),
            "kpi": lambda: access.visible(membership, KpiDefinition),
            "source_report": lambda: access.visible(membership, ReviewedReport).filter(
                partnership=partnership
            ),
            "report": lambda: access.visible(membership, ReviewedReport).filter(
                partnership=partnership
            ),
        }
        for name, queryset in choices.items():
            if name in self.fields:
                self.fields[name].queryset = queryset()
