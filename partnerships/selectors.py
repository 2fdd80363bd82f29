"""Reads for partnerships: scoped by the access policy, with their joins done up front."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from partnerships.models import ClientOrganization, Partnership, PartnershipStatusChange
from tenancy import access


def partnership_list(*, membership, filters: dict | None = None) -> QuerySet[Partnership]:
    filters = filters or {}
    queryset = access.visible(membership, Partnership.objects.with_people())
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if manager := filters.get("account_manager"):
        queryset = queryset.filter(account_manager_id=manager)
    if client := filters.get("client"):
        queryset = queryset.filter(client_id=client)
    if search := (filters.get("q") or "").strip():
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(client__name__icontains=search)
            | Q(client__city__icontains=search)
        )
    return queryset.order_by("name")


def partnership_status_counts(*, membership) -> dict[str, int]:
    rows = (
        access.visible(membership, Partnership).order_by().values("status").annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}


def partnership_history(*, membership, partnership: Partnership):
    return (
        access.visible(membership, PartnershipStatusChange)
        .filter(partnership=partnership)
        .select_related("changed_by")
    )


def partnership_audit(*, membership, partnership: Partnership):
    from tenancy.models import AuditEvent

    return (
        access.visible(membership, AuditEvent)
        .filter(partnership=partnership)
        .select_related("actor")[:100]
    )


def client_list(*, membership) -> QuerySet[ClientOrganization]:
    return (
        access.visible(membership, ClientOrganization)
        # Count only the partnerships the member may see: a PM must not learn of the others.
        .annotate(
            partnership_count=Count(
                "partnerships",
                filter=Q(partnerships__in=access.visible(membership, Partnership).values("pk")),
            )
        )
        .order_by("name")
    )


def account_manager_choices(*, organization):
    """Members who may be a dedicated account manager (for form choice lists)."""
    from accounts.models import User
    from tenancy.models import Role

    return User.objects.filter(
        memberships__organization=organization,
        memberships__role__in=[Role.ACCOUNT_MANAGER, Role.ADMIN],
        is_active=True,
    ).order_by("full_name", "email")


def pm_choices(*, organization):
    from accounts.models import User
    from tenancy.models import PROVIDER_ROLES

    return User.objects.filter(
        memberships__organization=organization,
        memberships__role__in=PROVIDER_ROLES,
        is_active=True,
    ).order_by("full_name", "email")
