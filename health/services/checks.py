"""Health checks: the sweep (read through the selectors, score in Python with
`health.scoring`, write the snapshots in bulk), the alerts it raises, and what people do
with an alert (acknowledge with a note, snooze until a date with a reason), and the
organization's health settings.

A snapshot is unique per partnership and period, so a retried or redelivered task never
doubles it; a period already checked is skipped whole (no second alert either). A partnership
whose inputs are the same as at its latest snapshot (the same fingerprint,
`health.scoring.inputs_digest`) gets a copy of that snapshot made in the database, neither
scored nor encoded again. Each sweep writes its snapshots and alerts in one transaction: no
partnership is left half-written. Two checks of the same partnerships never run side by side
(the sweep's first read locks the partnership rows), so a message redelivered while its first
delivery still runs waits, then finds the period checked: no alert is raised twice
(tests/health/test_worker_kill.py kills a real worker mid-sweep).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from health import scoring, selectors
from health.models import Alert, AlertKind, Band, HealthCheck, HealthSettings, Trend
from health.signals import alerts_raised
from tenancy import access
from tenancy.access import Action
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError
from tenancy.services import model_update
from tenancy.validators import check_text

logger = logging.getLogger(__name__)

BAND_RANK = {Band.GREEN: 0, Band.AMBER: 1, Band.RED: 2}
MAX_SNOOZE_DAYS = 90
TRIGGERS = ("schedule", "on_demand", "after_upload")

SUGGESTED_ACTIONS = {
    "quality": "Review the KPIs below target with the operations lead and agree a recovery "
    "plan with the client.",
    "schedule": "Walk the overdue tasks with the implementation PM and re-forecast the "
    "milestones that slipped.",
    "experience": "Go through the experience goals that are missed with the client executive.",
    "issues": "Triage the open critical and high issues and call the client about those past "
    "their resolution target.",
    "people": "Meet the implementation PM about unsettled staff outcomes and low sentiment.",
    "engagement": "Schedule a touchpoint with the client this week and close overdue follow-ups.",
    "discovery": "Finish the missing discovery checklist items and plan the sign-off.",
    "data_freshness": "Ask the call center why the telephony/ACD feed stopped sending KPIs.",
}
STALE_ACTION = (
    "Ask the call center why the telephony/ACD feed stopped sending KPIs, or upload the "
    "missing days as CSV; until then the health score cannot be trusted."
)


def period_floor(now: datetime.datetime, minutes: int) -> datetime.datetime:
    """The start of the check interval `now` falls in (UTC, aligned on the epoch)."""
    now = now.astimezone(datetime.UTC)
    seconds = max(1, minutes) * 60
    return datetime.datetime.fromtimestamp(
        int(now.timestamp()) // seconds * seconds, tz=datetime.UTC
    )


def minute_floor(now: datetime.datetime) -> datetime.datetime:
    return now.astimezone(datetime.UTC).replace(second=0, microsecond=0)


@dataclass
class RunResult:
    period_start: datetime.datetime
    checked: int = 0
    skipped: int = 0
    alerts: list[Alert] = field(default_factory=list)


def _component_weights(hs: HealthSettings) -> dict:
    return hs.weights or {}


def _decimal(score: float | None):
    from decimal import Decimal

    return None if score is None else Decimal(str(score)).quantize(Decimal("0.1"))


@transaction.atomic
def checks_run(
    *,
    organization,
    partnership_ids=None,
    trigger: str = "schedule",
    period_start: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> RunResult:
    """Check the organization's discovery, transition and live partnerships (or only
    `partnership_ids` of them) for one period. Idempotent per period."""
    if trigger not in TRIGGERS:
        raise ApplicationError(f"Unknown trigger {trigger!r}.", field="trigger")
    now = now or timezone.now()
    hs = selectors.health_settings_for(organization=organization)
    if period_start is None:
        period_start = (
            period_floor(now, hs.check_every_minutes)
            if trigger == "schedule"
            else minute_floor(now)
        )
    result = RunResult(period_start=period_start)
    _relax_durability()
    thresholds = scoring.Thresholds(red_below=hs.red_below, green_from=hs.green_from)
    facts = selectors.check_inputs(
        organization=organization,
        partnership_ids=partnership_ids,
        period_start=period_start,
        now=now,
        settings=hs,
        lock=True,  # the partnerships, until the sweep's transaction ends
    )
    outcomes: list[tuple[selectors.PartnershipFacts, scoring.CheckResult, str]] = []
    unchanged: list[int] = []  # ids of earlier snapshots whose inputs are the same again
    weights = _component_weights(hs)
    for item in facts:
        if item.already_checked:
            result.skipped += 1
            continue
        digest = scoring.inputs_digest(item.inputs, weights=weights, thresholds=thresholds)
        earlier = item.previous
        if (
            earlier is not None
            and earlier["inputs_digest"] == digest
            and not _stale_alert_pending(item)
        ):
            # The same inputs, weights, thresholds and rules: the same score, band and
            # explanation (so no band alert either); the trend is steady by definition.
            unchanged.append(earlier["id"])
            continue
        check = scoring.evaluate(item.inputs, weights=weights, thresholds=thresholds)
        outcomes.append((item, check, digest))
    _insert_snapshots(organization, period_start, trigger, outcomes)
    _copy_snapshots(organization, period_start, trigger, unchanged)
    result.checked = len(outcomes) + len(unchanged)

    alerts = _alerts_for(organization, outcomes, now)
    if alerts:
        ids = dict(
            HealthCheck.objects.filter(
                organization=organization,
                period_start=period_start,
                partnership_id__in=[a.partnership_id for a in alerts],
            ).values_list("partnership_id", "id")
        )
        for alert in alerts:
            alert.health_check_id = ids.get(alert.partnership_id)
        Alert.objects.bulk_create(alerts, batch_size=500)
        # An app above may deliver the alerts as its members chose (dashboards' notifications
        # answer True); otherwise each goes to its recipient by e-mail from here.
        answers = alerts_raised.send(sender=Alert, organization=organization, alerts=alerts)
        if not any(answer is True for _, answer in answers):
            emails = [(a.recipient_email, alert_email(organization, a)) for a in alerts]
            transaction.on_commit(lambda: _send(emails))
    result.alerts = alerts
    return result


SNAPSHOT_BATCH = 500
SNAPSHOT_FIELDS = (
    "organization",
    "partnership",
    "period_start",
    "phase",
    "score",
    "band",
    "trend",
    "components",
    "missing",
    "trigger",
    "created_at",
    "updated_at",
    "inputs_digest",
)


def _insert_snapshots(organization, period_start, trigger, outcomes) -> None:
    """Write the snapshots: what `HealthCheck.objects.bulk_create(..., ignore_conflicts=True)`
    writes, one INSERT ... ON CONFLICT DO NOTHING per batch, without a model instance per row.
    On PostgreSQL a batch's rows travel as one JSON array (`jsonb_to_recordset`): a few
    parameters, not a dozen per row, each of them escaped and parsed on the way. The
    partnerships are the organization's (`check_inputs` read them scoped to it), which is what
    the partnership-owned bulk_create would check again."""
    if not outcomes:
        return
    meta = HealthCheck._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(meta.get_field(name).column) for name in SNAPSHOT_FIELDS
    )
    period = meta.get_field("period_start").get_db_prep_save(period_start, connection)
    stamp = meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    json_value = connection.ops.adapt_json_value
    postgresql = connection.vendor == "postgresql"
    # Only the model's own (quoted) table and column names are in the SQL text.
    if postgresql:
        sql = (
            f"INSERT INTO {table} ({columns})"  # noqa: S608
            " SELECT %s, r.partnership_id, %s, r.phase, r.score, r.band, r.trend, r.components,"
            " r.missing, %s, %s, %s, r.digest FROM jsonb_to_recordset(%s) AS r(partnership_id"
            " bigint, phase text, score numeric, band text, trend text, components jsonb,"
            " missing jsonb, digest text) ON CONFLICT DO NOTHING"
        )
    else:
        sql = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        row_sql = "(" + ", ".join(["%s"] * len(SNAPSHOT_FIELDS)) + ")"
    for start in range(0, len(outcomes), SNAPSHOT_BATCH):
        batch = outcomes[start : start + SNAPSHOT_BATCH]
        if postgresql:
            rows = [
                {
                    "partnership_id": item.id,
                    "phase": item.phase,
                    "score": None if check.score is None else float(_decimal(check.score)),
                    "band": check.band,
                    "trend": check.trend,
                    "components": check.components,
                    "missing": check.missing,
                    "digest": digest,
                }
                for item, check, digest in batch
            ]
            params: list[Any] = [organization.pk, period, trigger, stamp, stamp]
            params.append(json_value(rows, None))
            statement = sql
        else:
            params = []
            for item, check, digest in batch:
                params += (
                    organization.pk,
                    item.id,
                    period,
                    item.phase,
                    _decimal(check.score),
                    check.band,
                    check.trend,
                    json_value(check.components, None),
                    json_value(check.missing, None),
                    trigger,
                    stamp,
                    stamp,
                    digest,
                )
            statement = sql + ", ".join([row_sql] * len(batch)) + " ON CONFLICT DO NOTHING"
        with connection.cursor() as cursor:
            cursor.execute(statement, params)


def _copy_snapshots(organization, period_start, trigger, earlier_ids: list[int]) -> None:
    """Write this period's snapshot of partnerships whose inputs did not change since their
    latest snapshot (`earlier_ids`) as a copy of it made in the database: the same phase,
    score, band, components, missing and fingerprint, a steady trend (unknown without a
    score), this period, trigger and time. Nothing is scored, encoded or sent again."""
    if not earlier_ids:
        return
    meta, quote = HealthCheck._meta, connection.ops.quote_name
    column = {name: quote(meta.get_field(name).column) for name in (*SNAPSHOT_FIELDS, "id")}
    stamp = meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    given = {
        "period_start": meta.get_field("period_start").get_db_prep_save(period_start, connection),
        "trigger": trigger,
        "created_at": stamp,
        "updated_at": stamp,
    }
    select, params = [], []
    for name in SNAPSHOT_FIELDS:
        if name in given:
            select.append("%s")
            params.append(given[name])
        elif name == "trend":
            select.append(f"CASE WHEN p.{column['score']} IS NULL THEN %s ELSE %s END")
            params += [Trend.UNKNOWN, Trend.STEADY]
        else:  # organization, partnership, phase, score, band, components, missing, digest
            select.append(f"p.{column[name]}")
    # Only the model's own (quoted) table and column names are in the SQL text.
    table = quote(meta.db_table)
    head = (
        f"INSERT INTO {table} ({', '.join(column[name] for name in SNAPSHOT_FIELDS)})"  # noqa: S608
        f" SELECT {', '.join(select)} FROM {table} p WHERE p.{column['organization']} = %s AND "
    )
    for start in range(0, len(earlier_ids), SNAPSHOT_BATCH):
        batch = earlier_ids[start : start + SNAPSHOT_BATCH]
        if connection.vendor == "postgresql":
            where, values = f"p.{column['id']} = ANY(%s)", [batch]
        else:
            where = f"p.{column['id']} IN ({', '.join(['%s'] * len(batch))})"
            values = batch
        with connection.cursor() as cursor:
            cursor.execute(
                head + where + " ON CONFLICT DO NOTHING", [*params, organization.pk, *values]
            )


def _stale_alert_pending(item: selectors.PartnershipFacts) -> bool:
    """Whether this check may raise a stale-data alert (then it is scored in full: the alert
    quotes the reasons)."""
    inputs = item.inputs
    return (
        item.account_manager_id is not None
        and inputs.phase == "live"
        and scoring.is_stale(inputs.days_since_data, inputs.stale_after_days)
        and selectors.stale_alert_due(item)
    )


def _relax_durability() -> None:
    """On PostgreSQL, commit the sweep without waiting for its WAL to reach the disk
    (`synchronous_commit = off` for this transaction only). Snapshots are derived data: a
    server crash may lose the last fraction of a second of commits, never corrupts them, and
    the next sweep (or the redelivered task) writes the lost ones again. The commit itself was
    a tenth of a sweep's time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _alerts_for(organization, outcomes, now) -> list[Alert]:
    alerts = []
    for item, check, _ in outcomes:
        if item.account_manager_id is None:
            continue
        base = {
            "organization": organization,
            "partnership_id": item.id,
            "recipient_id": item.account_manager_id,
        }
        stale_alert = check.stale and selectors.stale_alert_due(item)
        if stale_alert:
            days = item.inputs.days_since_data
            quiet = (
                "sent no KPI data in 4 weeks" if days is None else f"sent nothing for {days} days"
            )
            alert = Alert(
                **base,
                kind=AlertKind.STALE_DATA,
                band=check.band,
                title=f"{item.name}: the KPI feed {quiet}"[:200],
                reasons=[
                    next(
                        (c["reason"] for c in check.components if c["key"] == "data_freshness"),
                        "No KPI data received.",
                    )
                ],
                suggested_action=STALE_ACTION,
            )
            alert.recipient_email = item.account_manager_email
            alerts.append(alert)
        # A feed gone quiet caps the band: its own alert says so, not a second one.
        if not stale_alert and _band_worsened(item, check):
            worst = sorted(check.components, key=lambda c: c["score"])
            reasons = check.worst_reasons() or [c["reason"] for c in worst[:1]]
            alert = Alert(
                **base,
                kind=AlertKind.BAND_WORSENED,
                band=check.band,
                title=(
                    f"{item.name} went from {item.previous['band']} to {check.band}"
                    f" (score {scoring.fmt(check.score)})"
                )[:200],
                reasons=reasons,
                suggested_action=SUGGESTED_ACTIONS.get(worst[0]["key"], "") if worst else "",
            )
            alert.recipient_email = item.account_manager_email
            alerts.append(alert)
    return alerts


