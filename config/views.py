"""Project-wide error views (`handler500` in config/urls.py, `CSRF_FAILURE_VIEW`)."""

from __future__ import annotations

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def server_error(request, template_name: str = "500.html"):
    """The 500 page, rendered without the request: no context processor, no session or user
    lookup, so it shows even when the database is what failed."""
    return HttpResponseServerError(loader.get_template(template_name).render())


def csrf_failure(request, reason: str = "", template_name: str = "403_csrf.html"):
    """A form posted without a valid CSRF token (a page open too long, cookies blocked): a
    page that says to reload and try again (the reason is for logs, not for people)."""
    return render(request, template_name, status=403)
