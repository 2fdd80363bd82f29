"""The authentication backend reads the user with their memberships in one query; pages find
the membership among them. Access is decided on every request from what the database holds."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import MembershipBackend
from tenancy.models import Membership


def list_url(org) -> str:
    return reverse("partnerships:list", kwargs={"org_slug": org.slug})


def test_the_user_comes_with_their_memberships_in_one_query(account_manager):
    with CaptureQueriesContext(connection) as queries:
        user = MembershipBackend().get_user(account_manager.user.pk)
    assert len(queries) == 1
    assert [m.pk for m in user.loaded_memberships] == [account_manager.pk]
    assert user.loaded_memberships[0].organization.slug == account_manager.organization.slug


def test_each_membership_comes_with_its_organization_client_and_the_same_user(
    client_executive, org_b
):
    """What select_related would give: the organization, the client (or None), one user;
    ordered by organization name."""
    user = client_executive.user
    other = Membership.objects.create(organization=org_b, user=user, role="admin")
    with CaptureQueriesContext(connection) as queries:
        loaded = MembershipBackend().get_user(user.pk)
        memberships = loaded.loaded_memberships
        names = [m.organization.name for m in memberships]
        clients = {m.pk: m.client and m.client.name for m in memberships}
        assert all(m.user is loaded for m in memberships)
    assert len(queries) == 1
    assert names == sorted([client_executive.organization.name, org_b.name])
    assert clients == {client_executive.pk: client_executive.client.name, other.pk: None}
    # The user row read whole: what signing in and password checks rely on.
    assert (loaded.email, loaded.password, loaded.is_active) == (user.email, user.password, True)


def test_a_session_with_a_user_id_that_is_not_a_number_signs_nobody_in(db):
    assert MembershipBackend().get_user("1; DROP TABLE x") is None
    assert MembershipBackend().get_user(10**9) is None


def test_a_user_without_membership_still_signs_in(db, django_user_model):
    user = django_user_model.objects.create_user(email="lonely@example.com", password="x" * 14)
    loaded = MembershipBackend().get_user(user.pk)
    assert loaded == user and loaded.loaded_memberships == []


def test_an_inactive_user_is_signed_out(client, account_manager):
    client.force_login(account_manager.user)
    assert client.get(list_url(account_manager.organization)).status_code == 200
    type(account_manager.user).objects.filter(pk=account_manager.user.pk).update(is_active=False)
    response = client.get(list_url(account_manager.organization))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_removed_member_loses_the_organization_at_the_next_request(client, account_manager):
    client.force_login(account_manager.user)
    assert client.get(list_url(account_manager.organization)).status_code == 200
    Membership.objects.filter(pk=account_manager.pk).delete()
    assert client.get(list_url(account_manager.organization)).status_code == 404


def test_another_organization_answers_404(client, account_manager, org_b):
    client.force_login(account_manager.user)
    assert client.get(list_url(org_b)).status_code == 404


def test_a_page_reads_no_membership_query_of_its_own(client, account_manager):
    client.force_login(account_manager.user)
    client.get(list_url(account_manager.organization))
    with CaptureQueriesContext(connection) as queries:
        client.get(list_url(account_manager.organization))
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    membership_reads = [
        q for q in queries.captured_queries if 'FROM "tenancy_membership"' in q["sql"]
    ]
    assert len(membership_reads) == 1  # with the user, by the backend
