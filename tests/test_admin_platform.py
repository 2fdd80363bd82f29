"""The Django admin is a platform-staff tool: no demo tenant's admin gets in, and what the
platform operator changes there lands in the owning organization's audit trail (HR-sensitive
fields redacted), and HR records opened there land in the HR view log."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib import admin as django_admin
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnerships.models import ClientOrganization, Partnership
from tenancy.admin import AuditedAdmin
from tenancy.audit import PLATFORM_STAFF, REDACTED
from tenancy.models import AuditEvent
from tests.factories import UserFactory
from tests.transition.factories import SentimentCheckInFactory, StaffMemberFactory
from transition.models import SensitiveAccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return UserFactory(
        email="operator@switchboard.example",
        full_name="Sam Operator",
        is_staff=True,
        is_superuser=True,
    )


def form_data(response) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_every_model_admin_writes_the_audit_trail():
    plain = [
        model._meta.label
        for model, model_admin in django_admin.site._registry.items()
        if model._meta.app_label
        in {"tenancy", "accounts", "partnerships", "culture", "discovery", "transition"}
        and not isinstance(model_admin, AuditedAdmin)
    ]
    assert plain == []


def test_demo_tenant_admins_are_kept_out_and_the_operator_gets_in(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False

    for email in ("admin@northstar.example", "admin@harbor.example"):
        # Through the sign-in page, as a person would (axes needs the request).
        signed_in = client.post("/login/", {"username": email, "password": "switchboard-demo"})
        assert signed_in.status_code == 302
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        # Not even another tenant's HR records by address.
        response = client.get("/admin/transition/staffmember/")
        assert response.status_code == 302
        client.logout()

    operator = {"username": "operator@switchboard.example", "password": "switchboard-demo"}
    assert client.post("/login/", operator).status_code == 302
    # The Django admin is behind the second factor: set the app up, then in.
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))
    setup = client.get(response["Location"])
    device = TOTPDevice.objects.get(user__email="operator@switchboard.example", confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    done = client.post(
        response["Location"], {"code": f"{totp.token():06d}", "next": setup.context["next"]}
    )
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/transition/staffmember/").status_code == 200


def test_a_change_in_the_admin_is_audited_with_before_and_after(
    client, operator, partnership, admin, account_manager
):
    client.force_login(operator)
    url = change_url(partnership)
    data = form_data(client.get(url))
    data.update(name="University nurse line", account_manager=str(admin.user.pk))

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(verb="partnership.changed_in_admin")
    assert event.organization == partnership.organization
    assert event.partnership == partnership
    assert event.actor == operator
    assert event.changes["name"] == ["University after-hours line", "University nurse line"]
    assert event.changes["account_manager"] == [str(account_manager.user), str(admin.user)]
    assert set(event.changes) == {"name", "account_manager"}


def test_saving_without_changes_writes_nothing(client, operator, university):
    client.force_login(operator)
    url = change_url(university)

    assert client.post(url, form_data(client.get(url))).status_code == 302

    assert not AuditEvent.objects.filter(verb__endswith="_in_admin").exists()


def test_hr_fields_changed_in_the_admin_are_redacted(client, operator, partnership):
    person = StaffMemberFactory(partnership=partnership, full_name="Jo Nurse")
    client.force_login(operator)
    url = change_url(person)
    data = form_data(client.get(url))
    data.update(hr_notes="Discussed severance terms privately.", site="North campus")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(verb="staffmember.changed_in_admin")
    assert event.changes["hr_notes"] == [REDACTED, REDACTED]
    assert event.changes["site"] == ["Main campus", "North campus"]
    assert "severance" not in str(event.changes)


def test_bad_input_in_the_admin_saves_and_audits_nothing(client, operator, university):
    client.force_login(operator)
    url = change_url(university)
    data = form_data(client.get(url)) | {"name": ""}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert ClientOrganization.objects.get(pk=university.pk).name == "University Health"
    assert not AuditEvent.objects.filter(verb__endswith="_in_admin").exists()


def test_deleting_in_the_admin_is_audited_one_by_one(client, operator, partnership):
    first = StaffMemberFactory(partnership=partnership, full_name="Jo Nurse")
    second = StaffMemberFactory(partnership=partnership, full_name="Sam Nurse", hr_notes="x")
    client.force_login(operator)

    response = client.post(
        reverse("admin:transition_staffmember_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert response.status_code == 302
    events = AuditEvent.objects.filter(verb="staffmember.deleted_in_admin")
    assert sorted(events.values_list("target_repr", flat=True)) == ["Jo Nurse", "Sam Nurse"]
    assert {event.partnership for event in events} == {partnership}
    assert events.get(target_repr="Sam Nurse").changes["hr_notes"] == [REDACTED, REDACTED]
    assert events.get(target_repr="Jo Nurse").changes["full_name"] == ["Jo Nurse", None]


def test_an_inline_membership_change_is_audited(client, operator, account_manager):
    client.force_login(operator)
    user = account_manager.user
    url = change_url(user)
    data = form_data(client.get(url))
    data |= {
        "memberships-0-id": str(account_manager.pk),
        "memberships-0-user": str(user.pk),
        "memberships-0-organization": str(account_manager.organization_id),
        "memberships-0-role": "admin",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    event = AuditEvent.objects.get(verb="membership.changed_in_admin")
    assert event.changes == {"role": ["account_manager", "admin"]}
    assert event.organization == account_manager.organization
    assert event.actor == operator


def test_a_membership_is_neither_deleted_nor_moved_in_the_admin(
    client, operator, account_manager, org_b
):
    """Ending a membership revokes the member's tokens and calendar keys: only the Members
    page does that, so the admin neither deletes a membership nor moves it elsewhere."""
    client.force_login(operator)
    delete = reverse("admin:tenancy_membership_delete", args=[account_manager.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    # On the person's page, the existing membership's organization is not a field.
    user = account_manager.user
    data = form_data(client.get(change_url(user)))
    data |= {
        "memberships-0-id": str(account_manager.pk),
        "memberships-0-user": str(user.pk),
        "memberships-0-organization": str(org_b.pk),
        "memberships-0-role": account_manager.role,
        "memberships-0-DELETE": "on",
    }
    response = client.post(change_url(user), data)
    assert response.status_code == 302, [
        (f.formset.errors, f.formset.non_form_errors())
        for f in response.context["inline_admin_formsets"]
    ] + [response.context["adminform"].form.errors]
    account_manager.refresh_from_db()
    assert account_manager.organization_id != org_b.pk
    # And on the membership's own page neither the person nor the organization is.
    page = client.get(change_url(account_manager)).content.decode()
    assert 'name="organization"' not in page and 'name="user"' not in page


def test_opening_a_staff_member_in_the_admin_is_in_the_hr_view_log(client, operator, partnership):
    person = StaffMemberFactory(partnership=partnership, full_name="Jo Nurse", hr_notes="Private")
    quiet = StaffMemberFactory(partnership=partnership, full_name="No Notes")
    client.force_login(operator)

    assert client.get(change_url(person)).status_code == 200
    assert client.get(change_url(quiet)).status_code == 200

    log = SensitiveAccessLog.objects.get()
    assert (log.viewer, log.viewer_role, log.staff_member, log.partnership) == (
        operator,
        PLATFORM_STAFF,
        person,
        partnership,
    )
    assert log.context == "admin.staff.change"
    assert "hr_notes" in log.fields


def test_opening_a_check_in_note_in_the_admin_is_in_the_hr_view_log(client, operator, partnership):
    person = StaffMemberFactory(partnership=partnership, full_name="Jo Nurse")
    check_in = SentimentCheckInFactory(
        staff_member=person,
        partnership=partnership,
        organization=partnership.organization,
        note="Worried about the night shift.",
    )
    client.force_login(operator)

    assert client.get(change_url(check_in)).status_code == 200

    log = SensitiveAccessLog.objects.get()
    assert (log.staff_member, log.fields) == (person, ["note"])


def test_staff_without_superuser_sees_no_tenant_data(client, partnership):
    clerk = UserFactory(email="clerk@switchboard.example", is_staff=True)
    client.force_login(clerk)

    assert client.get(reverse("admin:partnerships_partnership_changelist")).status_code == 403
    assert client.get(change_url(partnership)).status_code == 403
    assert Partnership.objects.get(pk=partnership.pk).name == partnership.name
