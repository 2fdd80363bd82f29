"""Row-level security on PostgreSQL: the tenancy backstop (tenancy/rls.py).

Every test here runs its database work as the application's role (`SET ROLE`, in the test's
transaction): not the tables' owner, not a superuser, no BYPASSRLS. The whole suite runs that
way too in CI's PostgreSQL run (SWITCHBOARD_TEST_APP_ROLE=1, tests/conftest.py)."""

from __future__ import annotations

import contextlib
import os

import pytest
from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.urls import reverse

from partnerships.models import ClientOrganization, Partnership
from tenancy import rls
from tenancy.models import AuditEvent, Membership
from tests.factories import AuditEventFactory

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="row-level security is PostgreSQL's; SQLite has the access policy's filters only",
    ),
    pytest.mark.django_db,
]


@contextlib.contextmanager
def as_app_role(role: str, scope: rls.Scope = rls.NOBODY):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        with rls.scoped(scope):
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@contextlib.contextmanager
def refused(match: str):
    """The block fails with a database error matching `match`, and its transaction with it."""
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        yield


def rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def catalog_tenant_tables() -> set[str]:
    """Every table of the schema with an organization_id column, whatever model made it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'organization_id'"
        )
        return {name for (name,) in cursor.fetchall()}


# --- The schema -----------------------------------------------------------------------------


def test_every_tenant_table_has_row_security_forced_and_the_policy():
    tables = catalog_tenant_tables()
    assert set(rls.tenant_tables()) == tables  # no table with an organization escapes the list
    assert {"partnerships_partnership", "tenancy_membership", "health_issue"} <= tables
    # and the tables whose rows belong to a tenant row (a partnership's implementation PMs)
    assert "partnerships_partnership_implementation_pms" in rls.dependent_tables()
    tables |= set(rls.dependent_tables())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
            " EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname"
            "  AND p.schemaname = current_schema() AND p.policyname = %s)"
            " FROM pg_class c WHERE c.relname = ANY(%s)",
            [rls.POLICY, sorted(tables)],
        )
        state = {name: (enabled, forced, policy) for name, enabled, forced, policy in cursor}
    missing = sorted(name for name in tables if state.get(name) != (True, True, True))
    assert missing == []


def test_a_new_tenant_table_is_covered_by_the_next_migrate(as_owner):
    """A table created without a policy (here by hand) gets one from `apply()`, which every
    `migrate` runs; until then the first test above fails for it."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE health_touchpoint NO FORCE ROW LEVEL SECURITY")
        cursor.execute(f"DROP POLICY {rls.POLICY} ON health_touchpoint")
    assert rls.apply() == ["health_touchpoint"]
    assert rls.apply() == []  # nothing left to do
    test_every_tenant_table_has_row_security_forced_and_the_policy()


def test_the_application_role_is_neither_superuser_nor_owner_nor_bypassing(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [app_role])
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            " AND tableowner = %s",
            [app_role],
        )
        assert cursor.fetchone()[0] == 0
    with as_app_role(app_role), refused("must be owner"), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE partnerships_partnership NO FORCE ROW LEVEL SECURITY")
    # Asking the database to skip row security is refused, not obeyed.
    with as_app_role(app_role), refused("row-level security"), connection.cursor() as cursor:
        cursor.execute("SET LOCAL row_security = off")
        cursor.execute("SELECT count(*) FROM partnerships_partnership")


# --- What the role sees ---------------------------------------------------------------------


def test_with_no_organization_set_every_tenant_table_reads_zero_rows(
    app_role, partnership, client_executive, outsider_partnership
):
    AuditEventFactory(organization=partnership.organization, verb="x.made")
    tables = sorted(catalog_tenant_tables() | set(rls.dependent_tables()))
    filled = [table for table in tables if rows(table)]
    assert {
        "partnerships_partnership",
        "partnerships_partnership_implementation_pms",
        "tenancy_membership",
        "tenancy_auditevent",
    } <= set(filled)
    with as_app_role(app_role):
        assert {table: rows(table) for table in tables} == dict.fromkeys(tables, 0)
        with refused("row-level security"):
            ClientOrganization.objects.create(organization=partnership.organization, name="X")


