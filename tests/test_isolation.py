"""THE ISOLATION WALKER: every URL pattern, every role, another tenant's real objects.

Two organizations are built with a member of every role and real rows of every model a route
names, on both of each organization's partnerships. The walker enumerates every URL pattern
from the resolver (pages and API, routers included) when the module is collected, and makes
one test per route (its id is the route's name), so that the routes are spread over the
xdist workers and a failure names its route. It fills each pattern under `org_slug` from
the pattern alone:
- `org_slug`;
- `pk`: a row of the view's model (`view_class.model`/`.queryset.model`, DRF
  `cls.queryset.model`);
- `<parent>_pk` of nested routes (`partnership_pk`, `staff_pk`, ...): the row the view's model
  points to through its `<parent>...` foreign key, taken from the child row itself so that
  parent and child agree;
- `format` of DRF suffix routes.
Any other kwarg fails the route's test ("cannot fill <kwarg> in <pattern>"), so a new route is
either covered the day it lands or turns the suite red; rows of a new model are made up from
its fields (`_autobuild`).

Then, on each route, for every role of Northstar (A), an A API token and anonymous (see
`walk_plan` for who tries which methods; `ISOLATION_WALK=full` tries them all):
  (a) Harbor's (B) slug with B's rows         -> the answer for a missing organization (404);
  (b) A's slug with B's row ids               -> the answer for a missing row (404), also
      behind a parent the visitor does see;
  (c) A's slug with A's rows the role must not see (a client executive and another client's
      partnership, a PM and one they are not assigned to, ...) -> the answer for a missing row;
  (x) nested routes: the address of partnership P (which every role sees) carrying the id of
      a child of A's other partnership Q (which admins and account managers see too) at each
      level below the partnership -> the answer for a missing child, body included;
  anonymous meets the login wall (pages: redirect; API: 401/403).
Then A's admin reaches A's own rows (positive control), API lists under A hold none of B's
ids, and every write route is tried by every member of A on rows they see, once with a body
full of B's ids and, on a partnership's routes, once with the ids of the other partnership Q.
No answer to anyone of A contains one of B's strings; afterwards no row of A points into B, no
row of a partnership points at a row of another partnership, B's rows are unchanged (every
column, `updated_at` included) and, for a partnership's routes, so are Q's.
"""

from __future__ import annotations

import datetime
import itertools
import json
import logging
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from rest_framework.views import APIView

from accounts.models import ApiToken, Invitation, User
from partnerships.models import (
    ClientOrganization,
    Partnership,
    PartnershipStatus,
    PartnershipStatusChange,
)
from tenancy import access
from tenancy.models import AuditEvent, Membership, Organization, Role, TenantModel
from tenancy.rest import NOT_FOUND
from tests.factories import (
    ApiTokenFactory,
    AuditEventFactory,
    ClientOrganizationFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnershipFactory,
    PartnershipStatusChangeFactory,
)

pytestmark = pytest.mark.django_db

# ISOLATION_WALK=full: every visitor tries every method in every shape (slower; for CI).
FULL_WALK = os.environ.get("ISOLATION_WALK", "") == "full"
# Every string of tenant B carries this marker; no response to a member of A may contain it.
MARKER = "xyzzy"
# What an attacker writes; deliberately different from MARKER (a 400 may echo input).
ATTACK = "hijack"
ROLES = [Role.ADMIN, Role.ACCOUNT_MANAGER, Role.IMPLEMENTATION_PM, Role.CLIENT_EXECUTIVE]
API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
PAGE_METHODS = ["GET", "POST"]
MISSING_PK = 987654321
MISSING_SLUG = "no-such-organization"
# Patterns that carry no tenant: the Django admin (staff only, its own permission system).
SKIPPED_PREFIXES = ("admin/",)
# Kwargs that may appear outside /o/<org_slug>/ because they name no tenant object.
NON_TENANT_KWARGS = {"token", "uidb64"}
# Routes whose GET needs rows the walker does not build (their 404 for a visible row is the
# app's answer, not a wrong URL); the positive control skips them, nothing else does.
NEEDS_MORE_DATA = {
    "discovery:callflow-export": "exports a call-flow version (a valid graph), none is built",
}
# Kwargs that name no row but a choice, filled with a value every open partnership accepts
# (the lifecycle move page: every open partnership may end).
# The calendar feed key: a made-up one opens nothing (tests/transition/test_api.py walks a real
# key across tenants).
PLAIN_KWARGS: dict[str, str] = {"to_status": "ended", "feed_key": "not-a-feed-key"}
# Parent kwargs whose model is not a foreign key of the view's model under the same name.
KNOWN_KWARG_MODELS: dict[str, type[models.Model]] = {"partnership_pk": Partnership}


# --- Routes --------------------------------------------------------------------------------


def _links(model: type[models.Model]) -> list[models.Field]:
    """The model's foreign keys, one-to-one keys included."""
    return [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]


