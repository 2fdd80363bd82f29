"""Member routes, mounted by config/api_urls.py under `orgs/<slug:org_slug>/` (namespace
"api"). `me/` is not an organization's, so config mounts it at the top."""

from rest_framework.routers import SimpleRouter

from accounts.api.views import MemberViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")

urlpatterns = router.urls