def _band_worsened(item: selectors.PartnershipFacts, check: scoring.CheckResult) -> bool:
    """Worse than the previous snapshot (green → amber, amber → red, green → red), and not
    already alerted: the last band-worsened alert is not about this same band since then."""
    if item.previous is None or check.band not in BAND_RANK:
        return False
    before = item.previous["band"]
    if before not in BAND_RANK or BAND_RANK[check.band] <= BAND_RANK[before]:
        return False
    last = item.last_alerts.get(AlertKind.BAND_WORSENED)
    return not (
        last is not None
        and last["band"] == check.band
        and last["created_at"] >= item.previous["created_at"]
    )


def alert_email(organization, alert: Alert) -> tuple[str, str]:
    """The alert as an e-mail: its title, reasons, suggested next step and a link."""
    url = django_settings.SITE_URL.rstrip("/") + reverse(
        "health:check",
        kwargs={"org_slug": organization.slug, "partnership_pk": alert.partnership_id},
    )
    lines = [alert.title, "", "Why:"]
    lines += [f"- {reason}" for reason in alert.reasons]
    if alert.suggested_action:
        lines += ["", f"Suggested next step: {alert.suggested_action}"]
    lines += ["", f"See the health check: {url}"]
    return alert.title, "\n".join(lines)


