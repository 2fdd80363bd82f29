"""The account pages as a user meets them: sign-in, organization picker, the invitation flow,
members (admins only) and API tokens. Personas come from tests/conftest.py."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import admin as django_admin
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, Invitation, User
from tenancy.models import AuditEvent, Membership, Organization, Role
from tests.factories import (
    PASSWORD,
    ApiTokenFactory,
    AuditEventFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)

NEW_PASSWORD = "lantern-orchard-velvet-42"


def login(client, membership_or_user) -> None:
    user = getattr(membership_or_user, "user", membership_or_user)
    client.force_login(user)


def members_url(org) -> str:
    return reverse("org:members", kwargs={"org_slug": org.slug})


def tokens_url(org) -> str:
    return reverse("org:tokens", kwargs={"org_slug": org.slug})


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Signing in -----------------------------------------------------------------------


def test_home_sends_strangers_to_sign_in_and_members_to_their_organizations(client, admin):
    assert client.get("/").url == reverse("accounts:login")
    login(client, admin)
    assert client.get("/").url == reverse("accounts:org-picker")


def test_login_with_email_in_any_case_then_straight_into_the_only_organization(client, admin):
    # Without the second factor (tests/accounts/test_two_factor.py has the sign-in with it).
    admin.organization.two_factor_required = False
    admin.organization.save()
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert "E-mail" in page.content.decode()

    response = client.post(
        reverse("accounts:login"),
        {"username": "ADMIN@Northstar.example", "password": PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[0][0] == reverse("accounts:org-picker")
    # One membership: nothing to pick, so the picker forwards to the member's home page.
    assert response.redirect_chain[1][0] == reverse(
        "dashboards:home", kwargs={"org_slug": admin.organization.slug}
    )
    assert response.wsgi_request.user == admin.user


def test_login_with_a_wrong_password_says_so_and_stays_signed_out(client, admin):
    response = client.post(
        reverse("accounts:login"), {"username": admin.user.email, "password": "nope"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_logout_is_a_post(client, admin):
    login(client, admin)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_password_reset_mails_a_working_link(client, admin):
    response = client.post(reverse("accounts:password_reset"), {"email": "Admin@northstar.example"})
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Reset your Switchboard password"
    path = re.search(r"http://testserver(/password-reset/\S+/\S+/)", body).group(1)

    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.url == reverse("accounts:password_reset_complete")
    admin.user.refresh_from_db()
    assert admin.user.check_password(NEW_PASSWORD)
    # The link works once.
    assert client.get(path, follow=True).context["validlink"] is False


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "ghost@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


# --- Organization picker --------------------------------------------------------------


def test_org_picker_lists_every_membership_with_its_role(client, admin, org_b):
    MembershipFactory(organization=org_b, user=admin.user, role=Role.ACCOUNT_MANAGER)
    login(client, admin)

    response = client.get(reverse("accounts:org-picker"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Northstar Nurse Line" in html and "Harbor Health Calls" in html
    assert "Account manager" in html and "Admin" in html
    for slug in ("northstar", "harbor"):
        assert reverse("partnerships:list", kwargs={"org_slug": slug}) in html


def test_org_picker_without_membership_explains_how_to_get_in(client, db):
    user = UserFactory(email="lonely@example.com")
    login(client, user)
    response = client.get(reverse("accounts:org-picker"))
    assert response.status_code == 200
    assert "You do not belong to an organization yet" in response.content.decode()


def test_org_picker_needs_sign_in(client, db):
    response = client.get(reverse("accounts:org-picker"))
    assert response.url.startswith(reverse("accounts:login"))


# --- The invitation flow, through the pages --------------------------------------------


def _invite(http, admin, django_capture_on_commit_callbacks, **data):
    """POST the invite form as `admin`, running the on-commit e-mail task."""
    login(http, admin)
    with django_capture_on_commit_callbacks(execute=True):
        return http.post(members_url(admin.organization), data)


def test_invitation_flow_from_the_members_page_to_a_signed_in_member(
    client, admin, university, django_capture_on_commit_callbacks
):
    response = _invite(
        client,
        admin,
        django_capture_on_commit_callbacks,
        email="New.Exec@University.example",
        role=Role.CLIENT_EXECUTIVE,
        client=university.pk,
    )
    assert response.status_code == 302
    followed = client.get(response.url)
    assert "Invitation sent to new.exec@university.example." in " ".join(messages_of(followed))

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.exec@university.example"]
    path = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", mail.outbox[0].body).group(1)

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ada Admin" in html and "new.exec@university.example" in html
    assert "University Health" in html and "Client executive" in html

    mismatch = client.post(
        path, {"full_name": "Nia Exec", "password1": NEW_PASSWORD, "password2": "other-thing-1"}
    )
    assert mismatch.status_code == 200
    assert "password2" in mismatch.context["form"].errors
    assert not User.objects.filter(email="new.exec@university.example").exists()

    accepted = client.post(
        path, {"full_name": "Nia Exec", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert accepted.url == reverse("dashboards:home", kwargs={"org_slug": "northstar"})
    membership = Membership.objects.get(user__email="new.exec@university.example")
    assert (membership.organization, membership.role, membership.client) == (
        admin.organization,
        Role.CLIENT_EXECUTIVE,
        university,
    )
    assert membership.user.full_name == "Nia Exec"
    assert membership.user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:org-picker")).wsgi_request.user == membership.user

    # The token opened one door, once.
    client.logout()
    again = client.get(path)
    assert again.status_code == 404
    assert "This invitation link does not work" in again.content.decode()
    replay = client.post(
        path, {"full_name": "Mallory", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert replay.status_code == 404
    assert Membership.objects.filter(user__email="new.exec@university.example").count() == 1


def test_a_weak_password_is_refused_on_the_password_field(client, admin):
    invitation = InvitationFactory(organization=admin.organization, invited_by=admin.user)
    path = reverse("accounts:invitation-accept", args=[invitation.raw_token])
    response = client.post(path, {"full_name": "Wes Weak", "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email=invitation.email).exists()


def test_an_existing_user_signs_in_first_then_accepts(client, admin, outsider):
    outsider.organization.two_factor_required = False  # the password alone signs them in
    outsider.organization.save()
    invitation = InvitationFactory(
        organization=admin.organization, invited_by=admin.user, email=outsider.user.email
    )
    path = reverse("accounts:invitation-accept", args=[invitation.raw_token])

    anonymous = client.get(path)
    assert anonymous.status_code == 200
    assert anonymous.context["needs_login"] is True
    assert "Sign in to accept" in anonymous.content.decode()
    # Without signing in, a password does not take over the existing account.
    client.post(path, {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not Membership.objects.filter(organization=admin.organization, user=outsider.user)

    # The sign-in link brings them back to the invitation.
    signed_in = client.post(
        anonymous.context["login_url"],
        {"username": outsider.user.email, "password": PASSWORD},
    )
    assert signed_in.url == path
    assert client.get(path).context["signed_in_as_invited"] is True
    response = client.post(path)

    # They land on their role's home page in the organization.
    assert response.url == reverse("dashboards:home", kwargs={"org_slug": "northstar"})
    assert Membership.objects.get(organization=admin.organization, user=outsider.user).role == (
        invitation.role
    )
    outsider.user.refresh_from_db()
    assert outsider.user.check_password(PASSWORD)


def test_signed_in_as_someone_else_the_page_explains_and_accepts_nothing(client, admin, outsider):
    invitation = InvitationFactory(organization=admin.organization, invited_by=admin.user)
    path = reverse("accounts:invitation-accept", args=[invitation.raw_token])
    login(client, outsider)

    page = client.get(path)
    assert page.context["signed_in_as_other"] is True
    assert "Sign out and continue" in page.content.decode()
    response = client.post(path)

    assert response.status_code == 200
    assert f"This invitation is for {invitation.email}" in " ".join(messages_of(response))
    assert not Membership.objects.filter(organization=admin.organization, user=outsider.user)


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": timezone.now()},
        {"accepted_at": timezone.now()},
        {"expires_at": timezone.now() - datetime.timedelta(minutes=1)},
    ],
    ids=["revoked", "accepted", "expired"],
)
def test_dead_invitation_links_answer_404_with_an_explanation(client, admin, change):
    invitation = InvitationFactory(organization=admin.organization, invited_by=admin.user)
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    response = client.get(reverse("accounts:invitation-accept", args=[invitation.raw_token]))
    assert response.status_code == 404
    assert "Ask the administrator who invited you" in response.content.decode()


def test_unknown_invitation_token_is_404(client, db):
    response = client.get(reverse("accounts:invitation-accept", args=["not-a-token"]))
    assert response.status_code == 404


# --- Members page: validation ---------------------------------------------------------


def test_client_executive_without_client_is_refused_on_the_client_field(
    client, admin, django_capture_on_commit_callbacks
):
    response = _invite(
        client,
        admin,
        django_capture_on_commit_callbacks,
        email="x@u.example",
        role="client_executive",
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["client"]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_duplicate_pending_invitation_is_refused_on_the_email_field(
    client, admin, django_capture_on_commit_callbacks
):
    data = {"email": "twice@northstar.example", "role": Role.IMPLEMENTATION_PM}
    assert _invite(client, admin, django_capture_on_commit_callbacks, **data).status_code == 302

    response = _invite(client, admin, django_capture_on_commit_callbacks, **data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["email"]
    assert "already has a pending invitation" in errors["email"][0]
    assert Invitation.objects.filter(email="twice@northstar.example").count() == 1
    assert len(mail.outbox) == 1


def test_inviting_a_member_is_refused_on_the_email_field(
    client, admin, account_manager, django_capture_on_commit_callbacks
):
    response = _invite(
        client,
        admin,
        django_capture_on_commit_callbacks,
        email=account_manager.user.email,
        role=Role.ADMIN,
    )
    assert response.status_code == 400
    assert "already a member" in response.context["form"].errors["email"][0]


def test_client_choices_are_this_organizations_clients_only(
    client, admin, university, outsider_partnership
):
    login(client, admin)
    choices = client.get(members_url(admin.organization)).context["form"].fields["client"].queryset
    assert list(choices) == [university]

    response = client.post(
        members_url(admin.organization),
        {
            "email": "x@y.example",
            "role": Role.CLIENT_EXECUTIVE,
            "client": outsider_partnership.client_id,
        },
    )
    assert response.status_code == 400
    assert "client" in response.context["form"].errors


# --- Members page: who may, and removal/revocation ------------------------------------


@pytest.mark.parametrize("persona", ["account_manager", "implementation_pm", "client_executive"])
def test_members_page_is_403_for_everyone_but_admins(client, persona, request):
    membership = request.getfixturevalue(persona)
    login(client, membership)
    assert client.get(members_url(membership.organization)).status_code == 403
    assert (
        client.post(members_url(membership.organization), {"email": "a@b.example"}).status_code
        == 403
    )


def test_members_page_lists_members_and_invitations(client, admin, client_executive):
    invitation = InvitationFactory(organization=admin.organization, invited_by=admin.user)
    login(client, admin)
    response = client.get(members_url(admin.organization))
    html = response.content.decode()
    assert response.status_code == 200
    assert client_executive.user.email in html and "University Health" in html
    assert invitation.email in html
    assert reverse("org:invitation-revoke", args=["northstar", invitation.pk]) in html
    assert reverse("org:member-remove", args=["northstar", client_executive.pk]) in html


def test_outsider_gets_404_on_another_organizations_members_page(client, admin, outsider):
    login(client, outsider)
    assert client.get(members_url(admin.organization)).status_code == 404


def test_members_page_queries_do_not_grow_with_rows(client, admin, org_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(members_url(org_a)).status_code == 200
        return len(queries)

    login(client, admin)
    client.get(members_url(org_a))  # the first visit remembers the organization in the session
    MembershipFactory.create_batch(2, organization=org_a, role=Role.CLIENT_EXECUTIVE)
    InvitationFactory.create_batch(3, organization=org_a, invited_by=admin.user)
    few = count()
    MembershipFactory.create_batch(27, organization=org_a, role=Role.CLIENT_EXECUTIVE)
    InvitationFactory.create_batch(27, organization=org_a, invited_by=admin.user)
    assert count() == few


def test_admin_removes_a_member(client, admin, implementation_pm):
    login(client, admin)
    response = client.post(
        reverse("org:member-remove", args=["northstar", implementation_pm.pk]), follow=True
    )
    assert not Membership.objects.filter(pk=implementation_pm.pk).exists()
    assert "Paul Planner no longer belongs" in " ".join(messages_of(response))
    assert AuditEvent.objects.filter(verb="member.removed").count() == 1


def test_removing_a_member_revokes_their_tokens_for_good(
    client, admin, implementation_pm, actor_for
):
    from rest_framework.test import APIClient

    from accounts import services as account_services

    issued = account_services.api_token_create(actor=actor_for(implementation_pm), name="ACD push")
    api = APIClient()
    me = "/api/v1/orgs/northstar/partnerships/"
    assert api.get(me, HTTP_AUTHORIZATION=f"Token {issued.key}").status_code == 200
    login(client, admin)
    client.post(reverse("org:member-remove", args=["northstar", implementation_pm.pk]))
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    event = AuditEvent.objects.get(verb="member.removed")
    assert event.changes["api_tokens_revoked"] == [None, 1]
    # Invited back, the person is a member again, but the old token stays dead.
    MembershipFactory(
        organization=admin.organization, user=implementation_pm.user, role=Role.IMPLEMENTATION_PM
    )
    assert api.get(me, HTTP_AUTHORIZATION=f"Token {issued.key}").status_code == 401


def test_a_removed_pm_leaves_the_partnerships_they_worked_on(
    client, admin, implementation_pm, partnership, outsider_partnership
):
    outsider_partnership.implementation_pms.add(implementation_pm.user)  # another tenant's
    login(client, admin)
    client.post(reverse("org:member-remove", args=["northstar", implementation_pm.pk]))
    assert not partnership.implementation_pms.exists()
    assert list(outsider_partnership.implementation_pms.all()) == [implementation_pm.user]


def test_removing_the_dedicated_account_manager_shows_the_reason(client, admin, partnership):
    login(client, admin)
    am = Membership.objects.get(user=partnership.account_manager, organization=admin.organization)
    response = client.post(reverse("org:member-remove", args=["northstar", am.pk]), follow=True)
    assert Membership.objects.filter(pk=am.pk).exists()
    assert "assign another manager first" in " ".join(messages_of(response))


def test_member_remove_is_scoped_and_admin_only(client, admin, account_manager, outsider):
    login(client, admin)
    # Another tenant's membership through this tenant's URL: 404, nothing removed.
    assert (
        client.post(reverse("org:member-remove", args=["northstar", outsider.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("org:member-remove", args=["northstar", account_manager.pk])).status_code
        == 405
    )
    login(client, account_manager)
    assert (
        client.post(reverse("org:member-remove", args=["northstar", admin.pk])).status_code == 403
    )
    assert Membership.objects.filter(pk__in=[admin.pk, outsider.pk]).count() == 2


def test_admin_revokes_an_invitation_and_its_link_dies(client, admin, outsider):
    invitation = InvitationFactory(organization=admin.organization, invited_by=admin.user)
    foreign = InvitationFactory(organization=outsider.organization, invited_by=outsider.user)
    login(client, admin)

    assert (
        client.post(reverse("org:invitation-revoke", args=["northstar", foreign.pk])).status_code
        == 404
    )
    response = client.post(reverse("org:invitation-revoke", args=["northstar", invitation.pk]))

    assert response.url == members_url(admin.organization)
    invitation.refresh_from_db()
    foreign.refresh_from_db()
    assert invitation.state == "revoked" and foreign.state == "pending"
    assert (
        client.get(reverse("accounts:invitation-accept", args=[invitation.raw_token])).status_code
        == 404
    )
    # Revoking twice explains instead of failing.
    again = client.post(
        reverse("org:invitation-revoke", args=["northstar", invitation.pk]), follow=True
    )
    assert "already revoked" in " ".join(messages_of(again))


# --- API tokens -----------------------------------------------------------------------


def test_token_is_shown_once_and_authenticates_until_revoked(
    client, api, account_manager, partnership
):
    login(client, account_manager)
    response = client.post(tokens_url(account_manager.organization), {"name": "ACD nightly push"})

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    key = response.context["issued"].key
    html = response.content.decode()
    assert html.count(key) == 2  # the .secret box and the curl example
    assert 'class="secret' in html
    api_url = reverse("api:partnership-list", kwargs={"org_slug": "northstar"})
    assert f'curl -H "Authorization: Token {key}" http://testserver{api_url}' in html

    token = ApiToken.objects.get(user=account_manager.user)
    assert token.prefix == key[:8] and token.key_hash != key
    # Never again: the list shows the prefix only.
    listing = client.get(tokens_url(account_manager.organization)).content.decode()
    assert key not in listing and f"{token.prefix}…" in listing

    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = api.get(api_url)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [partnership.pk]
    # The token belongs to one organization only.
    assert (
        api.get(reverse("api:partnership-list", kwargs={"org_slug": "harbor"})).status_code == 404
    )

    revoked = client.post(reverse("org:token-revoke", args=["northstar", token.pk]), follow=True)
    assert "is revoked" in " ".join(messages_of(revoked))
    assert api.get(api_url).status_code == 401


def test_token_without_a_name_is_refused_on_the_name_field(client, admin):
    login(client, admin)
    response = client.post(tokens_url(admin.organization), {"name": "  "})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_tokens_are_their_owners_alone(client, admin, client_executive, outsider):
    mine = ApiTokenFactory(organization=admin.organization, user=client_executive.user, name="Mine")
    admins = ApiTokenFactory(organization=admin.organization, user=admin.user, name="Admin's")
    foreign = ApiTokenFactory(organization=outsider.organization, user=outsider.user)
    login(client, client_executive)

    page = client.get(tokens_url(admin.organization))
    assert page.status_code == 200
    assert list(page.context["tokens"]) == [mine]

    for other in (admins, foreign):
        url = reverse("org:token-revoke", args=["northstar", other.pk])
        assert client.post(url).status_code == 404
        other.refresh_from_db()
        assert other.revoked_at is None


def test_tokens_page_queries_do_not_grow_with_rows(client, admin, org_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(tokens_url(org_a)).status_code == 200
        return len(queries)

    login(client, admin)
    client.get(tokens_url(org_a))  # the first visit remembers the organization in the session
    ApiTokenFactory.create_batch(3, organization=org_a, user=admin.user)
    few = count()
    ApiTokenFactory.create_batch(27, organization=org_a, user=admin.user)
    assert count() == few


# --- Django admin ---------------------------------------------------------------------


def test_admin_pages_open_and_the_audit_trail_is_read_only(client, admin, partnership, rf):
    staff = UserFactory(email="staff@switchboard.example", is_staff=True, is_superuser=True)
    event = AuditEventFactory(organization=admin.organization, actor=admin.user)
    ApiTokenFactory(organization=admin.organization, user=admin.user)
    InvitationFactory(organization=admin.organization, invited_by=admin.user)
    client.force_login(staff)

    for model in (User, Membership, Invitation, ApiToken, AuditEvent, Organization):
        name = f"{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    for name in ("clientorganization", "partnership", "partnershipstatuschange"):
        assert client.get(reverse(f"admin:partnerships_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    assert (
        client.get(reverse("admin:accounts_user_change", args=[admin.user.pk])).status_code == 200
    )

    request = rf.get("/")
    request.user = staff
    audit_admin = django_admin.site._registry[AuditEvent]
    assert not audit_admin.has_add_permission(request)
    assert not audit_admin.has_change_permission(request, event)
    assert not audit_admin.has_delete_permission(request, event)
    assert not django_admin.site._registry[Invitation].has_add_permission(request)
    token_form = django_admin.site._registry[ApiToken].get_form(request, ApiToken.objects.first())
    assert "key_hash" not in token_form.base_fields


def test_admin_creates_users_with_lower_case_unique_emails(client, db):
    staff = UserFactory(email="staff@switchboard.example", is_staff=True, is_superuser=True)
    client.force_login(staff)
    data = {
        "email": "New.Person@Example.com",
        "full_name": "New Person",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-2-TOTAL_FORMS": "0",
        "memberships-2-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:accounts_user_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.filter(email="new.person@example.com").exists()

    duplicate = client.post(
        reverse("admin:accounts_user_add"), {**data, "email": "NEW.person@example.com"}
    )
    assert duplicate.status_code == 200
    assert "email" in duplicate.context["adminform"].form.errors
