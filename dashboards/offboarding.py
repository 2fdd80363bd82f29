"""Offboarding a partnership: everything about it in one archive before it ends, and the
erasure of its staff's HR records once it has been over long enough.

The archive holds every row of every model that belongs to the partnership (found from the
models themselves: whatever has a `partnership` key, in any app), as JSON (Django's
serializer, every field) and as one CSV per model (formula-safe cells), the uploaded files,
the partnership's audit trail, and a manifest with the counts. It holds HR data: admins only,
written to the audit trail, never cached.

Erasure blanks the fields each model declares HR-sensitive (`HR_SENSITIVE_FIELDS`: HR notes,
support given, check-in notes) of an ended partnership, `Organization.hr_retention_days`
after it ended, and deletes the rows that are a named person's HR data as a whole
(`HR_PERSONAL_ROW`: a person's sentiment check-ins); everything else stays, and the audit
trail records the erasure (how many rows of what), not what was erased.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from partnerships.models import Partnership, PartnershipStatus, PartnershipStatusChange
from tenancy import access
from tenancy.audit import Actor, audit_record
from tenancy.csvfiles import safe_cell
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent
from transition.models import StaffMember
from transition.services.people import sensitive_access_record


def partnership_models() -> list[type[models.Model]]:
    """Every concrete model with a foreign key named `partnership` to Partnership."""
    found = []
    for model in apps.get_models():
        try:
            field = model._meta.get_field("partnership")
        except Exception:  # noqa: S112 (no such field: not a partnership's model)
            continue
        if getattr(field, "related_model", None) is Partnership and not field.many_to_many:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label_lower)


def _rows(model, partnership) -> list[dict]:
    """Every row of `model` of the partnership as Django's serializer writes it."""
    queryset = model._base_manager.filter(partnership=partnership).order_by("pk")
    return serializers.serialize("python", queryset)


