"""Notifications: made once per event and member, delivered as each member chose for its kind
(in the app only, an e-mail at once, or the daily digest), read and marked read; and the
digest e-mails. E-mails carry a title and a link, never HR data.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dashboards.models import (
    DEFAULT_DELIVERY,
    Delivery,
    DigestSent,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from tenancy import outbox
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError
from tenancy.models import Membership

logger = logging.getLogger(__name__)


def deliveries(*, organization_id: int, user_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """{(user, kind): delivery} of the members' own choices (the defaults fill the rest)."""
    rows = NotificationPreference.objects.filter(
        organization_id=organization_id, user_id__in=list(user_ids)
    ).values_list("user_id", "kind", "delivery")
    return {(user, kind): delivery for user, kind, delivery in rows}


@dataclass(frozen=True)
class Message:
    """One event to tell some members of: who, what, where to act, and its key (a member is
    told once per key)."""

    recipient_ids: tuple[int | None, ...]
    kind: str
    title: str
    url: str
    key: str
    partnership_id: int | None = None
    email_body: str | None = None  # instead of the title and link, in the e-mail


def notify(
    *,
    organization_id: int,
    recipient_ids: Iterable[int | None],
    kind: str,
    title: str,
    url: str,
    key: str,
    partnership_id: int | None = None,
    email_body: str | None = None,
) -> list[Notification]:
    """Tell each recipient of one event (see `notify_many`). Returns the new notifications."""
    message = Message(tuple(recipient_ids), kind, title, url, key, partnership_id, email_body)
    return notify_many(organization_id=organization_id, messages=[message])


def notify_many(*, organization_id: int, messages: list[Message]) -> list[Notification]:
    """Tell the recipients of each message (active members of the organization only) once per
    key; e-mail at once those who chose so, after the transaction commits. Four queries
    however many messages (a sweep's alerts arrive together). Returns the new ones."""
    wanted = {pk for message in messages for pk in message.recipient_ids if pk}
    if not wanted:
        return []
    members = dict(
        Membership.objects.filter(
            organization_id=organization_id, user_id__in=wanted, user__is_active=True
        ).values_list("user_id", "user__email")
    )
    keys = {message.key[:120] for message in messages}
    told = set(
        Notification.objects.filter(
            organization_id=organization_id, recipient_id__in=list(members), key__in=keys
        ).values_list("recipient_id", "key")
    )
    chosen = deliveries(organization_id=organization_id, user_ids=members)
    created, emails = [], []
    for message in messages:
        key = message.key[:120]
        for user_id in sorted({pk for pk in message.recipient_ids if pk in members}):
            if (user_id, key) in told:
                continue
            told.add((user_id, key))
            notification = Notification(
                organization_id=organization_id,
                recipient_id=user_id,
                kind=message.kind,
                title=message.title[:200],
                url=message.url[:500],
                key=key,
                partnership_id=message.partnership_id,
                delivery=chosen.get((user_id, message.kind), DEFAULT_DELIVERY[message.kind]),
            )
            created.append(notification)
            if notification.delivery == Delivery.EMAIL:
                emails.append((members[user_id], notification, message.email_body))
    Notification.objects.bulk_create(created, ignore_conflicts=True)
    if emails:
        transaction.on_commit(lambda: _email_now(organization_id, emails))
    return created


def _absolute(url: str) -> str:
    return django_settings.SITE_URL.rstrip("/") + url


FOOTER = (
    "You receive this e-mail because of your notification settings; change them on the "
    "notifications page."
)


def subject_line(title: str) -> str:
    """A title as an e-mail subject: one line (a line break or separator in a task's or an
    issue's title would make the mail header refuse it)."""
    return " ".join(title.split())[:200]


def _claim_emails(organization_id: int, emails: list[tuple[str, Notification, str | None]]) -> set:
    """Mark the e-mails' notifications as e-mailed and return the (recipient, key) pairs this
    call marked: of two deliveries of the same event, one e-mails, the other finds it done.
    The stamp is this call's own, so the rows it marked are those carrying it."""
    stamp = timezone.now()
    scope = Notification.objects.filter(
        organization_id=organization_id,
        key__in={n.key for _, n, _ in emails},
        recipient_id__in={n.recipient_id for _, n, _ in emails},
    )
    scope.filter(emailed_at__isnull=True).update(emailed_at=stamp)
    return set(scope.filter(emailed_at=stamp).values_list("recipient_id", "key"))


