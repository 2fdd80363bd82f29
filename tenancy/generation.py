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

The token is random, not a counter: a lost or evicted token is replaced by a new one, never
by one that was used before. With Redis the token is shared by every process (the web
workers and Celery); with the local-memory cache of development without Redis it is per
process, so a write by another process is seen once what was remembered expires.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.utils import timezone

KEY = "tenancy:data-generation"
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


def _key() -> str:
    # One token per database: two databases sharing a Redis (the test workers' databases, a
    # benchmark's next to development's) have rows with the same ids.
    return f"{KEY}:{connections[DEFAULT_DB_ALIAS].settings_dict['NAME']}"


def current() -> str:
    """The token of the data as it is now."""
    key = _key()
    token = cache.get(key)
    if token is None:
        token = secrets.token_hex(8)
        if not cache.add(key, token, None):
            token = cache.get(key) or token
    return token


def bump() -> None:
    """Make everything remembered so far unreachable."""
    cache.set(_key(), secrets.token_hex(8), None)


def _after_commit() -> None:
    bump()


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        table = written_table(sql)
        if table is not None and table not in QUIET_TABLES:
            bump()
            connection = context["connection"]
            if connection.in_atomic_block and not any(
                entry[1] is _after_commit for entry in connection.run_on_commit
            ):
                transaction.on_commit(_after_commit, using=connection.alias)
    return result


def install(connection) -> None:
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


@receiver(connection_created, dispatch_uid="tenancy.generation.connection_created")
def _new_connection(sender, connection, **kwargs):
    install(connection)


def remember[T](parts: tuple, compute: Callable[[], T], lifetime: int = LIFETIME) -> T:
    """`compute()`, or what it returned for the same `parts` since the last write. The parts
    must name everything the result depends on besides the database (the member, the
    organization, the filters, the minute when the result depends on the time)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    key = f"tenancy:remembered:{current()}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    value = compute()
    cache.set(key, value, lifetime)
    return value


def this_minute() -> datetime.datetime:
    """Now, to the minute: a part of what `remember` is given when the result depends on the
    time (an SLA breached, days since a touchpoint), so it is computed afresh every minute."""
    return timezone.now().replace(second=0, microsecond=0)
