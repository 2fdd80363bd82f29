"""Personas (healthchecks style): Northstar is the provider under test, with one member of every
role; Harbor is another tenant whose admin, the outsider, must see nothing of Northstar.

- `admin`               Northstar admin
- `account_manager`     Northstar account manager, dedicated AM of `partnership`
- `implementation_pm`   Northstar implementation PM, assigned to `partnership`
- `client_executive`    executive of `partnership`'s client (University Health)
- `outsider`            Harbor admin
- `partnership`         Northstar and University Health, in discovery
- `other_client_partnership`  Northstar and another client (nobody above is assigned to it)
- `outsider_partnership`      Harbor's own partnership
"""

from __future__ import annotations

import datetime
import hashlib
import os
import sqlite3
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connections
from django.test import Client
from pytest_django.fixtures import _get_databases_for_setup
from rest_framework.test import APIClient

from accounts import twofactor
from partnerships.models import PartnershipStatus
from tenancy import generation
from tenancy.audit import Actor
from tenancy.models import Role
from tests.factories import (
    ClientOrganizationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnershipFactory,
)


def pytest_collection_modifyitems(config, items):
    # Browser tests start Playwright's driver and Chromium: `-m "not subprocess"` leaves them
    # out with the other tests that start processes.
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.subprocess)


# --- The test database ---------------------------------------------------------------------

# Migrated SQLite databases, one per state of the migrations (see `django_db_setup`).
MIGRATED_DIR = Path(__file__).resolve().parent.parent / "var" / "test-db"


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's test database, except that the SQLite run migrates once rather than in
    every worker of every run: the migrated database is kept under var/test-db/, named by a
    hash of everything it is made from (Django, SQLite, each app's migrations and models), and
    each worker copies it into its in-memory test database. A migration or model edit makes
    a new one; PostgreSQL, --reuse-db and --nomigrations take pytest-django's usual way."""
    from django.test.utils import setup_databases, teardown_databases

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    connection = connections["default"]
    copied = (
        set(settings.DATABASES) == {"default"}
        and connection.vendor == "sqlite"
        and connection.creation.is_in_memory_db(connection.creation._get_test_db_name())
        and django_db_use_migrations
        and not django_db_keepdb
    )
    with django_db_blocker.unblock():
        if copied:
            db_cfg = [(connection, _copy_migrated_sqlite(connection), True)]
            if "default" in serialized_aliases:
                connection.creation.serialize_test_db()
        else:
            if not django_db_use_migrations:
                from pytest_django.fixtures import _disable_migrations

                _disable_migrations()
            db_cfg = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=django_db_keepdb and not django_db_createdb,
            )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=verbosity)
            except Exception as error:  # a warning, as in pytest-django's own fixture
                request.node.warn(
                    pytest.PytestWarning(f"Error when trying to teardown test databases: {error!r}")
                )


