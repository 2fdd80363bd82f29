"""Dashboards' place in the access policy: a member sees only their own notifications,
notification settings and digest records."""

from __future__ import annotations

from tenancy import access


def _own(membership, queryset):
    return queryset.filter(recipient_id=membership.user_id)


def _own_user(membership, queryset):
    return queryset.filter(user_id=membership.user_id)


def register_scopes() -> None:
    from dashboards.models import DigestSent, Notification, NotificationPreference

    access.register(Notification, _own)
    access.register(NotificationPreference, _own_user)
    access.register(DigestSent, _own_user)
