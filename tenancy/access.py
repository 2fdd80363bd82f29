"""The access policy: the one place that decides what a member sees and may do.

Every view, viewset, form choice list, export and task gets its querysets from `visible()`
and asks `can()` before it changes anything. A model that has not registered a scope here
cannot be served by the scoped base view or viewset (they refuse it), so a new model cannot
be exposed without a decision about who sees it.

The policy is a table filled by the apps, each from its `AppConfig.ready()`:
- `register(model, scope)` or `register(model, via="partnership")` says who sees a model's
  rows (`via` reuses the scope of the model the foreign key points to);
- `register_rule(action, rule)` says who may do an action on an object; an action without a
  rule is refused to everybody but admins (and, for `CLIENT_ONLY_ACTIONS`, to admins too).

Rules (DESIGN.md, "Who uses it"):
- admin: sees and changes everything in the organization.
- account_manager: sees every partnership; changes those where they are the dedicated AM.
- implementation_pm: sees the partnerships they are assigned to; changes their discovery
  and transition work, not the partnership itself.
- client_executive: sees only their own client's partnerships, never internal fields;
  signs off, approves, decides and comments.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models

if TYPE_CHECKING:
    from tenancy.models import Membership


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"  # the partnership itself (or a row whose rule is the partnership's)
    TRANSITION = "transition"  # move a partnership's status
    INVITE = "invite"
    MANAGE_MEMBERS = "manage_members"
    VIEW_AUDIT = "view_audit"
    CHANGE_WORK = "change_work"  # discovery and transition work of a partnership
    SIGN_OFF = "sign_off"  # any sign-off, approval or decision, by either side
    PROVIDER_SIGN_OFF = "provider_sign_off"  # the provider's side: discovery sign-off
    CLIENT_SIGN_OFF = "client_sign_off"  # the client's side: co-signature, approvals
    # The client's word that an admin may also record (given outside the app): physician
    # preferences and their versions.
    CLIENT_APPROVAL = "client_approval"
    DELETE_COMMENT = "delete_comment"  # take a comment back: its author
    # Make someone an implementation PM of a partnership (and so a reader of its work):
    # the dedicated account manager's decision, not a PM's.
    APPOINT_PM = "appoint_pm"
    COMMENT = "comment"  # comment on a partnership's work
    GO_NO_GO = "go_no_go"  # record the go/no-go decision before go-live
    VIEW_HR = "view_hr"  # HR-sensitive fields of the client's staff
    # Let an implementation PM of a partnership see its staff's HR-sensitive fields (and take
    # it back): the dedicated account manager's decision, not a PM's.
    GRANT_PEOPLE_ACCESS = "grant_people_access"
    # Move a partnership through a closed lifecycle gate, with a written reason: no rule, so
    # admins only.
    OVERRIDE_GATE = "override_gate"
    # The organization's settings (SLA targets, health-check weights and bands): no rule, so
    # admins only.
    MANAGE_SETTINGS = "manage_settings"


# What only the client itself does: an admin may do everything else in the organization, but
# never agrees, co-signs or decides in the client's name (their rule alone answers).
CLIENT_ONLY_ACTIONS = frozenset({Action.CLIENT_SIGN_OFF})

Scope = Callable[["Membership", models.QuerySet], models.QuerySet]
Rule = Callable[["Membership", models.Model | None], bool]

_SCOPES: dict[type[models.Model], Scope] = {}
_RULES: dict[Action, Rule] = {}


def register(model: type[models.Model], scope: Scope | None = None, *, via: str | None = None):
    """Declare who sees rows of `model`.

    `via="partnership"` scopes a row by the scope of the model its `partnership` foreign key
    points to: whoever sees the partnership sees the row. Otherwise `scope(membership,
    queryset)` narrows a queryset already cut to the tenant.
    """
    if via is not None:
        parent = model._meta.get_field(via).related_model

        def scope(membership, queryset, _via=via, _parent=parent):
            return queryset.filter(**{f"{_via}__in": visible(membership, _parent).values("pk")})

    if scope is None:
        raise ValueError("register() needs a scope function or via=")
    if model in _SCOPES:
        # One decision per model: a second app cannot widen (or narrow) it silently.
        raise ValueError(f"{model.__name__} already has a scope in the access policy.")
    _SCOPES[model] = scope
    return scope


def register_rule(action: Action, rule: Rule) -> None:
    """Declare who (other than an admin) may do `action`; one rule per action."""
    if action in _RULES and _RULES[action] is not rule:
        raise ValueError(f"The action {action} already has a rule.")
    _RULES[action] = rule


def is_registered(model: type[models.Model]) -> bool:
    return model in _SCOPES


def visible(membership: Membership, queryset: models.QuerySet | type[models.Model]):
    """The rows of `queryset` that `membership` may see: its tenant only, then its role."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    model = queryset.model
    if model not in _SCOPES:
        raise LookupError(
            f"{model.__name__} has no scope in the access policy; register one in its app."
        )
    return _SCOPES[model](membership, queryset.filter(organization_id=membership.organization_id))


def can(membership: Membership, action: Action, obj: models.Model | None = None) -> bool:
    """May `membership` do `action` (on `obj`, which the caller already got through visible())?"""
    from tenancy.models import Role

    if obj is not None and getattr(obj, "organization_id", None) != membership.organization_id:
        return False
    if membership.role == Role.ADMIN and action not in CLIENT_ONLY_ACTIONS:
        return True
    if action == Action.VIEW:
        return True
    rule = _RULES.get(action)
    return rule is not None and rule(membership, obj)


def require(membership: Membership, action: Action, obj: models.Model | None = None) -> None:
    """`can()`, or 403: for the services, whose callers already showed the object."""
    if not can(membership, action, obj):
        raise PermissionDenied("Your role does not allow this.")


def can_see_internal(membership: Membership) -> bool:
    """Fields marked internal are never shown to client executives."""
    return membership.is_provider


def register_scopes() -> None:
    from tenancy.models import AuditEvent, Job, Role

    register(AuditEvent, lambda membership, qs: qs if membership.role == Role.ADMIN else qs.none())
    # A background job is its asker's: it may hold what only they may see.
    register(Job, lambda membership, qs: qs.filter(requested_by_id=membership.user_id))
