"""API routes of a partnership's culture, mounted by config/api_urls.py under
`orgs/<slug:org_slug>/` (namespace "api"): everything lives under
`partnerships/<int:partnership_pk>/`."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from culture.api import views

router = SimpleRouter()
router.register("caller-populations", views.CallerPopulationViewSet, basename="caller-population")
router.register("adaptations", views.AdaptationViewSet, basename="adaptation")
router.register("nurse-team", views.NurseViewSet, basename="nurse")
router.register(
    "physician-preferences", views.PhysicianPreferenceViewSet, basename="physician-preference"
)
router.register("satisfaction", views.SatisfactionResultViewSet, basename="satisfaction-result")

partnership = [
    path(
        "culture/",
        views.CultureProfileViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update"}
        ),
        name="culture-profile",
    ),
    path(
        "culture-readiness/",
        views.CultureReadinessViewSet.as_view({"get": "retrieve"}),
        name="culture-readiness",
    ),
    *router.urls,
]

urlpatterns = [path("partnerships/<int:partnership_pk>/", include(partnership))]
