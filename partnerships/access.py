"""The access policy: the one place that decides what a member sees and may do.

Every view, viewset, form choice list, export and task gets its querysets from `visible()`
and asks `can()` before it changes anything. A model that has not registered a scope here
cannot be served by the scoped base view or viewset (they refuse it), so a new model cannot
be exposed without a decision about who sees it.

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

from django.db import models
from django.db.models import Q

from partnerships.models import ClientOrganization, Partnership, PartnershipStatusChange

if TYPE_CHECKING:
    from accounts.models import Membership


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    TRANSITION = "transition"
    INVITE = "invite"
    MANAGE_MEMBERS = "manage_members"
    VIEW_AUDIT = "view_audit"
    CHANGE_WORK = "change_work"  # discovery and transition work of a partnership
    SIGN_OFF = "sign_off"  # sign-offs, approvals, decisions on proposals, comments


Scope = Callable[["Membership", models.QuerySet], models.QuerySet]
_SCOPES: dict[type[models.Model], Scope] = {}


def register(model: type[models.Model], scope: Scope | None = None, *, via: str | None = None):
    """Declare who sees rows of `model`.

    `via="partnership"` scopes a partnership's child rows by the partnerships the member sees.
    Otherwise `scope(membership, queryset)` narrows a queryset already cut to the tenant.
    """
    if via is not None:

        def scope(membership, queryset, _via=via):
            return queryset.filter(
                **{f"{_via}__in": partnerships_visible_to(membership).values("pk")}
            )

    if scope is None:
        raise ValueError("register() needs a scope function or via=")
    _SCOPES[model] = scope
    return scope


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


# --- Partnerships ----------------------------------------------------------------------


def _partnerships(membership: Membership, queryset: models.QuerySet) -> models.QuerySet:
    from accounts.models import Role

    match membership.role:
        case Role.ADMIN | Role.ACCOUNT_MANAGER:
            return queryset
        case Role.IMPLEMENTATION_PM:
            return queryset.filter(implementation_pms=membership.user_id)
        case Role.CLIENT_EXECUTIVE:
            return queryset.filter(client_id=membership.client_id)
    return queryset.none()


def partnerships_visible_to(membership: Membership) -> models.QuerySet[Partnership]:
    return _partnerships(
        membership, Partnership.objects.filter(organization_id=membership.organization_id)
    )


register(Partnership, _partnerships)
register(PartnershipStatusChange, via="partnership")


def _clients(membership: Membership, queryset):
    from accounts.models import Role

    if membership.role in (Role.ADMIN, Role.ACCOUNT_MANAGER):
        return queryset
    if membership.role == Role.CLIENT_EXECUTIVE:
        return queryset.filter(pk=membership.client_id)
    return queryset.filter(pk__in=partnerships_visible_to(membership).values("client_id"))


register(ClientOrganization, _clients)


def can(membership: Membership, action: Action, obj: models.Model | None = None) -> bool:
    """May `membership` do `action` (on `obj`, which the caller already got through visible())?"""
    from accounts.models import Role

    role = membership.role
    if obj is not None and getattr(obj, "organization_id", None) != membership.organization_id:
        return False
    if role == Role.ADMIN:
        return True
    partnership = _partnership_of(obj)
    match action:
        case Action.VIEW:
            return True
        case Action.CHANGE | Action.TRANSITION:
            if isinstance(obj, Partnership):
                return role == Role.ACCOUNT_MANAGER and obj.account_manager_id == membership.user_id
            if isinstance(obj, ClientOrganization):
                return False
            return partnership is not None and _is_account_manager(membership, partnership)
        case Action.CHANGE_WORK:
            if partnership is None:
                return False
            if _is_account_manager(membership, partnership):
                return True
            return role == Role.IMPLEMENTATION_PM and _is_pm(membership, partnership)
        case Action.SIGN_OFF:
            if partnership is None:
                return False
            if role == Role.CLIENT_EXECUTIVE:
                return partnership.client_id == membership.client_id
            return _is_account_manager(membership, partnership)
        case Action.CREATE | Action.INVITE | Action.MANAGE_MEMBERS | Action.VIEW_AUDIT:
            return False
    return False


def can_see_internal(membership: Membership) -> bool:
    """Fields marked internal and staff HR notes are never shown to client executives."""
    return membership.is_provider


def _partnership_of(obj) -> Partnership | None:
    if isinstance(obj, Partnership):
        return obj
    return getattr(obj, "partnership", None) if obj is not None else None


def _is_account_manager(membership: Membership, partnership: Partnership) -> bool:
    from accounts.models import Role

    return (
        membership.role == Role.ACCOUNT_MANAGER
        and partnership.account_manager_id == membership.user_id
    )


def _is_pm(membership: Membership, partnership: Partnership) -> bool:
    # Uses the prefetch cache when the selector prefetched the PMs.
    return any(user.pk == membership.user_id for user in partnership.implementation_pms.all())


# Accounts' own models register here too, so the whole table lives in one module.
def _register_accounts() -> None:
    from accounts.models import ApiToken, AuditEvent, Invitation, Membership, Role

    def memberships(membership, queryset):
        if membership.is_provider:
            return queryset
        # A client executive sees their own client's people and the provider staff on
        # their partnerships, nobody else's.
        partnerships = partnerships_visible_to(membership)
        return queryset.filter(
            Q(client_id=membership.client_id)
            | Q(user__managed_partnerships__in=partnerships)
            | Q(user__pm_partnerships__in=partnerships)
        ).distinct()

    register(Membership, memberships)
    register(
        Invitation,
        lambda membership, qs: qs if membership.role == Role.ADMIN else qs.none(),
    )
    register(ApiToken, lambda membership, qs: qs.filter(user_id=membership.user_id))
    register(
        AuditEvent,
        lambda membership, qs: qs if membership.role == Role.ADMIN else qs.none(),
    )


_register_accounts()


from partnerships.culture.access import register_culture_scopes  # noqa: E402

register_culture_scopes()
