"""The discovery API: `/api/v1/orgs/<org_slug>/kpis/` and, under
`/api/v1/orgs/<org_slug>/partnerships/<partnership_pk>/`: services, baselines, reports,
call-flows, sessions, experience-goals, discovery and opportunities.

Order of checks in every handler: the organization and the partnership resolve (404 when
missing or not visible, same message), then the object (404), then the role (403), then the
state (409: the gate, frozen discovery), then the input (400 naming the field). Writes go
input serializer → service → output serializer.
"""

from discovery.api.views.callflows import CallFlowViewSet
from discovery.api.views.inventory import (
    BaselineViewSet,
    KpiViewSet,
    ReportViewSet,
    ServiceLineViewSet,
    SessionViewSet,
)
from discovery.api.views.signoffs import (
    DiscoveryReopenRequestViewSet,
    DiscoveryViewSet,
    ExperienceGoalViewSet,
    OpportunityViewSet,
)

__all__ = [
    "BaselineViewSet",
    "CallFlowViewSet",
    "DiscoveryReopenRequestViewSet",
    "DiscoveryViewSet",
    "ExperienceGoalViewSet",
    "KpiViewSet",
    "OpportunityViewSet",
    "ReportViewSet",
    "ServiceLineViewSet",
    "SessionViewSet",
]
