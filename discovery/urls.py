"""Discovery pages, mounted by config/urls.py under /o/<org_slug>/: a partnership's discovery
under <partnership_pk>/discovery/, and the organization's KPI catalog under kpis/."""

from __future__ import annotations

from django.urls import include, path

from discovery import views

app_name = "discovery"

call_flows = [
    path("", views.CallFlowListView.as_view(), name="callflows"),
    path("new/", views.CallFlowCreateView.as_view(), name="callflow-create"),
    path("import/", views.CallFlowImportView.as_view(), name="callflow-import"),
    path("<int:pk>/", views.CallFlowDetailView.as_view(), name="callflow-detail"),
    path("<int:pk>/edit/", views.CallFlowEditView.as_view(), name="callflow-edit"),
    path("<int:pk>/nodes/", views.CallFlowAddNodeView.as_view(), name="callflow-add-node"),
    path("<int:pk>/edges/", views.CallFlowAddEdgeView.as_view(), name="callflow-add-edge"),
    path("<int:pk>/remove/", views.CallFlowRemoveView.as_view(), name="callflow-remove"),
    path("<int:pk>/review/", views.CallFlowReviewView.as_view(), name="callflow-review"),
    path("<int:pk>/compare/", views.CallFlowDiffView.as_view(), name="callflow-diff"),
    path("<int:pk>/export/", views.CallFlowExportView.as_view(), name="callflow-export"),
    path(
        "<int:pk>/import/",
        views.CallFlowVersionImportView.as_view(),
        name="callflow-import-version",
    ),
    path("<int:pk>/delete/", views.CallFlowDeleteView.as_view(), name="callflow-delete"),
]

discovery = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("sign-off/", views.SignOffView.as_view(), name="sign-off"),
    path("co-sign/", views.CosignView.as_view(), name="cosign"),
    path("reopen/", views.ReopenView.as_view(), name="reopen"),
    path("reopen/request/", views.ReopenRequestView.as_view(), name="reopen-request"),
    path(
        "reopen/requests/<int:pk>/answer/",
        views.ReopenRequestAnswerView.as_view(),
        name="reopen-request-answer",
    ),
    path("services/new/", views.ServiceCreateView.as_view(), name="service-create"),
    path("services/<int:pk>/edit/", views.ServiceUpdateView.as_view(), name="service-update"),
    path("services/<int:pk>/delete/", views.ServiceDeleteView.as_view(), name="service-delete"),
    path("baselines/new/", views.BaselineCreateView.as_view(), name="baseline-create"),
    path("baselines/import/", views.BaselineImportView.as_view(), name="baseline-import"),
    path("baselines/<int:pk>/edit/", views.BaselineUpdateView.as_view(), name="baseline-update"),
    path("baselines/<int:pk>/delete/", views.BaselineDeleteView.as_view(), name="baseline-delete"),
    path("reports/new/", views.ReportCreateView.as_view(), name="report-create"),
    path("reports/<int:pk>/edit/", views.ReportUpdateView.as_view(), name="report-update"),
    path("reports/<int:pk>/delete/", views.ReportDeleteView.as_view(), name="report-delete"),
    path("reports/<int:pk>/download/", views.ReportDownloadView.as_view(), name="report-download"),
    path("sessions/new/", views.SessionCreateView.as_view(), name="session-create"),
    path("sessions/<int:pk>/edit/", views.SessionUpdateView.as_view(), name="session-update"),
    path("sessions/<int:pk>/delete/", views.SessionDeleteView.as_view(), name="session-delete"),
    path("goals/new/", views.GoalCreateView.as_view(), name="goal-create"),
    path("goals/sign-off/", views.GoalsSignOffView.as_view(), name="goals-sign-off"),
    path("goals/<int:pk>/edit/", views.GoalUpdateView.as_view(), name="goal-update"),
    path("goals/<int:pk>/delete/", views.GoalDeleteView.as_view(), name="goal-delete"),
    path("opportunities/new/", views.OpportunityCreateView.as_view(), name="opportunity-create"),
    path(
        "opportunities/<int:pk>/edit/",
        views.OpportunityUpdateView.as_view(),
        name="opportunity-update",
    ),
    path(
        "opportunities/<int:pk>/decide/",
        views.OpportunityDecideView.as_view(),
        name="opportunity-decide",
    ),
    path(
        "opportunities/<int:pk>/implement/",
        views.OpportunityImplementView.as_view(),
        name="opportunity-implement",
    ),
    path(
        "opportunities/<int:pk>/withdraw/",
        views.OpportunityWithdrawView.as_view(),
        name="opportunity-withdraw",
    ),
    path("call-flows/", include(call_flows)),
]

urlpatterns = [
    path("kpis/", views.KpiListView.as_view(), name="kpis"),
    path("kpis/new/", views.KpiCreateView.as_view(), name="kpi-create"),
    path("kpis/<int:pk>/edit/", views.KpiUpdateView.as_view(), name="kpi-update"),
    path("<int:partnership_pk>/discovery/", include(discovery)),
]
