"""Home pages, mounted by config/urls.py under /o/<org_slug>/ (namespace "dashboards")."""

from __future__ import annotations

from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("home/", views.HomeView.as_view(), name="home"),
    path("portfolio/", views.PortfolioView.as_view(), name="portfolio"),
    path("audit/", views.AuditTrailView.as_view(), name="audit"),
]
