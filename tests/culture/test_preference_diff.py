"""Signing off a new version of a physician preference shows what changed since the version
the client signed off, field by field (changed fields only), on the page and in the API;
and says so when it is the first version or nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from culture import services
from culture.models import PhysicianPreferenceVersion
from culture.preference_diff import sign_off_diff, version_diff

pytestmark = pytest.mark.django_db

V1 = "Page me for chest pain at any hour. Send stable patients to clinic at 08:00."
V2 = "Page me for chest pain at any hour. Send stable patients to urgent care tonight."


def page(partnership, pk) -> str:
    return reverse(
        "culture:preference-detail",
        kwargs={
            "org_slug": partnership.organization.slug,
            "partnership_pk": partnership.pk,
            "pk": pk,
        },
    )


@pytest.fixture
def preference(partnership, account_manager, client_executive, actor_for):
    """Version 1 signed off by the client, version 2 awaiting sign-off."""
    preference = services.physician_preference_create(
        actor=actor_for(account_manager),
        partnership=partnership,
        physician="Dr. Ana Ruiz",
        kind="on_call_escalation",
        title="Chest pain at night",
        text=V1,
    )
    services.physician_preference_sign_off(actor=actor_for(client_executive), preference=preference)
    services.physician_preference_version_create(
        actor=actor_for(account_manager), preference=preference, text=V2
    )
    preference.refresh_from_db()
    return preference


def test_the_diff_names_the_changed_field_and_the_sentences(preference):
    diff = sign_off_diff(preference=preference)
    assert diff.state == "changed" and diff.awaiting_sign_off
    assert (diff.signed_off_version, diff.version) == (1, 2)
    [change] = diff.changes
    assert change.as_dict() == {
        "field": "text",
        "label": "Text",
        "signed_off": V1,
        "this_version": V2,
        "removed": ["Send stable patients to clinic at 08:00."],
        "added": ["Send stable patients to urgent care tonight."],
    }


def test_first_version_and_no_change_states(partnership, account_manager, actor_for):
    preference = services.physician_preference_create(
        actor=actor_for(account_manager),
        partnership=partnership,
        physician="Dr. Lee",
        title="Refills",
        text="Refill 30 days.",
    )
    preference.refresh_from_db()
    assert sign_off_diff(preference=preference).state == "first_version"
    signed = PhysicianPreferenceVersion(number=1, text="Same text.\n")
    current = PhysicianPreferenceVersion(number=2, text="Same text.")
    diff = version_diff(signed, current)
    assert diff.state == "no_change" and diff.changes == []


def test_the_page_shows_the_diff_above_the_sign_off(client, client_executive, preference):
    client.force_login(client_executive.user)
    body = client.get(page(preference.partnership, preference.pk)).content.decode()
    assert "Version 2 awaits the client's sign-off" in body
    assert "Signed-off version 1" in body and "This version (2)" in body
    assert (
        '<del><span class="visually-hidden">Removed: </span>Send stable patients to clinic' in body
    )
    assert '<ins><span class="visually-hidden">Added: </span>Send stable patients to urgent' in body
    assert "Sign off version 2</button>" in body


def test_the_page_says_first_version_and_nothing_once_signed(
    client, account_manager, client_executive, partnership, actor_for
):
    preference = services.physician_preference_create(
        actor=actor_for(account_manager),
        partnership=partnership,
        physician="Dr. Lee",
        title="Refills",
        text="Refill 30 days.",
    )
    client.force_login(account_manager.user)
    url = page(partnership, preference.pk)
    body = client.get(url).content.decode()
    assert "This is the first version to be signed off" in body
    assert "The client's executive signs it off." in body
    services.physician_preference_sign_off(actor=actor_for(client_executive), preference=preference)
    assert "awaits the client" not in client.get(url).content.decode()


def test_the_api_detail_and_sign_off_carry_the_diff(
    as_, url, client_executive, implementation_pm, preference
):
    detail = as_(implementation_pm).get(url("physician-preference-detail", pk=preference.pk))
    assert detail.status_code == 200
    diff = detail.json()["sign_off_diff"]
    assert diff["state"] == "changed" and diff["awaiting_sign_off"] is True
    assert [c["field"] for c in diff["changes"]] == ["text"]
    assert diff["changes"][0]["added"] == ["Send stable patients to urgent care tonight."]

    sign_off = url("physician-preference-sign-off", pk=preference.pk)
    assert as_(implementation_pm).post(sign_off, {"version": 2}, format="json").status_code == 403
    bad = as_(client_executive).post(sign_off, {"version": "two"}, format="json")
    assert bad.status_code == 400 and "version" in bad.json()
    signed = as_(client_executive).post(sign_off, {"version": 2}, format="json")
    assert signed.status_code == 200, signed.json()
    diff = signed.json()["sign_off_diff"]
    assert diff["awaiting_sign_off"] is False  # what was just signed, against v1
    assert (diff["signed_off_version"], diff["version"]) == (1, 2)


def test_another_tenant_cannot_read_the_diff(as_, url, outsider, preference):
    response = as_(outsider).get(url("physician-preference-detail", pk=preference.pk))
    assert response.status_code == 404
