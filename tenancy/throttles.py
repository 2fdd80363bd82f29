"""API throttles keyed on the real client address (`tenancy.clientip`), not on DRF's reading
of X-Forwarded-For, which anyone can vary to get a fresh allowance. Rates come from
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` when the request is made (tests may change them)."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from tenancy.cache import count
from tenancy.clientip import client_ip
from tenancy.logmask import presents_secret
from tenancy.middleware import signed_in


class _RealAddress:
    """A fixed-window counter (one cache increment a request) rather than DRF's list of every
    request's time in the window, which is read and written whole on each request (at 1,200 a
    minute, 1,200 timestamps a request)."""

    def get_ident(self, request):
        return client_ip(request) or "unknown"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{self.key}:{window}"
        hits = count(self.cache, key, int(self.duration) + 1)
        self.wait_seconds = max(1, int((window + 1) * self.duration - now))
        return hits <= self.num_requests

    def wait(self):
        return self.wait_seconds


class AnonThrottle(_RealAddress, AnonRateThrottle):
    """Requests without a signed-in user or a token, per client address."""


class UserThrottle(_RealAddress, UserRateThrottle):
    """Requests of a signed-in user or a token's, per user."""


class FailedAuthThrottleMiddleware:
    """DRF checks throttles after authentication and permissions, so a request with a wrong
    token (401) or none (403) is never throttled by the classes above. This counts those
    answers per client address on the API and, past `API_FAILED_AUTH_LIMIT` in a minute,
    answers 429 before the view runs: guessing tokens costs a minute per few tries."""

    WINDOW = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.core.cache import cache
        from django.http import JsonResponse

        if not request.path.startswith("/api/"):
            return self.get_response(request)
        key = f"api-failed-auth:{client_ip(request) or 'unknown'}"
        limit = getattr(settings, "API_FAILED_AUTH_LIMIT", 20)
        # Only a request that presents a credential someone could guess (a token, a calendar
        # feed key) is refused up front; a session is never guessed (its key is random), so a
        # signed-in call does not pay the read. Every 401/403 counts, whatever it presented.
        guessing = "HTTP_AUTHORIZATION" in request.META or presents_secret(request.path)
        if guessing and (cache.get(key) or 0) >= limit:
            response = JsonResponse(
                {"detail": "Too many failed sign-in attempts from this address; try again later."},
                status=429,
            )
            response["Retry-After"] = str(self.WINDOW)
            return response
        response = self.get_response(request)
        if response.status_code in (401, 403) and not signed_in(request):
            count(cache, key, self.WINDOW)
        return response
