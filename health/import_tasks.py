"""The KPI CSV import in the background (a Celery task, registered from HealthConfig.ready()):
the file checked whole, then saved all or nothing by `measurements_import_csv`, the job row
telling the page how far it got."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from django.utils import timezone

from health.services.kpis import measurements_import_csv
from partnerships.models import Partnership
from tenancy import access, outbox
from tenancy.audit import Actor
from tenancy.errors import ApplicationError
from tenancy.models import Job, JobStatus, Membership

logger = logging.getLogger(__name__)

KPI_IMPORT_JOB = "kpi_import"
TRANSIENT = (OSError, OperationalError, InterfaceError)


def kpi_import_request(*, actor: Actor, partnership: Partnership, content: str, rows: int) -> Job:
    """Queue the import of a checked file: a job holding its text, then the task, after the
    commit. Returns the job (its page follows it)."""
    access.require(actor.membership, access.Action.CHANGE_WORK, partnership)
    job = Job.objects.create(
        organization_id=actor.membership.organization_id,
        kind=KPI_IMPORT_JOB,
        requested_by_id=actor.membership.user_id,
        step="Waiting for a worker",
        total=rows,
        payload=content,
        result_url=reverse(
            "health:kpis",
            kwargs={"org_slug": actor.organization.slug, "partnership_pk": partnership.pk},
        ),
    )
    outbox.enqueue(
        kpi_import_task,
        organization_id=job.organization_id,
        job_id=job.pk,
        partnership_id=partnership.pk,
    )
    return job


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def kpi_import_task(*, organization_id: int, job_id: int, partnership_id: int) -> str:
    """Import the job's file as its asker (whose membership and sight of the partnership are
    checked again). All or nothing: a redelivered message finds the job done."""
    job = Job.objects.filter(organization_id=organization_id, pk=job_id).first()
    if job is None or not job.running:
        return "gone" if job is None else job.status
    membership = (
        Membership.objects.filter(
            organization_id=organization_id, user_id=job.requested_by_id, user__is_active=True
        )
        .select_related("organization", "user", "client")
        .first()
    )
    partnership = (
        access.visible(membership, Partnership).filter(pk=partnership_id).first()
        if membership
        else None
    )
    if partnership is None:
        return _end(job, JobStatus.FAILED, "You no longer see this partnership.")
    job.status, job.step = JobStatus.RUNNING, f"Checking and saving {job.total} rows"
    job.save(update_fields=["status", "step", "updated_at"])
    actor = Actor(membership=membership, user_agent="background import")
    try:
        result = measurements_import_csv(actor=actor, partnership=partnership, content=job.payload)
    except ApplicationError as error:
        return _end(job, JobStatus.FAILED, f"Nothing was imported: {error.message}"[:500])
    except TRANSIENT:
        raise
    except Exception:
        logger.exception("KPI import job %s failed.", job_id)
        return _end(job, JobStatus.FAILED, "Nothing was imported: an error occurred; try again.")
    job.done = job.total
    return _end(
        job,
        JobStatus.DONE,
        f"KPIs imported: {result.created} new, {result.updated} updated, "
        f"{result.unchanged} unchanged.",
    )


def _end(job: Job, status: str, result: str) -> str:
    job.status, job.result, job.step, job.finished_at = status, result, "", timezone.now()
    job.payload = ""  # the file is not kept once imported (or refused)
    job.save(
        update_fields=["status", "result", "step", "finished_at", "payload", "done", "updated_at"]
    )
    return status
