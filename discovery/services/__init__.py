"""Writes for discovery. Keyword-only, atomic, validated, audited; each takes the actor and
checks the access policy itself (CHANGE_WORK for discovery work, the client executive for
the client's agreements), so pages, the API and tasks share one set of rules.

Discovery records (services, baselines, reports, sessions, goals, current-state call flows)
are frozen while discovery is signed off: reopening, with a reason, unfreezes them.
"""

from discovery.services.callflows import (
    call_flow_create,
    call_flow_delete,
    call_flow_exported,
    call_flow_import,
    call_flow_update,
    call_flow_version_create,
    call_flow_version_review,
)
from discovery.services.inventory import (
    baseline_create,
    baseline_delete,
    baseline_update,
    baselines_import,
    report_create,
    report_delete,
    report_downloaded,
    report_update,
    service_line_create,
    service_line_delete,
    service_line_update,
    session_create,
    session_delete,
    session_update,
)
from discovery.services.kpis import (
    kpi_catalog_ensure,
    kpi_catalog_ready,
    kpi_create,
    kpi_update,
)
from discovery.services.opportunities import (
    opportunity_create,
    opportunity_decide,
    opportunity_implement,
    opportunity_update,
    opportunity_withdraw,
    optimization_gate_check,
)
from discovery.services.signoffs import (
    discovery_cosign,
    discovery_reopen,
    discovery_reopen_request,
    discovery_reopen_request_answer,
    discovery_sign_off,
    goal_create,
    goal_delete,
    goal_update,
    goals_sign_off,
)

__all__ = [
    "baseline_create",
    "baseline_delete",
    "baseline_update",
    "baselines_import",
    "call_flow_create",
    "call_flow_delete",
    "call_flow_exported",
    "call_flow_import",
    "call_flow_update",
    "call_flow_version_create",
    "call_flow_version_review",
    "discovery_cosign",
    "discovery_reopen",
    "discovery_reopen_request",
    "discovery_reopen_request_answer",
    "discovery_sign_off",
    "goal_create",
    "goal_delete",
    "goal_update",
    "goals_sign_off",
    "kpi_catalog_ensure",
    "kpi_catalog_ready",
    "kpi_create",
    "kpi_update",
    "opportunity_create",
    "opportunity_decide",
    "opportunity_implement",
    "opportunity_update",
    "opportunity_withdraw",
    "optimization_gate_check",
    "report_create",
    "report_delete",
    "report_downloaded",
    "report_update",
    "service_line_create",
    "service_line_delete",
    "service_line_update",
    "session_create",
    "session_delete",
    "session_update",
]
