"""Sign-in lockout by account and address (django-axes), password-reset throttles, and sign-in
events in each organization's audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tenancy.models import AuditEvent
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/login/"


# A cache of the tests' own: the suite's (Redis in CI) is shared with other tests and
# workers, whose counts must not mix with these, and which must not be flushed.
OWN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sign-in-security-tests",
    }
}


@pytest.fixture(autouse=True)
def own_cache(settings):
    settings.CACHES = OWN_CACHE
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 10
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    from django.core.cache import caches

    caches["default"].clear()
    yield


@pytest.fixture
def person(account_manager):
    account_manager.user.set_password(PASSWORD)
    account_manager.user.save()
    return account_manager


def sign_in(client, email, password, address="203.0.113.7", **extra):
    return client.post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address, **extra
    )


def test_five_wrong_passwords_lock_that_account_from_that_address(client, person, settings):
    email = person.user.email
    for _ in range(4):
        assert sign_in(client, email, "wrong password 123").status_code == 200
    locked = sign_in(client, email, "wrong password 123")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in paused" in html and "15 minutes" in html and "reset your password" in html
    assert locked["Retry-After"] == "900"
    # Even the right password is refused from there now ...
    assert sign_in(client, email, PASSWORD).status_code == 429
    # ... and in other letter case: it is the same account.
    assert sign_in(client, email.upper(), PASSWORD).status_code == 429
    # Tries refused by the lockout are not more wrong passwords in the trail.
    failed = AuditEvent.objects.filter(verb="user.sign_in_failed", actor=person.user)
    assert failed.count() == 4  # the fifth is the lockout
    assert AuditEvent.objects.filter(verb="user.locked_out", actor=person.user).count() == 1
    # From another address, the person gets in.
    assert sign_in(client, email, PASSWORD, address="198.51.100.20").status_code == 302


def test_guessing_from_many_addresses_pauses_the_account_everywhere(client, person, settings):
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 12
    email = person.user.email
    # Four wrong passwords from each of three addresses: no address reaches its limit of 5.
    for n in range(3):
        for _ in range(4):
            response = sign_in(client, email, "wrong password 123", address=f"192.0.2.{n}")
    assert response.status_code == 429  # the twelfth, from all addresses together
    html = response.content.decode()
    assert "from anywhere" in html and "several addresses" in html
    assert "lifts the pause" in html  # the way back: a password reset
    # The right password from an address never seen is refused too, for the cool-off.
    assert sign_in(client, email, PASSWORD, address="198.51.100.20").status_code == 429
    # One event for the account, whatever address tried next; no address was locked itself.
    assert AuditEvent.objects.filter(verb="user.account_locked", actor=person.user).count() == 1
    assert not AuditEvent.objects.filter(verb="user.locked_out", actor=person.user).exists()
    # Another account is not touched.
    assert sign_in(client, "nobody@nowhere.example", PASSWORD).status_code == 200
    # Once the tries are older than the cool-off, the person gets in.
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(client, email, PASSWORD, address="198.51.100.20").status_code == 302


def test_a_few_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(client, person):
    email = person.user.email
    for n in range(4):
        for _ in range(4):
            sign_in(client, email, "wrong password 123", address=f"192.0.2.{n}")
    # Sixteen tries in all, under the account's ceiling of 20: the owner signs in.
    assert sign_in(client, email, PASSWORD, address="198.51.100.20").status_code == 302


def test_one_persistent_address_cannot_pause_the_account_everywhere(client, person):
    email = person.user.email
    # Twenty wrong passwords from one address: it is locked out after five, and its refused
    # tries weigh no more towards the account's ceiling.
    for _ in range(20):
        sign_in(client, email, "wrong password 123", address="192.0.2.9")
    assert sign_in(client, email, PASSWORD, address="192.0.2.9").status_code == 429
    assert sign_in(client, email, PASSWORD, address="198.51.100.20").status_code == 302
    assert not AuditEvent.objects.filter(verb="user.account_locked").exists()


def test_a_completed_password_reset_lifts_the_pause(client, person, settings):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    settings.AXES_ACCOUNT_FAILURE_LIMIT = 12
    email = person.user.email
    for n in range(3):
        for _ in range(4):
            sign_in(client, email, "wrong password 123", address=f"192.0.2.{n}")
    assert sign_in(client, email, PASSWORD, address="198.51.100.20").status_code == 429
    # The owner follows the link mailed to them: they hold the mailbox, the count goes.
    link = reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(person.user.pk)),
            default_token_generator.make_token(person.user),
        ],
    )
    form = client.get(link, REMOTE_ADDR="198.51.100.20")
    assert form.status_code == 302
    new = "a new long passphrase 42"
    done = client.post(
        form["Location"],
        {"new_password1": new, "new_password2": new},
        REMOTE_ADDR="198.51.100.20",
    )
    assert done.status_code == 302
    assert sign_in(client, email, new, address="198.51.100.20").status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_lockout(client, person):
    email = person.user.email
    for n in range(5):
        sign_in(client, email, "wrong password 123", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert sign_in(client, email, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_other_accounts_behind_the_same_address_are_not_locked(client, person, org_a):
    colleague = MembershipFactory(organization=org_a, user__email="nurse.lead@northstar.example")
    colleague.user.set_password(PASSWORD)
    colleague.user.save()
    for _ in range(5):
        sign_in(client, person.user.email, "wrong password 123")
    assert sign_in(client, colleague.user.email, PASSWORD).status_code == 302


def test_success_resets_the_count(client, person):
    email = person.user.email
    for _ in range(4):
        sign_in(client, email, "wrong password 123")
    assert sign_in(client, email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, email, "wrong password 123").status_code == 200
    assert sign_in(client, email, PASSWORD).status_code == 302


def test_sign_in_events_are_in_every_organization_trail(client, person, org_b):
    MembershipFactory(organization=org_b, user=person.user)
    sign_in(client, person.user.email, "wrong password 123", HTTP_USER_AGENT="Firefox/140")
    sign_in(client, person.user.email, PASSWORD, HTTP_USER_AGENT="Firefox/140")
    client.post(reverse("accounts:logout"), REMOTE_ADDR="203.0.113.7")
    for verb in ("user.sign_in_failed", "user.signed_in", "user.signed_out"):
        events = AuditEvent.objects.filter(verb=verb, actor=person.user)
        assert {e.organization_id for e in events} == {person.organization_id, org_b.pk}, verb
        assert {e.ip_address for e in events} == {"203.0.113.7"}
    failed = AuditEvent.objects.filter(verb="user.sign_in_failed").first()
    assert failed.user_agent == "Firefox/140"
    assert failed.target_type == "accounts.user"
    assert "password" not in str(failed.changes)


def test_a_lockout_is_in_the_trail_and_an_unknown_address_in_none(client, person):
    for _ in range(5):
        sign_in(client, person.user.email, "wrong password 123")
    assert AuditEvent.objects.filter(verb="user.locked_out", actor=person.user).count() == 1
    sign_in(client, "nobody@nowhere.example", "wrong password 123")
    assert not AuditEvent.objects.filter(actor__isnull=True).exists()


def reset(client, email, address="203.0.113.7"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_is_throttled_per_address_asked_about(client, person, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 2
    for _ in range(4):
        assert reset(client, person.user.email).status_code == 302
    # The page said "sent" each time; only two links went out.
    assert len(mail.outbox) == 2
    events = AuditEvent.objects.filter(verb="user.password_reset_requested")
    assert events.count() == 2


def test_password_reset_is_throttled_per_client_address(client, person, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    for n in range(3):
        assert reset(client, f"someone{n}@example.com").status_code == 302
    refused = reset(client, person.user.email)
    assert refused.status_code == 429
    assert "Too many reset links" in refused.content.decode()
    assert len(mail.outbox) == 0
    # Another address is not concerned.
    assert reset(client, person.user.email, address="198.51.100.20").status_code == 302
    assert len(mail.outbox) == 1


def test_completing_a_reset_ends_other_sessions_and_is_audited(client, person):
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(person.user)
    home = reverse("dashboards:home", kwargs={"org_slug": person.organization.slug})
    assert elsewhere.get(home).status_code == 200

    reset(client, person.user.email)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link[link.index("/password-reset/") :].strip()
    form_page = client.get(path, follow=True)
    new = "a completely new passphrase 42"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new, "new_password2": new},
        REMOTE_ADDR="203.0.113.7",
    )
    assert done.status_code == 302
    assert AuditEvent.objects.filter(verb="user.password_reset", actor=person.user).exists()
    # The other browser is signed out: its session no longer matches the password.
    assert elsewhere.get(home).status_code == 302