def test_a_partnerships_pms_are_as_visible_as_the_partnership(
    app_role, partnership, outsider, outsider_partnership
):
    outsider_partnership.implementation_pms.add(outsider.user)
    pms = Partnership.implementation_pms.through.objects
    assert pms.filter(partnership=outsider_partnership).exists()
    with as_app_role(app_role, rls.Scope.of([partnership.organization_id])):
        assert set(pms.values_list("partnership_id", flat=True)) == {partnership.pk}
        with refused("row-level security"):
            pms.create(partnership_id=outsider_partnership.pk, user_id=outsider.user_id)


def test_a_planted_cross_tenant_query_returns_no_row(app_role, partnership, outsider_partnership):
    """An unfiltered query, as a forgotten `.filter(organization=…)` would be, in Northstar's
    scope: Harbor's rows are not there, and cannot be changed or deleted."""
    northstar = rls.Scope.of([partnership.organization_id])
    with as_app_role(app_role, northstar):
        assert set(Partnership.objects.values_list("pk", flat=True)) == {partnership.pk}
        assert not Partnership.objects.filter(pk=outsider_partnership.pk).exists()
        assert Partnership.objects.filter(pk=outsider_partnership.pk).update(name="Mine") == 0
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM partnerships_comment")  # Harbor's would go too
            cursor.execute(
                "SELECT count(*) FROM partnerships_partnership WHERE organization_id = %s",
                [outsider_partnership.organization_id],
            )
            assert cursor.fetchone()[0] == 0
        with refused("row-level security"):  # writing into another tenant is refused
            ClientOrganization.objects.create(
                organization_id=outsider_partnership.organization_id, name="Planted"
            )
    outsider_partnership.refresh_from_db()
    assert outsider_partnership.name != "Mine"


def test_a_person_sees_their_organizations_and_their_own_memberships(
    app_role, admin, partnership, outsider, outsider_partnership
):
    # Ada becomes a viewer of nothing at Harbor: only her own membership row there is hers.
    harbor = Membership.objects.create(
        organization=outsider.organization, user=admin.user, role="account_manager"
    )
    harbor.delete()
    with as_app_role(app_role, rls.Scope.person_of(admin.user_id)):
        assert rls.current() == rls.Scope.person_of(admin.user_id)
        assert set(Partnership.objects.values_list("pk", flat=True)) == {partnership.pk}
        assert set(Membership.objects.values_list("user_id", flat=True)) >= {admin.user_id}
        assert not Membership.objects.filter(pk=outsider.pk).exists()
    # Once a member of Harbor too, her scope (read when it is entered) holds both.
    Membership.objects.create(organization=outsider.organization, user=admin.user, role="viewer")
    with as_app_role(app_role, rls.Scope.person_of(admin.user_id)):
        assert set(Partnership.objects.values_list("pk", flat=True)) == {
            partnership.pk,
            outsider_partnership.pk,
        }


def test_the_application_role_cannot_change_or_delete_the_audit_trail(app_role, admin):
    event = AuditEventFactory(organization=admin.organization, actor=admin.user, verb="x.made")
    with as_app_role(app_role, rls.Scope.of([admin.organization_id])):
        for sql in (
            "UPDATE tenancy_auditevent SET verb = 'x.hidden' WHERE id = %s",
            "DELETE FROM tenancy_auditevent WHERE id = %s",
        ):
            with refused("permission denied"), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk, verb="x.made").exists()


# --- Tasks ----------------------------------------------------------------------------------


@shared_task(name="tests.tenancy.rename_every_partnership")
def rename_every_partnership(*, organization_id: int) -> int:
    """A task with a bug: it forgets its organization and renames every partnership."""
    return Partnership.objects.update(name="Renamed")


@shared_task(name="tests.tenancy.count_partnerships")
def count_partnerships() -> int:
    return Partnership.objects.count()


def test_a_task_run_for_organization_b_changes_nothing_of_a(
    app_role, partnership, outsider_partnership
):
    with as_app_role(app_role):
        renamed = rename_every_partnership.delay(
            organization_id=outsider_partnership.organization_id
        ).get()
    assert renamed == 1
    partnership.refresh_from_db()
    outsider_partnership.refresh_from_db()
    assert (partnership.name, outsider_partnership.name) != ("Renamed", "Renamed")
    assert outsider_partnership.name == "Renamed"


