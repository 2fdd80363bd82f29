"""Home pages, mounted by config/urls.py under /o/<org_slug>/ (namespace "dashboards")."""

from __future__ import annotations

from django.urls import path

from dashboards import views

app_name = "dashboards"

P = "<int:partnership_pk>/"

urlpatterns = [
    path(P + "summary/", views.SummaryView.as_view(), name="summary"),
    path(P + "offboarding/", views.OffboardingView.as_view(), name="offboarding"),
    path(P + "summary/pdf/", views.SummaryPdfCreateView.as_view(), name="summary-pdf-create"),
    path(P + "summary/pdf/<int:pk>/", views.SummaryPdfView.as_view(), name="summary-pdf"),
    path(
        P + "summary/pdf/<int:pk>/download/",
        views.SummaryPdfDownloadView.as_view(),
        name="summary-pdf-download",
    ),
    path("home/", views.HomeView.as_view(), name="home"),
    path("portfolio/", views.PortfolioView.as_view(), name="portfolio"),
    path("audit/", views.AuditTrailView.as_view(), name="audit"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("jobs/health-checks/", views.HealthChecksAllView.as_view(), name="health-checks-all"),
    path("notifications/count/", views.NotificationCountView.as_view(), name="notification-count"),
    path(
        "notifications/read-all/",
        views.NotificationReadAllView.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/<int:pk>/open/",
        views.NotificationOpenView.as_view(),
        name="notification-open",
    ),
]