def _migrations_key() -> str:
    """A hash of everything `migrate` builds the schema and its rows (content types,
    permissions) from."""
    digest = hashlib.sha256()
    for part in (
        django.get_version(),
        sqlite3.sqlite_version,
        settings.AUTH_USER_MODEL,
        settings.DEFAULT_AUTO_FIELD,
        repr(sorted(settings.MIGRATION_MODULES.items())),
    ):
        digest.update(part.encode())
    for app in apps.get_app_configs():
        root = Path(app.path)
        digest.update(app.label.encode())
        for pattern in ("migrations/*.py", "models.py", "models/*.py"):
            for path in sorted(root.glob(pattern)):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _migrated_sqlite(connection) -> Path:
    """The migrated database file for the current migrations, made now if there is none."""
    path = MIGRATED_DIR / f"sqlite-{_migrations_key()}.sqlite3"
    if path.exists():
        return path
    MIGRATED_DIR.mkdir(parents=True, exist_ok=True)
    # Two workers may make it at once: each writes a file of its own, the last one wins.
    building = MIGRATED_DIR / f"{path.stem}.{os.getpid()}.building"
    building.unlink(missing_ok=True)
    name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(building)
    try:
        call_command(
            "migrate", verbosity=0, interactive=False, database=connection.alias, run_syncdb=True
        )
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
    os.replace(building, path)
    for stale in MIGRATED_DIR.glob("sqlite-*.sqlite3"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return path


def _copy_migrated_sqlite(connection) -> str:
    """Create the in-memory test database as a copy of the migrated one (what
    `create_test_db` does, the copy standing in for `migrate`); answers the database name
    to restore at teardown."""
    source = _migrated_sqlite(connection)
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation._get_test_db_name()
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    connection.ensure_connection()
    migrated = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        migrated.backup(connection.connection)
    finally:
        migrated.close()
    call_command("createcachetable", database=connection.alias)
    return old_name


# --- Personas ---------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _force_login_gives_both_factors():
    """`client.force_login(user)` stands for a complete sign-in, second factor included: the
    two-factor gate (accounts/twofactor.py) stays on for every test, and
    tests/accounts/test_two_factor.py signs in through the pages, password and code.
    Session-wide, so that module-scoped fixtures (the isolation walker's world) have it too."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[twofactor.VERIFIED] = "test"
        session.save()
        # Signed-cookie sessions carry their data in the key: hand the client the new one.
        self.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    patch = pytest.MonkeyPatch()
    patch.setattr(Client, "force_login", force_login)
    yield
    patch.undo()


@pytest.fixture
def org_a(db):
    return OrganizationFactory(name="Northstar Nurse Line", slug="northstar")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(name="Harbor Health Calls", slug="harbor")


@pytest.fixture
def university(org_a):
    return ClientOrganizationFactory(organization=org_a, name="University Health", city="Ames")


@pytest.fixture
def admin(org_a):
    return MembershipFactory(
        organization=org_a,
        role=Role.ADMIN,
        user__email="admin@northstar.example",
        user__full_name="Ada Admin",
    )


@pytest.fixture
def account_manager(org_a):
    return MembershipFactory(
        organization=org_a,
        role=Role.ACCOUNT_MANAGER,
        user__email="am@northstar.example",
        user__full_name="Alice Manager",
    )


@pytest.fixture
def implementation_pm(org_a):
    return MembershipFactory(
        organization=org_a,
        role=Role.IMPLEMENTATION_PM,
        user__email="pm@northstar.example",
        user__full_name="Paul Planner",
    )


@pytest.fixture
def client_executive(org_a, university):
    return MembershipFactory(
        organization=org_a,
        role=Role.CLIENT_EXECUTIVE,
        client=university,
        user__email="exec@university.example",
        user__full_name="Erin Executive",
    )


@pytest.fixture
def outsider(org_b):
    return MembershipFactory(
        organization=org_b,
        role=Role.ADMIN,
        user__email="admin@harbor.example",
        user__full_name="Olga Outsider",
    )


@pytest.fixture
def partnership(org_a, university, account_manager, implementation_pm):
    return PartnershipFactory(
        organization=org_a,
        client=university,
        name="University after-hours line",
        status=PartnershipStatus.DISCOVERY,
        account_manager=account_manager.user,
        implementation_pms=[implementation_pm.user],
        internal_notes="Internal: renewal at risk.",
    )


@pytest.fixture
def other_client_partnership(org_a, admin):
    county = ClientOrganizationFactory(organization=org_a, name="County Clinic", city="Boone")
    return PartnershipFactory(
        organization=org_a,
        client=county,
        name="County clinic daytime line",
        status=PartnershipStatus.PROSPECT,
        account_manager=admin.user,
        contract_start=datetime.date(2026, 3, 1),
    )


@pytest.fixture
def outsider_partnership(org_b, outsider):
    harbor_client = ClientOrganizationFactory(organization=org_b, name="Harbor General")
    return PartnershipFactory(
        organization=org_b,
        client=harbor_client,
        name="Harbor General overflow line",
        status=PartnershipStatus.DISCOVERY,
        account_manager=outsider.user,
    )


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def actor_for():
    """`actor_for(membership)`: the Actor a service takes, as a request would build it."""

    def build(membership) -> Actor:
        return Actor(membership=membership, ip_address="127.0.0.1", user_agent="pytest")

    return build


# --- Row-level security: the suite as the application's role -------------------------------

# The role tests/tenancy/test_row_security.py tests as, and the whole suite runs as when
# SWITCHBOARD_TEST_APP_ROLE=1 (CI's PostgreSQL run): not the owner, not a superuser.
APP_ROLE = "switchboard_test_app"


def app_role_grants() -> str:
    """The application role exists in the test cluster and has the application's rights in
    the test database (what `migrate` grants a configured one: tenancy.rls.grant)."""
    from tenancy import rls

    connection = connections["default"]
    # A connection of its own, committing at once: never inside a test's transaction.
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    try:
        with raw.cursor() as cursor:
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;"
                " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
            rls.grant(cursor, connection, APP_ROLE)
    finally:
        raw.close()
    return APP_ROLE


@pytest.fixture(scope="session")
def app_role(django_db_setup, django_db_blocker) -> str:
    with django_db_blocker.unblock():
        return app_role_grants()


@pytest.fixture
def as_owner(db):
    """For a test that changes the schema or proves what even the owner cannot do: the
    connection's own role (the owner), also when the suite runs as the application's role."""
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


# After pytest-django's `_django_db_marker` (private, but what opens a marked test's database).
@pytest.fixture(autouse=True)
def _fresh_data_generation():
    """Each test starts from a new data generation: a test's rollback undoes its writes
    without a commit, so what a page remembered in one test (`tenancy.generation`) must not
    answer the next, whose rows may reuse the same ids."""
    generation.bump()


@pytest.fixture(autouse=True)
def _suite_as_app_role(request, _django_db_marker):
    """With SWITCHBOARD_TEST_APP_ROLE=1 on PostgreSQL, every test that uses the database runs
    as the application role under row-level security: its own code (fixtures, direct service
    calls) in every organization's scope, as a shell or a migration would, and every request
    and task in the scope that the middleware, the authentications and the tasks set."""
    connection = connections["default"]
    if os.environ.get("SWITCHBOARD_TEST_APP_ROLE") != "1" or connection.vendor != "postgresql":
        yield
        return
    try:
        connection.ensure_connection()
    except RuntimeError:  # no database for this test
        yield
        return
    from tenancy import rls

    role = request.getfixturevalue("app_role")
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    rls.narrow(rls.SYSTEM)
    # DRF's `force_authenticate` stands for a signed-in session (tests/api use it): the person
    # it names gets the scope the middleware gives a session's person.
    person_of = rls.ScopeMiddleware.person_of
    forced = pytest.MonkeyPatch()
    forced.setattr(
        rls.ScopeMiddleware,
        "person_of",
        staticmethod(
            lambda request: (
                rls.Scope.person_of(request._force_auth_user.pk)
                if getattr(request, "_force_auth_user", None) is not None
                else person_of(request)
            )
        ),
    )
    yield
    forced.undo()
    if connection.connection is not None and not connection.needs_rollback:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
        except DatabaseError:  # a failed transaction: its rollback resets the role
            pass
    rls.narrow(rls.NOBODY)