@dataclass(frozen=True)
class Route:
    pieces: tuple  # the patterns from the root resolver down to the view
    callback: object
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.text})"

    @property
    def text(self) -> str:
        return "".join(str(piece) for piece in self.pieces)

    @cached_property
    def kwargs(self) -> list[str]:
        """URL kwargs in URL order (parents before children)."""
        names: list[str] = []
        for piece in self.pieces:
            names += [name for name in piece.regex.groupindex if name not in names]
        return names

    @property
    def object_kwargs(self) -> list[str]:
        return [name for name in self.kwargs if name not in ("org_slug", "format", *PLAIN_KWARGS)]

    @property
    def parent_kwargs(self) -> list[str]:
        return [name for name in self.object_kwargs if name != "pk"]

    @property
    def target_kwarg(self) -> str | None:
        """The kwarg naming the deepest object: `pk`, else the innermost parent."""
        if "pk" in self.kwargs:
            return "pk"
        return self.parent_kwargs[-1] if self.parent_kwargs else None

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def is_api(self) -> bool:
        cls = self.view_class
        return isinstance(cls, type) and issubclass(cls, APIView)

    @property
    def methods(self) -> list[str]:
        return API_METHODS if self.is_api else PAGE_METHODS

    @cached_property
    def mapped_methods(self) -> list[str]:
        """The methods the route answers (others are 405 whatever the object)."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            return [method for method in self.methods if method.lower() in actions]
        cls = self.view_class
        if cls is None:
            return self.methods
        return [method for method in self.methods if hasattr(cls, method.lower())]

    @cached_property
    def view_model(self) -> type[models.Model] | None:
        cls = self.view_class
        if cls is None:
            return None
        if not self.is_api and getattr(cls, "model", None) is not None:
            return cls.model
        queryset = getattr(cls, "queryset", None)
        if queryset is not None:
            return queryset.model
        return getattr(cls, "model", None)

    def kwarg_model(self, kwarg: str) -> type[models.Model] | None:
        if kwarg == "pk":
            return self.view_model
        if kwarg in KNOWN_KWARG_MODELS:
            return KNOWN_KWARG_MODELS[kwarg]
        if not kwarg.endswith("_pk") or self.view_model is None:
            return None
        stem = kwarg.removesuffix("_pk")
        candidates = {
            f.related_model
            for f in _links(self.view_model)
            if (
                f.name == stem
                or f.name.startswith(f"{stem}_")
                or f.related_model._meta.model_name.startswith(stem)
            )
        }
        return candidates.pop() if len(candidates) == 1 else None

    @property
    def target_model(self) -> type[models.Model] | None:
        return self.kwarg_model(self.target_kwarg) if self.target_kwarg else None

    @property
    def in_partnership(self) -> bool:
        """One of a partnership's routes: everything it reaches belongs to that partnership."""
        return "partnership_pk" in self.kwargs

    @property
    def child_kwargs(self) -> list[str]:
        """The kwargs naming a partnership's children (nested routes only)."""
        if not self.in_partnership:
            return []
        return [name for name in self.object_kwargs if name != "partnership_pk"]

    @property
    def lists_rows(self) -> bool:
        """A DRF list action: its GET answers rows of the view's model."""
        return (getattr(self.callback, "actions", None) or {}).get("get") == "list"

    def unfillable(self) -> list[str]:
        problems = [
            f"cannot fill {kwarg} in {self}"
            for kwarg in self.object_kwargs
            if self.kwarg_model(kwarg) is None
        ]
        for kwarg in self.object_kwargs:
            model = self.kwarg_model(kwarg)
            if model is not None and not issubclass(model, TenantModel):
                problems.append(f"{kwarg} of {self} names {model.__name__}, not a tenant model")
        return problems

    def url(self, values: dict[str, object]) -> str:
        return "/" + "".join(_fill_piece(piece, values) for piece in self.pieces)


def _fill_piece(piece, values: dict[str, object]) -> str:
    text = str(piece)
    if type(piece).__name__ == "RoutePattern":
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), text)
    # A regex piece (DRF routers): named groups hold no nested parentheses.
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), text)
    text = text.removeprefix("^").removesuffix("$").replace("/?", "/")
    return re.sub(r"\\(.)", r"\1", text)