def _send(emails: list[tuple[str, tuple[str, str]]]) -> None:
    for address, (subject, body) in emails:
        if not address:
            continue
        try:
            send_mail(
                subject=subject,
                message=body,
                from_email=django_settings.DEFAULT_FROM_EMAIL,
                recipient_list=[address],
            )
        except OSError:  # the alert is stored and shown in the app; the e-mail is best effort
            logger.exception("Could not e-mail a health alert to %s.", address)


def check_run_now(*, actor: Actor, partnership) -> HealthCheck | None:
    """Run a check of one partnership now (its own period: this minute), for a person who
    may change the partnership's work. Returns the snapshot of this minute."""
    access.require(actor.membership, Action.CHANGE_WORK, partnership)
    if partnership.status not in selectors.CHECKED_STATUSES:
        raise ApplicationError(
            "Only discovery, transition and live partnerships are checked.", field="partnership"
        )
    with transaction.atomic():
        result = checks_run(
            organization=actor.organization, partnership_ids=[partnership.pk], trigger="on_demand"
        )
        check = HealthCheck.objects.filter(
            organization=actor.organization,
            partnership=partnership,
            period_start=result.period_start,
        ).first()
        if check is not None:
            audit_record(
                actor=actor,
                verb="health_check.run",
                target=check,
                partnership=partnership,
                changes={"score": [None, str(check.score)], "band": [None, check.band]},
            )
    return check


