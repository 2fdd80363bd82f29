"""Query helpers shared by every app's selectors."""

from __future__ import annotations

from collections.abc import Collection

from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.lookups import Lookup


class AnyOf(Lookup):
    """`column = ANY(%s::bigint[])` with a list of ids bound as one array (PostgreSQL), sent
    as the array's text: psycopg adapting a list escapes each element on its own."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        array = "{" + ",".join(str(int(pk)) for pk in self.rhs) + "}"
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, array)


def id_in(queryset: QuerySet, name: str, ids: Collection[int]) -> QuerySet:
    """`queryset.filter(<name>__in=ids)`; on PostgreSQL as `= ANY(%s)` with the ids bound as
    one array: a sweep filters a score of tables by hundreds of ids, a page of 200
    partnerships reads their PMs, and the ORM building an IN list of them, a parameter each,
    cost more than running most of those queries."""
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
