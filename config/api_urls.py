"""/api/v1/: `me/`, and every app's tenant routes under `orgs/<org_slug>/`.

Every app keeps its API routes in `<app>/api/urls.py` and is mounted the same way."""

from django.urls import include, path

from accounts.api.views import MeView

ORG = "orgs/<slug:org_slug>/"

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path(ORG, include("accounts.api.urls")),
    path(ORG, include("partnerships.api.urls")),
    path(ORG, include("culture.api.urls")),
    path(ORG, include("discovery.api.urls")),
    path(ORG, include("transition.api.urls")),
    path(ORG, include("health.api.urls")),
    path(ORG, include("dashboards.api.urls")),
]
