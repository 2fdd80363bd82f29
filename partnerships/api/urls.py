"""Partnership and client routes, mounted by config/api_urls.py under `orgs/<slug:org_slug>/`
(namespace "api")."""

from rest_framework.routers import SimpleRouter

from partnerships.api.views import ClientViewSet, PartnershipViewSet

router = SimpleRouter()
router.register("partnerships", PartnershipViewSet, basename="partnership")
router.register("clients", ClientViewSet, basename="client")

urlpatterns = router.urls
