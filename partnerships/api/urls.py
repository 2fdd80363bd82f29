"""Partnership and client routes, mounted by config/api_urls.py under `orgs/<slug:org_slug>/`
(namespace "api")."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from partnerships.api.views import ClientViewSet, CommentViewSet, PartnershipViewSet

router = SimpleRouter()
router.register("partnerships", PartnershipViewSet, basename="partnership")
router.register("clients", ClientViewSet, basename="client")

partnership = SimpleRouter()
partnership.register("comments", CommentViewSet, basename="comment")

urlpatterns = [
    *router.urls,
    path("partnerships/<int:partnership_pk>/", include(partnership.urls)),
]
