"""The URLconf of the HTTP benchmark (bench/http_settings.py): Switchboard's own routes,
unchanged, and the anchors (bench/http_anchors.py) under /bench/. Production never loads it."""

from django.urls import path

from bench import http_anchors as anchors
from config.urls import handler500
from config.urls import urlpatterns as app_urlpatterns

__all__ = ["handler500", "urlpatterns"]

urlpatterns = [
    *app_urlpatterns,
    path("bench/bare/", anchors.bare, name="bench-bare"),
    path("bench/one-query/<int:pk>/", anchors.one_query, name="bench-one-query"),
    path(
        "bench/template-500/<int:organization_id>/",
        anchors.Template500View.as_view(),
        name="bench-template-500",
    ),
    path(
        "bench/drf-500/<int:organization_id>/",
        anchors.Drf500View.as_view(),
        name="bench-drf-500",
    ),
]
