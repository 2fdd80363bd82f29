"""Call flows and their versions. A version is never edited: a change is a new version,
validated when it is written; reviewing marks the latest version as checked by a person."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from discovery.callflow import GraphError, call_flow_validate, parse_graph
from discovery.models import CallFlow, CallFlowState, CallFlowVersion, ServiceLine
from discovery.services._common import ensure_discovery_open, require
from partnerships.models import Partnership
from tenancy.access import Action
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update


def _ensure_open_for(call_flow: CallFlow) -> None:
    # Future-state flows are the optimization's design work; only the current state is
    # part of what discovery signs off.
    if call_flow.state == CallFlowState.CURRENT:
        ensure_discovery_open(call_flow.partnership, "its current-state call flows")


def _ensure_unique(call_flow: CallFlow, name: str) -> None:
    """No other flow of the same service and state is called `name` (the new name)."""
    name = name.strip()
    clash = CallFlow.objects.filter(
        service_line_id=call_flow.service_line_id,
        state=call_flow.state,
        name__iexact=name,
    ).exclude(pk=call_flow.pk)
    if clash.exists():
        raise ApplicationError(
            f"{call_flow.service_line} already has a {call_flow.get_state_display().lower()} "
            f"call flow named “{name}”.",
            field="name",
        )


def _parse(graph: Any):
    try:
        return parse_graph(graph)
    except GraphError as error:
        raise ApplicationError(str(error), field="graph") from error


@transaction.atomic
def call_flow_create(
    *,
    actor: Actor,
    partnership: Partnership,
    service_line: ServiceLine,
    name: str,
    state: str,
    description: str = "",
    internal_notes: str = "",
    graph: Any = None,
    note: str = "",
) -> CallFlow:
    """Create a call flow; with a graph, its version 1 as well."""
    require(actor, Action.CHANGE_WORK, partnership)
    call_flow = CallFlow(
        organization_id=partnership.organization_id,
        partnership=partnership,
        service_line=service_line,
        state=state,
    )
    _ensure_open_for(call_flow)
    _ensure_unique(call_flow, name)
    model_update(
        instance=call_flow,
        fields={"name": name, "description": description, "internal_notes": internal_notes},
        allowed=CallFlow.EDITABLE_FIELDS,
    )
    audit_record(actor=actor, verb="call_flow.created", target=call_flow, partnership=partnership)
    if graph is not None:
        call_flow_version_create(actor=actor, call_flow=call_flow, graph=graph, note=note)
    return call_flow


@transaction.atomic
def call_flow_update(*, actor: Actor, call_flow: CallFlow, **fields: Any) -> CallFlow:
    """Rename or describe a flow. Its graph changes only through a new version."""
    require(actor, Action.CHANGE_WORK, call_flow)
    _ensure_open_for(call_flow)
    check_fields(fields, CallFlow.EDITABLE_FIELDS)
    _ensure_unique(call_flow, fields.get("name", call_flow.name))
    changes = model_update(instance=call_flow, fields=fields, allowed=CallFlow.EDITABLE_FIELDS)
    if changes:
        audit_record(
            actor=actor,
            verb="call_flow.updated",
            target=call_flow,
            changes=changes,
            partnership=call_flow.partnership,
        )
    return call_flow


@transaction.atomic
def call_flow_delete(*, actor: Actor, call_flow: CallFlow) -> None:
    require(actor, Action.CHANGE_WORK, call_flow)
    _ensure_open_for(call_flow)
    audit_record(
        actor=actor, verb="call_flow.deleted", target=call_flow, partnership=call_flow.partnership
    )
    CallFlow.objects.filter(pk=call_flow.pk).update(latest_version=None)
    call_flow.delete()


@transaction.atomic
def call_flow_version_create(
    *, actor: Actor, call_flow: CallFlow, graph: Any, note: str = ""
) -> CallFlowVersion:
    """Add the next version of a flow from a graph document (or an exported call-flow
    document). A graph with problems is stored too, with its problems: drafting a flow
    takes several steps; only a valid, reviewed version counts for discovery."""
    require(actor, Action.CHANGE_WORK, call_flow)
    _ensure_open_for(call_flow)
    parsed = _parse(graph)
    call_flow = CallFlow.objects.select_for_update().get(pk=call_flow.pk)
    last = call_flow.versions.order_by("-number").values_list("number", flat=True).first()
    problems = call_flow_validate(parsed)
    version = CallFlowVersion(
        organization_id=call_flow.organization_id,
        partnership_id=call_flow.partnership_id,
        call_flow=call_flow,
        number=(last or 0) + 1,
        graph=parsed.as_document(),
        note=note.strip(),
        created_by=actor.user,
        is_valid=not problems,
        problems=[problem.as_dict() for problem in problems],
    )
    version.full_clean()
    version.save()
    call_flow.latest_version = version
    call_flow.save(update_fields=["latest_version", "updated_at"])
    audit_record(
        actor=actor,
        verb="call_flow.version_created",
        target=version,
        partnership=call_flow.partnership,
        changes={"number": [last, version.number], "problems": [None, len(problems)]},
    )
    return version


@transaction.atomic
def call_flow_version_review(*, actor: Actor, version: CallFlowVersion) -> CallFlowVersion:
    """A person confirms the latest version matches how calls really flow. Only a valid
    version can be reviewed; a version already reviewed stays as it was."""
    require(actor, Action.CHANGE_WORK, version)
    call_flow = version.call_flow
    _ensure_open_for(call_flow)
    if call_flow.latest_version_id != version.pk:
        raise ApplicationError(
            f"Version {version.number} is not the latest; review the latest version.",
            field="version",
            status=409,
        )
    if not version.is_valid:
        raise ApplicationError(
            f"Version {version.number} has {len(version.problems)} problem(s); fix them in a "
            "new version before reviewing it.",
            field="version",
            status=409,
            extra={"problems": version.problems},
        )
    if version.reviewed_at is not None:
        return version
    version.reviewed_at = timezone.now()
    version.reviewed_by = actor.user
    version.save(update_fields=["reviewed_at", "reviewed_by", "updated_at"])
    audit_record(
        actor=actor, verb="call_flow.reviewed", target=version, partnership=call_flow.partnership
    )
    return version


@transaction.atomic
def call_flow_import(
    *,
    actor: Actor,
    partnership: Partnership,
    service_line: ServiceLine,
    document: Any,
    name: str | None = None,
    state: str | None = None,
) -> CallFlow:
    """A new call flow from an exported call-flow document (or a bare graph with a name and
    state given): the document's graph becomes version 1."""
    if not isinstance(document, dict):
        raise ApplicationError("The document must be a JSON object.", field="document")
    meta = document.get("call_flow") if isinstance(document.get("call_flow"), dict) else {}
    name = (name or meta.get("name") or "").strip()
    state = state or meta.get("state") or ""
    if not name:
        raise ApplicationError("Name the call flow (or import an exported one).", field="name")
    version_meta = document.get("version") if isinstance(document.get("version"), dict) else {}
    note = version_meta.get("note") if isinstance(version_meta.get("note"), str) else ""
    description = meta.get("description") if isinstance(meta.get("description"), str) else ""
    return call_flow_create(
        actor=actor,
        partnership=partnership,
        service_line=service_line,
        name=name,
        state=state,
        description=description,
        graph=document,
        note=note or "Imported.",
    )


def call_flow_exported(*, actor: Actor, version: CallFlowVersion) -> None:
    """A call flow was exported as a file (the audit trail records which version)."""
    audit_record(
        actor=actor,
        verb="call_flow.exported",
        target=version.call_flow,
        partnership=version.call_flow.partnership,
        changes={"version": [None, version.number]},
    )
