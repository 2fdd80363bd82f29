"""Query helpers shared by every app's selectors."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import BigIntegerField, Expression, F, Field, QuerySet, TextField
from django.db.models.lookups import Lookup
from django.db.models.query import FlatValuesListIterable


class AnyOf(Lookup):
    """`column = ANY(%s::bigint[])` with a list of ids bound as one array (PostgreSQL), sent
    as the array's text: psycopg adapting a list escapes each element on its own."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, Bind):  # a PreparedRead's ids, bound at each run
            rhs, rhs_params = compiler.compile(self.rhs)
            return f"{lhs} = ANY({rhs}::bigint[])", (*lhs_params, *rhs_params)
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, _id_array(self.rhs, connection))


def id_in(queryset: QuerySet, name: str, ids: Collection[int] | Bind) -> QuerySet:
    """`queryset.filter(<name>__in=ids)`; on PostgreSQL as `= ANY(%s)` with the ids bound as
    one array: a sweep filters a score of tables by hundreds of ids, a page of 200
    partnerships reads their PMs, and the ORM building an IN list of them, a parameter each,
    cost more than running most of those queries. `ids` may be a `Bind` of a `PreparedRead`
    (a non-empty list of ids at each run; on SQLite bound as one JSON array)."""
    if isinstance(ids, Bind):
        if connection.vendor != "postgresql":
            return queryset.filter(_InJsonIds(F(name), ids.derive(_json_ids, TextField())))
        big = BigIntegerField()
        return queryset.filter(
            AnyOf(F(name), ids.derive(_id_array, TextField())),
            **{
                f"{name}__gte": ids.derive(lambda v, c: min(map(int, v)), big),
                f"{name}__lte": ids.derive(lambda v, c: max(map(int, v)), big),
            },
        )
    if not ids:
        return queryset.none()
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{name}__in": ids})
    # The range as well: it lets the planner walk a composite index (organization,
    # partnership, ...) from the lowest id to the highest, where an array alone looks too
    # costly.
    return queryset.filter(
        AnyOf(F(name), ids), **{f"{name}__gte": min(ids), f"{name}__lte": max(ids)}
    )


# --- Reads built and compiled once, run with new values -------------------------------------


class Bind(Expression):
    """A named value of a `PreparedRead`: compiled as one placeholder, bound at each run.

    `prep(value, connection)` turns the run's value into what the driver sends; by default
    the output field's own preparation (a date as SQLite's text, an aware time in UTC)."""

    def __init__(self, name: str, output_field: Field, prep: Callable | None = None):
        super().__init__(output_field=output_field)
        self.name, self.prep = name, prep

    def derive(self, prep: Callable, output_field: Field | None = None) -> Bind:
        """Another placeholder for the same value, prepared by `prep`."""
        return Bind(self.name, output_field or self.output_field, prep)

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self)]


@dataclass(frozen=True)
class _Slot:
    bind: Bind

    def value(self, values: dict[str, Any], connection) -> Any:
        value = values[self.bind.name]
        if self.bind.prep is not None:
            return self.bind.prep(value, connection)
        return self.bind.output_field.get_db_prep_value(value, connection, prepared=False)


def _id_array(ids, connection) -> str:
    return "{" + _joined(tuple(ids)) + "}"


def _json_ids(ids, connection) -> str:
    return "[" + _joined(tuple(ids)) + "]"


@functools.lru_cache(maxsize=16)
def _joined(ids: tuple[int, ...]) -> str:
    """The ids as "1,2,3" (each an int first: text that is not a number never gets through).
    A sweep binds the same ids to a score of reads: joined once."""
    return ",".join(map(str, map(int, ids)))


class _InJsonIds(Lookup):
    """`column IN (the ids of a JSON array)`: one bound value for any number of ids on SQLite."""

    lookup_name = "in_json_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        # The column's compiled SQL and one placeholder: no value is in the text.
        sql = f"{lhs} IN (SELECT value FROM json_each({rhs}))"  # noqa: S608
        return sql, (*lhs_params, *rhs_params)


class PreparedRead:
    """A read whose query is built and compiled once per database connection and run again
    with new values for its `Bind` placeholders, its rows converted as the ORM converts them.

    A health sweep runs the same two dozen reads for every chunk of partnerships with other
    ids, dates and times: building and compiling each queryset again was a fifth of the
    sweep's time. `build()` returns the queryset (a
    `values_list`; its filters take `Bind`s where values change, `id_in` takes a `Bind` for
    a list of ids); calling the read with the values returns its rows as tuples. Its shape
    must not depend on the values (it is built once)."""

    def __init__(self, build: Callable[[], QuerySet]):
        self.build = build

    def __call__(self, **values) -> list[tuple]:
        conn = connections[DEFAULT_DB_ALIAS]
        # Per connection (one per thread): a compiler is bound to its connection.
        prepared = conn.__dict__.setdefault("switchboard_prepared_reads", {})
        entry = prepared.get(self)
        if entry is None:
            queryset = self.build()
            compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
            sql, params = compiler.as_sql()
            flat = queryset._iterable_class is FlatValuesListIterable
            entry = prepared[self] = (compiler, sql, tuple(params), flat)
        compiler, sql, template, flat = entry
        params = [p.value(values, conn) if isinstance(p, _Slot) else p for p in template]
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if compiler.has_extra_select:  # columns the ordering added: not the read's
            rows = [row[: compiler.col_count] for row in rows]
        rows = compiler.results_iter(results=[rows], tuple_expected=True)
        # A flat `values_list` answers its one column's values, as the queryset does.
        return [row[0] for row in rows] if flat else list(rows)
