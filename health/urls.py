"""Health pages, mounted by config/urls.py under /o/<org_slug>/ (namespace "health"): a
partnership's under <partnership_pk>/…, the organization's (alerts, settings) at the top.

Each part keeps its own list, so the parts never edit one another's lines."""

from __future__ import annotations

from django.urls import path  # noqa: F401  (the parts below use it)

app_name = "health"

P = "<int:partnership_pk>/"

# KPI measurements: list, upload (CSV with a dry run)
kpis: list = []
# The issue log with its SLA clocks
issues: list = []
# Call-quality audits
audits: list = []
# Touchpoints and their follow-ups
touchpoints: list = []
# Health checks, the "why" panel, alerts, settings
checks: list = []

urlpatterns = [*kpis, *issues, *audits, *touchpoints, *checks]
