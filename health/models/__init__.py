"""The health app's models, one module per part (each imported here for Django)."""

from health.models.audits import Answer, CallAudit, TriageError
from health.models.checks import Alert, AlertKind, Band, HealthCheck, HealthSettings, Trend
from health.models.issues import Issue, IssueStatus, IssueStatusChange, Severity, SlaTarget
from health.models.kpis import KpiMeasurement, MeasurementSource
from health.models.touchpoints import FollowUp, Touchpoint, TouchpointKind

__all__ = [
    "Alert",
    "AlertKind",
    "Answer",
    "Band",
    "CallAudit",
    "FollowUp",
    "HealthCheck",
    "HealthSettings",
    "Issue",
    "IssueStatus",
    "IssueStatusChange",
    "KpiMeasurement",
    "MeasurementSource",
    "Severity",
    "SlaTarget",
    "Touchpoint",
    "TouchpointKind",
    "Trend",
    "TriageError",
]
