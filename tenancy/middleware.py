"""Responses for a signed-in member (pages, API, exports, the calendar feed) are never kept
by a browser or a shared cache: they carry staff HR data and patient-related operations.
`Cache-Control: no-store` unless the view set its own caching (static files are served by
WhiteNoise before this runs)."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreForMembersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = bool(user is not None and user.is_authenticated) or _calendar_feed(request)
        if personal and "Cache-Control" not in response:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response


def _calendar_feed(request) -> bool:
    """The calendar feed is fetched with a secret key and no session."""
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name and "calendar" in match.url_name)
