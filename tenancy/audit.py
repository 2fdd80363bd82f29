"""Who did it, from where: the actor every service takes, and the audit record it writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models

from tenancy.clientip import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest

    from tenancy.models import AuditEvent, Membership


# The role recorded for platform staff (the Django admin), who belong to no organization.
PLATFORM_STAFF = "platform_staff"


@dataclass(frozen=True)
class Actor:
    """A member acting in one organization, with where the request came from."""

    membership: Membership
    ip_address: str | None = None
    user_agent: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self):
        return self.membership.user

    @property
    def organization(self):
        return self.membership.organization

    @property
    def is_platform_staff(self) -> bool:
        return self.membership.role == PLATFORM_STAFF

    @classmethod
    def from_request(cls, request: HttpRequest, membership: Membership) -> Actor:
        return cls(
            membership=membership,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
        )

    @classmethod
    def platform_staff(cls, request: HttpRequest, *, organization) -> Actor:
        """Platform staff (the Django admin) acting on one organization's data without being
        a member of it. The membership is never saved and its role is no `Role`, so it
        signs audit rows and HR view logs but passes no change rule of `access.can`."""
        from tenancy.models import Membership

        membership = Membership(user=request.user, organization=organization, role=PLATFORM_STAFF)
        return cls.from_request(request, membership)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # JSON has no decimal type; the text keeps every digit
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in after
        if _plain(before.get(key)) != _plain(after.get(key))
    }


# What an audit row says of a field whose content it must not hold (HR-sensitive, secrets).
REDACTED = "(changed)"


def redact(changes: dict[str, list[Any]], sensitive: Iterable[str]) -> dict[str, list[Any]]:
    """Audit events say that a sensitive field changed, never its content."""
    sensitive = set(sensitive)
    return {
        key: ([REDACTED, REDACTED] if key in sensitive else value) for key, value in changes.items()
    }


def audit_record(
    *,
    actor: Actor,
    verb: str,
    target: models.Model,
    changes: dict[str, list[Any]] | None = None,
    partnership=None,
) -> AuditEvent:
    if partnership is None and target._meta.label_lower == "partnerships.partnership":
        partnership = target
    return audit_event(
        organization_id=actor.membership.organization_id,
        actor_id=actor.membership.user_id,
        verb=verb,
        target=target,
        changes=changes,
        partnership=partnership,
        ip_address=actor.ip_address,
        user_agent=actor.user_agent,
    )


def audit_event(
    *,
    organization_id: int,
    actor_id: int | None,
    verb: str,
    target: models.Model,
    changes: dict[str, list[Any]] | None = None,
    partnership=None,
    ip_address: str | None = None,
    user_agent: str = "",
) -> AuditEvent:
    """The audit row itself, for what happens without a member's actor: sign-ins, a token
    used from a new address (`audit_record` is the form services use)."""
    from tenancy.models import AuditEvent

    return AuditEvent.objects.create(
        organization_id=organization_id,
        actor_id=actor_id,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        partnership=partnership,
        changes=changes or {},
        ip_address=ip_address,
        user_agent=user_agent[:255],
    )
