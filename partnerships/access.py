"""Partnerships' part of the access policy (`tenancy.access`), registered from
`PartnershipsConfig.ready()`.

Who sees a partnership decides who sees everything that belongs to it: the other apps
register their rows `via="partnership"`. The rules of the actions on a partnership's work
live here too, because each asks who the partnership's account manager, PMs and client are.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q, prefetch_related_objects

from partnerships.models import ClientOrganization, Comment, Partnership, PartnershipStatusChange
from tenancy import access
from tenancy.access import Action
from tenancy.models import Membership, Role


def _partnerships(membership: Membership, queryset: models.QuerySet) -> models.QuerySet:
    match membership.role:
        case Role.ADMIN | Role.ACCOUNT_MANAGER:
            return queryset
        case Role.IMPLEMENTATION_PM:
            return queryset.filter(implementation_pms=membership.user_id)
        case Role.CLIENT_EXECUTIVE:
            return queryset.filter(client_id=membership.client_id)
    return queryset.none()


def partnerships_visible_to(membership: Membership) -> models.QuerySet[Partnership]:
    return access.visible(membership, Partnership)


def _clients(membership: Membership, queryset):
    if membership.role in (Role.ADMIN, Role.ACCOUNT_MANAGER):
        return queryset
    if membership.role == Role.CLIENT_EXECUTIVE:
        return queryset.filter(pk=membership.client_id)
    return queryset.filter(pk__in=partnerships_visible_to(membership).values("client_id"))


def _memberships(membership: Membership, queryset):
    if membership.is_provider:
        return queryset
    # A client executive sees their own client's people and the provider staff on their
    # partnerships, nobody else's.
    partnerships = partnerships_visible_to(membership)
    return queryset.filter(
        Q(client_id=membership.client_id)
        | Q(user__managed_partnerships__in=partnerships)
        | Q(user__pm_partnerships__in=partnerships)
    ).distinct()


# --- Rules -----------------------------------------------------------------------------


def partnership_of(obj) -> Partnership | None:
    if isinstance(obj, Partnership):
        return obj
    return getattr(obj, "partnership", None) if obj is not None else None


def is_account_manager(membership: Membership, partnership: Partnership) -> bool:
    return (
        membership.role == Role.ACCOUNT_MANAGER
        and partnership.account_manager_id == membership.user_id
    )


def is_pm(membership: Membership, partnership: Partnership) -> bool:
    if membership.role != Role.IMPLEMENTATION_PM:
        return False
    # Loaded once per partnership object (and not at all when a selector prefetched them),
    # however many checks a request makes.
    prefetch_related_objects([partnership], "implementation_pms")
    return any(user.pk == membership.user_id for user in partnership.implementation_pms.all())


def is_partnerships_client(membership: Membership, partnership: Partnership) -> bool:
    return (
        membership.role == Role.CLIENT_EXECUTIVE and partnership.client_id == membership.client_id
    )


def _change(membership: Membership, obj) -> bool:
    if isinstance(obj, ClientOrganization):
        return False
    partnership = partnership_of(obj)
    return partnership is not None and is_account_manager(membership, partnership)


def _change_work(membership: Membership, obj) -> bool:
    partnership = partnership_of(obj)
    return partnership is not None and (
        is_account_manager(membership, partnership) or is_pm(membership, partnership)
    )


def _sign_off(membership: Membership, obj) -> bool:
    partnership = partnership_of(obj)
    return partnership is not None and (
        is_partnerships_client(membership, partnership)
        or is_account_manager(membership, partnership)
    )


def _provider_sign_off(membership: Membership, obj) -> bool:
    partnership = partnership_of(obj)
    return partnership is not None and is_account_manager(membership, partnership)


def _client_sign_off(membership: Membership, obj) -> bool:
    partnership = partnership_of(obj)
    return partnership is not None and is_partnerships_client(membership, partnership)


def _comment(membership: Membership, obj) -> bool:
    return _change_work(membership, obj) or _sign_off(membership, obj)


def _go_no_go(membership: Membership, obj) -> bool:
    # Those who run the transition record the decision, and so may the client's executives
    # (and the account manager) who sign for either side.
    return _change_work(membership, obj) or _sign_off(membership, obj)


def _comments(membership: Membership, queryset):
    queryset = queryset.filter(partnership__in=partnerships_visible_to(membership).values("pk"))
    # The client's executives see what was shared with them (their own comments always are).
    return queryset if membership.is_provider else queryset.filter(shared_with_client=True)


def _comment_author(membership: Membership, obj) -> bool:
    return isinstance(obj, Comment) and obj.author_id == membership.user_id


def register_scopes() -> None:
    access.register(Partnership, _partnerships)
    access.register(PartnershipStatusChange, via="partnership")
    access.register(Comment, _comments)
    access.register(ClientOrganization, _clients)
    # Who a member sees among the members depends on the partnerships they share.
    access.register(Membership, _memberships)
    access.register_rule(Action.CHANGE, _change)
    access.register_rule(Action.TRANSITION, _change)
    access.register_rule(Action.CHANGE_WORK, _change_work)
    access.register_rule(Action.SIGN_OFF, _sign_off)
    access.register_rule(Action.PROVIDER_SIGN_OFF, _provider_sign_off)
    access.register_rule(Action.CLIENT_SIGN_OFF, _client_sign_off)
    access.register_rule(Action.CLIENT_APPROVAL, _client_sign_off)
    access.register_rule(Action.DELETE_COMMENT, _comment_author)
    access.register_rule(Action.APPOINT_PM, _provider_sign_off)
    access.register_rule(Action.COMMENT, _comment)
    access.register_rule(Action.GO_NO_GO, _go_no_go)
