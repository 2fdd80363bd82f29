"""Call-quality audits: a QA nurse's audit of one triage call, its result, and the monthly
roll-up into the QA KPIs of the catalog.

The result of an audit (`audit_result`, pure, no database):
- each section scores yes / (yes + no), in percent; a not-applicable item leaves the
  denominator, and a section whose items are all not applicable has no score (None):
  protocol (`guideline_correct`), disposition (`disposition_correct`), documentation
  (`documentation_complete`) and compassion (the six rubric items of `COMPASSION_ITEMS`);
- the overall score is yes / (yes + no) over all nine items (None if all are n/a);
- the audit PASSES when no red flag was missed and none of the three critical items
  (protocol, disposition, documentation) is answered "no"; the compassion rubric is scored
  and coached, it does not fail a call on its own;
- a **missed red flag** (an emergency under-triaged) FAILS the audit automatically, whatever
  the other items say, even when every one of them is "yes".

The monthly roll-up (`audits_roll_up`) writes, for the month's audits of a partnership, one
`KpiMeasurement` per QA KPI (source "audits", the whole line, dated the first of the month):
- `qa_correct_guideline`: % yes among the audits answering yes or no, n = those audits;
- `qa_correct_disposition`: likewise;
- `compassion_score`: % yes among all rubric answers (yes or no) of the month,
  n = the audits with at least one rubric item answered.
It is an upsert on the measurement's unique key, so running it again writes the same rows,
never more; a KPI with nothing to stand on that month loses its "audits" row. Every audit
written, changed or deleted rolls its month (and, when the call date moves, the old one) up.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from discovery.models import KpiDefinition
from health.models import Answer, CallAudit, KpiMeasurement, MeasurementSource, TriageError
from health.models.audits import COMPASSION_ITEMS
from health.tasks import checks_after_upload
from tenancy import access
from tenancy.access import Action
from tenancy.audit import Actor, diff
from tenancy.audit import audit_record as record_event
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update

COMPASSION_FIELDS = tuple(name for name, _ in COMPASSION_ITEMS)
# The sections of an audit, in the order the QA nurse scores them.
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("protocol", "Protocol (guideline)", ("guideline_correct",)),
    ("disposition", "Disposition", ("disposition_correct",)),
    ("documentation", "Documentation", ("documentation_complete",)),
    ("compassion", "Compassion", COMPASSION_FIELDS),
)
# Answered "no", each of these fails the audit.
CRITICAL_ITEMS = (
    ("guideline_correct", "Wrong protocol (guideline)."),
    ("disposition_correct", "Wrong disposition."),
    ("documentation_complete", "Documentation incomplete."),
)
RED_FLAG_FAIL = "Red flag missed: an emergency was under-triaged (automatic fail)."
# The catalog KPIs the roll-up writes.
QA_KPIS = ("qa_correct_guideline", "qa_correct_disposition", "compassion_score")

HUNDRED = Decimal(100)


# --- The result of one audit (pure) ---------------------------------------------------------


def percent(yes: int, no: int) -> Decimal | None:
    """yes / (yes + no) in percent, to one decimal; None when nothing was answered."""
    if yes + no == 0:
        return None
    return (HUNDRED * yes / (yes + no)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _tally(audit, fields) -> tuple[int, int]:
    answers = [getattr(audit, name) for name in fields]
    return answers.count(Answer.YES), answers.count(Answer.NO)


def audit_result(audit) -> dict[str, Any]:
    """The result of an audit (see the module's docstring): `sections` (key, label, score,
    yes, no), `score` over every item, `compassion_score`, `passed`, and `reasons` (why it
    failed, the missed red flag first). Reads only the audit's own fields."""
    sections = []
    for key, label, fields in SECTIONS:
        yes, no = _tally(audit, fields)
        sections.append(
            {"key": key, "label": label, "score": percent(yes, no), "yes": yes, "no": no}
        )
    all_fields = tuple(name for _, _, fields in SECTIONS for name in fields)
    reasons = []
    if audit.red_flag_missed:
        reasons.append(RED_FLAG_FAIL)
    reasons += [label for name, label in CRITICAL_ITEMS if getattr(audit, name) == Answer.NO]
    if audit.triage_error == TriageError.UNDER and not audit.red_flag_missed:
        reasons.append("Under-triage: the caller was sent to a lower level of care than needed.")
    elif audit.triage_error == TriageError.OVER:
        reasons.append("Over-triage: the caller was sent to a higher level of care than needed.")
    return {
        "sections": sections,
        "score": percent(*_tally(audit, all_fields)),
        "compassion_score": sections[-1]["score"],
        "passed": not audit.red_flag_missed
        and all(getattr(audit, name) != Answer.NO for name, _ in CRITICAL_ITEMS),
        "reasons": reasons,
    }


