"""Styled error pages with DEBUG off: each says what happened, what to do next and links
home; the 500 page renders without touching the database; a CSRF failure says to reload."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path

import config.urls
from accounts.models import User

pytestmark = pytest.mark.django_db


def _suspicious(request):
    raise SuspiciousOperation("a malformed request")


def _forbidden(request):
    raise PermissionDenied("no")


def _database_down(request):
    User.objects.count()  # the database is unreachable: this raises


# This module is the URLconf of the tests below: the project's routes and handlers, and
# views that fail on purpose.
urlpatterns = [
    path("boom/400/", _suspicious),
    path("boom/403/", _forbidden),
    path("boom/500/", _database_down),
    *config.urls.urlpatterns,
]
handler500 = config.urls.handler500

use_these_urls = pytest.mark.urls(__name__)


@pytest.fixture
def anonymous(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def assert_error_page(response, status: int, heading: str) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert f'<h1 id="error-title">{heading}</h1>' in html
    assert 'href="/"' in html  # a way home
    assert "css/switchboard.css" in html  # styled like the rest of the site
    assert "Traceback" not in html
    return html


def test_404_page(anonymous):
    response = anonymous.get("/no-such-page/")

    html = assert_error_page(response, 404, "Page not found")
    assert "not a member of" in html


def test_404_page_for_a_signed_in_member(client, admin, settings):
    settings.DEBUG = False
    client.force_login(admin.user)

    response = client.get(f"/o/{admin.organization.slug}/999999/")

    assert_error_page(response, 404, "Page not found")
    assert "Sign out" in response.content.decode()  # the usual header, so they can move on


@use_these_urls
def test_400_page(anonymous):
    assert_error_page(anonymous.get("/boom/400/"), 400, "That request could not be understood")


@use_these_urls
def test_403_page(anonymous):
    html = assert_error_page(anonymous.get("/boom/403/"), 403, "You can see this, but not do this")
    assert "Nothing was changed" in html


@use_these_urls
def test_a_database_that_does_not_answer_gets_the_503_page_without_it(anonymous):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    original = connection.cursor
    connection.cursor = unreachable
    try:
        with CaptureQueriesContext(connection) as queries:
            response = anonymous.get("/boom/500/")
    finally:
        connection.cursor = original

    assert len(queries) == 0
    # The database is what failed: 503, saying so, when to retry, and nothing saved.
    html = assert_error_page(response, 503, "Switchboard is briefly unavailable")
    assert response["Retry-After"] == "30"
    assert "This request could not be finished" in html
    assert "could not connect" not in html  # no internals shown


@use_these_urls
def test_500_page_for_a_signed_in_user_needs_no_session_lookup(admin, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(admin.user)

    response = client.get("/boom/500/")

    assert_error_page(response, 500, "Something went wrong on our side")


def test_csrf_failure_says_to_reload(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "someone@example.com", "password": "x"})

    html = assert_error_page(response, 403, "This form has expired")
    assert "Reload the page and try again" in html
    assert "Referer" not in html and "token missing" not in html  # the reason is for logs
