"""`health.sla.clock`'s breach rule as a database expression, for the sweep: it counts the open
issues past a target per partnership in the query itself, instead of reading every open issue's
seven times and running the clock over each in Python (a third of a sweep's reads).

Times are compared as integer microseconds since the epoch, so the rule is exact on both
databases (a due time is a deadline: answering at it is in time, one microsecond later is not).
`tests/health/test_sla_sql.py` holds this expression to `sla.clock` on hand-built and generated
issues, on SQLite and on PostgreSQL: the clock stays the one definition of a breach.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    BigIntegerField,
    Case,
    Func,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import GreaterThan

from tenancy.queries import Bind

MICROS = 1_000_000
_BIG = BigIntegerField()


class EpochMicros(Func):
    """A datetime column as integer microseconds since 1970-01-01 UTC (NULL stays NULL)."""

    output_field = _BIG

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps an aware datetime as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]" (the
        # fraction left out when zero): the whole seconds (julianday's error, microseconds, is
        # rounded away), then the six digits after the point.
        return self.as_sql(
            compiler,
            connection,
            template=(
                "(CAST(ROUND((julianday(substr(%(expressions)s, 1, 19)) - 2440587.5) * 86400)"
                " AS INTEGER) * 1000000 + CAST(substr(%(expressions)s, 21, 6) AS INTEGER))"
            ),
            **extra,
        )


def micros(moment: datetime.datetime) -> int:
    """`moment` (aware) as integer microseconds since 1970-01-01 UTC."""
    delta = moment - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    return (delta.days * 86_400 + delta.seconds) * MICROS + delta.microseconds


def bound_now() -> Bind:
    """`now` as a placeholder of a prepared read, bound to the run's `now` (a datetime)."""
    return Bind("now", _BIG, lambda moment, connection: micros(moment))


def breached(now: datetime.datetime | Bind) -> Q:
    """Issues whose response or resolution is past its target at `now` (`sla.clock(...)
    .breached`), as a filter of `Issue` rows. `now` may be `bound_now()`."""
    now_us = now if isinstance(now, Bind) else Value(micros(now), _BIG)
    opened = EpochMicros("opened_at")
    answered = EpochMicros("first_response_at")
    end = Coalesce(EpochMicros("resolved_at"), now_us, output_field=_BIG)
    since = EpochMicros("paused_since")
    paused = Cast("paused_seconds", _BIG) * Value(MICROS, _BIG) + Case(
        When(Q(paused_since__isnull=False) & GreaterThan(end, since), then=end - since),
        default=Value(0, _BIG),
        output_field=_BIG,
    )
    response_due = (
        opened
        + Cast("response_minutes", _BIG) * Value(60 * MICROS, _BIG)
        + Case(
            When(first_response_at__isnull=True, then=paused),
            default=Value(0, _BIG),
            output_field=_BIG,
        )
    )
    resolution_due = opened + Cast("resolution_minutes", _BIG) * Value(60 * MICROS, _BIG) + paused
    return Q(GreaterThan(Coalesce(answered, now_us, output_field=_BIG), response_due)) | Q(
        GreaterThan(end, resolution_due)
    )