def all_routes(patterns=None, pieces=(), namespace="") -> list[Route]:
    routes: list[Route] = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            routes += all_routes(entry.url_patterns, (*pieces, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = ":".join(part for part in (namespace, entry.name or "?") if part)
            routes.append(Route((*pieces, entry.pattern), entry.callback, name))
    return routes


def tenant_routes() -> list[Route]:
    return [
        route
        for route in all_routes()
        if not route.text.startswith(SKIPPED_PREFIXES) and "org_slug" in route.kwargs
    ]


def walkable_routes() -> list[Route]:
    return [route for route in tenant_routes() if not route.unfillable()]


def _follow(obj: models.Model, model: type[models.Model], depth: int = 3):
    """The pk of the `model` row that `obj` is or points to (through foreign keys)."""
    if isinstance(obj, model):
        return obj.pk
    foreign_keys = _links(obj)
    for f in foreign_keys:
        if f.related_model is model and getattr(obj, f.attname) is not None:
            return getattr(obj, f.attname)
    if depth:
        for f in foreign_keys:
            if issubclass(f.related_model, TenantModel) and getattr(obj, f.attname) is not None:
                found = _follow(getattr(obj, f.name), model, depth - 1)
                if found is not None:
                    return found
    return None


def fill(route: Route, slug: str, target, parents: dict | None = None) -> dict[str, object]:
    """URL kwargs: `target` is a row of the route's target model (None: a missing one); the
    parents come from it unless `parents` overrides them."""
    values: dict[str, object] = {"org_slug": slug}
    if "format" in route.kwargs:
        values["format"] = "json"
    values.update({name: value for name, value in PLAIN_KWARGS.items() if name in route.kwargs})
    for kwarg in route.object_kwargs:
        if parents and kwarg in parents:
            values[kwarg] = parents[kwarg]
        elif target is None:
            values[kwarg] = MISSING_PK
        elif kwarg == route.target_kwarg:
            values[kwarg] = target.pk
        else:
            found = _follow(target, route.kwarg_model(kwarg))
            values[kwarg] = MISSING_PK if found is None else found
    return values


def parents_of(route: Route, obj) -> dict[str, object]:
    """The parent kwargs that lead to `obj` (a row of the route's target model)."""
    if obj is None or not route.parent_kwargs:
        return {}
    values = fill(route, "-", obj)
    return {kwarg: values[kwarg] for kwarg in route.parent_kwargs}


def _route_id(route: Route) -> str:
    return route.name


# Collected with the module: one test per route. A route added later is a test of its own.
ROUTES: list[Route] = tenant_routes()
TURNS: dict[str, int] = {route.name: turn for turn, route in enumerate(ROUTES)}


# --- The world: two tenants with a member of every role and rows of every tenant model -----


@dataclass
class Tenant:
    org: Organization
    label: str
    members: dict[str, Membership]
    token_keys: dict[str, str]
    own: Partnership  # AM dedicated, PM assigned, the client executive's client
    other: Partnership  # another client's, seen by admins and account managers only
    build_errors: dict[type[models.Model], str] = field(default_factory=dict)


def build_tenant(slug: str, label: str) -> Tenant:
    org = OrganizationFactory(slug=slug, name=f"{label} Calls")
    own_client = ClientOrganizationFactory(organization=org, name=f"{label} University Health")
    other_client = ClientOrganizationFactory(organization=org, name=f"{label} County Clinic")
    members = {
        role: MembershipFactory(
            organization=org,
            role=role,
            client=own_client if role == Role.CLIENT_EXECUTIVE else None,
            user__email=f"{role}@{label.lower()}.example",
            user__full_name=f"{label} {role.label}",
        )
        for role in ROLES
    }
    am, pm, admin = (
        members[role].user for role in (Role.ACCOUNT_MANAGER, Role.IMPLEMENTATION_PM, Role.ADMIN)
    )
    own = PartnershipFactory(
        organization=org,
        client=own_client,
        name=f"{label} after-hours line",
        status=PartnershipStatus.DISCOVERY,
        account_manager=am,
        implementation_pms=[pm],
        description=f"{label} description",
        internal_notes=f"{label} internal notes",
    )
    other = PartnershipFactory(
        organization=org,
        client=other_client,
        name=f"{label} daytime line",
        status=PartnershipStatus.TRANSITION,
        account_manager=admin,
        description=f"{label} other description",
        internal_notes=f"{label} other internal notes",
    )
    tenant = Tenant(org=org, label=label, members=members, token_keys={}, own=own, other=other)
    for partnership, by in ((own, am), (other, admin)):
        PartnershipStatusChangeFactory(
            partnership=partnership,
            changed_by=by,
            from_status=PartnershipStatus.PROSPECT,
            to_status=PartnershipStatus.DISCOVERY,
            note=f"{label} kick-off",
        )
        AuditEventFactory(
            organization=org,
            actor=by,
            partnership=partnership,
            target_id=str(partnership.pk),
            target_repr=partnership.name,
            changes={"name": [None, partnership.name]},
        )
    InvitationFactory(organization=org, email=f"invitee@{label.lower()}.example", invited_by=admin)
    for role in (Role.ADMIN, Role.ACCOUNT_MANAGER):
        token = ApiTokenFactory(
            organization=org, user=members[role].user, name=f"{label} {role} ACD push"
        )
        tenant.token_keys[role] = token.raw_key
    # A row of every model a route names, on both partnerships (so that roles that see one
    # partnership have rows they must not reach). Models no route names are left alone:
    # rows made up from field types alone could hold what the app never writes. Rows that
    # name other rows (BUILDERS) come last, so that they name rows built for a route.
    for model in sorted(routed_models(), key=lambda model: model._meta.label in BUILDERS):
        for partnership in (own, other):
            try:
                object_of(tenant, model, partnership)
            except (LookupError, IntegrityError, ValueError, TypeError) as error:
                tenant.build_errors[model] = f"{model.__name__}: {error}"
    return tenant


def routed_models() -> list[type[models.Model]]:
    found: list[type[models.Model]] = []
    for route in walkable_routes():
        for kwarg in route.object_kwargs:
            model = route.kwarg_model(kwarg)
            if model not in found:
                found.append(model)
    return found


def tenant_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.abstract
    ]


def _has_partnership(model: type[models.Model]) -> bool:
    return any(f.name == "partnership" for f in _links(model))


def object_of(tenant: Tenant, model: type[models.Model], partnership: Partnership | None = None):
    """A row of `model` in `tenant` (on `partnership` when the model has one): an existing one,
    or one made from the model's fields, so a model added later is walked without anyone
    remembering to extend this file."""
    if model is Partnership and partnership is not None:
        return partnership
    rows = model._default_manager.filter(organization=tenant.org)
    if partnership is not None and _has_partnership(model):
        rows = rows.filter(partnership=partnership)
    existing = rows.order_by("pk").first()
    if existing is not None:
        return existing
    builder = BUILDERS.get(model._meta.label)
    if builder is not None:
        return builder(tenant, partnership or tenant.own)
    return _autobuild(tenant, model, partnership or tenant.own)


def _comment(tenant: Tenant, partnership: Partnership):
    from partnerships.commentable import target_types
    from tests.factories import CommentFactory

    models_ = [apps.get_model(label) for label in target_types()]
    target = next(
        (
            row
            for model in models_
            for row in model._default_manager.filter(partnership=partnership).order_by("pk")[:1]
        ),
        None,
    ) or object_of(tenant, models_[0], partnership)
    return CommentFactory(target=target, author=tenant.members[Role.ADMIN].user)


def _discovery_sign_off(tenant: Tenant, partnership: Partnership):
    from tests.lifecycle import sign_off_discovery

    return sign_off_discovery(partnership, signed_by=tenant.members[Role.ADMIN].user)


# Rows the walker cannot make up from their fields' types: a comment names its target by
# label and id, which only a registered commentable model makes valid; a discovery sign-off
# keeps the checklist as it stood (a document with its items).
BUILDERS = {
    "partnerships.Comment": _comment,
    "discovery.DiscoverySignOff": _discovery_sign_off,
}


_counter = itertools.count(1)


def _autobuild(tenant: Tenant, model: type[models.Model], partnership: Partnership):
    values: dict[str, object] = {}
    optional_links: list[models.Field] = []
    for f in model._meta.concrete_fields:
        if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if (f.many_to_one or f.one_to_one) and f.null and issubclass(f.related_model, TenantModel):
            optional_links.append(f)
        if f.has_default() or f.null:
            continue
        values[f.name] = _value_for(tenant, model, f, partnership)
    # Try without the optional links first, then with each one (for "either this or that"
    # check constraints).
    attempts = [{}] + [{f.name: None} for f in optional_links]
    last_error: Exception | None = None
    for extra in attempts:
        for name in extra:
            f = model._meta.get_field(name)
            extra[name] = object_of(tenant, f.related_model, partnership)
        try:
            with transaction.atomic():
                return model._default_manager.create(**values, **extra)
        except IntegrityError as error:
            last_error = error
    raise IntegrityError(f"cannot build {model.__name__}: {last_error}")


def _value_for(tenant: Tenant, model, f: models.Field, partnership: Partnership):
    n = next(_counter)
    label = tenant.label.lower()
    if f.many_to_one or f.one_to_one:
        target = f.related_model
        if target is Organization:
            return tenant.org
        if target is Partnership:
            return partnership
        if target is User:
            return tenant.members[Role.ADMIN].user
        if issubclass(target, TenantModel):
            return object_of(tenant, target, partnership)
        raise LookupError(f"cannot build {model.__name__}.{f.name} -> {target.__name__}")
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, models.FileField):
        return ContentFile(b"kpi,value\nasa,30\n", name=f"{label}-{n}.csv")
    if isinstance(f, models.EmailField):
        return f"auto{n}@{label}.example"
    if isinstance(f, models.SlugField):
        return f"{label}-auto-{n}"
    if isinstance(f, models.CharField | models.TextField):
        return f"{label} auto {n}"[: f.max_length or 100]
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.IntegerField):
        return 1
    if isinstance(f, models.DecimalField | models.FloatField):
        return Decimal("1")
    if isinstance(f, models.DateTimeField):
        return timezone.now()
    if isinstance(f, models.DateField):
        return datetime.date(2026, 1, 1)
    if isinstance(f, models.JSONField):
        return {}
    raise LookupError(f"cannot build {model.__name__}.{f.name} ({type(f).__name__})")


def partnership_models() -> list[type[models.Model]]:
    """Tenant models whose rows belong to one partnership."""
    return [model for model in tenant_models() if _has_partnership(model)]


def _first_pk(rows) -> int | None:
    return rows.order_by("pk").values_list("pk", flat=True).first()


