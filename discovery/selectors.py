"""Reads for discovery: the KPI catalog, the discovery checklist and the optimization gate,
call-flow exports. Each runs a fixed number of queries, whatever the size of the data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from discovery.callflow import DOCUMENT_FORMAT, parse_graph
from discovery.models import (
    CallFlow,
    CallFlowState,
    CallFlowVersion,
    DiscoveryReopenRequest,
    DiscoverySession,
    DiscoverySignOff,
    ExperienceGoal,
    GoalSignOff,
    KpiDefinition,
    Opportunity,
    OpportunityStatus,
    ReviewedReport,
    ServiceLine,
)
from tenancy import access


def kpi_catalog(*, membership) -> QuerySet[KpiDefinition]:
    """The organization's KPIs (`services.kpi_catalog_ready` puts the default ones in place
    on first use)."""
    return access.visible(membership, KpiDefinition).order_by("position", "name")


# --- The discovery checklist ---------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    done: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]

    def as_dict(self) -> dict[str, Any]:
        return {"complete": self.complete, "items": [item.as_dict() for item in self.items]}


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _services_item(partnership) -> ChecklistItem:
    services = list(
        ServiceLine.objects.filter(partnership=partnership)
        .annotate(baseline_count=Count("baselines"))
        .order_by("name")
        .values_list("name", "baseline_count")
    )
    label = "Services inventoried with baselines"
    if not services:
        return ChecklistItem("services_with_baselines", label, False, "No service inventoried.")
    without = [name for name, count in services if count == 0]
    if without:
        return ChecklistItem(
            "services_with_baselines", label, False, f"No baseline yet for {_names(without)}."
        )
    return ChecklistItem("services_with_baselines", label, True, f"{len(services)} service(s).")


def _call_flows_item(partnership) -> ChecklistItem:
    label = "Every current-state call flow reviewed and valid"
    flows = list(
        CallFlow.objects.filter(partnership=partnership, state=CallFlowState.CURRENT)
        .order_by("name")
        .values_list("name", "latest_version__is_valid", "latest_version__reviewed_at")
    )
    if not flows:
        return ChecklistItem("call_flows_reviewed", label, False, "No current-state call flow.")
    invalid = [name for name, valid, _ in flows if not valid]
    unreviewed = [name for name, valid, reviewed in flows if valid and reviewed is None]
    details = []
    if invalid:
        details.append(f"Not valid (or no version): {_names(invalid)}.")
    if unreviewed:
        details.append(f"Not reviewed: {_names(unreviewed)}.")
    if details:
        return ChecklistItem("call_flows_reviewed", label, False, " ".join(details))
    return ChecklistItem("call_flows_reviewed", label, True, f"{len(flows)} call flow(s).")


def _reports_item(partnership) -> ChecklistItem:
    label = "Reports reviewed, with findings"
    counts = ReviewedReport.objects.filter(partnership=partnership).aggregate(
        total=Count("id"), without=Count("id", filter=Q(findings=""))
    )
    if not counts["total"]:
        return ChecklistItem("reports_reviewed", label, False, "No report reviewed.")
    if counts["without"]:
        return ChecklistItem(
            "reports_reviewed", label, False, f"{counts['without']} report(s) without findings."
        )
    return ChecklistItem("reports_reviewed", label, True, f"{counts['total']} report(s).")


def _sessions_item(partnership) -> ChecklistItem:
    label = "Discovery session with the client held"
    count = DiscoverySession.objects.filter(partnership=partnership).count()
    if not count:
        return ChecklistItem("sessions_held", label, False, "No discovery session recorded.")
    return ChecklistItem("sessions_held", label, True, f"{count} session(s).")


def _goals_item(partnership) -> ChecklistItem:
    label = "Desired patient experience goals defined and signed off by the client"
    count = ExperienceGoal.objects.filter(partnership=partnership).count()
    if not count:
        return ChecklistItem("goals_signed_off", label, False, "No experience goal defined.")
    sign_off = (
        GoalSignOff.objects.filter(partnership=partnership, superseded_at__isnull=True)
        .select_related("signed_by")
        .first()
    )
    if sign_off is None:
        return ChecklistItem(
            "goals_signed_off", label, False, f"{count} goal(s), not signed off by the client."
        )
    return ChecklistItem(
        "goals_signed_off",
        label,
        True,
        f"{count} goal(s), signed off by {sign_off.signed_by} on {sign_off.signed_at:%Y-%m-%d}.",
    )


def discovery_checklist(*, partnership) -> Checklist:
    """What discovery needs before it can be signed off, each item with what is missing."""
    return Checklist(
        items=(
            _services_item(partnership),
            _call_flows_item(partnership),
            _reports_item(partnership),
            _sessions_item(partnership),
            _goals_item(partnership),
        )
    )


def discovery_open_sign_off(*, partnership) -> DiscoverySignOff | None:
    """The sign-off in force (not reopened), if any."""
    return (
        DiscoverySignOff.objects.filter(partnership=partnership, reopened_at__isnull=True)
        .select_related("signed_by", "cosigned_by")
        .first()
    )


def discovery_sign_off_history(*, partnership) -> QuerySet[DiscoverySignOff]:
    return DiscoverySignOff.objects.filter(partnership=partnership).select_related(
        "signed_by", "cosigned_by", "reopened_by"
    )


def discovery_reopen_requests(*, membership, partnership) -> QuerySet[DiscoveryReopenRequest]:
    """The client's requests to reopen discovery, newest first, as `membership` sees them."""
    return (
        access.visible(membership, DiscoveryReopenRequest)
        .filter(partnership=partnership)
        .select_related("requested_by", "answered_by")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class DiscoveryStatus:
    checklist: Checklist
    sign_off: DiscoverySignOff | None

    @property
    def signed_off(self) -> bool:
        return self.sign_off is not None

    @property
    def cosigned(self) -> bool:
        return self.sign_off is not None and self.sign_off.is_cosigned

    @property
    def gate_missing(self) -> list[ChecklistItem]:
        """Why optimization opportunities cannot be proposed yet (empty: they can)."""
        if self.sign_off is not None:
            # Discovery records are frozen while signed off, so the checklist is as signed.
            missing = []
        else:
            missing = list(self.checklist.missing)
            missing.append(
                ChecklistItem(
                    "discovery_signed_off",
                    "Discovery signed off by the account manager",
                    False,
                    "Discovery is not signed off.",
                )
            )
        if not self.cosigned:
            missing.append(
                ChecklistItem(
                    "discovery_cosigned",
                    "Discovery sign-off co-signed by the client executive",
                    False,
                    "The client has not co-signed the discovery sign-off.",
                )
            )
        return missing

    @property
    def gate_open(self) -> bool:
        return not self.gate_missing


def discovery_status(*, partnership) -> DiscoveryStatus:
    sign_off = discovery_open_sign_off(partnership=partnership)
    if sign_off is not None:
        # Frozen since the sign-off: show the checklist as it was signed.
        checklist = Checklist(
            items=tuple(ChecklistItem(**item) for item in sign_off.checklist.get("items", []))
        )
    else:
        checklist = discovery_checklist(partnership=partnership)
    return DiscoveryStatus(checklist=checklist, sign_off=sign_off)


def optimization_gate_missing(*, partnership) -> list[ChecklistItem]:
    """Empty when opportunities may be proposed: discovery signed off, co-signed, not
    reopened."""
    return discovery_status(partnership=partnership).gate_missing


# --- Call flows ----------------------------------------------------------------------------


def call_flow_version_get(*, call_flow: CallFlow, number: int | None) -> CallFlowVersion | None:
    """A version of the flow by number, or its latest."""
    versions = CallFlowVersion.objects.filter(call_flow=call_flow).select_related(
        "created_by", "reviewed_by"
    )
    if number is None:
        return versions.order_by("-number").first()
    return versions.filter(number=number).first()


def call_flow_export(*, version: CallFlowVersion) -> dict[str, Any]:
    """The document `call_flow_import` and `call_flow_version_create` read back."""
    call_flow = version.call_flow
    return {
        "format": DOCUMENT_FORMAT,
        "call_flow": {
            "name": call_flow.name,
            "state": call_flow.state,
            "service": call_flow.service_line.name,
            "description": call_flow.description,
        },
        "version": {"number": version.number, "note": version.note},
        "graph": parse_graph(version.graph).as_document(),
    }


# --- What waits on the client (the client executive's home page) ------------------------


def awaiting_client(*, membership) -> list[dict[str, Any]]:
    """What the client's executive is asked for, across the partnerships the member sees: a
    discovery sign-off to co-sign, experience goals to sign off (goals and no standing
    sign-off), optimization opportunities to decide. Three queries. Each item: `kind`,
    `partnership_id`, `partnership_name`, `object_id`, `title`, `since`."""
    items: list[dict[str, Any]] = []
    sign_offs = (
        access.visible(membership, DiscoverySignOff)
        .filter(reopened_at__isnull=True, cosigned_at__isnull=True)
        .order_by("signed_at")
        .values("id", "partnership_id", "partnership__name", "signed_at")
    )
    for row in sign_offs:
        items.append(
            {
                "kind": "cosign_discovery",
                "partnership_id": row["partnership_id"],
                "partnership_name": row["partnership__name"],
                "object_id": row["id"],
                "title": "Co-sign the discovery sign-off",
                "since": row["signed_at"],
            }
        )
    signed = access.visible(membership, GoalSignOff).filter(superseded_at__isnull=True)
    goals = (
        access.visible(membership, ExperienceGoal)
        .exclude(partnership_id__in=signed.values("partnership_id"))
        .order_by()
        .values("partnership_id", "partnership__name")
        .annotate(n=Count("id"), since=Max("created_at"))
        .order_by("partnership__name")
    )
    for row in goals:
        noun = "goal" if row["n"] == 1 else "goals"
        items.append(
            {
                "kind": "sign_off_goals",
                "partnership_id": row["partnership_id"],
                "partnership_name": row["partnership__name"],
                "object_id": None,
                "title": f"Sign off {row['n']} desired-experience {noun}",
                "since": row["since"],
            }
        )
    opportunities = (
        access.visible(membership, Opportunity)
        .filter(status=OpportunityStatus.PROPOSED)
        .order_by("created_at", "id")
        .values("id", "partnership_id", "partnership__name", "title", "created_at")
    )
    for row in opportunities:
        items.append(
            {
                "kind": "decide_opportunity",
                "partnership_id": row["partnership_id"],
                "partnership_name": row["partnership__name"],
                "object_id": row["id"],
                "title": f"Decide on the opportunity “{row['title']}”",
                "since": row["created_at"],
            }
        )
    return items
