"""The KPI catalog: seeded per organization, edited by admins."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from discovery.models import DEFAULT_KPI_CATALOG, KpiDefinition
from tenancy.access import Action, can
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update


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


def kpi_catalog_ready(*, organization) -> None:
    """Put the default catalog in place on first use (one query once it is there)."""
    if not KpiDefinition.objects.filter(organization=organization, is_builtin=True).exists():
        kpi_catalog_ensure(organization=organization)


def _require_admin(actor: Actor, action: Action, kpi=None) -> None:
    if not can(actor.membership, action, kpi):
        raise PermissionDenied("Only admins may change the KPI catalog.")


@transaction.atomic
def kpi_create(*, actor: Actor, **fields: Any) -> KpiDefinition:
    _require_admin(actor, Action.CREATE)
    check_fields(fields, KpiDefinition.EDITABLE_FIELDS)
    key, name = fields.get("key", "").strip(), fields.get("name", "").strip()
    if KpiDefinition.objects.filter(organization=actor.organization, key=key).exists():
        raise ApplicationError(f"The catalog already has a KPI “{key}”.", field="key")
    if KpiDefinition.objects.filter(organization=actor.organization, name=name).exists():
        raise ApplicationError(f"The catalog already has a KPI named “{name}”.", field="name")
    kpi = KpiDefinition(organization=actor.organization)
    changes = model_update(instance=kpi, fields=fields, allowed=KpiDefinition.EDITABLE_FIELDS)
    audit_record(actor=actor, verb="kpi.created", target=kpi, changes=changes)
    return kpi


def _in_use(kpi: KpiDefinition) -> bool:
    return kpi.baselines.exists() or kpi.experience_goals.exists() or kpi.opportunities.exists()


@transaction.atomic
def kpi_update(*, actor: Actor, kpi: KpiDefinition, **fields: Any) -> KpiDefinition:
    """Edit a KPI. Its key never changes; the unit and direction of shipped KPIs, or of
    KPIs already used by baselines, goals or opportunities, neither."""
    _require_admin(actor, Action.CHANGE, kpi)
    kpi = KpiDefinition.objects.select_for_update().get(pk=kpi.pk)
    for name in ("key", *KpiDefinition.FIXED_ON_BUILTIN):
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
    changes = model_update(instance=kpi, fields=fields, allowed=KpiDefinition.EDITABLE_FIELDS)
    if changes:
        audit_record(actor=actor, verb="kpi.updated", target=kpi, changes=changes)
    return kpi
