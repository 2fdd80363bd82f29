"""Row-level security: PostgreSQL's own backstop for tenancy.

The access policy (`tenancy/access.py`) filters every queryset by organization; this is what
holds if a query ever forgets to. Every tenant-owned table (every table with an
`organization_id`) has row security enabled and forced, and one policy: a row is visible and
writable only if its organization is in the **scope** of the current unit of work, two
settings on the database connection:

- `switchboard.organizations`: the organization ids the work may touch (`"3,7"`), `"*"` for
  the few paths that must cross tenants (the Django admin, the health dispatcher, `seed_demo`),
  or empty: no rows at all;
- `switchboard.person`: the signed-in person. With a person and no organizations given, the
  scope is the organizations they are a member of (read from their memberships at the start
  of each transaction), and they see their own memberships in any organization (the
  organization picker).

Who sets it: `ScopeMiddleware` for every request (the signed-in person; nobody otherwise),
narrowed to the URL's organization once the membership in it is found
(`tenancy.views.membership_for`),
the API token and calendar-key authentications (narrowed to the key's organization, after
looking the key up as an explicit cross-tenant read), every Celery task (`ScopedTask`: the
task's `organization_id`, or `*` for the tasks declared `system_task`), and the sign-in events
(`accounts.security.record`, for the person signing in). The scope belongs to the unit of
work (an attribute of the thread's connection wrapper); the database only ever holds it
transaction-locally (`set_config(…, true)`, what `SET LOCAL` does): an execute wrapper sets it
at the first statement of every transaction, and runs a statement made outside one (Django's
autocommit) in a transaction of its own with it. Nothing stays on the connection between
transactions, so PgBouncer in transaction mode may hand the connection to anyone. A read
request with a scope is one transaction, so its scope is set once. Never a query without a scope:
with none set, every tenant table reads zero rows and refuses every write.

The application connects as a role that is neither the tables' owner nor a superuser and
cannot bypass row security; migrations run as the owner (`MIGRATION_DATABASE_URL`, the
`owner` database alias: `tenancy/management/commands/migrate.py`). After every `migrate`,
`apply()` (a `post_migrate` receiver) puts row security and the policy on every tenant table
(a new table is covered without anyone remembering it) and grants the application role what
it needs, minus UPDATE and DELETE on the append-only tables.

The statements that set the scope go through the database driver's own cursor, like the
settings Django sends when it connects: they are not part of a page's query count.
On SQLite everything here does nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from celery import Task
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import FileResponse
from psycopg.pq import TransactionStatus

ALL = "*"
ADMIN_PATH = "/admin/"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Tables whose rows are never changed or deleted (tenancy/appendonly.py): the application role
# gets no UPDATE or DELETE on them, beyond emptying the foreign keys named here.
APPEND_ONLY = {
    "tenancy_auditevent": (),
    "transition_sensitiveaccesslog": ("staff_member_id",),
}

FUNCTIONS = """
CREATE OR REPLACE FUNCTION switchboard_all_organizations() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(current_setting('switchboard.organizations', true), '') = '*'
$$;

CREATE OR REPLACE FUNCTION switchboard_organizations() RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(string_to_array(NULLIF(NULLIF(
        current_setting('switchboard.organizations', true), ''), '*'), ',')::bigint[], '{}')
$$;

CREATE OR REPLACE FUNCTION switchboard_person() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('switchboard.person', true), '')::bigint
$$;

-- Enter a scope. organizations NULL: the person's own organizations.
CREATE OR REPLACE FUNCTION switchboard_scope(person text, organizations text, is_local boolean)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('switchboard.person', COALESCE(person, ''), is_local);
    PERFORM set_config('switchboard.organizations', COALESCE(organizations, ''), is_local);
    IF organizations IS NULL AND COALESCE(person, '') <> '' THEN
        PERFORM set_config('switchboard.organizations', COALESCE((
            SELECT string_agg(organization_id::text, ',' ORDER BY organization_id)
            FROM tenancy_membership WHERE user_id = person::bigint), ''), is_local);
    END IF;
    RETURN current_setting('switchboard.organizations');