def _foreign_key_ids(tenant: Tenant, partnership: Partnership | None) -> dict[str, object]:
    """A body entry for every foreign key (and many-to-many) of every tenant model, named as
    the field and holding an existing row of `tenant` (of `partnership` when given, and then
    only for rows that belong to a partnership). Reads only: the body is built inside tests."""
    ids: dict[str, object] = {}
    for model in tenant_models():
        links = [
            (f.name, f.related_model, False)
            for f in _links(model)
            if f.name not in ("organization", "partnership")
        ] + [(f.name, f.related_model, True) for f in model._meta.local_many_to_many]
        for name, target, many in links:
            if name in ids or not issubclass(target, TenantModel):
                continue
            rows = target._default_manager.filter(organization=tenant.org)
            if partnership is not None:
                if not _has_partnership(target):
                    continue
                rows = rows.filter(partnership=partnership)
            pk = _first_pk(rows)
            if pk is not None:
                ids[name] = [pk] if many else pk
    return ids


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Both tenants, built once per module (per xdist worker) inside a transaction that is
    rolled back at its end (like TestCase.setUpTestData); each test runs in a savepoint
    within it."""
    # Cookie sessions: no session query per request, which halves the walker's run time.
    with (
        override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        a = build_tenant("northstar", "Northstar")
        b = build_tenant("harbor", MARKER.capitalize())
        # Every model a route names must exist in both tenants, or the walk would skip it.
        errors = [*a.build_errors.values(), *b.build_errors.values()]
        assert not errors, "the walker cannot build rows it needs:\n" + "\n".join(errors)
        built = World(
            a,
            b,
            b_rows=Probe(_snapshot_querysets(b.org)),
            q_rows=Probe(_partnership_querysets(a.other)),
            links=Probe(_cross_tenant_querysets(a, b) | _cross_partnership_querysets(a)),
            attack=attack_body(b),
            sibling=sibling_body(a),
        )
        a_rows = Probe(_snapshot_querysets(a.org)).before
        assert MARKER not in json.dumps(a_rows, default=str).lower()
        # The invariants the walk checks hold before it starts.
        assert built.links.found() == [], "the world itself links across tenants or partnerships"
        yield built
        transaction.set_rollback(True)


class Probe:
    """Queries compiled once (SQL and parameters) and run after every route: the invariants
    cost a few milliseconds per route instead of building hundreds of querysets each time.
    Each query is named by what it finds (a table, or a forbidden link)."""

    def __init__(self, querysets: dict[str, models.QuerySet]):
        self.statements = {
            label: queryset.query.sql_with_params() for label, queryset in querysets.items()
        }
        self.before = self.run()

    def run(self) -> dict[str, list[tuple]]:
        found = {}
        with connection.cursor() as cursor:
            for label, (sql, params) in self.statements.items():
                cursor.execute(sql, params)
                found[label] = cursor.fetchall()
        return found

    def changed(self) -> list[str]:
        """The names whose rows differ from those when the probe was made."""
        now = self.run()
        return [label for label, rows in now.items() if rows != self.before[label]]

    def found(self) -> list[str]:
        """The names of the queries that find rows, with the rows' primary keys."""
        return [f"{label}: {rows}" for label, rows in self.run().items() if rows]


@dataclass
class World:
    a: Tenant
    b: Tenant
    b_rows: Probe  # every row of B: no test may change one
    q_rows: Probe  # A's other partnership Q: no route of A's partnership P may change it
    links: Probe  # rows of A pointing into B, rows of a partnership pointing at another's
    attack: dict  # a body full of B's ids
    sibling: dict  # a body full of the ids of A's other partnership Q

    def __iter__(self):
        return iter((self.a, self.b))


@pytest.fixture(autouse=True)
def _quiet_request_log():
    # Thousands of expected 404/405 warnings would drown a real failure (5xx stay logged).
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


# --- Snapshots and invariants --------------------------------------------------------------


def _through_rows(model, m2m, **lookup):
    through = m2m.remote_field.through
    source = m2m.m2m_field_name()
    return through.objects.filter(**{f"{source}__{k}": v for k, v in lookup.items()})


def _snapshot_querysets(org: Organization) -> dict[str, models.QuerySet]:
    """Every row of every tenant model of `org` (with updated_at), its M2M links, the
    organization itself and its members' user rows."""
    found: dict[str, models.QuerySet] = {
        "organization": Organization.objects.filter(pk=org.pk).values(),
        "users": User.objects.filter(memberships__organization=org).order_by("pk").values(),
    }
    for model in tenant_models():
        rows = model._default_manager.filter(organization=org).order_by("pk")
        found[model._meta.label] = rows.values()
        for m2m in model._meta.local_many_to_many:
            links = _through_rows(model, m2m, organization=org)
            found[f"{model._meta.label}.{m2m.name}"] = links.order_by("pk").values()
    return found


def _partnership_querysets(partnership: Partnership) -> dict[str, models.QuerySet]:
    """The partnership's row, its links and every row that belongs to it."""
    found: dict[str, models.QuerySet] = {
        "partnership": Partnership.objects.filter(pk=partnership.pk).values()
    }
    for m2m in Partnership._meta.local_many_to_many:
        through = m2m.remote_field.through
        links = through.objects.filter(**{m2m.m2m_field_name(): partnership})
        found[f"partnership.{m2m.name}"] = links.order_by("pk").values()
    for model in partnership_models():
        rows = model._default_manager.filter(partnership=partnership).order_by("pk")
        found[model._meta.label] = rows.values()
        for m2m in model._meta.local_many_to_many:
            links = _through_rows(model, m2m, partnership=partnership)
            found[f"{model._meta.label}.{m2m.name}"] = links.order_by("pk").values()
    return found


def _cross_tenant_querysets(a: Tenant, b: Tenant) -> dict[str, models.QuerySet]:
    """Rows of A pointing at a row or a user of B."""
    b_users = User.objects.filter(memberships__organization=b.org).values("pk")
    found = {}
    for model in tenant_models():
        rows = model._default_manager.filter(organization=a.org)
        for f in _links(model):
            if f.name == "organization":
                continue
            if issubclass(f.related_model, TenantModel):
                bad = rows.filter(**{f"{f.name}__organization": b.org})
            elif f.related_model is User:
                bad = rows.filter(**{f"{f.name}__in": b_users})
            elif f.related_model is Organization:
                bad = rows.filter(**{f.name: b.org})
            else:
                continue
            found[f"{model.__name__}.{f.name} of A points into B"] = bad.values_list("pk")
        for m2m in model._meta.local_many_to_many:
            target = m2m.related_model
            if target is User:
                bad = rows.filter(**{f"{m2m.name}__in": b_users})
            elif issubclass(target, TenantModel):
                bad = rows.filter(**{f"{m2m.name}__organization": b.org})
            else:
                continue
            found[f"{model.__name__}.{m2m.name} of A links into B"] = bad.values_list("pk")
    return found


