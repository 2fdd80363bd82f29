"""The data generation: a token that changes whenever the application writes to the database,
so a page may keep what it computed from the database (`remember`) without ever serving it
after a write.

Every statement the application sends passes an execute wrapper (installed on each database
connection, SQLite included) that spots writes (`INSERT`, `UPDATE`, `DELETE`, `MERGE`,
`TRUNCATE`) by their first words. A write replaces the token in the shared cache at once (a
read later in the same transaction, or in a test that never commits, sees it) and again when
its transaction commits (a reader that computed from the state before the commit kept its
result under the token of that moment, which no request asks for any more). A write through
the ORM, `bulk_create`, `update()` or a cursor is seen alike; a write from outside the
application (psql) is not, which the short lifetime of what is remembered bounds.

Tables that no remembered result reads and that are written while pages are read (sessions,
sign-in records, the audit trail, notifications, job progress) do not change the token.

There is a token for everything and one per organization: on PostgreSQL, where row-level
security holds a write to its scope, a write to a tenant table in one organization's scope
changes that organization's token only; any other write (a table of no organization, work in
every organization's scope or in none, anything on SQLite) changes the token of everything.
`remember` keys on both.

The token is random, not a counter: a lost or evicted token is replaced by a new one, never
by one that was used before. With Redis the token is shared by every process (the web
workers and Celery); with the local-memory cache of development without Redis it is per
process, so a write by another process is seen once what was remembered expires.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.utils import timezone
from redis.exceptions import RedisError

from tenancy import rls

logger = logging.getLogger(__name__)

KEY = "tenancy:data-generation"
# What an unreachable cache raises (Redis's errors; the local-memory cache raises none).
CACHE_ERRORS = (RedisError, OSError)
# How long a remembered result lives at most (seconds): it also bounds how long a write made
# outside the application goes unseen.
LIFETIME = 120

# Tables written while pages are read, which nothing remembered depends on.
QUIET_TABLES = frozenset(
    {
        "django_session",
        "django_cache",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
        "tenancy_auditevent",
        "tenancy_job",
        "transition_sensitiveaccesslog",
        "dashboards_notification",
    }
)
_WRITE_WORDS = ("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "REPLACE", "WITH")
_TABLE = re.compile(
    r"\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO|REPLACE\s+INTO"
    r"|TRUNCATE(?:\s+TABLE)?)\s+(?:\"(?P<quoted>[^\"]+)\"|(?P<bare>\w+))",
    re.IGNORECASE,
)


def written_table(sql: str) -> str | None:
    """The table a statement writes to, "" when it may write but the table cannot be told (a
    `WITH` statement), None for a statement that does not write."""
    if not sql.lstrip()[:8].upper().startswith(_WRITE_WORDS):
        return None
    match = _TABLE.match(sql)
    if match is None:
        return ""
    return (match["quoted"] or match["bare"]).lower()


def _key(organization_id: int | None = None) -> str:
    # One token per database: two databases sharing a Redis (the test workers' databases, a
    # benchmark's next to development's) have rows with the same ids.
    name = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    return f"{KEY}:{name}" + ("" if organization_id is None else f":{organization_id}")


def current(organization_id: int | None = None) -> str:
    """The token of the data as it is now: of everything, and with an organization, of that
    organization's too."""
    keys = [_key()] + ([] if organization_id is None else [_key(organization_id)])
    found = cache.get_many(keys)
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = secrets.token_hex(8)
            if not cache.add(key, token, None):
                token = cache.get(key) or token
        tokens.append(token)
    return ".".join(tokens)


def bump(organization_ids: Iterable[int] | None = None) -> None:
    """Make everything remembered so far unreachable: of the organizations given, else of
    every organization."""
    keys = [_key()] if organization_ids is None else [_key(pk) for pk in organization_ids]
    try:
        cache.set_many({key: secrets.token_hex(8) for key in keys}, None)
    except CACHE_ERRORS:
        # The write stands (it may be committed already); what was remembered before it
        # lives out its minute at most, and nothing is remembered while the cache is away.
        logger.warning("The data generation could not be changed: the cache is unreachable.")


@functools.cache
def _tenant_tables() -> frozenset[str]:
    return frozenset(rls.tenant_tables()) | frozenset(rls.dependent_tables())


def _written(connection, table: str) -> tuple[int, ...] | None:
    """Whose data a write to `table` changed: the organizations of the work's scope when the
    table is a tenant's, on PostgreSQL (where row-level security holds every write to the
    scope, and each request and task puts the scope back when it ends); else everyone's
    (None): a table of no organization (a person's name), work in every organization's scope
    or in none named, or SQLite, where the scope is not enforced and nothing restores it."""
    if not rls.enforced(connection) or table not in _tenant_tables():
        return None
    organizations = getattr(connection, "switchboard_scope", rls.NOBODY).organizations
    if not organizations or organizations == rls.ALL:
        return None
    return tuple(int(pk) for pk in organizations.split(","))


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        table = written_table(sql)
        if table is not None and table not in QUIET_TABLES:
            connection = context["connection"]
            organizations = _written(connection, table)
            bump(organizations)
            if connection.in_atomic_block:
                _at_commit(connection, organizations)
    return result


def _at_commit(connection, organizations: tuple[int, ...] | None) -> None:
    """Bump again when the transaction commits, for every organization it wrote to (one
    callback per transaction, gathering them)."""
    callback = getattr(connection, "_generation_at_commit", None)
    if callback is None or not any(entry[1] is callback for entry in connection.run_on_commit):
        written: set = set()

        def callback():
            everyone = None in written
            bump(None if everyone else sorted(written))

        callback.written = written
        connection._generation_at_commit = callback
        transaction.on_commit(callback, using=connection.alias)
    if organizations is None:
        callback.written.add(None)
    else:
        callback.written.update(organizations)


def install(connection) -> None:
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


@receiver(connection_created, dispatch_uid="tenancy.generation.connection_created")
def _new_connection(sender, connection, **kwargs):
    install(connection)


def remember[T](
    organization_id: int, parts: tuple, compute: Callable[[], T], lifetime: int = LIFETIME
) -> T:
    """`compute()`, or what it returned for the same `parts` since the last write to the
    organization's data (or to everyone's). The parts must name everything else the result
    depends on (the member, the filters, the minute when the result depends on the time)."""
    digest = hashlib.blake2b(repr((organization_id, parts)).encode(), digest_size=16)
    try:
        key = f"tenancy:remembered:{current(organization_id)}:{digest.hexdigest()}"
        found = cache.get(key)
    except CACHE_ERRORS:
        logger.warning("Computed without remembering: the cache is unreachable.")
        return compute()
    if found is not None:
        return found
    value = compute()
    with contextlib.suppress(*CACHE_ERRORS):
        cache.set(key, value, lifetime)
    return value


def this_minute() -> datetime.datetime:
    """Now, to the minute: a part of what `remember` is given when the result depends on the
    time (an SLA breached, days since a touchpoint), so it is computed afresh every minute."""
    return timezone.now().replace(second=0, microsecond=0)
