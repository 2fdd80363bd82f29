"""Health's place in the access policy (registered from `HealthConfig.ready()`).

Who sees what:
- KPI measurements and issues: whoever sees the partnership (the client's executives follow
  the KPIs and the issues of their partnerships; an issue's internal notes stay hidden);
- call-quality audits, touchpoints and their follow-ups, health checks: the provider's
  members who see the partnership (QA and account management are the provider's own work);
- alerts: their recipient (and admins, who see the organization's);
- SLA targets and health settings: the provider's members (admins change them).

Who may do what (decided by `tenancy.access.can`, rules in `partnerships.access`):
- record KPIs and audits, manage an issue, run a health check: `Action.CHANGE_WORK`
  (admins, the partnership's account manager, its implementation PMs);
- record touchpoints and their follow-ups: `Action.CHANGE` (the account manager's own
  relationship with the client; admins too);
- raise an issue and comment on it: `Action.COMMENT` (those who change the work, and the
  client's executives);
- change the organization's SLA targets and health settings: admins only
  (`Action.MANAGE_SETTINGS`, which has no rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from health import models as m
from partnerships.models import Partnership
from tenancy import access
from tenancy.models import Role

if TYPE_CHECKING:
    from tenancy.models import Membership


def _provider_via_partnership(membership: Membership, queryset):
    if not membership.is_provider:
        return queryset.none()
    return queryset.filter(partnership__in=access.visible(membership, Partnership).values("pk"))


def _alerts(membership: Membership, queryset):
    if membership.role == Role.ADMIN:
        return queryset
    return queryset.filter(recipient_id=membership.user_id)


def _organization_settings(membership: Membership, queryset):
    return queryset if membership.is_provider else queryset.none()


def register_scopes() -> None:
    for model in (m.KpiMeasurement, m.Issue, m.IssueStatusChange):
        access.register(model, via="partnership")
    for model in (m.CallAudit, m.Touchpoint, m.FollowUp, m.HealthCheck):
        access.register(model, _provider_via_partnership)
    access.register(m.Alert, _alerts)
    access.register(m.SlaTarget, _organization_settings)
    access.register(m.HealthSettings, _organization_settings)
