"""Dashboards' place in the access policy: a member sees only their own notifications,
notification settings and digest records."""

from __future__ import annotations

from tenancy import access


def _own(membership, queryset):
    return queryset.filter(recipient_id=membership.user_id)


def _own_user(membership, queryset):
    return queryset.filter(user_id=membership.user_id)


def _own_summaries(membership, queryset):
    # What a summary shows depends on who asked (a client's executive never sees the
    # provider's touchpoints): each member reads only the documents they asked for, and only
    # while they still see the partnership.
    from partnerships.models import Partnership

    return queryset.filter(
        requested_by_id=membership.user_id,
        for_provider=membership.is_provider,
        partnership__in=access.visible(membership, Partnership).values("pk"),
    )


def register_scopes() -> None:
    from dashboards.models import (
        DigestSent,
        Notification,
        NotificationPreference,
        SummaryDocument,
    )

    access.register(Notification, _own)
    access.register(NotificationPreference, _own_user)
    access.register(DigestSent, _own_user)
    access.register(SummaryDocument, _own_summaries)
