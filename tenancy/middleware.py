"""Responses for a signed-in member (pages, API, exports, the calendar feed) are never kept
by a browser or a shared cache: they carry staff HR data and patient-related operations.
The calendar feed, fetched with its key, counts: its authentication signs the key's owner in.
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
        if signed_in(request) and "Cache-Control" not in response:
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
