"""Forms for the discovery pages (see discovery/forms/base.py for what they may do)."""

from __future__ import annotations

from discovery.forms.base import DiscoveryForm
from discovery.forms.callflows import (
    AddEdgeForm,
    AddNodeForm,
    CallFlowDetailsForm,
    CallFlowForm,
    CallFlowImportForm,
    GraphForm,
    RemoveForm,
    VersionImportForm,
)
from discovery.forms.kpis import KpiForm
from discovery.forms.records import (
    BaselineForm,
    BaselineImportForm,
    DecisionForm,
    GoalForm,
    NoteForm,
    OpportunityForm,
    ReopenAnswerForm,
    ReopenForm,
    ReopenRequestForm,
    ReportForm,
    ReportUploadForm,
    ServiceLineForm,
    SessionForm,
)

__all__ = [
    "AddEdgeForm",
    "AddNodeForm",
    "BaselineForm",
    "BaselineImportForm",
    "CallFlowDetailsForm",
    "CallFlowForm",
    "CallFlowImportForm",
    "DecisionForm",
    "DiscoveryForm",
    "GoalForm",
    "GraphForm",
    "KpiForm",
    "NoteForm",
    "OpportunityForm",
    "RemoveForm",
    "ReopenAnswerForm",
    "ReopenForm",
    "ReopenRequestForm",
    "ReportForm",
    "ReportUploadForm",
    "ServiceLineForm",
    "SessionForm",
    "VersionImportForm",
]
