from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

handler500 = "config.views.server_error"  # rendered without the database or the request


def healthz(request):
    """Liveness for load balancers and docker-compose."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", include("accounts.urls")),
    path("o/<slug:org_slug>/", include("partnerships.urls")),
    path("o/<slug:org_slug>/", include("accounts.org_urls")),
    path("o/<slug:org_slug>/", include("discovery.urls")),
    path("o/<slug:org_slug>/", include("culture.urls")),
    path("o/<slug:org_slug>/", include("transition.urls")),
    path("o/<slug:org_slug>/", include("health.urls")),
    path("o/<slug:org_slug>/", include("dashboards.urls")),
    path("o/<slug:org_slug>/", include("tenancy.jobs")),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