# --- Alerts ----------------------------------------------------------------------------------


def _require_recipient(actor: Actor, alert: Alert) -> None:
    from tenancy.models import Role

    if alert.organization_id != actor.membership.organization_id or not (
        alert.recipient_id == actor.membership.user_id or actor.membership.role == Role.ADMIN
    ):
        raise access_denied()


def access_denied():
    from django.core.exceptions import PermissionDenied

    return PermissionDenied("Only the alert's recipient or an admin may do this.")


@transaction.atomic
def alert_acknowledge(*, actor: Actor, alert: Alert, note: str) -> Alert:
    _require_recipient(actor, alert)
    note = check_text((note or "").strip(), field="note")
    if not note:
        raise ApplicationError("Say what you did or decided about this alert.", field="note")
    if alert.acknowledged_at is not None:
        raise ApplicationError("This alert is already acknowledged.", field="note")
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor.user
    alert.acknowledgement_note = note
    alert.save(
        update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note", "updated_at"]
    )
    audit_record(
        actor=actor,
        verb="health_alert.acknowledge",
        target=alert,
        partnership=alert.partnership,
        changes={"acknowledgement_note": [None, note]},
    )
    return alert


@transaction.atomic
def alert_snooze(*, actor: Actor, alert: Alert, until: datetime.date | None, reason: str) -> Alert:
    _require_recipient(actor, alert)
    today = actor.organization.local_today()
    if until is None:
        raise ApplicationError("Choose the date until which to snooze.", field="until")
    if until <= today:
        raise ApplicationError("Snooze until a date after today.", field="until")
    if until > today + datetime.timedelta(days=MAX_SNOOZE_DAYS):
        raise ApplicationError(f"Snooze for at most {MAX_SNOOZE_DAYS} days.", field="until")
    reason = check_text((reason or "").strip(), field="reason")
    if not reason:
        raise ApplicationError("Say why this alert can wait.", field="reason")
    before = (alert.snoozed_until, alert.snooze_reason)
    alert.snoozed_until = until
    alert.snooze_reason = reason
    alert.save(update_fields=["snoozed_until", "snooze_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="health_alert.snooze",
        target=alert,
        partnership=alert.partnership,
        changes={
            "snoozed_until": [str(before[0]) if before[0] else None, until.isoformat()],
            "snooze_reason": [before[1] or None, reason],
        },
    )
    return alert


# --- Settings --------------------------------------------------------------------------------

SETTINGS_FIELDS = ("weights", "red_below", "green_from", "stale_after_days", "check_every_minutes")


@transaction.atomic
def health_settings_update(*, actor: Actor, fields: dict[str, Any]) -> HealthSettings:
    """Change the organization's health settings (admins)."""
    access.require(actor.membership, Action.MANAGE_SETTINGS)
    hs = selectors.health_settings_for(organization=actor.organization)
    weights = fields.get("weights", hs.weights)
    if problems := scoring.weights_problems(weights):
        raise ApplicationError(" ".join(problems), field="weights")
    red = fields.get("red_below", hs.red_below)
    green = fields.get("green_from", hs.green_from)
    if red is not None and green is not None and red >= green:
        raise ApplicationError(
            "Red must end below where green starts (red_below < green_from).", field="red_below"
        )
    changes = model_update(instance=hs, fields=fields, allowed=SETTINGS_FIELDS)
    if changes:
        audit_record(actor=actor, verb="health_settings.update", target=hs, changes=changes)
    return hs
