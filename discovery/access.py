"""Discovery's place in the access policy (registered from `DiscoveryConfig.ready()`).

Every row below the KPI catalog belongs to a partnership and is seen by whoever sees the
partnership. The KPI catalog is the organization's: every member sees it, and only admins
change it (`access.can` grants CREATE and CHANGE of an object without a partnership to
admins only). Who may change what is decided in `discovery.services`:
- CHANGE_WORK (admin, the dedicated account manager, the partnership's implementation PMs):
  services, baselines, reports, call flows, sessions, goals, opportunities;
- CLIENT_SIGN_OFF by the client executive: goal sign-off, discovery co-signature, decisions
  on opportunities, and asking for signed-off discovery to be reopened;
- PROVIDER_SIGN_OFF by the dedicated account manager (or an admin): the discovery sign-off,
  its reopening, and the answer to the client's request for it. A client executive may not
  reopen discovery themselves (403): they ask, and the account manager answers.
Whoever sees the partnership sees its reopening requests and their answers.
"""

from __future__ import annotations

from tenancy import access


def _kpi_catalog(membership, queryset):
    # The catalog is shared by every member of the organization (already cut to the tenant).
    return queryset


def register_scopes() -> None:
    from discovery import models

    access.register(models.KpiDefinition, _kpi_catalog)
    for model in (
        models.ServiceLine,
        models.KpiBaseline,
        models.ReviewedReport,
        models.CallFlow,
        models.CallFlowVersion,
        models.DiscoverySession,
        models.ExperienceGoal,
        models.GoalSignOff,
        models.DiscoverySignOff,
        models.DiscoveryReopenRequest,
        models.Opportunity,
    ):
        access.register(model, via="partnership")
