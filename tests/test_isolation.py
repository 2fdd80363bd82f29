"""THE ISOLATION WALKER: every URL pattern, every role, another tenant's real objects.

Two organizations are built with a member of every role and real rows of every model a route
names. The walker enumerates every URL pattern from the resolver (pages and API, routers
included) and fills each pattern under `org_slug` from the pattern alone:
- `org_slug`;
- `pk`: a row of the view's model (`view_class.model`/`.queryset.model`, DRF
  `cls.queryset.model`);
- `<parent>_pk` of nested routes (`partnership_pk`, `staff_pk`, ...): the row the view's model
  points to through its `<parent>...` foreign key, taken from the child row itself so that
  parent and child agree;
- `format` of DRF suffix routes.
Any other kwarg fails the test ("cannot fill <kwarg> in <pattern>"), so a new route is either
covered the day it lands or turns the suite red; rows of a new model are made up from its
fields (`_autobuild`).

Then, for every role of Northstar (A), an A API token and anonymous (see `walk_plan` for who
tries which methods; `ISOLATION_WALK=full` tries them all):
  (a) Harbor's (B) slug with B's rows         -> the answer for a missing organization (404);
  (b) A's slug with B's row ids               -> the answer for a missing row (404), also
      behind a parent the visitor does see;
  (c) A's slug with A's rows the role must not see (a client executive and another client's
      partnership, a PM and one they are not assigned to, ...) -> the answer for a missing row;
  anonymous meets the login wall (pages: redirect; API: 401/403).
No answer to anyone of A contains one of B's strings, lists under A hold none of B's ids,
writes to A carrying B's ids in the body link nothing of A to B, and B's rows are unchanged
(every column, `updated_at` included) after every attack.
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
from django.db import IntegrityError, models, transaction
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
# Parent kwargs whose model is not a foreign key of the view's model under the same name.
KNOWN_KWARG_MODELS: dict[str, type[models.Model]] = {"partnership_pk": Partnership}


# --- Routes --------------------------------------------------------------------------------


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
        return [name for name in self.kwargs if name not in ("org_slug", "format")]

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
            for f in self.view_model._meta.concrete_fields
            if f.many_to_one
            and (
                f.name == stem
                or f.name.startswith(f"{stem}_")
                or f.related_model._meta.model_name.startswith(stem)
            )
        }
        return candidates.pop() if len(candidates) == 1 else None

    @property
    def target_model(self) -> type[models.Model] | None:
        return self.kwarg_model(self.target_kwarg) if self.target_kwarg else None

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
    foreign_keys = [f for f in obj._meta.concrete_fields if f.many_to_one]
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
    # rows made up from field types alone could hold what the app never writes.
    for model in routed_models():
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
    return any(f.name == "partnership" and f.many_to_one for f in model._meta.concrete_fields)


def object_of(tenant: Tenant, model: type[models.Model], partnership: Partnership | None = None):
    """A row of `model` in `tenant` (on `partnership` when the model has one): an existing one,
    or one made from the model's fields, so a model added later is walked without anyone
    remembering to extend this file."""
    rows = model._default_manager.filter(organization=tenant.org)
    if partnership is not None and _has_partnership(model):
        rows = rows.filter(partnership=partnership)
    existing = rows.order_by("pk").first()
    if existing is not None:
        return existing
    return _autobuild(tenant, model, partnership or tenant.own)


_counter = itertools.count(1)


def _autobuild(tenant: Tenant, model: type[models.Model], partnership: Partnership):
    values: dict[str, object] = {}
    optional_links: list[models.Field] = []
    for f in model._meta.concrete_fields:
        if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if f.many_to_one and f.null and issubclass(f.related_model, TenantModel):
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


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Both tenants, built once for the module inside a transaction that is rolled back at
    its end (like TestCase.setUpTestData); each test runs in a savepoint within it."""
    # Cookie sessions: no session query per request, which halves the walker's run time.
    with (
        override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        a = build_tenant("northstar", "Northstar")
        b = build_tenant("harbor", MARKER.capitalize())
        assert MARKER not in json.dumps(_snapshot(a.org), default=str).lower()
        # Every model a route names must exist in both tenants, or the walk would skip it.
        errors = [*a.build_errors.values(), *b.build_errors.values()]
        assert not errors, "the walker cannot build rows it needs:\n" + "\n".join(errors)
        yield a, b
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _quiet_request_log():
    # Thousands of expected 404/405 warnings would drown a real failure (5xx stay logged).
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


# --- Snapshots and invariants --------------------------------------------------------------


def _snapshot(org: Organization) -> dict[str, list]:
    """Every row of every tenant model of `org` (with updated_at), its M2M links, the
    organization itself and its members' user rows."""
    snap: dict[str, list] = {
        "organization": list(Organization.objects.filter(pk=org.pk).values()),
        "users": list(User.objects.filter(memberships__organization=org).order_by("pk").values()),
    }
    for model in tenant_models():
        rows = model._default_manager.filter(organization=org).order_by("pk")
        snap[model._meta.label] = list(rows.values())
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            source = m2m.m2m_field_name()
            links = through.objects.filter(**{f"{source}__organization": org}).order_by("pk")
            snap[f"{model._meta.label}.{m2m.name}"] = list(links.values())
    return snap


def _cross_tenant_links(a: Tenant, b: Tenant) -> list[str]:
    """Rows of A pointing at a row or a user of B."""
    b_users = set(User.objects.filter(memberships__organization=b.org).values_list("pk", flat=True))
    found = []
    for model in tenant_models():
        rows = model._default_manager.filter(organization=a.org)
        for f in model._meta.concrete_fields:
            if not f.many_to_one or f.name == "organization":
                continue
            if issubclass(f.related_model, TenantModel):
                bad = rows.filter(**{f"{f.name}__organization": b.org})
            elif f.related_model is User:
                bad = rows.filter(**{f"{f.name}__in": b_users})
            elif f.related_model is Organization:
                bad = rows.filter(**{f.name: b.org})
            else:
                continue
            if bad.exists():
                found.append(f"{model.__name__}.{f.name} of A points into B: {list(bad)}")
        for m2m in model._meta.local_many_to_many:
            target = m2m.related_model
            if target is User:
                bad = rows.filter(**{f"{m2m.name}__in": b_users})
            elif issubclass(target, TenantModel):
                bad = rows.filter(**{f"{m2m.name}__organization": b.org})
            else:
                continue
            if bad.exists():
                found.append(f"{model.__name__}.{m2m.name} of A links into B: {list(bad)}")
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


def attack_body(b: Tenant) -> dict[str, object]:
    """Plausible fields of every form and serializer, pointing at B's rows."""
    return {
        "name": f"{ATTACK} line",
        "title": f"{ATTACK} title",
        "client": b.own.client_id,
        "partnership": b.own.pk,
        "account_manager": b.members[Role.ACCOUNT_MANAGER].user_id,
        "implementation_pms": [b.members[Role.IMPLEMENTATION_PM].user_id],
        "owner": b.members[Role.ADMIN].user_id,
        "user": b.members[Role.ADMIN].user_id,
        "membership": b.members[Role.ADMIN].pk,
        "status": PartnershipStatus.ENDED,
        "role": Role.ADMIN,
        "email": f"{ATTACK}@attacker.example",
        "note": ATTACK,
        "description": ATTACK,
        "kind": "hospital",
        "time_zone": "UTC",
        "actual_go_live": "2026-06-02",
    }


def send(visitor: Visitor, route: Route, method: str, url: str, body: dict):
    client = visitor.client
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    if route.is_api:
        call = {"POST": client.post, "PUT": client.put, "PATCH": client.patch}[method]
        return call(url, data=json.dumps(body), content_type="application/json")
    return client.post(url, data=body)


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
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


class Walk:
    """Runs requests and collects every failure, so one run reports all of them."""

    def __init__(self, a: Tenant, b: Tenant):
        self.a, self.b = a, b
        self.failures: list[str] = []
        self.requests = 0
        self.login_url = reverse("accounts:login")
        self.body = attack_body(b)
        self.page_404: dict[str, str] = {}

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def request(self, visitor: Visitor, route: Route, method: str, values: dict):
        url = route.url(values)
        self.requests += 1
        try:
            response = send(visitor, route, method, url, self.body)
        except Exception as error:  # a crash is a finding too; keep walking
            self.fail(f"{visitor.label} {method} {url} [{route}] raised {error!r}")
            return url, None
        if response.status_code >= 500:
            self.fail(f"{visitor.label} {method} {url} [{route}] answered {response.status_code}")
        if not visitor.anonymous and MARKER in _body(response).lower():
            self.fail(f"{visitor.label} {method} {url} [{route}] shows tenant B's data")
        return url, response

    def refused(self, visitor, route, method, values, twin_values, what: str) -> None:
        """The answer must be the one for a missing organization or object: nothing leaks.
        The twin (the same request for a missing one) is only fetched when the answer is not
        the plain API 404."""
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
        twin_url, twin = self.request(visitor, route, method, twin_values)
        if twin is None:
            return
        if status != twin.status_code:
            self.fail(f"{where}: {status}, but a missing one gives {twin.status_code}")
        elif _normalized(response, url) != _normalized(twin, twin_url):
            self.fail(f"{where}: the answer differs from the one for a missing one")
        elif status == 404 and not route.is_api:
            self.page_404.setdefault(visitor.label, _normalized(twin, twin_url))

    def plain_404(self, visitor: Visitor, route: Route, response, url: str) -> bool:
        """The API's 404, or the page 404 this visitor already got for a missing object."""
        if route.is_api:
            return _is_plain_404(response)
        return self.page_404.get(visitor.label) == _normalized(response, url)

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
        "org:members",
        "org:member-remove",
        "org:tokens",
        "org:token-revoke",
    } <= names


