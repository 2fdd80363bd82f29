"""The authentication backend: Django's `ModelBackend`, except that the signed-in user is read
with their memberships (organization, client) in one query. Every page and API call of an
organization needs the member's membership (`tenancy.views.membership_for`); it is then
found among these, without a query of its own. A user without membership costs one more.

That query runs on every signed-in request, so it is written once, by hand, from the models'
own fields (what `select_related("organization", "user", "client")` would read): building and
compiling it through the ORM took longer than running it."""

from __future__ import annotations

import functools

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import User
from tenancy.models import Membership


@functools.cache
def _memberships_query() -> tuple[str, tuple]:
    """The SQL of a user's memberships with their organization, user and client, and per
    model the number of its columns (Membership, Organization, User, client)."""
    quote = connection.ops.quote_name
    related = {
        name: Membership._meta.get_field(name) for name in ("organization", "user", "client")
    }
    parts = [(Membership, "m")] + [
        (field.related_model, alias)
        for field, alias in zip(related.values(), ("o", "u", "c"), strict=True)
    ]
    columns = [
        f"{alias}.{quote(field.column)}"
        for model, alias in parts
        for field in model._meta.concrete_fields
    ]

    def table(model):
        return quote(model._meta.db_table)

    def join(name, alias):
        field = related[name]
        target = field.related_model
        return (
            f"{table(target)} {alias} ON {alias}.{quote(target._meta.pk.column)}"
            f" = m.{quote(field.column)}"
        )

    organization = related["organization"].related_model
    # Identifiers from the models' meta, quoted; the user id is bound.
    sql = (
        f"SELECT {', '.join(columns)} FROM {table(Membership)} m"  # noqa: S608
        f" INNER JOIN {join('organization', 'o')}"
        f" INNER JOIN {join('user', 'u')}"
        f" LEFT OUTER JOIN {join('client', 'c')}"
        f" WHERE m.{quote(related['user'].column)} = %s"
        f" ORDER BY o.{quote(organization._meta.get_field('name').column)},"
        f" o.{quote(organization._meta.pk.column)}"
    )
    shapes = []
    for model, _ in parts:
        fields = model._meta.concrete_fields
        pk = next(n for n, f in enumerate(fields) if f.primary_key)
        shapes.append((model, [f.attname for f in fields], pk))
    return sql, tuple(shapes)


def _read_memberships(user_id) -> list[Membership]:
    """`Membership.objects.select_related("organization", "user", "client")
    .filter(user_id=user_id).order_by("organization__name", "organization_id")`."""
    sql, shapes = _memberships_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        rows = cursor.fetchall()
    memberships = []
    user = None
    for row in rows:
        objects = []
        start = 0
        for model, names, pk in shapes:
            values = row[start : start + len(names)]
            start += len(names)
            # A LEFT JOIN without a match (no client): no object, as select_related.
            objects.append(
                None if values[pk] is None else model.from_db(connection.alias, names, values)
            )
        membership, organization, row_user, client = objects
        user = user or row_user  # one instance of the user for all their memberships
        for name, value in (("organization", organization), ("user", user), ("client", client)):
            Membership._meta.get_field(name).set_cached_value(membership, value)
        memberships.append(membership)
    return memberships


class MembershipBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        memberships = _read_memberships(user_id)
        if memberships:
            user = memberships[0].user
        else:
            user = User._default_manager.filter(pk=user_id).first()
            if user is None:
                return None
        user.loaded_memberships = memberships
        return user if self.user_can_authenticate(user) else None


def loaded_memberships(user) -> list[Membership] | None:
    """The memberships read with the signed-in user (None: not read, e.g. a token's user)."""
    return getattr(user, "loaded_memberships", None)
