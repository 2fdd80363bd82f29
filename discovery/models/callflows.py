"""Call flows of a service, current state and future state, as immutable versions.

A version's graph is a JSON document (`{"nodes": [...], "edges": [...]}`) checked by
`discovery.callflow.parse_graph`; it is never edited in place: a change is a new version, so
what was reviewed stays what it was. Validation problems are computed when the version is
written (the graph cannot change afterwards) and kept with it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from discovery.models.inventory import (
    INTERNAL_HELP,
    check_partnership,
    check_same_partnership,
)
from partnerships.models import PartnershipOwnedModel, partnership_key


class CallFlowState(models.TextChoices):
    CURRENT = "current", "Current state"
    FUTURE = "future", "Future state"


class CallFlow(PartnershipOwnedModel):
    """How calls of one service move, in the current or the future state."""

    partnership = partnership_key(related_name="call_flows")
    service_line = models.ForeignKey(
        "discovery.ServiceLine",
        on_delete=models.CASCADE,
        related_name="call_flows",
        verbose_name="service",
    )
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=8, choices=CallFlowState.choices)
    description = models.TextField(blank=True)
    internal_notes = models.TextField(blank=True, help_text=INTERNAL_HELP)
    latest_version = models.ForeignKey(
        "discovery.CallFlowVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    INTERNAL_FIELDS = ("internal_notes",)

    # What people enter and change (services, forms and serializers use this list).
    EDITABLE_FIELDS = (
        "name",
        "description",
        "internal_notes",
    )

    class Meta:
        ordering = ["service_line__name", "state", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "service_line", "state", "name"],
                name="call_flow_unique_name_per_service_and_state",
            )
        ]
        indexes = [models.Index(fields=["organization", "partnership", "state"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display().lower()})"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        check_partnership(self, errors)
        if self.service_line_id:
            check_same_partnership(self, errors, "service_line")
        if errors:
            raise ValidationError(errors)


class CallFlowVersion(PartnershipOwnedModel):
    """One immutable graph of a call flow, numbered 1, 2, … within its flow."""

    call_flow = models.ForeignKey(CallFlow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    graph = models.JSONField(help_text='{"nodes": [{key, kind, label}], "edges": [...]}')
    note = models.TextField(blank=True, help_text="What changed in this version.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    is_valid = models.BooleanField(editable=False)
    problems = models.JSONField(default=list, blank=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["call_flow", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "call_flow", "number"],
                name="call_flow_version_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, reviewed_by__isnull=True)
                | Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="call_flow_version_review_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_flow} v{self.number}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    def clean(self) -> None:
        super().clean()
        from discovery.callflow import GraphError, parse_graph

        errors: dict[str, str] = {}
        check_partnership(self, errors)
        if self.call_flow_id and self.call_flow.partnership_id != self.partnership_id:
            errors["call_flow"] = "The call flow belongs to another partnership."
        try:
            parse_graph(self.graph)
        except GraphError as error:
            errors["graph"] = str(error)
        if errors:
            raise ValidationError(errors)
