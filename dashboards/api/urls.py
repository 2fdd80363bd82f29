"""Dashboard routes, mounted by config/api_urls.py under `orgs/<slug:org_slug>/`: `portfolio/`
(the account manager's portfolio, the page's twin)."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from dashboards.api.views import PortfolioViewSet

router = SimpleRouter()
router.register("portfolio", PortfolioViewSet, basename="dashboards-portfolio")

urlpatterns = router.urls
