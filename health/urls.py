"""Health pages, mounted by config/urls.py under /o/<org_slug>/ (namespace "health"): a
partnership's under <partnership_pk>/…, the organization's (alerts, settings) at the top.

Each part keeps its own list, so the parts never edit one another's lines."""

from __future__ import annotations

from django.urls import path

from health.views import audits as audit_views
from health.views import checks as check_views
from health.views import issues as issue_views
from health.views import kpis as kpi_views
from health.views import touchpoints as touchpoint_views

app_name = "health"

P = "<int:partnership_pk>/"

# KPI measurements: list, upload (CSV with a dry run)
kpis: list = [
    path(P + "kpis/", kpi_views.KpiListView.as_view(), name="kpis"),
    path(P + "kpis/upload/", kpi_views.KpiUploadView.as_view(), name="kpi-upload"),
]
# The issue log with its SLA clocks
issues: list = [
    path(P + "issues/", issue_views.IssueListView.as_view(), name="issues"),
    path(P + "issues/new/", issue_views.IssueCreateView.as_view(), name="issue-create"),
    path(P + "issues/<int:pk>/", issue_views.IssueDetailView.as_view(), name="issue-detail"),
    path(P + "issues/<int:pk>/edit/", issue_views.IssueEditView.as_view(), name="issue-edit"),
    path(P + "issues/<int:pk>/move/", issue_views.IssueMoveView.as_view(), name="issue-move"),
    path("sla-targets/", issue_views.SlaTargetsView.as_view(), name="sla-targets"),
]
# Call-quality audits
audits: list = [
    path(P + "quality/", audit_views.QualityView.as_view(), name="quality"),
    path(P + "quality/audits/new/", audit_views.AuditFormView.as_view(), name="audit-create"),
    path(P + "quality/audits/<int:pk>/", audit_views.AuditFormView.as_view(), name="audit"),
    path(
        P + "quality/audits/<int:pk>/delete/",
        audit_views.AuditDeleteView.as_view(),
        name="audit-delete",
    ),
]
# Touchpoints and their follow-ups
touchpoints: list = [
    path(P + "touchpoints/", touchpoint_views.TouchpointsView.as_view(), name="touchpoints"),
    path(
        P + "touchpoints/<int:pk>/",
        touchpoint_views.TouchpointEditView.as_view(),
        name="touchpoint",
    ),
    path(
        P + "touchpoints/<int:pk>/delete/",
        touchpoint_views.TouchpointDeleteView.as_view(),
        name="touchpoint-delete",
    ),
    path(
        P + "touchpoints/<int:pk>/follow-ups/",
        touchpoint_views.FollowUpAddView.as_view(),
        name="follow-up-add",
    ),
    path(
        P + "follow-ups/<int:pk>/done/",
        touchpoint_views.FollowUpDoneView.as_view(),
        name="follow-up-done",
    ),
]
# Health checks, the "why" panel, alerts, settings
checks: list = [
    path(P + "health/", check_views.CheckView.as_view(), name="check"),
    path(P + "health/run/", check_views.CheckRunView.as_view(), name="check-run"),
    path("alerts/", check_views.AlertListView.as_view(), name="alerts"),
    path(
        "alerts/<int:pk>/acknowledge/",
        check_views.AlertActionView.as_view(step="acknowledge"),
        name="alert-acknowledge",
    ),
    path(
        "alerts/<int:pk>/snooze/",
        check_views.AlertActionView.as_view(step="snooze"),
        name="alert-snooze",
    ),
]

urlpatterns = [*kpis, *issues, *audits, *touchpoints, *checks]