# --- Writes ---------------------------------------------------------------------------------


def _require(actor: Actor, partnership) -> None:
    access.require(actor.membership, Action.CHANGE_WORK, partnership)


def check_consistency(values: dict[str, Any]) -> None:
    """The disposition, the triage error and the red flag must tell one story."""
    disposition = values.get("disposition_correct", Answer.NOT_APPLICABLE)
    error = values.get("triage_error", TriageError.NONE)
    if disposition == Answer.NO and error == TriageError.NONE:
        raise ApplicationError(
            "The disposition was wrong: say whether it was under-triage or over-triage.",
            field="triage_error",
        )
    if disposition == Answer.YES and error != TriageError.NONE:
        raise ApplicationError(
            "The disposition was correct, so there is no under- or over-triage.",
            field="triage_error",
        )
    if disposition == Answer.NOT_APPLICABLE and error != TriageError.NONE:
        raise ApplicationError(
            "An under- or over-triage is a wrong disposition: answer the disposition “No”.",
            field="disposition_correct",
        )
    if values.get("red_flag_missed") and error != TriageError.UNDER:
        raise ApplicationError(
            "A missed red flag is an under-triage: choose under-triage "
            "(and answer the disposition “No”).",
            field="triage_error",
        )
    if values.get("red_flag_missed") and disposition != Answer.NO:
        # Counted against the month's correct-disposition figure, never left out of it.
        raise ApplicationError(
            "A missed red flag is a wrong disposition: answer the disposition “No”.",
            field="disposition_correct",
        )


def _check_auditor(partnership, auditor) -> None:
    from tenancy.models import PROVIDER_ROLES, Membership

    fits = (
        auditor is not None
        and Membership.objects.filter(
            organization_id=partnership.organization_id,
            user=auditor,
            role__in=PROVIDER_ROLES,
            user__is_active=True,
        ).exists()
    )
    if not fits:
        raise ApplicationError(
            "The auditor must be a provider member of this organization (a QA nurse).",
            field="auditor",
        )


def _check_service_line(partnership, service_line) -> None:
    if service_line is not None and service_line.partnership_id != partnership.pk:
        raise ApplicationError("The service belongs to another partnership.", field="service_line")


def _clean(audit: CallAudit) -> None:
    from django.core.exceptions import ValidationError

    today = audit.organization.local_today() if audit.organization_id else None
    if today is not None and audit.call_date and audit.call_date > today:
        raise ApplicationError(
            "A call is audited after it happened: the call date cannot be in the future.",
            field="call_date",
        )
    try:
        audit.full_clean()
    except ValidationError as error:
        if len(error.message_dict) == 1:
            (field, messages), *_ = error.message_dict.items()
            raise ApplicationError(" ".join(messages), field=field) from error
        raise


def _values(audit: CallAudit) -> dict[str, Any]:
    return {name: getattr(audit, name) for name in CallAudit.EDITABLE_FIELDS}


@transaction.atomic
def audit_record(*, actor: Actor, partnership, auditor, **fields: Any) -> CallAudit:
    """Record an audit of one call (admins, the account manager, the PMs). The auditor is a
    provider member of the organization; the disposition, triage error and red flag must
    agree (400 naming `triage_error`). Rolls the call's month up into the QA KPIs."""
    _require(actor, partnership)
    check_fields(fields, CallAudit.EDITABLE_FIELDS)
    _check_auditor(partnership, auditor)
    _check_service_line(partnership, fields.get("service_line"))
    audit = CallAudit(
        organization_id=partnership.organization_id,
        partnership=partnership,
        auditor=auditor,
        **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
    )
    check_consistency(_values(audit))
    _clean(audit)
    audit.save()
    record_event(
        actor=actor,
        verb="health_audit.created",
        target=audit,
        partnership=partnership,
        changes=diff({}, {"auditor": auditor, **_values(audit)}),
    )
    audits_roll_up(partnership=partnership, month=audit.call_date, actor=actor)
    return audit


@transaction.atomic
def audit_update(*, actor: Actor, audit: CallAudit, auditor=None, **fields: Any) -> CallAudit:
    partnership = audit.partnership
    _require(actor, partnership)
    check_fields(fields, CallAudit.EDITABLE_FIELDS)
    if "service_line" in fields:
        _check_service_line(partnership, fields["service_line"])
    check_consistency({**_values(audit), **fields})
    old_month = audit.call_date
    if auditor is not None and auditor.pk != audit.auditor_id:
        _check_auditor(partnership, auditor)
        fields["auditor"] = auditor
    changes = model_update(
        instance=audit, fields=fields, allowed=(*CallAudit.EDITABLE_FIELDS, "auditor")
    )
    if changes:
        record_event(
            actor=actor,
            verb="health_audit.updated",
            target=audit,
            partnership=partnership,
            changes=changes,
        )
        audits_roll_up(partnership=partnership, month=audit.call_date, actor=actor)
        if _month(old_month) != _month(audit.call_date):
            audits_roll_up(partnership=partnership, month=old_month, actor=actor)
    return audit


