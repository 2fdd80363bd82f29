"""A URLconf without the partnership pages (tests/tenancy/test_fast_url.py)."""

from django.urls import include, path

urlpatterns = [path("", include("accounts.urls"))]
