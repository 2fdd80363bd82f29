"""Health routes, mounted by config/api_urls.py under `orgs/<slug:org_slug>/` (namespace
"api"). Organization-wide: kpi-measurements/ (bulk upsert), health/, alerts/,
health-settings/. Per partnership, under partnerships/<partnership_pk>/: kpi-measurements/,
issues/, audits/, touchpoints/, health-checks/, parity/.

Each part registers its viewsets in its own block."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

org_router = SimpleRouter()
partnership_router = SimpleRouter()

# --- KPI measurements ---
# --- Issues ---
# --- Audits ---
# --- Touchpoints ---
# --- Health checks, alerts, settings, parity ---

urlpatterns = [
    path("", include(org_router.urls)),
    path("partnerships/<int:partnership_pk>/", include(partnership_router.urls)),
]
