"""Discovery API routes, included by config/api_urls.py under `orgs/<slug:org_slug>/`
(namespace "api"): the KPI catalog, and a partnership's discovery under
`partnerships/<int:partnership_pk>/`."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from discovery.api import views

organization = SimpleRouter()
organization.register("kpis", views.KpiViewSet, basename="kpi")

partnership = SimpleRouter()
partnership.register("services", views.ServiceLineViewSet, basename="service")
partnership.register("baselines", views.BaselineViewSet, basename="baseline")
partnership.register("reports", views.ReportViewSet, basename="report")
partnership.register("call-flows", views.CallFlowViewSet, basename="call-flow")
partnership.register("sessions", views.SessionViewSet, basename="discovery-session")
partnership.register("experience-goals", views.ExperienceGoalViewSet, basename="experience-goal")
partnership.register("discovery", views.DiscoveryViewSet, basename="discovery")
partnership.register(
    "discovery-reopen-requests",
    views.DiscoveryReopenRequestViewSet,
    basename="discovery-reopen-request",
)
partnership.register("opportunities", views.OpportunityViewSet, basename="opportunity")

urlpatterns = [
    *organization.urls,
    path("partnerships/<int:partnership_pk>/", include(partnership.urls)),
]
