"""Project-wide error views (`handler500` in config/urls.py, `CSRF_FAILURE_VIEW`)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

# Seconds a client is told to wait when the database is down.
RETRY_AFTER = 30


def server_error(request, template_name: str = "500.html"):
    """The 500 page, rendered without the request: no context processor, no session or user
    lookup, so it shows even when the database is what failed.

    When the database is what failed (it is restarting, or unreachable), 503 instead, saying
    so and when to retry, as JSON on the API. Called while the exception is being handled,
    wherever it was raised (a view, the session or authentication middleware). The request's
    transaction died with the connection, so nothing of it was written; Django opens a new
    connection at the next request, so the app recovers by itself."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(request)
    return HttpResponseServerError(loader.get_template(template_name).render())


def database_unavailable(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": "The database is not answering; the request could not be finished."
                " Retry shortly, after checking whether a change you sent is there.",
                "code": "database_unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def csrf_failure(request, reason: str = "", template_name: str = "403_csrf.html"):
    """A form posted without a valid CSRF token (a page open too long, cookies blocked): a
    page that says to reload and try again (the reason is for logs, not for people)."""
    return render(request, template_name, status=403)
