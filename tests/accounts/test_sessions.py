"""Sessions end after 30 minutes without a request and 12 hours after sign-in."""

from __future__ import annotations

import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.sessions import SEEN, STARTED

pytestmark = pytest.mark.django_db


def signed_in(client, membership):
    client.force_login(membership.user)
    return client


def age_session(client, *, started_ago: float, seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[STARTED] = int(now - started_ago)
    session[SEEN] = int(now - seen_ago)
    session.save()


def home(org):
    return reverse("dashboards:home", kwargs={"org_slug": org.slug})


def test_signing_in_stamps_the_session(client, account_manager):
    signed_in(client, account_manager)
    session = client.session
    assert abs(session[STARTED] - time.time()) < 5
    assert session[SEEN] == session[STARTED]


def test_an_active_session_goes_on(client, account_manager, org_a):
    signed_in(client, account_manager)
    age_session(client, started_ago=11 * 3600, seen_ago=29 * 60)
    response = client.get(home(org_a))
    assert response.status_code == 200
    # The request counted as activity: the idle clock starts again.
    assert time.time() - client.session[SEEN] < 5


def test_thirty_minutes_idle_signs_out_with_the_reason(client, account_manager, org_a):
    signed_in(client, account_manager)
    old_key = client.session.session_key
    age_session(client, started_ago=3600, seen_ago=30 * 60 + 1)
    response = client.get(home(org_a) + "?period=28")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert "period%3D28" in response["Location"]
    text = [str(m) for m in get_messages(response.wsgi_request)]
    assert text == ["You were signed out after 30 minutes without activity. Sign in again."]
    # Signed out for good: the old session key opens nothing any more.
    assert client.session.session_key != old_key
    assert "_auth_user_id" not in client.session
    assert client.get(home(org_a)).status_code == 302


def test_twelve_hours_after_sign_in_ends_even_a_busy_session(client, account_manager, org_a):
    signed_in(client, account_manager)
    age_session(client, started_ago=12 * 3600 + 1, seen_ago=10)
    response = client.get(home(org_a))
    assert response.status_code == 302
    text = [str(m) for m in get_messages(response.wsgi_request)]
    assert text == ["Sessions last 12 hours. Sign in again to go on."]


def test_an_expired_session_on_the_api_answers_401(client, account_manager, org_a):
    signed_in(client, account_manager)
    age_session(client, started_ago=3600, seen_ago=3600)
    response = client.get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json()["code"] == "session_idle"
    assert client.get(reverse("api:me")).status_code in (401, 403)


def test_the_limits_are_settings(client, account_manager, org_a, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    signed_in(client, account_manager)
    age_session(client, started_ago=600, seen_ago=6 * 60)
    response = client.get(home(org_a))
    assert response.status_code == 302
    text = [str(m) for m in get_messages(response.wsgi_request)]
    assert text == ["You were signed out after 5 minutes without activity. Sign in again."]


def test_a_session_from_before_the_limits_is_stamped_not_ended(client, account_manager, org_a):
    signed_in(client, account_manager)
    session = client.session
    del session[STARTED]
    del session[SEEN]
    session.save()
    assert client.get(home(org_a)).status_code == 200
    assert STARTED in client.session


def test_the_cookie_lives_no_longer_than_the_session(settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600


def test_an_htmx_fragment_sends_the_whole_page_to_sign_in(client, account_manager, org_a):
    signed_in(client, account_manager)
    age_session(client, started_ago=3600, seen_ago=3600)
    count = reverse("dashboards:notification-count", kwargs={"org_slug": org_a.slug})
    response = client.get(
        count, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/o/northstar/home/"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=%2Fo%2Fnorthstar%2Fhome%2F"
