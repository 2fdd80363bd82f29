"""/api/v1/: `me/` and every tenant resource under `orgs/<org_slug>/`."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from accounts.api.views import MemberViewSet, MeView
from partnerships.api.views import ClientViewSet, PartnershipViewSet

router = SimpleRouter()
router.register("partnerships", PartnershipViewSet, basename="partnership")
router.register("clients", ClientViewSet, basename="client")
router.register("members", MemberViewSet, basename="member")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("orgs/<slug:org_slug>/", include(router.urls)),
    path(
        "orgs/<slug:org_slug>/partnerships/<int:partnership_pk>/",
        include("culture.urls"),
    ),
    path("orgs/<slug:org_slug>/", include("discovery.api.urls")),
    path("", include("transition.api.urls")),
]
