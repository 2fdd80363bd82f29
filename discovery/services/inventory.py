"""Services of the existing center, their KPI baselines (by hand or from a CSV report), the
reports reviewed, and the discovery sessions held with the client."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction

from discovery.imports import default_target, read_baselines
from discovery.models import (
    DiscoverySession,
    KpiBaseline,
    KpiDefinition,
    ReportFileKind,
    ReviewedReport,
    ServiceLine,
)
from discovery.services._common import ensure_discovery_open, require
from discovery.services.kpis import kpi_catalog_ensure
from discovery.validators import check_upload, decode_text
from partnerships.models import Partnership
from tenancy.access import Action
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update


def _ensure_unique_name(queryset, name: str, *, field: str = "name", exclude=None) -> None:
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    if queryset.filter(name__iexact=name.strip()).exists():
        raise ApplicationError(
            f"“{name.strip()}” is already used in this partnership.", field=field
        )


# --- Services ------------------------------------------------------------------------------


@transaction.atomic
def service_line_create(*, actor: Actor, partnership: Partnership, **fields: Any) -> ServiceLine:
    require(actor, Action.CHANGE_WORK, partnership)
    ensure_discovery_open(partnership, "the services")
    check_fields(fields, ServiceLine.EDITABLE_FIELDS)
    _ensure_unique_name(ServiceLine.objects.filter(partnership=partnership), fields.get("name", ""))
    service = ServiceLine(organization_id=partnership.organization_id, partnership=partnership)
    model_update(instance=service, fields=fields, allowed=ServiceLine.EDITABLE_FIELDS)
    audit_record(actor=actor, verb="service_line.created", target=service, partnership=partnership)
    return service


@transaction.atomic
def service_line_update(*, actor: Actor, service_line: ServiceLine, **fields: Any) -> ServiceLine:
    require(actor, Action.CHANGE_WORK, service_line)
    ensure_discovery_open(service_line.partnership, "the services")
    if "name" in fields:
        _ensure_unique_name(
            ServiceLine.objects.filter(partnership_id=service_line.partnership_id),
            fields["name"],
            exclude=service_line,
        )
    changes = model_update(
        instance=service_line, fields=fields, allowed=ServiceLine.EDITABLE_FIELDS
    )
    if changes:
        audit_record(
            actor=actor,
            verb="service_line.updated",
            target=service_line,
            changes=changes,
            partnership=service_line.partnership,
        )
    return service_line


@transaction.atomic
def service_line_delete(*, actor: Actor, service_line: ServiceLine) -> None:
    """Only a service without baselines, call flows or opportunities: nothing learned about
    it disappears as a side effect."""
    require(actor, Action.CHANGE_WORK, service_line)
    ensure_discovery_open(service_line.partnership, "the services")
    dependants = [
        label
        for label, related in (
            ("baselines", service_line.baselines),
            ("call flows", service_line.call_flows),
            ("opportunities", service_line.opportunities),
        )
        if related.exists()
    ]
    if dependants:
        raise ApplicationError(
            f"“{service_line}” still has {' and '.join(dependants)}; remove them first.",
            status=409,
        )
    audit_record(
        actor=actor,
        verb="service_line.deleted",
        target=service_line,
        partnership=service_line.partnership,
    )
    service_line.delete()


# --- Baselines -----------------------------------------------------------------------------


@transaction.atomic
def baseline_create(*, actor: Actor, partnership: Partnership, **fields: Any) -> KpiBaseline:
    """Record a baseline. Without a target, the provider aims at the catalog target, or at
    the baseline itself where the center already does better."""
    require(actor, Action.CHANGE_WORK, partnership)
    ensure_discovery_open(partnership, "the baselines")
    check_fields(fields, KpiBaseline.EDITABLE_FIELDS)
    service_line, kpi, value = fields.get("service_line"), fields.get("kpi"), fields.get("value")
    if fields.get("target") is None and kpi is not None and value is not None:
        fields["target"] = default_target(kpi, value)
    if KpiBaseline.objects.filter(service_line=service_line, kpi=kpi).exists():
        raise ApplicationError(
            f"{service_line} already has a baseline for {kpi}; change it instead.", field="kpi"
        )
    baseline = KpiBaseline(organization_id=partnership.organization_id, partnership=partnership)
    model_update(instance=baseline, fields=fields, allowed=KpiBaseline.EDITABLE_FIELDS)
    audit_record(actor=actor, verb="baseline.created", target=baseline, partnership=partnership)
    return baseline


@transaction.atomic
def baseline_update(*, actor: Actor, baseline: KpiBaseline, **fields: Any) -> KpiBaseline:
    require(actor, Action.CHANGE_WORK, baseline)
    ensure_discovery_open(baseline.partnership, "the baselines")
    if {"service_line", "kpi"} & set(fields):
        service_line = fields.get("service_line", baseline.service_line)
        kpi = fields.get("kpi", baseline.kpi)
        clash = KpiBaseline.objects.filter(service_line=service_line, kpi=kpi)
        if clash.exclude(pk=baseline.pk).exists():
            raise ApplicationError(f"{service_line} already has a baseline for {kpi}.", field="kpi")
    changes = model_update(instance=baseline, fields=fields, allowed=KpiBaseline.EDITABLE_FIELDS)
    if changes:
        audit_record(
            actor=actor,
            verb="baseline.updated",
            target=baseline,
            changes=changes,
            partnership=baseline.partnership,
        )
    return baseline


@transaction.atomic
def baseline_delete(*, actor: Actor, baseline: KpiBaseline) -> None:
    require(actor, Action.CHANGE_WORK, baseline)
    ensure_discovery_open(baseline.partnership, "the baselines")
    audit_record(
        actor=actor, verb="baseline.deleted", target=baseline, partnership=baseline.partnership
    )
    baseline.delete()


@transaction.atomic
def baselines_import(
    *,
    actor: Actor,
    partnership: Partnership,
    upload=None,
    report: ReviewedReport | None = None,
) -> dict[str, int]:
    """Create or update baselines from a CSV file (uploaded, or a CSV report already
    reviewed, which becomes their source). The whole file is checked first: with any error,
    nothing is saved and every error is returned with its row and column."""
    require(actor, Action.CHANGE_WORK, partnership)
    ensure_discovery_open(partnership, "the baselines")
    if (upload is None) == (report is None):
        raise ApplicationError("Upload a CSV file or name a CSV report, not both.", field="file")
    if report is not None:
        if report.partnership_id != partnership.pk:
            raise ApplicationError("The report belongs to another partnership.", field="report")
        if report.file_kind != ReportFileKind.CSV:
            raise ApplicationError(
                f"“{report}” is a {report.get_file_kind_display()}; baselines import from "
                "CSV only.",
                field="report",
            )
        source = report.file.open("rb")
        field = "report"
    else:
        check_upload(upload, allowed=(ReportFileKind.CSV,))
        source = upload
        field = "file"
    try:
        text = decode_text(source)
    finally:
        if report is not None:
            source.close()
    if text is None:
        raise ApplicationError("The file is not readable text.", field=field)

    kpi_catalog_ensure(organization=partnership.organization)
    result = read_baselines(
        text=text,
        partnership=partnership,
        services=list(ServiceLine.objects.filter(partnership=partnership)),
        kpis=list(KpiDefinition.objects.filter(organization_id=partnership.organization_id)),
        existing=list(KpiBaseline.objects.filter(partnership=partnership)),
        source_report=report,
    )
    if result.errors:
        count = len(result.errors)
        raise ApplicationError(
            f"The file has {count} error{'s' if count != 1 else ''}; nothing was imported.",
            field=field,
            extra={"errors": [error.as_dict() for error in result.errors]},
        )
    KpiBaseline.objects.bulk_create(result.to_create, batch_size=500)
    KpiBaseline.objects.bulk_update(
        result.to_update,
        # A row of the file names its baseline by service and KPI; the rest is updated.
        fields=[
            *(name for name in KpiBaseline.EDITABLE_FIELDS if name not in ("service_line", "kpi")),
            "updated_at",
        ],
        batch_size=500,
    )
    summary = {"created": len(result.to_create), "updated": len(result.to_update)}
    audit_record(
        actor=actor,
        verb="baselines.imported",
        target=report or partnership,
        partnership=partnership,
        changes={name: [0, value] for name, value in summary.items()},
    )
    return summary


# --- Reports -------------------------------------------------------------------------------


@transaction.atomic
def report_create(
    *, actor: Actor, partnership: Partnership, upload, **fields: Any
) -> ReviewedReport:
    """Store a reviewed report. The file is checked by content and size before anything is
    written; it is stored under a generated name (the original name is kept as data)."""
    require(actor, Action.CHANGE_WORK, partnership)
    ensure_discovery_open(partnership, "the reports")
    check_fields(fields, ReviewedReport.EDITABLE_FIELDS)
    checked = check_upload(upload)
    report = ReviewedReport(
        organization_id=partnership.organization_id,
        partnership=partnership,
        uploaded_by=actor.user,
        original_filename=checked.original_name,
        file_kind=checked.kind,
        file_size=checked.size,
        **fields,
    )
    # The input is checked before the file is stored: a refused report leaves no file.
    report.full_clean(exclude=["file"])
    report.file.save(checked.original_name, upload, save=False)
    stored = report.file.name
    try:
        report.save()
    except Exception:
        # The row was not written: do not leave its file behind.
        default_storage.delete(stored)
        raise
    audit_record(actor=actor, verb="report.uploaded", target=report, partnership=partnership)
    return report


@transaction.atomic
def report_update(*, actor: Actor, report: ReviewedReport, **fields: Any) -> ReviewedReport:
    require(actor, Action.CHANGE_WORK, report)
    ensure_discovery_open(report.partnership, "the reports")
    changes = model_update(instance=report, fields=fields, allowed=ReviewedReport.EDITABLE_FIELDS)
    if changes:
        audit_record(
            actor=actor,
            verb="report.updated",
            target=report,
            changes=changes,
            partnership=report.partnership,
        )
    return report


@transaction.atomic
def report_delete(*, actor: Actor, report: ReviewedReport) -> None:
    """Baselines that came from the report keep their figures (their source is cleared)."""
    require(actor, Action.CHANGE_WORK, report)
    ensure_discovery_open(report.partnership, "the reports")
    stored = report.file.name
    audit_record(actor=actor, verb="report.deleted", target=report, partnership=report.partnership)
    report.delete()
    transaction.on_commit(lambda: default_storage.delete(stored))


# --- Sessions ------------------------------------------------------------------------------


@transaction.atomic
def session_create(*, actor: Actor, partnership: Partnership, **fields: Any) -> DiscoverySession:
    require(actor, Action.CHANGE_WORK, partnership)
    ensure_discovery_open(partnership, "the discovery sessions")
    session = DiscoverySession(organization_id=partnership.organization_id, partnership=partnership)
    model_update(instance=session, fields=fields, allowed=DiscoverySession.EDITABLE_FIELDS)
    audit_record(actor=actor, verb="session.recorded", target=session, partnership=partnership)
    return session


@transaction.atomic
def session_update(*, actor: Actor, session: DiscoverySession, **fields: Any) -> DiscoverySession:
    require(actor, Action.CHANGE_WORK, session)
    ensure_discovery_open(session.partnership, "the discovery sessions")
    changes = model_update(
        instance=session, fields=fields, allowed=DiscoverySession.EDITABLE_FIELDS
    )
    if changes:
        audit_record(
            actor=actor,
            verb="session.updated",
            target=session,
            changes=changes,
            partnership=session.partnership,
        )
    return session


@transaction.atomic
def session_delete(*, actor: Actor, session: DiscoverySession) -> None:
    require(actor, Action.CHANGE_WORK, session)
    ensure_discovery_open(session.partnership, "the discovery sessions")
    audit_record(
        actor=actor, verb="session.deleted", target=session, partnership=session.partnership
    )
    session.delete()


def report_downloaded(*, actor: Actor, report: ReviewedReport) -> None:
    """A report's file left the system: who took it, from where (the audit trail)."""
    audit_record(
        actor=actor,
        verb="report.downloaded",
        target=report,
        partnership=report.partnership,
        changes={"file": [None, report.original_filename]},
    )
