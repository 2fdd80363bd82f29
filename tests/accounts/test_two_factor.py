"""Two-factor sign-in: required for admins and account managers (an organization setting, on
by default), optional for others, the Django admin behind it too; recovery codes; the
back-off after wrong codes; every step in the audit trail."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import RecoveryCode
from tenancy.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def with_password(membership_or_user):
    user = getattr(membership_or_user, "user", membership_or_user)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client: Client, user, next_path: str = "") -> object:
    url = reverse("accounts:login") + (f"?next={next_path}" if next_path else "")
    return client.post(url, {"username": user.email, "password": PASSWORD}, follow=True)


def enroll(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, twofactor.new_recovery_codes(user)


def home(org) -> str:
    return reverse("dashboards:home", kwargs={"org_slug": org.slug})


# --- Set-up --------------------------------------------------------------------------------


def test_an_account_manager_sets_the_app_up_at_first_sign_in(client, account_manager):
    user = with_password(account_manager)
    landed = sign_in(client, user)
    assert landed.redirect_chain[-1][0].startswith(reverse("accounts:two-factor-setup"))
    page = landed.content.decode()
    assert "<svg" in page and "Set-up key" in page
    assert "no-store" in landed["Cache-Control"]
    # Nothing else opens before it is done: pages, the API with the session.
    assert client.get(home(account_manager.organization)).status_code == 302
    api = client.get(reverse("api:me"))
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # The key shown is the device's (what the app will compute codes from).
    assert landed.context["secret"].replace(" ", "") in page.replace(" ", "")
    wrong = client.post(reverse("accounts:two-factor-setup"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()

    done = client.post(reverse("accounts:two-factor-setup"), {"code": code_for(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    assert "only time they are shown" in done.content.decode()
    # Stored as hashes only.
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert not stored & set(codes) and len(stored) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(home(account_manager.organization)).status_code == 200
    assert AuditEvent.objects.filter(verb="user.two_factor_enabled", actor=user).exists()


def test_a_reloaded_set_up_page_shows_the_same_key(client, account_manager):
    sign_in(client, with_password(account_manager))
    first = client.get(reverse("accounts:two-factor-setup")).context["secret"]
    assert client.get(reverse("accounts:two-factor-setup")).context["secret"] == first
    assert TOTPDevice.objects.filter(user=account_manager.user).count() == 1


def test_a_bad_set_up_code_names_the_field(client, admin):
    sign_in(client, with_password(admin))
    response = client.post(reverse("accounts:two-factor-setup"), {"code": "12ab"})
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["Enter the 6 digits the app shows."]


# --- Sign-in with the code ---------------------------------------------------------------


def test_the_code_is_asked_after_the_password_and_leads_on(client, account_manager):
    user = with_password(account_manager)
    device, _ = enroll(user)
    target = home(account_manager.organization) + "?period=90"
    landed = sign_in(client, user, next_path=target)
    assert landed.redirect_chain[-1][0].startswith(reverse("accounts:two-factor-verify"))
    key_before = client.session.session_key
    done = client.post(
        landed.redirect_chain[-1][0], {"code": code_for(device), "next": target}, follow=False
    )
    assert done.status_code == 302 and done["Location"] == target
    assert client.session.session_key != key_before  # a new session key once verified
    assert client.get(target).status_code == 200


def test_wrong_codes_slow_down_and_are_audited(client, account_manager):
    user = with_password(account_manager)
    device, _ = enroll(user)
    sign_in(client, user)
    verify = reverse("accounts:two-factor-verify")
    first = client.post(verify, {"code": "000000"})
    assert first.status_code == 400 and "not right" in first.content.decode()
    # After a run of wrong codes (1, 2, 4, 8, 16 seconds of back-off) even the right one waits.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=5)
    second = client.post(verify, {"code": code_for(device)})
    assert second.status_code == 400 and "Too many wrong codes" in second.content.decode()
    assert AuditEvent.objects.filter(verb="user.two_factor_failed", actor=user).count() == 2
    assert client.get(home(account_manager.organization)).status_code == 302


def test_a_code_cannot_be_used_twice(client, account_manager):
    user = with_password(account_manager)
    device, _ = enroll(user)
    code = code_for(device)
    sign_in(client, user)
    assert client.post(reverse("accounts:two-factor-verify"), {"code": code}).status_code == 302
    other = Client()
    sign_in(other, user)
    device.refresh_from_db()
    replay = other.post(reverse("accounts:two-factor-verify"), {"code": code})
    assert replay.status_code == 400


def test_a_recovery_code_works_once(client, account_manager):
    user = with_password(account_manager)
    _, codes = enroll(user)
    sign_in(client, user)
    used = client.post(reverse("accounts:two-factor-verify"), {"code": codes[0].upper()})
    assert used.status_code == 302
    assert AuditEvent.objects.filter(verb="user.recovery_code_used", actor=user).exists()
    assert twofactor.recovery_codes_left(user) == 9
    other = Client()
    sign_in(other, user)
    again = other.post(reverse("accounts:two-factor-verify"), {"code": codes[0]})
    assert again.status_code == 400


def test_signing_in_again_asks_again(client, account_manager):
    user = with_password(account_manager)
    device, _ = enroll(user)
    sign_in(client, user)
    client.post(reverse("accounts:two-factor-verify"), {"code": code_for(device)})
    client.post(reverse("accounts:logout"))
    landed = sign_in(client, user)
    assert landed.redirect_chain[-1][0].startswith(reverse("accounts:two-factor-verify"))


# --- Who must -------------------------------------------------------------------------------


def test_a_pm_may_skip_it_and_a_pm_who_set_it_up_is_asked(client, implementation_pm):
    user = with_password(implementation_pm)
    landed = sign_in(client, user)
    assert landed.redirect_chain[-1][0] == home(implementation_pm.organization)
    client.post(reverse("accounts:logout"))
    enroll(user)
    landed = sign_in(client, user)
    assert landed.redirect_chain[-1][0].startswith(reverse("accounts:two-factor-verify"))


def test_an_organization_may_switch_the_requirement_off(client, admin):
    admin.organization.two_factor_required = False
    admin.organization.save()
    landed = sign_in(client, with_password(admin))
    assert landed.redirect_chain[-1][0] == home(admin.organization)


def test_the_requirement_of_any_organization_applies(client, implementation_pm, outsider):
    """A PM here and an admin of another organization that requires it."""
    from tests.factories import MembershipFactory

    MembershipFactory(organization=outsider.organization, user=implementation_pm.user)
    user = with_password(implementation_pm)
    user.memberships.filter(organization=outsider.organization).update(role="admin")
    landed = sign_in(client, user)
    assert landed.redirect_chain[-1][0].startswith(reverse("accounts:two-factor-setup"))


def test_the_django_admin_is_behind_the_second_factor(client, db):
    staff = UserFactory(email="operator@switchboard.example", is_staff=True, is_superuser=True)
    with_password(staff)
    sign_in(client, staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))
    device, _ = enroll(staff)
    client.post(reverse("accounts:logout"))
    sign_in(client, staff)
    assert client.get("/admin/").status_code == 302
    client.post(reverse("accounts:two-factor-verify"), {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200


# --- The security page -----------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old(client, account_manager):
    user = account_manager.user
    _, old = enroll(user)
    client.force_login(user)
    page = client.get(reverse("accounts:security"))
    assert "10</strong> of 10" in page.content.decode()
    response = client.post(reverse("accounts:security"), {"action": "new-codes"})
    new = response.context["codes"]
    assert set(new).isdisjoint(old)
    assert not RecoveryCode.objects.filter(code_hash=RecoveryCode.hash_code(old[0])).exists()
    assert AuditEvent.objects.filter(verb="user.recovery_codes_replaced").exists()


def test_who_needs_it_cannot_turn_it_off(client, account_manager):
    device, _ = enroll(account_manager.user)
    client.force_login(account_manager.user)
    assert "cannot be turned off" in client.get(reverse("accounts:security")).content.decode()
    response = client.post(
        reverse("accounts:security"), {"action": "turn-off", "code": code_for(device)}
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=account_manager.user).exists()


def test_who_chose_it_turns_it_off_with_a_code(client, implementation_pm):
    device, _ = enroll(implementation_pm.user)
    client.force_login(implementation_pm.user)
    refused = client.post(reverse("accounts:security"), {"action": "turn-off", "code": "123456"})
    assert refused.status_code == 400 and "code" in refused.context["form"].errors
    device.throttling_failure_count = 0
    device.save()
    done = client.post(
        reverse("accounts:security"), {"action": "turn-off", "code": code_for(device)}
    )
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=implementation_pm.user).exists()
    assert not RecoveryCode.objects.filter(user=implementation_pm.user).exists()
    assert AuditEvent.objects.filter(verb="user.two_factor_disabled").exists()


def test_the_security_page_needs_a_sign_in(client, db):
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_verified_session_costs_no_query_for_the_gate(client, account_manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    enroll(account_manager.user)
    client.force_login(account_manager.user)
    url = home(account_manager.organization)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not any("otp_totp" in q["sql"] for q in queries.captured_queries)


# --- The admin's controls (members page) ----------------------------------------------------


def members(org) -> str:
    return reverse("org:members", kwargs={"org_slug": org.slug})


def test_the_members_page_shows_who_has_it(client, admin, account_manager, implementation_pm):
    enroll(account_manager.user)
    client.force_login(admin.user)
    page = client.get(members(admin.organization))
    rows = {m.user.email: m for m in page.context["members"]}
    assert rows["am@northstar.example"].has_two_factor is True
    assert rows["pm@northstar.example"].has_two_factor is False
    assert rows["admin@northstar.example"].must_two_factor is True
    assert rows["pm@northstar.example"].must_two_factor is False
    assert "Reset Alice" in page.content.decode()


def test_an_admin_switches_the_requirement_and_it_is_audited(client, admin):
    client.force_login(admin.user)
    off = client.post(
        reverse("org:two-factor-required", kwargs={"org_slug": "northstar"}), {"required": "off"}
    )
    assert off.status_code == 302
    admin.organization.refresh_from_db()
    assert admin.organization.two_factor_required is False
    event = AuditEvent.objects.get(verb="organization.two_factor_required")
    assert event.changes == {"two_factor_required": [True, False]}
    bad = client.post(
        reverse("org:two-factor-required", kwargs={"org_slug": "northstar"}),
        {"required": "maybe"},
        follow=True,
    )
    assert "Choose whether" in bad.content.decode()
    admin.organization.refresh_from_db()
    assert admin.organization.two_factor_required is False


def test_only_admins_switch_the_requirement(client, account_manager, outsider):
    url = reverse("org:two-factor-required", kwargs={"org_slug": "northstar"})
    client.force_login(account_manager.user)
    assert client.post(url, {"required": "off"}).status_code == 403
    client.force_login(outsider.user)
    assert client.post(url, {"required": "off"}).status_code == 404
    account_manager.organization.refresh_from_db()
    assert account_manager.organization.two_factor_required is True


def test_an_admin_resets_a_lost_phone(client, admin, account_manager):
    enroll(account_manager.user)
    client.force_login(admin.user)
    url = reverse("org:member-two-factor-reset", args=["northstar", account_manager.pk])
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=account_manager.user).exists()
    assert not RecoveryCode.objects.filter(user=account_manager.user).exists()
    assert AuditEvent.objects.filter(verb="member.two_factor_reset", actor=admin.user).exists()
    # At their next sign-in, they set the app up again.
    other = Client()
    landed = sign_in(other, with_password(account_manager))
    assert landed.redirect_chain[-1][0].startswith(reverse("accounts:two-factor-setup"))


def test_no_reset_of_someone_who_is_also_elsewhere(client, admin, account_manager, org_b):
    from tests.factories import MembershipFactory

    MembershipFactory(organization=org_b, user=account_manager.user)
    enroll(account_manager.user)
    client.force_login(admin.user)
    url = reverse("org:member-two-factor-reset", args=["northstar", account_manager.pk])
    response = client.post(url, follow=True)
    assert "platform staff" in response.content.decode()
    assert TOTPDevice.objects.filter(user=account_manager.user).exists()


def test_no_reset_by_a_non_admin_or_across_tenants(
    client, account_manager, implementation_pm, outsider
):
    enroll(implementation_pm.user)
    client.force_login(account_manager.user)
    url = reverse("org:member-two-factor-reset", args=["northstar", implementation_pm.pk])
    assert client.post(url).status_code == 403
    client.force_login(outsider.user)
    assert client.post(url).status_code == 404
    foreign = reverse("org:member-two-factor-reset", args=["harbor", implementation_pm.pk])
    assert client.post(foreign).status_code == 404
    assert TOTPDevice.objects.filter(user=implementation_pm.user).exists()


def test_turning_it_on_ends_the_sessions_opened_with_the_password_alone(client, implementation_pm):
    user = with_password(implementation_pm)
    elsewhere = Client()
    sign_in(elsewhere, user)  # a PM needs no second factor: in with the password
    home_url = home(implementation_pm.organization)
    assert elsewhere.get(home_url).status_code == 200

    sign_in(client, user)
    client.get(reverse("accounts:two-factor-setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(reverse("accounts:two-factor-setup"), {"code": code_for(device)})
    assert done.status_code == 200
    # This browser goes on; the other one, signed in with the password alone, is out.
    assert client.get(home_url).status_code == 200
    assert elsewhere.get(home_url).status_code == 302


def test_platform_staff_are_not_reset_by_an_organization_admin(client, admin, org_a):
    from tests.factories import MembershipFactory

    operator = UserFactory(email="ops@switchboard.example", is_staff=True)
    membership = MembershipFactory(organization=org_a, user=operator)
    enroll(operator)
    client.force_login(admin.user)
    url = reverse("org:member-two-factor-reset", args=["northstar", membership.pk])
    response = client.post(url, follow=True)
    assert "platform staff" in response.content.decode()
    assert TOTPDevice.objects.filter(user=operator).exists()