def _email_now(organization_id: int, emails: list[tuple[str, Notification, str | None]]) -> None:
    claimed = _claim_emails(organization_id, emails)
    for address, notification, body in emails:
        if (notification.recipient_id, notification.key) not in claimed:
            continue
        text = body or (
            f"{notification.title}\n\nOpen it in Switchboard: {_absolute(notification.url)}"
        )
        try:
            send_mail(
                subject=subject_line(notification.title),
                message=f"{text}\n\n{FOOTER}",
                from_email=django_settings.DEFAULT_FROM_EMAIL,
                recipient_list=[address],
            )
        except (OSError, ValueError):  # stored and shown in the app; e-mail is best effort
            logger.exception("Could not e-mail a notification to %s.", address)


def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.membership.user_id:
        raise ApplicationError("This notification is someone else's.", field="notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, actor: Actor) -> int:
    return Notification.objects.filter(
        organization_id=actor.membership.organization_id,
        recipient_id=actor.membership.user_id,
        read_at__isnull=True,
    ).update(read_at=timezone.now())


@transaction.atomic
def preferences_set(*, actor: Actor, choices: dict[str, str]) -> None:
    """Set how the member hears of each kind named in `choices`."""
    for kind, delivery in choices.items():
        if kind not in NotificationKind.values:
            raise ApplicationError(f"Unknown notification kind {kind!r}.", field=kind)
        if delivery not in Delivery.values:
            raise ApplicationError(f"Choose one of: {', '.join(Delivery.values)}.", field=kind)
        NotificationPreference.objects.update_or_create(
            organization_id=actor.membership.organization_id,
            user_id=actor.membership.user_id,
            kind=kind,
            defaults={"delivery": delivery},
        )


# --- Digests -------------------------------------------------------------------------------


def _claim(organization_id: int, user_id: int, kind: str, period: datetime.date) -> bool:
    """Record that this digest is being sent; False when it was already."""
    _, created = DigestSent.objects.get_or_create(
        organization_id=organization_id, user_id=user_id, kind=kind, period=period
    )
    return created


def daily_digest_send(*, organization, today: datetime.date) -> int:
    """E-mail each member their notifications chosen for the digest and not yet sent, in one
    e-mail; once per member and day. Returns the number of e-mails sent."""
    members = Membership.objects.filter(organization=organization, user__is_active=True)
    pending = list(
        Notification.objects.filter(
            organization=organization,
            delivery=Delivery.DIGEST,
            emailed_at__isnull=True,
            read_at__isnull=True,  # read in the app already: not e-mailed again
            recipient_id__in=members.values("user_id"),  # a member no more: nothing sent
        )
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "id")
    )
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        by_user.setdefault(notification.recipient_id, []).append(notification)
    sent = 0
    for user_id, items in by_user.items():
        recipient = items[0].recipient
        if not recipient.is_active:
            continue
        with transaction.atomic():
            if not _claim(organization.pk, user_id, "daily", today):
                continue
            lines = [f"Your Switchboard digest for {organization.name}, {today:%A %B %-d}:", ""]
            lines += [f"- {n.title}\n  {_absolute(n.url)}" for n in items]
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                emailed_at=timezone.now()
            )
            body = "\n".join(lines)
            subject = f"Switchboard: {len(items)} update{'s' if len(items) != 1 else ''}"
            transaction.on_commit(
                lambda address=recipient.email, subject=subject, body=body: _send(
                    address, subject, body
                )
            )
            sent += 1
    return sent


def weekly_digest_send(*, organization, week_start: datetime.date, texts: dict) -> int:
    """E-mail each member in `texts` ({user: (subject, body)}) their weekly digest, once per
    member and week. The texts are written by `dashboards.digests`."""
    sent = 0
    for user_id, (address, subject, body) in texts.items():
        with transaction.atomic():
            if not _claim(organization.pk, user_id, "weekly", week_start):
                continue
            transaction.on_commit(
                lambda address=address, subject=subject, body=body: _send(address, subject, body)
            )
            sent += 1
    return sent