@transaction.atomic
def audit_delete(*, actor: Actor, audit: CallAudit) -> None:
    partnership = audit.partnership
    _require(actor, partnership)
    month = audit.call_date
    record_event(actor=actor, verb="health_audit.deleted", target=audit, partnership=partnership)
    audit.delete()
    audits_roll_up(partnership=partnership, month=month, actor=actor)


# --- The monthly roll-up --------------------------------------------------------------------


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1)


def month_figures(audits) -> dict[str, tuple[Decimal | None, int]]:
    """{kpi key: (value in percent or None, n)} for a queryset of audits, in one query."""
    yes, no = Answer.YES, Answer.NO
    any_rubric_answer = Q()
    for name in COMPASSION_FIELDS:
        any_rubric_answer |= Q(**{f"{name}__in": [yes, no]})
    counts: dict[str, Any] = {
        "guideline_yes": Count("pk", filter=Q(guideline_correct=yes)),
        "guideline_no": Count("pk", filter=Q(guideline_correct=no)),
        "disposition_yes": Count("pk", filter=Q(disposition_correct=yes)),
        "disposition_no": Count("pk", filter=Q(disposition_correct=no)),
        "compassion_audits": Count("pk", filter=any_rubric_answer),
    }
    for name in COMPASSION_FIELDS:
        counts[f"{name}_yes"] = Count("pk", filter=Q(**{name: yes}))
        counts[f"{name}_no"] = Count("pk", filter=Q(**{name: no}))
    row = audits.aggregate(**counts)
    compassion_yes = sum(row[f"{name}_yes"] for name in COMPASSION_FIELDS)
    compassion_no = sum(row[f"{name}_no"] for name in COMPASSION_FIELDS)
    return {
        "qa_correct_guideline": (
            percent(row["guideline_yes"], row["guideline_no"]),
            row["guideline_yes"] + row["guideline_no"],
        ),
        "qa_correct_disposition": (
            percent(row["disposition_yes"], row["disposition_no"]),
            row["disposition_yes"] + row["disposition_no"],
        ),
        "compassion_score": (percent(compassion_yes, compassion_no), row["compassion_audits"]),
    }


@transaction.atomic
def audits_roll_up(
    *, partnership, month: datetime.date, actor: Actor | None = None
) -> list[KpiMeasurement]:
    """Write the QA KPIs of `month` (any day in it) from the partnership's audits of that
    month (see the module's docstring); returns the measurements written. Idempotent.
    Called by every audit write; call it directly to roll up any month again."""
    from discovery.services.kpis import kpi_catalog_ready

    first = _month(month)
    kpi_catalog_ready(organization=partnership.organization)
    kpis = {
        kpi.key: kpi
        for kpi in KpiDefinition.objects.filter(
            organization_id=partnership.organization_id, key__in=QA_KPIS
        )
    }
    audits = CallAudit.objects.filter(
        organization_id=partnership.organization_id,
        partnership=partnership,
        call_date__gte=first,
        call_date__lt=_next_month(first),
    )
    figures = month_figures(audits)
    now = timezone.now()
    rows = [
        KpiMeasurement(
            organization_id=partnership.organization_id,
            partnership=partnership,
            service_line=None,
            line_key=0,
            kpi=kpis[key],
            day=first,
            value=value,
            sample_size=n,
            source=MeasurementSource.AUDITS,
            received_at=now,
            received_by=actor.user if actor is not None else None,
        )
        for key, (value, n) in figures.items()
        if value is not None and key in kpis
    ]
    empty = [kpis[key].pk for key, (value, _) in figures.items() if value is None and key in kpis]
    if empty:
        KpiMeasurement.objects.filter(
            organization_id=partnership.organization_id,
            partnership=partnership,
            kpi_id__in=empty,
            day=first,
            line_key=0,
            source=MeasurementSource.AUDITS,
        ).delete()
    if rows:
        KpiMeasurement.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["organization", "partnership", "kpi", "day", "line_key"],
            update_fields=[
                "service_line",
                "value",
                "sample_size",
                "source",
                "received_at",
                "received_by",
                "updated_at",
            ],
        )
    # The QA KPIs moved: the partnership's health is checked again once this commits.
    checks_after_upload(
        organization_id=partnership.organization_id, partnership_ids=[partnership.pk]
    )
    return rows
