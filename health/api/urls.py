"""Health routes, mounted by config/api_urls.py under `orgs/<slug:org_slug>/` (namespace
"api"). Organization-wide: kpi-measurements/ (bulk upsert), health/, alerts/,
health-settings/. Per partnership, under partnerships/<partnership_pk>/: kpi-measurements/,
issues/, audits/, touchpoints/, health-checks/, parity/.

Each part registers its viewsets in its own block."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from health.api.audits import AuditViewSet
from health.api.checks import (
    AlertViewSet,
    HealthCheckViewSet,
    HealthOverviewViewSet,
    HealthSettingsViewSet,
    ParityViewSet,
)
from health.api.issues import IssueViewSet, SlaTargetViewSet
from health.api.kpis import MeasurementBulkViewSet, MeasurementViewSet
from health.api.touchpoints import FollowUpViewSet, TouchpointViewSet

org_router = SimpleRouter()
partnership_router = SimpleRouter()

# --- KPI measurements ---
org_router.register(
    "kpi-measurements", MeasurementBulkViewSet, basename="health-kpi-measurement-bulk"
)
partnership_router.register(
    "kpi-measurements", MeasurementViewSet, basename="health-kpi-measurement"
)
# --- Issues ---
partnership_router.register("issues", IssueViewSet, basename="health-issue")
org_router.register("sla-targets", SlaTargetViewSet, basename="health-sla-target")
# --- Audits ---
partnership_router.register("audits", AuditViewSet, basename="health-audit")
# --- Touchpoints ---
partnership_router.register("touchpoints", TouchpointViewSet, basename="health-touchpoint")
partnership_router.register("follow-ups", FollowUpViewSet, basename="health-follow-up")
# --- Health checks, alerts, settings, parity ---
org_router.register("health", HealthOverviewViewSet, basename="health-overview")
org_router.register("alerts", AlertViewSet, basename="health-alert")
org_router.register("health-settings", HealthSettingsViewSet, basename="health-settings")
partnership_router.register("health-checks", HealthCheckViewSet, basename="health-check")
partnership_router.register("parity", ParityViewSet, basename="health-parity")

urlpatterns = [
    path("", include(org_router.urls)),
    path("partnerships/<int:partnership_pk>/", include(partnership_router.urls)),
]