def test_a_task_without_an_organization_reads_nothing_unless_declared_system(
    app_role, partnership, outsider_partnership
):
    with as_app_role(app_role):
        assert count_partnerships.delay().get() == 0
        rls.SYSTEM_TASKS.add(count_partnerships.name)
        try:
            assert count_partnerships.delay().get() == 2
        finally:
            rls.SYSTEM_TASKS.discard(count_partnerships.name)
        assert rls.current() == rls.NOBODY  # the task's scope ended with it


# --- Requests -------------------------------------------------------------------------------


def test_a_request_works_in_the_signed_in_persons_organizations(
    client, app_role, admin, partnership, outsider_partnership
):
    """Through the middleware, as the application role: the admin's pages work, another
    tenant's partnership is 404, and after the request the scope is what it was."""
    client.force_login(admin.user)
    with as_app_role(app_role):
        page = client.get(partnership_url(partnership))
        assert page.status_code == 200
        assert partnership.name in page.content.decode()
        foreign = client.get(partnership_url(outsider_partnership))
        assert foreign.status_code == 404
        assert rls.current() == rls.NOBODY


def partnership_url(partnership) -> str:
    return reverse(
        "partnerships:detail",
        kwargs={"org_slug": partnership.organization.slug, "pk": partnership.pk},
    )


def test_an_api_token_narrows_the_request_to_its_organization(
    app_role, api, actor_for, admin, partnership, outsider
):
    from accounts.services import api_token_create

    # Ada is a member of Harbor too; her Northstar token still opens Northstar only.
    Membership.objects.create(organization=outsider.organization, user=admin.user, role="viewer")
    issued = api_token_create(actor=actor_for(admin), name="feed")
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    with as_app_role(app_role):
        mine = api.get(f"/api/v1/orgs/{admin.organization.slug}/partnerships/")
        assert mine.status_code == 200
        assert [row["id"] for row in mine.json()["results"]] == [partnership.pk]
        theirs = api.get(f"/api/v1/orgs/{outsider.organization.slug}/partnerships/")
        assert theirs.status_code in (403, 404)


# --- The deploy check ----------------------------------------------------------------------


def test_the_deploy_check_warns_of_a_role_that_row_security_does_not_hold(app_role, as_owner):
    from tenancy.checks import application_role_check

    as_superuser = {w.id for w in application_role_check(databases=["default"])}
    assert "tenancy.W001" in as_superuser  # the suite's own connection: the superuser
    with as_app_role(app_role):
        assert application_role_check(databases=["default"]) == []
    assert application_role_check(databases=None) == []  # only with --database


@pytest.mark.skipif(
    os.environ.get("SWITCHBOARD_TEST_APP_ROLE") != "1",
    reason="the suite runs as the application's role only with SWITCHBOARD_TEST_APP_ROLE=1",
)
def test_the_suite_runs_as_the_application_role_when_asked(app_role, partnership):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('switchboard.organizations')")
        assert cursor.fetchone() == (app_role, rls.ALL)
    assert Partnership.objects.filter(pk=partnership.pk).exists()


# --- Transaction-local, always --------------------------------------------------------------


@contextlib.contextmanager
def app_role_session(role: str):
    """SET ROLE for the connection, outside any transaction (a transactional test)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def session_setting() -> str:
    """What the connection holds outside a transaction, read past the scope's own wrapper."""
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('switchboard.organizations', true)")
        return cursor.fetchone()[0] or ""


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_each_statement_gets_the_scope_and_the_session_none(
    app_role, partnership, outsider_partnership
):
    """Django's autocommit: every statement runs in a transaction of its own with the scope
    set in it (SET LOCAL); nothing is left on the connection (PgBouncer in transaction mode
    could hand it to someone else)."""
    with app_role_session(app_role):
        with rls.scoped(rls.Scope.of([partnership.organization_id])):
            assert connection.get_autocommit()
            assert set(Partnership.objects.values_list("pk", flat=True)) == {partnership.pk}
            assert list(Partnership.objects.iterator(chunk_size=1)) == [partnership]
            assert session_setting() == ""
        with rls.scoped(rls.NOBODY):
            assert Partnership.objects.count() == 0  # no scope: no rows
        assert session_setting() == ""