def _csv(rows: list[dict]) -> str:
    header = ["pk", *sorted({name for row in rows for name in row["fields"]})]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        cells = [row["pk"]] + [row["fields"].get(name) for name in header[1:]]
        writer.writerow(
            [
                safe_cell(json.dumps(c, cls=DjangoJSONEncoder) if isinstance(c, dict | list) else c)
                for c in cells
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class Archive:
    filename: str
    file: tempfile.SpooledTemporaryFile
    counts: dict[str, int]


def export_archive(*, actor: Actor, partnership: Partnership) -> Archive:
    """The partnership's archive (a ZIP in a temporary file, rewound). Admins only."""
    access.require(actor.membership, access.Action.MANAGE_SETTINGS)
    now = timezone.now()
    counts: dict[str, int] = {}
    records: dict[str, list[dict]] = {}
    # Handed to the response, which closes it once sent.
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for model in partnership_models():
            label = model._meta.label_lower
            rows = _rows(model, partnership)
            counts[label] = len(rows)
            records[label] = rows
            if rows:
                archive.writestr(f"csv/{label}.csv", _csv(rows))
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.FileField):
                    continue
                for obj in model._base_manager.filter(partnership=partnership).exclude(
                    **{field.name: ""}
                ):
                    stored = getattr(obj, field.name)
                    try:
                        with stored.open("rb") as handle:
                            archive.writestr(f"files/{stored.name}", handle.read())
                    except (FileNotFoundError, OSError):
                        archive.writestr(f"files/{stored.name}.missing", "The file was not found.")
        head = serializers.serialize("python", [partnership, partnership.client])
        archive.writestr(
            "partnership.json",
            json.dumps({"partnership": head, "records": records}, cls=DjangoJSONEncoder, indent=1),
        )
        trail = AuditEvent.objects.filter(
            organization_id=partnership.organization_id, partnership=partnership
        ).select_related("actor")
        lines = io.StringIO()
        writer = csv.writer(lines)
        writer.writerow(["when (UTC)", "who", "action", "target", "changes", "address"])
        for event in trail.order_by("created_at", "id"):
            writer.writerow(
                [
                    safe_cell(event.created_at.astimezone(datetime.UTC).isoformat()),
                    safe_cell(event.actor.email if event.actor else "system"),
                    safe_cell(event.verb),
                    safe_cell(event.target_repr),
                    safe_cell(json.dumps(event.changes, cls=DjangoJSONEncoder)),
                    safe_cell(event.ip_address),
                ]
            )
        archive.writestr("audit_trail.csv", lines.getvalue())
        archive.writestr(
            "manifest.json",
            json.dumps(
                {
                    "partnership": {"id": partnership.pk, "name": partnership.name},
                    "organization": partnership.organization.slug,
                    "exported_at": now.isoformat(),
                    "exported_by": actor.user.email,
                    "records": counts,
                    "note": "HR-sensitive data: keep this archive as you keep HR records.",
                },
                indent=1,
            ),
        )
    out.seek(0)
    # The archive shows every staff member's HR fields: the HR access log says so, per person.
    people = list(
        StaffMember.objects.filter(partnership=partnership).values_list("pk", "full_name")
    )
    if people:
        sensitive_access_record(
            membership=actor.membership,
            partnership=partnership,
            people=people,
            context="offboarding.export",
            fields=StaffMember.HR_SENSITIVE_FIELDS,
        )
    total = sum(counts.values())
    audit_record(
        actor=actor,
        verb="partnership.exported",
        target=partnership,
        changes={"records": [None, total]},
    )
    stamp = now.strftime("%Y%m%d")
    return Archive(f"switchboard-partnership-{partnership.pk}-{stamp}.zip", out, counts)


# --- Erasure of HR records -------------------------------------------------------------


def ended_on(partnership: Partnership) -> datetime.datetime | None:
    change = (
        PartnershipStatusChange.objects.filter(
            partnership=partnership, to_status=PartnershipStatus.ENDED
        )
        .order_by("-created_at")
        .first()
    )
    return change.created_at if change else None


def erasable_from(partnership: Partnership) -> datetime.datetime | None:
    """When the partnership's HR records may be erased (None: it has not ended)."""
    ended = ended_on(partnership) if partnership.status == PartnershipStatus.ENDED else None
    if ended is None:
        return None
    return ended + datetime.timedelta(days=partnership.organization.hr_retention_days)


def last_erasure(partnership: Partnership) -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(
            organization_id=partnership.organization_id,
            partnership=partnership,
            verb="partnership.hr_erased",
        )
        .select_related("actor")
        .order_by("-created_at")
        .first()
    )


def _blank(field: models.Field):
    if field.has_default():
        return field.get_default()
    return None if field.null else ""


@transaction.atomic
def hr_records_erase(*, actor: Actor, partnership: Partnership) -> dict[str, int]:
    """Blank the HR-sensitive fields of the partnership's rows; how many rows per model."""
    access.require(actor.membership, access.Action.MANAGE_SETTINGS)
    since = erasable_from(partnership)
    if since is None:
        raise ApplicationError(
            "Only an ended partnership's HR records can be erased; export them first.",
            field="partnership",
        )
    if timezone.now() < since:
        raise ApplicationError(
            f"These HR records may be erased from {since:%B %-d, %Y}"
            f" ({partnership.organization.hr_retention_days} days after the partnership ended).",
            field="partnership",
        )
    erased: dict[str, int] = {}
    for model in partnership_models():
        names = getattr(model, "HR_SENSITIVE_FIELDS", ())
        if not names:
            continue
        rows = model._base_manager.filter(partnership=partnership)
        label = model._meta.label_lower
        # Rows that are a named person's HR data as a whole (their sentiment) go.
        if personal := getattr(model, "HR_PERSONAL_ROW", ""):
            deleted, _ = rows.filter(**{f"{personal}__isnull": False}).delete()
            erased[f"{label} (deleted)"] = deleted
        blank = {name: _blank(model._meta.get_field(name)) for name in names}
        erased[label] = rows.update(**blank)
    audit_record(
        actor=actor,
        verb="partnership.hr_erased",
        target=partnership,
        changes={label: [None, count] for label, count in erased.items()},
    )
    return erased