def walk_plan(shape: str, visitor: Visitor, route: Route, turn: int) -> list[str]:
    """The methods a visitor tries on a route in one attack shape.

    `ISOLATION_WALK=full` tries every method (shape a) and every method the route answers
    (the others) for every visitor. By default the walk is lean but misses no route, no role
    and no method: the admin tries every method in (a); the client executive (the narrowest
    role, with the most rows out of reach) every method the route answers in (b) and (c);
    every other visitor one method per route, turning through the route's methods from route
    to route. Methods a route does not answer end in 405 before any object is looked up.
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
    }[shape]
    if visitor.label in broad:
        return answered
    return [answered[turn % len(answered)]]


def test_another_tenant_and_invisible_objects_answer_404(world):
    a, b = world
    walk = Walk(a, b)
    before = _snapshot(b.org)
    for turn, route in enumerate(walkable_routes()):
        target_b = object_of(b, route.target_model) if route.target_model else None
        for offset, visitor in enumerate(visitors(a)):
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
    assert walk.requests > 1000  # the walk really happened
    assert not walk.failures, walk.report()
    assert _snapshot(b.org) == before, "tenant B's rows changed during the walk"


def test_the_walker_reaches_its_own_objects(world):
    """Positive control: A's admin reaches A's rows on every object route (the answer differs
    from the one for a missing row), so the 404s above come from tenancy and not from a
    walker that builds wrong URLs."""
    a, b = world
    walk = Walk(a, b)
    admin = visitors(a)[0]
    for route in walkable_routes():
        if route.target_kwarg is None or "GET" not in route.mapped_methods:
            continue
        if route.name in NEEDS_MORE_DATA:
            continue
        target = visible_target(admin, route)
        if target is None:
            walk.fail(f"no {route.target_model.__name__} visible to A's admin for {route}")
            continue
        url, response = walk.request(admin, route, "GET", fill(route, a.org.slug, target))
        if response is None or response.status_code != 404:
            continue
        twin_url, twin = walk.request(admin, route, "GET", fill(route, a.org.slug, None))
        if twin is not None and _normalized(response, url) == _normalized(twin, twin_url):
            walk.fail(f"admin GET {url} [{route}] answers as if the row did not exist")
    assert not walk.failures, walk.report()


def test_lists_under_a_show_nothing_of_b(world):
    a, b = world
    walk = Walk(a, b)
    b_ids = {
        model: set(model._default_manager.filter(organization=b.org).values_list("pk", flat=True))
        for model in tenant_models()
    }
    listed = 0
    for route in walkable_routes():
        if "pk" in route.kwargs or "GET" not in route.mapped_methods:
            continue
        for visitor in visitors(a):
            if visitor.anonymous or (visitor.api_only and not route.is_api):
                continue
            target = visible_target(visitor, route)
            if route.target_kwarg is not None and target is None:
                continue  # nothing of this kind is visible to the role
            url, response = walk.request(visitor, route, "GET", fill(route, a.org.slug, target))
            if response is None or response.status_code != 200 or not route.is_api:
                continue
            try:
                payload = response.json()
            except ValueError:
                continue
            rows = payload.get("results", payload) if isinstance(payload, dict) else payload
            if not isinstance(rows, list):
                continue
            listed += 1
            ids = {row.get("id") for row in rows if isinstance(row, dict)}
            leaked = ids & b_ids.get(route.view_model, set())
            if leaked:
                walk.fail(f"{visitor.label} GET {url} [{route}] lists B's ids {leaked}")
    assert listed >= 10  # the API lists were really read
    assert not walk.failures, walk.report()


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


def test_writes_carrying_b_ids_link_nothing_to_b(world):
    """Every write route of A, as every member of A, on rows they see, with a body full of
    B's ids: whatever the answer, no row of A points into B afterwards and B is untouched."""
    a, b = world
    walk = Walk(a, b)
    before = _snapshot(b.org)
    for route in walkable_routes():
        writes = [method for method in route.mapped_methods if method != "GET"]
        for visitor in visitors(a):
            # The token writes as the admin it belongs to: the admin's writes cover it.
            if not writes or visitor.anonymous or visitor.api_only:
                continue
            target = visible_target(visitor, route)
            if route.target_kwarg is not None and target is None:
                continue
            for method in writes:
                walk.request(visitor, route, method, fill(route, a.org.slug, target))
    assert walk.requests > 100
    assert not walk.failures, walk.report()
    assert _cross_tenant_links(a, b) == []
    assert _snapshot(b.org) == before, "tenant B's rows changed during the writes"


def test_the_snapshot_sees_changes(world):
    """The unchanged-B assertions above would notice a change (guards against a snapshot that
    compares nothing)."""
    _, b = world
    before = _snapshot(b.org)
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
    Partnership.objects.filter(pk=b.own.pk).update(description="changed")
    assert _snapshot(b.org) != before
