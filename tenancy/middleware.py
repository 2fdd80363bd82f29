"""Responses for a signed-in member (pages, API, exports, the calendar feed) are never kept
by a browser or a shared cache: they carry staff HR data and patient-related operations.
`Cache-Control: no-store` unless the view set its own caching (static files are served by
WhiteNoise before this runs)."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject, empty


class NoStoreForMembersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = signed_in(request) or _calendar_feed(request)
        if personal and "Cache-Control" not in response:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response


def signed_in(request) -> bool:
    """Whether the request was answered for a signed-in user, without reading the session or
    the user when the view never asked who it was (a view that did not is not personal)."""
    user = request.__dict__.get("user")
    if user is None:
        return False
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return False
    return bool(user.is_authenticated)


def _calendar_feed(request) -> bool:
    """The calendar feed is fetched with a secret key and no session."""
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name and "calendar" in match.url_name)