END;
$$;
"""

# Each function wrapped in a scalar subquery: evaluated once per statement, not once per row.
TENANT_RULE = (
    "(SELECT switchboard_all_organizations())"
    " OR organization_id = ANY ((SELECT switchboard_organizations())::bigint[])"
)
# A person sees their own memberships in every organization (which organizations they may
# open); everything else of an organization only within its scope.
MEMBERSHIP_RULE = TENANT_RULE + " OR user_id = (SELECT switchboard_person())"
# Versioned: a table without this very policy gets it (and loses an older one) at migrate.
POLICY = "switchboard_tenant_v1"


# --- The scope --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    organizations: str | None  # "3,7", ALL, "" (nothing), None (the person's own)
    person: str = ""

    @classmethod
    def of(cls, organization_ids: Iterable[int], person: int | None = None) -> Scope:
        ids = sorted({int(pk) for pk in organization_ids})
        return cls(",".join(map(str, ids)), str(int(person)) if person else "")

    @classmethod
    def person_of(cls, user_id: int | None) -> Scope:
        return cls(None, str(int(user_id))) if user_id else NOBODY


NOBODY = Scope("")
SYSTEM = Scope(ALL)


def _enabled(connection) -> bool:
    return connection.vendor == "postgresql"


def enforced(connection) -> bool:
    """Whether the database holds the work to its scope (PostgreSQL; on SQLite the scope is
    only a note on the connection)."""
    return _enabled(connection)


def current(using: str = DEFAULT_DB_ALIAS) -> Scope:
    """The scope of the work running on this thread's connection."""
    return getattr(connections[using], "switchboard_scope", NOBODY)


def _apply(connection, scope: Scope) -> None:
    """Set the scope for the rest of the open transaction (`set_config(…, true)`: what `SET
    LOCAL` does). Through the driver's own cursor, like Django's connection set-up: not part
    of a page's query count, and not through `_every_transaction` again."""
    # Django's error types (a lost database is an OperationalError, answered with 503).
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        cursor.execute(
            "SELECT switchboard_scope(%s, %s, true)", [scope.person, scope.organizations]
        )


def _status(connection):
    raw = connection.connection
    if raw is None or raw.closed or raw.broken:
        return None
    return raw.info.transaction_status


def _every_transaction(execute, sql, params, many, context):
    """An execute wrapper on every PostgreSQL connection: each transaction starts with the
    current scope set in it, transaction-locally. A statement outside a transaction (Django's
    autocommit) is run in one of its own with the scope, unless there is no scope to set
    (nothing set is no rows, which is what no scope means)."""
    connection = context["connection"]
    scope = getattr(connection, "switchboard_scope", NOBODY)
    if connection.get_autocommit():
        if scope == NOBODY:
            return execute(sql, params, many, context)
        with transaction.atomic(using=connection.alias):
            _apply(connection, scope)
            return execute(sql, params, many, context)
    if scope != NOBODY and _status(connection) == TransactionStatus.IDLE:
        _apply(connection, scope)  # this statement opens the transaction
    return execute(sql, params, many, context)


def _install(connection) -> None:
    if _every_transaction not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _every_transaction)
    if not getattr(connection, "_switchboard_savepoints", False):
        # Rolling back to a savepoint also undoes a `set_config` made after it: the database
        # would hold the scope of the savepoint's time (maybe a wider one) while the work
        # goes on in a narrower one. Put the current scope back at once.
        rollback = connection.savepoint_rollback

        def savepoint_rollback(sid):
            rollback(sid)
            if _status(connection) == TransactionStatus.INTRANS:
                _apply(connection, current(connection.alias))

        connection.savepoint_rollback = savepoint_rollback
        connection._switchboard_savepoints = True


@receiver(connection_created, dispatch_uid="tenancy.rls.connection_created")
def _new_connection(sender, connection, **kwargs):
    if _enabled(connection):
        _install(connection)


