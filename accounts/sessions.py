"""Session time limits: a session ends after `SESSION_IDLE_TIMEOUT` seconds without a request
(30 minutes by default) and `SESSION_ABSOLUTE_TIMEOUT` seconds after sign-in (12 hours),
whatever its activity. A nurse-triage provider's staff share workstations; an unattended
browser must not stay signed in to staff HR data.

The sign-in time and the last activity live in the session itself. The activity is written at
most once a minute, so a busy user's requests do not each save the session.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import urlencode

STARTED = "_sb_started"
SEEN = "_sb_seen"
# Activity is recorded at this resolution: a save of the session at most once a minute.
SEEN_RESOLUTION = 60


@receiver(user_logged_in, dispatch_uid="accounts.sessions.stamp")
def stamp_session(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now


def expired(session, now: float) -> str | None:
    """Why the session has run out ("idle" or "absolute"), or None."""
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:
        return None  # signed in before the limits existed: stamped below, from now on
    if now - started >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if now - seen >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


REASONS = {
    "idle": "You were signed out after {minutes} minutes without activity. Sign in again.",
    "absolute": "Sessions last {hours} hours. Sign in again to go on.",
}


class SessionLimitsMiddleware:
    """After AuthenticationMiddleware: ends a session past either limit before the view runs.

    A page request is sent to the sign-in page (with `next`, and a message saying why); an API
    call made with the session answers 401 like any call without valid credentials."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        # Only a session that holds a signed-in user: the check costs no read otherwise.
        if session.session_key and session.get("_auth_user_id") is not None:
            now = time.time()
            reason = expired(session, now)
            if reason:
                return self.signed_out(request, reason)
            if session.get(STARTED) is None:
                session[STARTED] = int(now)
                session[SEEN] = int(now)
            elif now - session[SEEN] >= SEEN_RESOLUTION:
                session[SEEN] = int(now)
        return self.get_response(request)

    def signed_out(self, request, reason: str):
        logout(request)  # flushes the session: a new key, nothing of the old one kept
        text = REASONS[reason].format(
            minutes=settings.SESSION_IDLE_TIMEOUT // 60,
            hours=settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": text, "code": f"session_{reason}"}, status=401)
            response["WWW-Authenticate"] = 'Session realm="api"'
            return response
        messages.info(request, text)
        login = redirect(settings.LOGIN_URL)
        if request.headers.get("HX-Request"):
            # A fragment asked for by htmx (the bell): the whole page goes to the sign-in
            # page, back to the page the person was on.
            current = request.headers.get("HX-Current-URL", "")
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login["Location"] + (
                "?" + urlencode({"next": urlsplit(current).path}) if current else ""
            )
            return response
        if request.method == "GET":
            login["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return login