@pytest.mark.django_db(transaction=True)
def test_a_read_is_one_transaction_and_a_change_keeps_its_own(
    app_role, rf, monkeypatch, partnership
):
    """The middleware runs a scoped read in one transaction with its scope set once (one
    answered 500 writes nothing), and work after its commit keeps the request's scope; a
    change runs in autocommit as ever, its own transactions each started with the scope."""
    northstar = rls.Scope.of([partnership.organization_id])
    monkeypatch.setattr(rls.ScopeMiddleware, "person_of", staticmethod(lambda request: northstar))
    after_commit = []

    def view(status):
        def get_response(request):
            assert connection.in_atomic_block == (request.method == "GET")
            ClientOrganization.objects.create(
                organization_id=partnership.organization_id, name=f"Answered {status}"
            )
            transaction.on_commit(lambda: after_commit.append(Partnership.objects.count()))
            return HttpResponse(status=status)

        return rls.ScopeMiddleware(get_response)

    with app_role_session(app_role):
        assert view(200)(rf.get("/")).status_code == 200
        assert view(500)(rf.get("/")).status_code == 500
        assert after_commit == [1]  # the 500's callback never ran; the 200's saw its partnership
        assert view(201)(rf.post("/")).status_code == 201
        assert after_commit == [1, 1]  # ran at once, in the request's scope
        assert session_setting() == ""
    names = set(ClientOrganization.objects.values_list("name", flat=True))
    assert {"Answered 200", "Answered 201"} <= names
    assert "Answered 500" not in names


@pytest.mark.django_db(transaction=True)
def test_an_api_token_read_is_one_transaction_in_the_tokens_scope(
    app_role, actor_for, admin, partnership, outsider_partnership, monkeypatch
):
    from django.test import Client

    from accounts.services import api_token_create

    issued = api_token_create(actor=actor_for(admin), name="feed")
    transactions = []
    original = rls._apply

    def recorded(connection, scope):
        transactions.append(scope)
        original(connection, scope)

    with app_role_session(app_role), rls.scoped(rls.NOBODY):
        monkeypatch.setattr(rls, "_apply", recorded)
        response = Client().get(
            f"/api/v1/orgs/{admin.organization.slug}/partnerships/",
            HTTP_AUTHORIZATION=f"Token {issued.key}",
        )
        monkeypatch.undo()
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [partnership.pk]
    # One transaction, whose scope is set three times: to find the key across tenants, back
    # to none, then the token's organization for every statement after (not once each).
    token = rls.Scope.of([admin.organization_id], admin.user_id)
    assert transactions == [rls.SYSTEM, rls.NOBODY, token]


def test_rolling_back_to_a_savepoint_keeps_the_current_scope(
    app_role, partnership, outsider_partnership
):
    """A savepoint rolled back undoes a `set_config` made after it: the scope of the work,
    narrowed meanwhile, is put back at once, never the wider one of the savepoint's time."""
    with as_app_role(app_role, rls.SYSTEM):
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            rls.narrow(rls.Scope.of([partnership.organization_id]))
            raise ZeroDivisionError
        assert rls.current() == rls.Scope.of([partnership.organization_id])
        assert set(Partnership.objects.values_list("pk", flat=True)) == {partnership.pk}


def test_a_page_narrows_a_person_of_two_organizations_to_the_one_it_opens(
    app_role, admin, partnership, outsider, outsider_partnership
):
    from tenancy.views import membership_for

    Membership.objects.create(organization=outsider.organization, user=admin.user, role="viewer")
    person = rls.Scope.person_of(admin.user_id)
    with as_app_role(app_role, person):
        assert Partnership.objects.filter(pk=outsider_partnership.pk).exists()  # both, so far
        membership = membership_for(admin.user, admin.organization.slug)
        assert rls.current() == rls.Scope.of([membership.organization_id], admin.user_id)
        assert set(Partnership.objects.values_list("pk", flat=True)) == {partnership.pk}
        # An API key's scope is its own already: not widened to the URL's organization.
        rls.narrow(rls.Scope.of([outsider.organization_id], admin.user_id))
        membership_for(admin.user, admin.organization.slug)
        assert rls.current() == rls.Scope.of([outsider.organization_id], admin.user_id)