def _set(scope: Scope, using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    connection.switchboard_scope = scope
    if _enabled(connection):
        _install(connection)
        if _status(connection) == TransactionStatus.INTRANS:
            _apply(connection, scope)  # the open transaction, from its next statement
        # Otherwise the next transaction sets it at its first statement (_every_transaction);
        # a failed one is rolled back as a whole.


@contextlib.contextmanager
def scoped(scope: Scope, using: str = DEFAULT_DB_ALIAS) -> Iterator[Scope]:
    """Run the block in `scope`, then put the previous scope back."""
    previous = current(using)
    _set(scope, using)
    try:
        yield scope
    finally:
        _set(previous, using)


def narrow(scope: Scope, using: str = DEFAULT_DB_ALIAS) -> None:
    """Replace the scope for the rest of the enclosing `scoped()` block (which puts back what
    was there before it): an API key, once found, narrows the request to its organization."""
    _set(scope, using)


def system(using: str = DEFAULT_DB_ALIAS):
    """An explicit cross-tenant path: every organization. Used by name, so that each one can
    be found with grep and reviewed."""
    return scoped(SYSTEM, using)


# --- Requests ---------------------------------------------------------------------------


class ScopeMiddleware:
    """The request's scope: the signed-in person's organizations (nobody's when signed out);
    the Django admin, for staff, every organization. Token and calendar-key requests are
    narrowed by their authentication. After `AuthenticationMiddleware`.

    A read (GET, HEAD, OPTIONS) with a scope is one transaction, so its scope is set once for
    all its statements. A change is not: its services open their own transactions (each
    starts with the scope), and what they do after their commit (queueing an e-mail, whose
    failure the page reports) happens before the response, as it always has. Work after the
    response's commit (a streamed body) runs in the request's scope too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        connection = connections[DEFAULT_DB_ALIAS]
        if not _enabled(connection):
            return self.get_response(request)
        with scoped(self.person_of(request)):
            if request.path_info.startswith(ADMIN_PATH) and request.user.is_staff:
                narrow(SYSTEM)  # the Django admin is the platform staff's, across tenants
            # An API token narrows the scope once it is found, inside the transaction.
            scoped_later = "HTTP_AUTHORIZATION" in request.META
            if (
                (current() == NOBODY and not scoped_later)
                or connection.in_atomic_block
                or request.method not in SAFE_METHODS
            ):
                response = self.get_response(request)
            else:
                with transaction.atomic():
                    response = self.get_response(request)
                    if response.status_code >= 500:
                        transaction.set_rollback(True)
            if getattr(response, "streaming", False) and not isinstance(response, FileResponse):
                # A file's body reads no row (and keeps the server's file wrapper).
                response.streaming_content = _streamed(response.streaming_content, current())
            return response

    @staticmethod
    def person_of(request) -> Scope:
        """The session's person, before anything reads the user: the authentication backend
        reads the user with their memberships (accounts/backends.py), which only the person
        may see. No session cookie: nobody, without reading the session."""
        if not request.COOKIES:
            return NOBODY
        try:
            return Scope.person_of(int(request.session.get(SESSION_KEY) or 0))
        except (TypeError, ValueError):
            return NOBODY


def _streamed(content, scope: Scope):
    """A streamed body is read after the middleware returned: it runs in the request's scope."""
    with scoped(scope):
        yield from content


# --- Tasks ------------------------------------------------------------------------------

SYSTEM_TASKS: set[str] = set()


def system_task(function):
    """Declare a task that works across organizations (a dispatcher that fans out per
    organization, the outbox relay): it runs in every organization's scope."""
    SYSTEM_TASKS.add(f"{function.__module__}.{function.__name__}")
    return function


class ScopedTask(Task):
    """Every task runs in a scope: its `organization_id` keyword argument, or every
    organization for a declared system task, or none (it reads nothing)."""

    def __call__(self, *args, **kwargs):
        if "organization_id" in kwargs:
            scope = Scope.of([kwargs["organization_id"]])
        elif self.name in SYSTEM_TASKS:
            scope = SYSTEM
        else:
            scope = NOBODY
        with scoped(scope):
            return super().__call__(*args, **kwargs)


# --- Schema: policies and grants (run by migrate) ----------------------------------------


def tenant_tables() -> list[str]:
    """Every table with an organization: the tenant-owned ones."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        field = next(
            (f for f in model._meta.concrete_fields if f.column == "organization_id"), None
        )
        if field is not None:
            tables.add(model._meta.db_table)
    return sorted(tables)


def dependent_tables() -> dict[str, str]:
    """Tables without an organization of their own whose rows belong to a tenant row (the
    many-to-many tables of tenant models): {table: its rule}. A row is visible when the row
    it belongs to is (that table's own policy decides)."""
    tenants = set(tenant_tables())
    rules = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.auto_created or model._meta.db_table in tenants:
            continue
        for field in model._meta.concrete_fields:
            parent = field.related_model
            if field.is_relation and parent._meta.db_table in tenants:
                table, pk = _quote(parent._meta.db_table), _quote(parent._meta.pk.column)
                # Identifiers from the models' meta, quoted; no value is interpolated.
                rules[model._meta.db_table] = (
                    f"EXISTS (SELECT 1 FROM {table} parent"  # noqa: S608
                    f" WHERE parent.{pk} = {_quote(field.column)})"
                )
                break
    return rules


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def apply(using: str = DEFAULT_DB_ALIAS, app_role: str | None = None) -> list[str]:
    """Row security forced and the policy on every tenant table that lacks them; grants to the
    application role if one is named. Idempotent and cheap when nothing is missing. The
    tables changed."""
    connection = connections[using]
    if not _enabled(connection):
        return []
    changed = []
    with connection.cursor() as cursor:
        cursor.execute(FUNCTIONS)
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
            " p.policyname IS NOT NULL"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " LEFT JOIN pg_policies p ON p.schemaname = n.nspname AND p.tablename = c.relname"
            "  AND p.policyname = %s"
            " WHERE n.nspname = current_schema() AND c.relkind = 'r'",
            [POLICY],
        )
        state = {name: (enabled, forced, policy) for name, enabled, forced, policy in cursor}
        rules = {table: TENANT_RULE for table in tenant_tables()}
        rules["tenancy_membership"] = MEMBERSHIP_RULE
        rules |= dependent_tables()
        for table, rule in sorted(rules.items()):
            if table not in state or all(state[table]):
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
            for old in _policies(cursor, table):
                cursor.execute(f"DROP POLICY {connection.ops.quote_name(old)} ON {quoted}")
            cursor.execute(f"CREATE POLICY {POLICY} ON {quoted} USING ({rule}) WITH CHECK ({rule})")
            changed.append(table)
        if app_role:
            grant(cursor, connection, app_role)
    return changed


def grant(cursor, connection, role: str) -> None:
    """What the application role may do: read and write rows, never change the schema, never
    change or delete a row of an append-only table."""
    quoted = connection.ops.quote_name(role)
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
    cursor.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"
    )
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
    for table, may_empty in APPEND_ONLY.items():
        table_name = connection.ops.quote_name(table)
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table_name} FROM {quoted}")
        for column in may_empty:
            cursor.execute(
                f"GRANT UPDATE ({connection.ops.quote_name(column)}) ON {table_name} TO {quoted}"
            )


def _policies(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT policyname FROM pg_policies WHERE schemaname = current_schema()"
        " AND tablename = %s AND policyname LIKE 'switchboard_tenant%%'",
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


def application_role(using: str) -> str | None:
    """The role the application connects as, when migrations run as another (the owner)."""
    from django.conf import settings

    owner = settings.DATABASES[using].get("USER")
    app = settings.DATABASES[DEFAULT_DB_ALIAS].get("USER")
    return app if using != DEFAULT_DB_ALIAS and app and app != owner else None


def after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    apply(using, application_role(using))
