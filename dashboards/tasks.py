"""Notification and digest tasks (Celery beat, hourly; config/celery.py). Each organization is
served at 7:00 in its own time zone: tasks due tomorrow become notifications, the daily digest
goes out, and on Mondays the weekly digest. Idempotent: a notification is made once per task
and due date, and a digest is recorded before it is sent (`DigestSent`), so a second beat in
the same hour or a retried task sends nothing twice."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from dashboards import digests, services, signals
from tenancy.models import Organization
from tenancy.rls import system_task

logger = logging.getLogger(__name__)

DIGEST_HOUR = 7  # local time of each organization
TRANSIENT = (OSError, OperationalError, InterfaceError)


def _due(organization: Organization, now: datetime.datetime) -> bool:
    return now.astimezone(organization.zone).hour == DIGEST_HOUR


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
@system_task  # across organizations (tenancy/rls.py)
def digests_dispatch_task() -> int:
    """Enqueue the morning work of each organization whose local time is 7:00."""
    now = timezone.now()
    enqueued = 0
    for organization in Organization.objects.order_by("pk"):
        if _due(organization, now):
            organization_morning_task.delay(organization_id=organization.pk)
            enqueued += 1
    return enqueued


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def organization_morning_task(*, organization_id: int) -> dict:
    """Tasks due tomorrow, the daily digest and (Mondays) the weekly digest of one
    organization."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:  # gone since it was enqueued
        return {}
    now = timezone.now()
    today = organization.local_today()
    result = {
        "tasks_due": signals.tasks_due_tomorrow(organization=organization),
        "daily": services.daily_digest_send(organization=organization, today=today),
        "weekly": 0,
    }
    if today.weekday() == 0:
        result["weekly"] = services.weekly_digest_send(
            organization=organization,
            week_start=today,
            texts=digests.weekly_texts(organization, now),
        )
    logger.info("Morning work of %s: %s", organization.slug, result)
    return result


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def summary_pdf_task(*, organization_id: int, document_id: int) -> str:
    """Write one executive summary PDF. The requester's membership is read again: someone who
    left the organization (or lost sight of the partnership) gets no document."""
    from dashboards.models import SummaryDocument
    from tenancy import access
    from tenancy.models import JobStatus, Membership

    document = (
        SummaryDocument.objects.filter(organization_id=organization_id, pk=document_id)
        .select_related("partnership__client", "partnership__organization")
        .first()
    )
    if document is None or document.status == JobStatus.DONE:
        return "gone" if document is None else "done"
    membership = (
        Membership.objects.filter(
            organization_id=organization_id,
            user_id=document.requested_by_id,
            user__is_active=True,
        )
        .select_related("organization", "user", "client")
        .first()
    )
    if (
        membership is None
        or not access.visible(membership, type(document.partnership))
        .filter(pk=document.partnership_id)
        .exists()
    ):
        document.status, document.error = (
            JobStatus.FAILED,
            "You no longer see this partnership.",
        )
        document.save(update_fields=["status", "error", "updated_at"])
        return "refused"
    try:
        services.summary_pdf_write(document=document, membership=membership)
    except TRANSIENT:
        raise
    except Exception:
        logger.exception("Summary PDF %s failed.", document_id)
        document.status, document.error = JobStatus.FAILED, "An error occurred; try again."
        document.save(update_fields=["status", "error", "updated_at"])
        return "failed"
    return "done"


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def health_checks_all_task(*, organization_id: int, job_id: int) -> str:
    """Run the organization's every health check for the member who asked (admins)."""
    from tenancy.models import Job, JobStatus

    job = (
        Job.objects.filter(organization_id=organization_id, pk=job_id)
        .select_related("organization")
        .first()
    )
    if job is None or job.status == JobStatus.DONE:
        return "gone" if job is None else "done"
    try:
        services.health_checks_all_run(job=job)
    except TRANSIENT:
        raise
    except Exception:
        logger.exception("Health-check job %s failed.", job_id)
        job.status, job.result = JobStatus.FAILED, "An error occurred; try again."
        job.save(update_fields=["status", "result", "updated_at"])
        return "failed"
    return "done"
