"""Who did it, from where: the actor every service takes, and the audit record it writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django.http import HttpRequest

    from tenancy.models import AuditEvent, Membership


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

    @classmethod
    def from_request(cls, request: HttpRequest, membership: Membership) -> Actor:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR") or None
        return cls(
            membership=membership,
            ip_address=ip,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
        )


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


def audit_record(
    *,
    actor: Actor,
    verb: str,
    target: models.Model,
    changes: dict[str, list[Any]] | None = None,
    partnership=None,
) -> AuditEvent:
    from tenancy.models import AuditEvent

    if partnership is None and target._meta.label_lower == "partnerships.partnership":
        partnership = target
    return AuditEvent.objects.create(
        organization_id=actor.membership.organization_id,
        actor_id=actor.membership.user_id,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        partnership=partnership,
        changes=changes or {},
        ip_address=actor.ip_address,
        user_agent=actor.user_agent,
    )
