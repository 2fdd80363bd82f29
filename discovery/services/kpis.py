"""The KPI catalog: seeded per organization, edited by admins."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from discovery.models import DEFAULT_KPI_CATALOG, KpiDefinition
from discovery.services._common import apply, changes_of, save
from tenancy.access import Action, can
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError

KPI_FIELDS = (
    "key",
    "name",
    "unit",
    "direction",
    "target",
    "target_low",
    "target_high",
    "description",
    "source",
    "position",
)
# Measurements, baselines and integrations depend on these; they stay as shipped.
FIXED_ON_BUILTIN = ("key", "unit", "direction")


def kpi_catalog_ensure(*, organization) -> int:
    """Put the default nurse-triage KPIs in the organization's catalog; returns how many
    were added. Idempotent and safe to run concurrently; never touches existing KPIs (an
    admin may have edited their targets)."""
    existing = set(
        KpiDefinition.objects.filter(organization=organization).values_list("key", flat=True)
    )
    names = set(
        KpiDefinition.objects.filter(organization=organization).values_list("name", flat=True)
    )
    missing = [
        KpiDefinition(organization=organization, is_builtin=True, position=(index + 1) * 10, **spec)
        for index, spec in enumerate(DEFAULT_KPI_CATALOG)
        if spec["key"] not in existing and spec["name"] not in names
    ]
    KpiDefinition.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def _require_admin(actor: Actor, action: Action, kpi=None) -> None:
    if not can(actor.membership, action, kpi):
        raise PermissionDenied("Only admins may change the KPI catalog.")


@transaction.atomic
def kpi_create(*, actor: Actor, **fields: Any) -> KpiDefinition:
    _require_admin(actor, Action.CREATE)
    kpi = KpiDefinition(organization=actor.organization)
    apply(kpi, fields, KPI_FIELDS)
    if KpiDefinition.objects.filter(organization=actor.organization, key=kpi.key).exists():
        raise ApplicationError(f"The catalog already has a KPI “{kpi.key}”.", field="key")
    if KpiDefinition.objects.filter(organization=actor.organization, name=kpi.name).exists():
        raise ApplicationError(f"The catalog already has a KPI named “{kpi.name}”.", field="name")
    save(kpi)
    audit_record(actor=actor, verb="kpi.created", target=kpi, changes=changes_of({}, fields))
    return kpi


def _in_use(kpi: KpiDefinition) -> bool:
    return kpi.baselines.exists() or kpi.experience_goals.exists() or kpi.opportunities.exists()


@transaction.atomic
def kpi_update(*, actor: Actor, kpi: KpiDefinition, **fields: Any) -> KpiDefinition:
    """Edit a KPI. Its key never changes; the unit and direction of shipped KPIs, or of
    KPIs already used by baselines, goals or opportunities, neither."""
    _require_admin(actor, Action.CHANGE, kpi)
    kpi = KpiDefinition.objects.select_for_update().get(pk=kpi.pk)
    for name in FIXED_ON_BUILTIN:
        changing = name in fields and fields[name] != getattr(kpi, name)
        if changing and (name == "key" or kpi.is_builtin or _in_use(kpi)):
            raise ApplicationError(
                f"The {name} of this KPI cannot change: figures are already measured by it. "
                "Add a new KPI instead.",
                field=name,
            )
    if "name" in fields and (
        KpiDefinition.objects.filter(organization_id=kpi.organization_id, name=fields["name"])
        .exclude(pk=kpi.pk)
        .exists()
    ):
        raise ApplicationError(
            f"The catalog already has a KPI named “{fields['name']}”.", field="name"
        )
    before = apply(kpi, fields, KPI_FIELDS)
    save(kpi)
    if changes := changes_of(before, fields):
        audit_record(actor=actor, verb="kpi.updated", target=kpi, changes=changes)
    return kpi