def _cross_partnership_querysets(a: Tenant) -> dict[str, models.QuerySet]:
    """Rows of one of A's partnerships pointing at a row of another partnership."""
    found = {}
    for model in partnership_models():
        rows = model._default_manager.filter(organization=a.org, partnership__isnull=False)
        for f in _links(model):
            if f.name == "partnership" or not _has_partnership(f.related_model):
                continue
            bad = rows.filter(**{f"{f.name}__isnull": False}).exclude(
                **{f"{f.name}__partnership": F("partnership")}
            )
            found[f"{model.__name__}.{f.name} crosses partnerships"] = bad.values_list("pk")
        for m2m in model._meta.local_many_to_many:
            if not _has_partnership(m2m.related_model):
                continue
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            bad = through.objects.filter(**{f"{source}__organization": a.org}).exclude(
                **{f"{target}__partnership": F(f"{source}__partnership")}
            )
            found[f"{model.__name__}.{m2m.name} links across partnerships"] = bad.values_list("pk")
    return found


# --- Requests ------------------------------------------------------------------------------


@dataclass
class Visitor:
    label: str
    client: Client
    membership: Membership | None  # None: anonymous
    api_only: bool = False

    @property
    def anonymous(self) -> bool:
        return self.membership is None

    def visible(self, model: type[models.Model]):
        return access.visible(self.membership, model).order_by("pk")

    def sees(self, obj: models.Model) -> bool:
        return self.visible(type(obj)).filter(pk=obj.pk).exists()


def visitors(tenant: Tenant) -> list[Visitor]:
    result = []
    for role, membership in tenant.members.items():
        client = Client()
        client.force_login(membership.user)
        result.append(Visitor(role, client, membership))
    token_client = Client(HTTP_AUTHORIZATION=f"Token {tenant.token_keys[Role.ADMIN]}")
    result.append(Visitor("admin-token", token_client, tenant.members[Role.ADMIN], True))
    result.append(Visitor("anonymous", Client(), None))
    return result


# Plain fields of the forms and serializers, so that writes get past validation to the ids.
PLAIN_FIELDS: dict[str, object] = {
    "title": f"{ATTACK} title",
    "physician": f"Dr. {ATTACK}",
    "text": ATTACK,
    "body": ATTACK,
    "note": ATTACK,
    "description": ATTACK,
    "email": f"{ATTACK}@attacker.example",
    "time_zone": "UTC",
    "actual_go_live": "2026-06-02",
    "period_start": "2025-01-01",
    "period_end": "2025-01-31",
    "responses": 3,
    "satisfied_pct": 50,
    "questions_answered_pct": 50,
    "share_of_volume": 10,
    "held_on": "2026-01-05",
    "start": "2026-02-02",
    "due": "2026-02-09",
    "statement": ATTACK,
    "content": ATTACK,
    "full_name": f"{ATTACK} person",
    "target": 10,
    "value": 30,
}


def attack_body(b: Tenant) -> dict[str, object]:
    """Plausible fields of every form and serializer, pointing at B's rows."""
    ids = _foreign_key_ids(b, None)
    return {
        **PLAIN_FIELDS,
        **ids,
        "name": f"{ATTACK} line",
        "client": b.own.client_id,
        "partnership": b.own.pk,
        "account_manager": b.members[Role.ACCOUNT_MANAGER].user_id,
        "implementation_pms": [b.members[Role.IMPLEMENTATION_PM].user_id],
        "owner": b.members[Role.ADMIN].user_id,
        "user": b.members[Role.ADMIN].user_id,
        "membership": b.members[Role.ADMIN].pk,
        "status": PartnershipStatus.ENDED,
        "role": Role.ADMIN,
        "kind": "hospital",
        "trainings": [{"adaptation": ids.get("adaptation"), "completed_on": "2026-01-02"}],
        "service": ids.get("service_line"),
    }


def sibling_body(a: Tenant) -> dict[str, object]:
    """Plausible fields of a partnership's forms and serializers, pointing at the rows of A's
    other partnership Q (the same tenant: only the partnership is wrong)."""
    ids = _foreign_key_ids(a, a.other)
    return {
        **PLAIN_FIELDS,
        **ids,
        "name": f"{ATTACK} sibling",
        "partnership": a.other.pk,
        "trainings": [{"adaptation": ids.get("adaptation"), "completed_on": "2026-01-02"}],
        "service": ids.get("service_line"),
    }


def fitted(route: Route, body: dict[str, object]) -> dict[str, object]:
    """The body with a valid choice for every choice field of the route's model, so that a
    write fails on the ids it carries, if anywhere, rather than on a `kind` or `status`."""
    model = route.view_model
    if model is None:
        return body
    body = dict(body)
    for f in model._meta.concrete_fields:
        valid = [value for value, _ in f.flatchoices] if f.choices else None
        if valid and body.get(f.name) not in valid:
            body[f.name] = valid[0]
    return body


def send(visitor: Visitor, route: Route, method: str, url: str, body: dict):
    client = visitor.client
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    if route.is_api:
        call = {"POST": client.post, "PUT": client.put, "PATCH": client.patch}[method]
        return call(url, data=json.dumps(body, default=str), content_type="application/json")
    return client.post(url, data=_form_data(body))


def _form_data(body: dict) -> dict:
    # A form posts scalars and lists of scalars; nested rows are the API's.
    return {
        key: value
        for key, value in body.items()
        if value is not None
        and not (isinstance(value, list) and any(isinstance(item, dict) for item in value))
    }


def _body(response) -> str:
    if not hasattr(response, "walker_body"):
        # Downloads stream: read them once and keep the text for every later check.
        raw = (
            b"".join(response.streaming_content)
            if getattr(response, "streaming", False)
            else response.content
        )
        response.walker_body = raw.decode(errors="replace")
    return response.walker_body


def _is_plain_404(response) -> bool:
    try:
        return json.loads(_body(response)) == {"detail": NOT_FOUND}
    except ValueError:
        return False


