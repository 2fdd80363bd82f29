"""What a signed-in member sees is never stored by a browser or a shared cache."""

from __future__ import annotations

from django.urls import reverse


def test_a_members_page_and_api_answers_are_not_stored(client, api, account_manager, partnership):
    client.force_login(account_manager.user)
    page = client.get(
        reverse("partnerships:detail", kwargs={"org_slug": "northstar", "pk": partnership.pk})
    )
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    api.force_authenticate(account_manager.user)
    answer = api.get("/api/v1/me/")
    assert "no-store" in answer["Cache-Control"]


def test_an_anonymous_answer_is_left_to_its_view(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_view_that_never_asks_who_is_signed_in_reads_no_session(client, account_manager):
    """The header is decided without loading the user for a view that did not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(account_manager.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "accounts_user" in q["sql"]]
