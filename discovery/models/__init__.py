"""Discovery (objective 3 of DESIGN.md): what the existing center delivers and how well, its
call flows and reports, the desired patient experience agreed with the client, the sign-off
that closes discovery, and the optimization opportunities that may only follow it.

Every row stores its `organization` (the tenant) and, below the KPI catalog, its
`partnership`, so the access policy scopes it without joins and indexes lead with the tenant.
"""

from discovery.callflow import NodeKind  # the validator's vocabulary, re-exported
from discovery.models.callflows import CallFlow, CallFlowState, CallFlowVersion
from discovery.models.engagement import (
    DiscoveryReopenRequest,
    DiscoverySession,
    DiscoverySignOff,
    Effort,
    ExperienceGoal,
    GoalPriority,
    GoalSignOff,
    Opportunity,
    OpportunityStatus,
    ReopenRequestStatus,
)
from discovery.models.inventory import (
    KpiBaseline,
    ReportFileKind,
    ReviewedReport,
    ServiceKind,
    ServiceLine,
)
from discovery.models.kpis import DEFAULT_KPI_CATALOG, KpiDefinition, KpiDirection, KpiUnit

__all__ = [
    "DEFAULT_KPI_CATALOG",
    "CallFlow",
    "CallFlowState",
    "CallFlowVersion",
    "DiscoveryReopenRequest",
    "DiscoverySession",
    "DiscoverySignOff",
    "Effort",
    "ExperienceGoal",
    "GoalPriority",
    "GoalSignOff",
    "KpiBaseline",
    "KpiDefinition",
    "KpiDirection",
    "KpiUnit",
    "NodeKind",
    "Opportunity",
    "OpportunityStatus",
    "ReopenRequestStatus",
    "ReportFileKind",
    "ReviewedReport",
    "ServiceKind",
    "ServiceLine",
]