def _normalized(response, url: str) -> str:
    # Pages differ per request by their CSP nonce and CSRF token; a 404 page may echo the path.
    text = _body(response).replace(url, "<url>")
    text = re.sub(r'nonce="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)  # htmx's header, on every page
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


# The page 404 each visitor got for a missing object, kept across the routes of a worker: an
# answer equal to it needs no twin request of its own.
PAGE_404: dict[str, str] = {}


class Walk:
    """Runs one route's requests and collects every failure, so one run reports all of them."""

    def __init__(self, world: World):
        self.a, self.b = world.a, world.b
        self.failures: list[str] = []
        self.requests = 0
        self.login_url = reverse("accounts:login")
        self.body = world.attack
        self.sibling_body = world.sibling
        # The answers for missing objects, by visitor, method and URL: a request for a missing
        # object changes nothing, so one answer serves every attack it is compared with.
        self.twins: dict[tuple[str, str, str], tuple[str, object]] = {}

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def request(self, visitor: Visitor, route: Route, method: str, values: dict, body=None):
        url = route.url(values)
        self.requests += 1
        try:
            response = send(visitor, route, method, url, self.body if body is None else body)
        except Exception as error:  # a crash is a finding too; keep walking
            self.fail(f"{visitor.label} {method} {url} [{route}] raised {error!r}")
            return url, None
        if response.status_code >= 500:
            self.fail(f"{visitor.label} {method} {url} [{route}] answered {response.status_code}")
        if not visitor.anonymous and MARKER in _body(response).lower():
            self.fail(f"{visitor.label} {method} {url} [{route}] shows tenant B's data")
        return url, response

    def twin(self, visitor: Visitor, route: Route, method: str, values: dict):
        key = (visitor.label, method, route.url(values))
        if key not in self.twins:
            self.twins[key] = self.request(visitor, route, method, values)
        return self.twins[key]

    def refused(self, visitor, route, method, values, twin_values, what: str) -> None:
        """The answer must be the one for a missing organization or object: nothing leaks.
        The twin (the same request for a missing one) is only fetched when the answer is not
        the plain API 404 or the page 404 this visitor already got."""
        url, response = self.request(visitor, route, method, values)
        if response is None:
            return
        where = f"{visitor.label} {method} {url} [{route}] ({what})"
        status = response.status_code
        if visitor.anonymous:
            if route.is_api:
                ok = status in (401, 403)
            else:
                ok = status == 302 and response["Location"].startswith(self.login_url)
            if not ok:
                self.fail(f"{where}: anonymous got {status}, expected the login wall")
            return
        if status == 404 and self.plain_404(visitor, route, response, url):
            return
        if status not in (403, 404, 405):
            self.fail(f"{where}: answered {status}, expected 404")
            return
        twin_url, twin = self.twin(visitor, route, method, twin_values)
        if twin is None:
            return
        if status != twin.status_code:
            self.fail(f"{where}: {status}, but a missing one gives {twin.status_code}")
        elif _normalized(response, url) != _normalized(twin, twin_url):
            self.fail(f"{where}: the answer differs from the one for a missing one")
        elif status == 404 and not route.is_api:
            PAGE_404.setdefault(visitor.label, _normalized(twin, twin_url))

    def plain_404(self, visitor: Visitor, route: Route, response, url: str) -> bool:
        """The API's 404, or the page 404 this visitor already got for a missing object."""
        if route.is_api:
            return _is_plain_404(response)
        return PAGE_404.get(visitor.label) == _normalized(response, url)

    def report(self) -> str:
        shown = "\n".join(self.failures[:80])
        more = len(self.failures) - 80
        return f"{len(self.failures)} isolation failures:\n{shown}" + (
            f"\n... and {more} more" if more > 0 else ""
        )


def visible_target(visitor: Visitor, route: Route):
    """A row of the route's target model that the visitor sees (or None)."""
    model = route.target_model
    if model is None or visitor.anonymous:
        return None
    return visitor.visible(model).first()


def invisible_target(visitor: Visitor, route: Route, tenant: Tenant):
    """A row of the route's target model in the visitor's own organization that they may
    not see (or None)."""
    model = route.target_model
    if model is None or visitor.anonymous:
        return None
    seen = visitor.visible(model).values("pk")
    return model._default_manager.filter(organization=tenant.org).exclude(pk__in=seen).first()


def walk_plan(shape: str, visitor: Visitor, route: Route, turn: int) -> list[str]:
    """The methods a visitor tries on a route in one attack shape.

    `ISOLATION_WALK=full` tries every method (shape a) and every method the route answers
    (the others) for every visitor. By default the walk is lean but misses no route, no role
    and no method: the admin tries every method in (a); the client executive (the narrowest
    role, with the most rows out of reach) every method the route answers in (b) and (c); the
    admin and the account manager (who see both partnerships) every one in (x); every other
    visitor one method per route, turning through the route's methods from route to route.
    Methods a route does not answer end in 405 before any object is looked up.
    """
    every, answered = route.methods, route.mapped_methods
    if shape == "a" and visitor.label == Role.ADMIN:
        return every
    if FULL_WALK:
        return every if shape == "a" else answered
    if not answered:
        return []
    broad = {
        "a": (),
        "b": (Role.CLIENT_EXECUTIVE,),
        "c": (Role.CLIENT_EXECUTIVE,),
        "x": (Role.ADMIN, Role.ACCOUNT_MANAGER),
    }[shape]
    if visitor.label in broad:
        return answered
    return [answered[turn % len(answered)]]


# --- The phases of a route's walk ------------------------------------------------------------


def walk_other_tenant_and_invisible_rows(walk: Walk, route: Route, people, turn: int) -> None:
    """Shapes (a), (b) and (c)."""
    a, b = walk.a, walk.b
    target_b = object_of(b, route.target_model) if route.target_model else None
    for offset, visitor in enumerate(people):
        if visitor.api_only and not route.is_api:
            continue
        # (a) B's slug and B's objects: the answer for an organization that does not exist.
        for method in walk_plan("a", visitor, route, turn + offset):
            walk.refused(
                visitor,
                route,
                method,
                fill(route, b.org.slug, target_b),
                fill(route, MISSING_SLUG, None),
                "B's slug and objects",
            )
        # Anonymous and the token resolve no organization of their own beyond (a): the
        # token acts as the admin it belongs to.
        if route.target_kwarg is None or visitor.anonymous or visitor.api_only:
            continue
        missing = fill(route, a.org.slug, None)
        own_parents = parents_of(route, visible_target(visitor, route))
        nested = bool(own_parents) and "pk" in route.kwargs
        missing_child = fill(route, a.org.slug, None, own_parents) if nested else None
        for method in walk_plan("b", visitor, route, turn + offset):
            # (b) the visitor's own slug with B's ids: the answer for a missing object.
            walk.refused(
                visitor,
                route,
                method,
                fill(route, a.org.slug, target_b),
                missing,
                "own slug, B's ids",
            )
            if nested:  # ... and with the visitor's own parent in front of B's child
                walk.refused(
                    visitor,
                    route,
                    method,
                    fill(route, a.org.slug, target_b, own_parents),
                    missing_child,
                    "own visible parent, B's child",
                )
        invisible = invisible_target(visitor, route, a)
        if invisible is None:
            continue
        for method in walk_plan("c", visitor, route, turn + offset):
            # (c) rows of A this member may not see.
            walk.refused(
                visitor,
                route,
                method,
                fill(route, a.org.slug, invisible),
                missing,
                "an A row the role may not see",
            )
            if nested and route.target_kwarg == "pk":
                walk.refused(
                    visitor,
                    route,
                    method,
                    fill(route, a.org.slug, invisible, own_parents),
                    missing_child,
                    "own visible parent, an invisible child",
                )


def cross_partnership_attacks(route: Route, a: Tenant) -> list[tuple[dict, dict, str]]:
    """Shape (x): (URL kwargs, the same for a missing child, what) for a nested route. The
    address of A's partnership P (`own`) carries, at each child level in turn and then at
    all of them, the id of the corresponding row of A's other partnership Q (`other`)."""
    children = route.child_kwargs
    if not children:
        return []
    model = route.target_model
    mine = fill(route, a.org.slug, object_of(a, model, a.own))
    theirs = fill(route, a.org.slug, object_of(a, model, a.other))
    if mine["partnership_pk"] != a.own.pk or theirs["partnership_pk"] != a.other.pk:
        raise LookupError(f"{model.__name__} rows of both partnerships: {mine}, {theirs}")
    for kwarg in children:
        if MISSING_PK in (mine[kwarg], theirs[kwarg]) or mine[kwarg] == theirs[kwarg]:
            raise LookupError(f"{kwarg} of both partnerships: {mine}, {theirs}")
    levels = [[kwarg] for kwarg in children] + ([children] if len(children) > 1 else [])
    attacks = []
    for swapped in levels:
        attack = {**mine, **{kwarg: theirs[kwarg] for kwarg in swapped}}
        missing = {**mine, **dict.fromkeys(swapped, MISSING_PK)}
        attacks.append((attack, missing, f"partnership P's address, {'+'.join(swapped)} of Q"))
    return attacks


def walk_other_partnership(walk: Walk, route: Route, people, turn: int) -> int:
    """Shape (x); answers how many attacks were made (0 for a route that is not nested)."""
    try:
        attacks = cross_partnership_attacks(route, walk.a)
    except LookupError as error:
        walk.fail(f"cannot attack {route} with the other partnership's ids: {error}")
        return 0
    for offset, visitor in enumerate(people):
        if visitor.anonymous or (visitor.api_only and not route.is_api):
            continue
        for method in walk_plan("x", visitor, route, turn + offset):
            for attack, missing, what in attacks:
                walk.refused(visitor, route, method, attack, missing, what)
    return len(attacks)


def walk_own_rows(walk: Walk, route: Route, people) -> None:
    """Positive control: A's admin reaches A's rows on every object route (the answer differs
    from the one for a missing row), so the 404s above come from tenancy and not from a
    walker that builds wrong URLs."""
    a = walk.a
    admin = people[0]
    if route.target_kwarg is None or "GET" not in route.mapped_methods:
        return
    if route.name in NEEDS_MORE_DATA:
        return
    target = visible_target(admin, route)
    if target is None:
        walk.fail(f"no {route.target_model.__name__} visible to A's admin for {route}")
        return
    url, response = walk.request(admin, route, "GET", fill(route, a.org.slug, target))
    if response is None or response.status_code != 404:
        return
    twin_url, twin = walk.twin(admin, route, "GET", fill(route, a.org.slug, None))
    if twin is not None and _normalized(response, url) == _normalized(twin, twin_url):
        walk.fail(f"admin GET {url} [{route}] answers as if the row did not exist")


def walk_lists(walk: Walk, route: Route, people, b_ids: dict) -> None:
    """API lists under A hold none of B's ids (a DRF list action answers A's admin)."""
    a = walk.a
    if "pk" in route.kwargs or "GET" not in route.mapped_methods:
        return
    for visitor in people:
        if visitor.anonymous or (visitor.api_only and not route.is_api):
            continue
        target = visible_target(visitor, route)
        if route.target_kwarg is not None and target is None:
            continue  # nothing of this kind is visible to the role
        url, response = walk.request(visitor, route, "GET", fill(route, a.org.slug, target))
        status = None if response is None else response.status_code
        if route.lists_rows and visitor.label == Role.ADMIN and status != 200:
            walk.fail(f"admin GET {url} [{route}] answered {status}")
        rows = _rows(response) if route.is_api else None
        if rows is None:
            continue
        ids = {row.get("id") for row in rows if isinstance(row, dict)}
        leaked = ids & b_ids.get(route.view_model, set())
        if leaked:
            walk.fail(f"{visitor.label} GET {url} [{route}] lists B's ids {leaked}")


def _rows(response) -> list | None:
    if response is None or response.status_code != 200:
        return None
    try:
        payload = json.loads(_body(response))
    except ValueError:
        return None
    rows = payload.get("results", payload) if isinstance(payload, dict) else payload
    return rows if isinstance(rows, list) else None


def walk_writes(walk: Walk, route: Route, people) -> None:
    """Every write of the route, as every member of A, on rows they see: with a body full of
    B's ids and, on a partnership's routes (on partnership P), with the ids of partnership Q.
    The narrowest roles go first and DELETE last, so that most writes find their row."""
    a = walk.a
    writes = [method for method in route.mapped_methods if method not in ("GET", "DELETE")]
    deletes = [method for method in route.mapped_methods if method == "DELETE"]
    bodies = [walk.body] + ([walk.sibling_body] if route.in_partnership else [])
    for visitor in reversed(people):
        # The token writes as the admin it belongs to: the admin's writes cover it.
        if visitor.anonymous or visitor.api_only:
            continue
        if route.in_partnership and route.target_model is not None:
            target = object_of(a, route.target_model, a.own)
            if not visitor.sees(target):
                continue
        else:
            target = visible_target(visitor, route)
            if route.target_kwarg is not None and target is None:
                continue
        values = fill(route, a.org.slug, target)
        for method in writes:
            for body in bodies:
                walk.request(visitor, route, method, values, fitted(route, body))
        for method in deletes:
            walk.request(visitor, route, method, values)


# --- The tests -----------------------------------------------------------------------------


def test_every_route_can_be_walked():
    """Every tenant route is fillable and resolves back to its view; no route outside
    /o/<org_slug>/ and /api/v1/orgs/<org_slug>/ names an object."""
    failures: list[str] = []
    for route in all_routes():
        if route.text.startswith(SKIPPED_PREFIXES):
            continue
        if "org_slug" not in route.kwargs:
            stray = set(route.kwargs) - NON_TENANT_KWARGS - {"format"}
            if stray:
                failures.append(f"{route} names an object outside an organization: {stray}")
            continue
        problems = route.unfillable()
        if problems:
            failures += problems
            continue
        values = fill(route, "northstar", None)
        url = route.url(values)
        match = resolve(url)
        if match.func is not route.callback or {k: str(v) for k, v in match.kwargs.items()} != {
            k: str(v) for k, v in values.items()
        }:
            failures.append(f"{route}: {url} resolves to {match.view_name} {match.kwargs}")
    assert not failures, "\n".join(failures)
    names = {route.name for route in tenant_routes()}
    # The walker sees the API and the pages; later routes come in by themselves.
    assert {
        "api:partnership-list",
        "api:partnership-detail",
        "api:partnership-transition",
        "api:partnership-history",
        "api:client-list",
        "api:client-detail",
        "api:member-list",
        "api:member-detail",
        "partnerships:list",
        "partnerships:detail",
        "partnerships:update",
        "partnerships:transition",
        "partnerships:move",
        "api:partnership-gates",
        "org:members",
        "org:member-remove",
        "org:tokens",
        "org:token-revoke",
    } <= names
    # The routes collected for the per-route tests are the resolver's routes now, each once.
    assert [route.name for route in ROUTES] == [route.name for route in tenant_routes()]
    assert len({route.name for route in ROUTES}) == len(ROUTES), "two routes share a name"
    # The walk reads real API lists and makes the cross-partnership attack on both kinds.
    assert sum(route.lists_rows for route in ROUTES) >= 10
    nested = [route for route in ROUTES if route.child_kwargs]
    assert any(route.is_api for route in nested) and any(not route.is_api for route in nested)


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_route_leaks_nothing(route, world):
    """The whole walk of one route: (a), (b), (c), (x), the positive control, the lists and
    the writes; then the invariants over both tenants."""
    problems = route.unfillable()
    assert not problems, "\n".join(problems)
    a, b = world
    walk = Walk(world)
    people = visitors(a)
    turn = TURNS[route.name]

    walk_other_tenant_and_invisible_rows(walk, route, people, turn)
    walk_other_partnership(walk, route, people, turn)
    walk_own_rows(walk, route, people)
    if not route.in_partnership:  # its writes below may change Q; the attacks above may not
        assert world.q_rows.changed() == [], f"Q changed while {route} was attacked"
    b_ids = {
        model: set(model._default_manager.filter(organization=b.org).values_list("pk", flat=True))
        for model in {route.view_model} - {None}
    }
    walk_lists(walk, route, people, b_ids)
    walk_writes(walk, route, people)

    # The walk really happened: at least the admin's every method in (a).
    assert walk.requests >= len(route.methods)
    assert not walk.failures, walk.report()
    assert world.links.found() == [], f"forbidden links after {route}"
    assert world.b_rows.changed() == [], f"tenant B's rows changed on {route}"
    if route.in_partnership:
        assert world.q_rows.changed() == [], f"Q changed through partnership P's {route}"


def test_a_client_executive_reaches_no_other_clients_partnership(world):
    a, _ = world
    executive = next(v for v in visitors(a) if v.label == Role.CLIENT_EXECUTIVE)
    hidden = a.other
    kwargs = {"org_slug": a.org.slug, "pk": hidden.pk}
    for name in ("api:partnership-detail", "api:partnership-history", "partnerships:detail"):
        assert executive.client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
    for name in ("partnerships:update", "api:partnership-detail"):
        response = executive.client.post(reverse(name, kwargs=kwargs), {"name": "x"})
        assert response.status_code in (404, 405), name
    for name in ("api:partnership-transition", "partnerships:transition"):
        response = executive.client.post(reverse(name, kwargs=kwargs), {"status": "ended"})
        assert response.status_code == 404, name
    listed = executive.client.get(
        reverse("api:partnership-list", kwargs={"org_slug": a.org.slug})
    ).json()["results"]
    assert [row["id"] for row in listed] == [a.own.pk]
    hidden.refresh_from_db()
    assert hidden.status == PartnershipStatus.TRANSITION


def test_an_api_token_works_only_in_its_own_organization(world):
    a, b = world
    token_client = Client(HTTP_AUTHORIZATION=f"Token {a.token_keys[Role.ADMIN]}")
    own = token_client.get(reverse("api:partnership-list", kwargs={"org_slug": a.org.slug}))
    assert own.status_code == 200
    assert {row["id"] for row in own.json()["results"]} == {a.own.pk, a.other.pk}
    for url in (
        reverse("api:partnership-list", kwargs={"org_slug": b.org.slug}),
        reverse("api:partnership-detail", kwargs={"org_slug": b.org.slug, "pk": b.own.pk}),
    ):
        response = token_client.get(url)
        assert response.status_code == 404, url
        assert MARKER not in _body(response).lower()
    # Even when its user belongs to both organizations, the token is for A only.
    MembershipFactory(organization=b.org, user=a.members[Role.ADMIN].user, role=Role.ADMIN)
    response = token_client.get(reverse("api:partnership-list", kwargs={"org_slug": b.org.slug}))
    assert response.status_code == 404


def test_the_admin_and_the_account_manager_see_both_partnerships(world):
    """Shape (x) attacks with a partnership the visitor sees for the admin and the account
    manager, and with one they do not see for the others."""
    a, _ = world
    seen = {
        visitor.label: set(visitor.visible(Partnership).values_list("pk", flat=True))
        for visitor in visitors(a)
        if not visitor.anonymous and not visitor.api_only
    }
    both = {a.own.pk, a.other.pk}
    assert seen == {
        Role.ADMIN: both,
        Role.ACCOUNT_MANAGER: both,
        Role.IMPLEMENTATION_PM: {a.own.pk},
        Role.CLIENT_EXECUTIVE: {a.own.pk},
    }


def test_the_probes_see_changes(world):
    """The unchanged-B and unchanged-Q assertions would notice a change, and the link probe a
    link across partnerships (guards against checks that compare nothing)."""
    a, b = world
    before = world.b_rows.run()
    for model in (
        Partnership,
        ClientOrganization,
        PartnershipStatusChange,
        Membership,
        Invitation,
        ApiToken,
        AuditEvent,
    ):
        assert before[model._meta.label], model
    assert world.b_rows.changed() == []
    Partnership.objects.filter(pk=b.own.pk).update(description="changed")
    assert world.b_rows.changed() == [Partnership._meta.label]

    assert sum(bool(rows) for rows in world.q_rows.before.values()) >= len(routed_models()) // 2
    assert world.q_rows.changed() == []
    model, f, row, theirs = next(
        (model, f, row, theirs)
        for model in partnership_models()
        for f in _links(model)
        if f.name != "partnership" and f.null and _has_partnership(f.related_model)
        for row in model._default_manager.filter(partnership=a.own).order_by("pk")[:1]
        for theirs in f.related_model._default_manager.filter(partnership=a.other)[:1]
    )
    model._default_manager.filter(pk=row.pk).update(**{f.name: theirs})
    assert world.links.found() == [f"{model.__name__}.{f.name} crosses partnerships: [({row.pk},)]"]
    model._default_manager.filter(partnership=a.other).update(updated_at=timezone.now())
    assert world.q_rows.changed() == [model._meta.label]
