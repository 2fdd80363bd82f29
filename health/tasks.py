"""Scheduled health checks (Celery). Thin wrappers: ids in, the tenant re-checked, a service
called.

Celery beat (one beat only: see the README and docker-compose.yml) enqueues
`health_checks_dispatch_task` every hour (config/celery.py); it fans out, per organization,
chunks of partnership ids to `health_checks_run_task`. A chunk's snapshots are unique per
partnership and period and written in one transaction, so a redelivered or retried chunk
loses and duplicates nothing.

Reliability: messages are acknowledged after the task ran (`CELERY_TASK_ACKS_LATE`), so a
worker killed mid-chunk leaves its message unacknowledged: the broker hands it out again
(Redis: after the transport's `visibility_timeout`; a lost prefork child: at once, through
`CELERY_TASK_REJECT_ON_WORKER_LOST`), the killed chunk's transaction has rolled back, and the
redelivery checks it whole. Every message carries its period, so a redelivery writes the
period it was meant for. Database and network errors are retried with exponential backoff.
tests/health/test_worker_kill.py proves it with a real worker killed by SIGKILL.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from health import selectors
from health.services.checks import checks_run, minute_floor, period_floor
from tenancy.models import Organization
from tenancy.rls import system_task

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
# How often beat enqueues the dispatcher (config/celery.py). An organization is enqueued when
# one of its check periods started since the last beat: every hour by default, every other
# hour for `check_every_minutes=120`; periods shorter than the beat run at the beat's pace.
BEAT_MINUTES = 60
TRANSIENT = (OSError, OperationalError, InterfaceError)


def _chunks(ids: list[int], size: int):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
@system_task  # across organizations (tenancy/rls.py)
def health_checks_dispatch_task() -> int:
    """Enqueue one run task per organization and chunk of its checked partnerships, each for
    the organization's current check period. Returns the number of chunks enqueued."""
    now = timezone.now()
    enqueued = 0
    for organization in Organization.objects.order_by("pk"):
        hs = selectors.health_settings_for(organization=organization)
        period = period_floor(now, hs.check_every_minutes)
        if now - period >= datetime.timedelta(minutes=BEAT_MINUTES):
            continue  # this period was dispatched by an earlier beat
        ids = list(
            selectors.checked_partnerships(organization=organization)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for chunk in _chunks(ids, CHUNK_SIZE):
            health_checks_run_task.delay(
                organization_id=organization.pk,
                partnership_ids=chunk,
                period_start_iso=period.isoformat(),
            )
            enqueued += 1
    logger.info("Health checks: %d chunk(s) enqueued.", enqueued)
    return enqueued


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def health_checks_run_task(
    *,
    organization_id: int,
    partnership_ids: list[int],
    period_start_iso: str | None = None,
    trigger: str = "schedule",
) -> int:
    """Check these partnerships of this organization for the period (idempotent). Ids of
    another organization, or no longer checked, are ignored. Returns the snapshots written."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        logger.info("Organization %s is gone; nothing to check.", organization_id)
        return 0
    period = datetime.datetime.fromisoformat(period_start_iso) if period_start_iso else None
    result = checks_run(
        organization=organization,
        partnership_ids=[int(pk) for pk in partnership_ids],
        trigger=trigger,
        period_start=period,
    )
    return result.checked


def checks_after_upload(*, organization_id: int, partnership_ids: list[int]) -> None:
    """For the KPI upload and the audit batch: re-check those partnerships once the data is
    committed (their own period: this minute, fixed now so that a redelivery or a retry
    writes that same period rather than a second snapshot)."""
    from django.db import transaction

    period = minute_floor(timezone.now()).isoformat()

    def enqueue() -> None:
        try:
            health_checks_run_task.delay(
                organization_id=organization_id,
                partnership_ids=list(partnership_ids),
                period_start_iso=period,
                trigger="after_upload",
            )
        except Exception:  # the broker's errors vary by transport; the data is committed
            # The next scheduled sweep checks these partnerships anyway.
            logger.exception(
                "Could not queue the health check after an upload (partnerships %s).",
                partnership_ids,
            )

    transaction.on_commit(enqueue)