def _send(address: str, subject: str, body: str) -> None:
    try:
        send_mail(
            subject=subject_line(subject),
            message=body,
            from_email=django_settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    except (OSError, ValueError):
        logger.exception("Could not e-mail a digest to %s.", address)


# --- Executive summary PDFs ------------------------------------------------------------------


MAX_PENDING_SUMMARIES = 3  # PDFs a member may have queued or being written at once


def summary_pdf_request(*, actor: Actor, partnership, month: datetime.date):
    """Ask for the month's summary as PDF: a document row, then the task that writes it
    (after the commit, so the worker finds the row). A member has at most
    MAX_PENDING_SUMMARIES of them waiting at once."""
    from dashboards.models import SummaryDocument
    from dashboards.tasks import summary_pdf_task
    from tenancy.models import JobStatus

    pending = SummaryDocument.objects.filter(
        organization_id=actor.membership.organization_id,
        requested_by_id=actor.membership.user_id,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
    ).count()
    if pending >= MAX_PENDING_SUMMARIES:
        raise ApplicationError(
            f"{pending} of your PDFs are still being written; wait for them to finish.",
            field="month",
            status=429,
        )
    document = SummaryDocument.objects.create(
        organization_id=actor.membership.organization_id,
        partnership=partnership,
        month=month,
        requested_by_id=actor.membership.user_id,
        for_provider=actor.membership.is_provider,
    )
    # Through the outbox: a broker that is down does not fail the request or lose the PDF.
    outbox.enqueue(
        summary_pdf_task, organization_id=document.organization_id, document_id=document.pk
    )
    return document


def summary_pdf_downloaded(*, actor: Actor, document) -> bytes:
    """The finished PDF's bytes for `actor`, the download written to the audit trail."""
    audit_record(
        actor=actor,
        verb="summary.downloaded",
        target=document,
        partnership=document.partnership,
        changes={"month": [None, f"{document.month:%Y-%m}"]},
    )
    return bytes(document.pdf)


def audit_trail_exported(*, actor: Actor, filters: dict) -> None:
    """An admin exported the audit trail (with these filters): that is itself in the trail."""
    audit_record(
        actor=actor,
        verb="audit.exported",
        target=actor.organization,
        changes={"filters": [None, {k: str(v) for k, v in filters.items() if v}]},
    )


def summary_pdf_write(*, document, membership) -> None:
    """Write the PDF of `document` as `membership` sees the partnership, reporting progress
    on the row (the status page polls it)."""
    from dashboards import summary
    from tenancy.models import JobStatus

    def step(progress: int, status: str = JobStatus.RUNNING) -> None:
        document.progress, document.status = progress, status
        document.save(update_fields=["progress", "status", "updated_at"])

    step(10)
    context = summary.summary_context(
        membership=membership, partnership=document.partnership, month=document.month
    )
    step(40)
    document.pdf = summary.render_pdf(context)
    document.finished_at = timezone.now()
    document.progress, document.status, document.error = 100, JobStatus.DONE, ""
    document.save(update_fields=["pdf", "finished_at", "progress", "status", "error", "updated_at"])


# --- Background jobs ---------------------------------------------------------------------

JOB_CHUNK = 100  # partnerships checked between two progress reports
HEALTH_CHECKS_JOB = "health_checks"


def health_checks_all_request(*, actor: Actor):
    """Ask for every health check of the organization now (admins): a job row, then the task
    that runs it after the commit."""
    from dashboards.tasks import health_checks_all_task
    from tenancy import access
    from tenancy.access import Action
    from tenancy.models import Job

    access.require(actor.membership, Action.MANAGE_SETTINGS)
    job = Job.objects.create(
        organization_id=actor.membership.organization_id,
        kind=HEALTH_CHECKS_JOB,
        requested_by_id=actor.membership.user_id,
        step="Waiting for a worker",
        result_url=reverse("dashboards:home", kwargs={"org_slug": actor.organization.slug}),
    )
    outbox.enqueue(health_checks_all_task, organization_id=job.organization_id, job_id=job.pk)
    return job


def health_checks_all_run(*, job) -> None:
    """Check every discovery, transition and live partnership of the job's organization, a
    chunk at a time (each chunk its own transaction, as the scheduled sweep's), reporting
    progress on the job row. One period for all: a chunk re-run after a failure skips what
    is already checked."""
    from health import selectors as health_selectors
    from health.services.checks import checks_run, minute_floor
    from tenancy.models import JobStatus

    organization = job.organization
    ids = list(
        health_selectors.checked_partnerships(organization=organization)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    period = minute_floor(timezone.now())
    job.total, job.done, job.status = len(ids), 0, JobStatus.RUNNING
    job.step = "Checking partnerships"
    job.save(update_fields=["total", "done", "status", "step", "updated_at"])
    checked = alerts = 0
    for start in range(0, len(ids), JOB_CHUNK):
        chunk = ids[start : start + JOB_CHUNK]
        result = checks_run(
            organization=organization,
            partnership_ids=chunk,
            trigger="on_demand",
            period_start=period,
        )
        checked += result.checked + result.skipped
        alerts += len(result.alerts)
        job.done = min(job.total, start + len(chunk))
        job.save(update_fields=["done", "updated_at"])
    job.status, job.finished_at, job.step = JobStatus.DONE, timezone.now(), ""
    job.result = (
        f"Checked {checked} partnership{'s' if checked != 1 else ''}; "
        f"{alerts} new alert{'s' if alerts != 1 else ''}."
    )
    job.save(update_fields=["status", "finished_at", "step", "result", "updated_at"])
