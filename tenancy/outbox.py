"""A transactional outbox for Celery tasks.

`enqueue(task, **kwargs)` writes the message in the caller's transaction: if the change rolls
back, so does the message; if it commits, the message exists. Right after the commit it is
published once, without retries (a broker that refuses answers at once); when that fails the
request goes on regardless, and `relay()` (the `tenancy.tasks.outbox_relay_task`, every minute
from beat) publishes what is still unsent once the broker is back; the same task purges what
was sent over a week ago (`purge_sent`). Delivery is at least once:
tasks take ids and are idempotent.

Nothing secret goes through it (the message is a row in the database): the invitation e-mail,
which carries its one-time link, keeps its own path (the page offers to resend or copy it).
"""

from __future__ import annotations

import datetime
import logging
import socket
import time
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from tenancy.models import OutboxMessage

logger = logging.getLogger(__name__)
BATCH = 200
SETTLE_SECONDS = 30
# Sent messages are kept this long (what went out, and when, for whoever investigates a
# missing e-mail), then purged by the relay: the table holds a week, not every task ever.
KEEP_SENT_DAYS = 7
PURGE_BATCH = 5000
# A broker found unreachable is not asked again by this process for this long: the relay
# sends what waits once it is back.
DOWN_FOR = 15.0
_down_until = 0.0


def broker_reachable() -> bool:
    """Can the broker be reached at all? A TCP connection, half a second at most. Redis's
    client retries a refused connection for seconds before it gives up, which a request must
    not wait for; other brokers (the tests' memory one, the filesystem one) always are."""
    global _down_until
    from celery import current_app

    if time.monotonic() < _down_until:
        return False
    url = urlsplit(current_app.conf.broker_url or "")
    if url.scheme not in ("redis", "rediss"):
        return True
    try:
        socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), 0.5).close()
    except OSError:
        _down_until = time.monotonic() + DOWN_FOR
        return False
    return True


def enqueue(task, **kwargs) -> OutboxMessage:
    message = OutboxMessage.objects.create(task=task.name, kwargs=kwargs)
    transaction.on_commit(lambda: publish(message))
    return message


def publish(message: OutboxMessage) -> bool:
    """Send one message to the broker; record the outcome. True when it went."""
    from celery import current_app

    if not broker_reachable():
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error="The broker cannot be reached."
        )
        logger.warning(
            "Outbox message %s (%s) waits: broker unreachable.", message.pk, message.task
        )
        return False
    try:
        # Through the registered task (so an eager test run executes it), else by name.
        task = current_app.tasks.get(message.task)
        if task is not None:
            task.apply_async(kwargs=message.kwargs, retry=False, task_id=f"outbox-{message.pk}")
        else:
            current_app.send_task(
                message.task, kwargs=message.kwargs, retry=False, task_id=f"outbox-{message.pk}"
            )
    except Exception as error:  # the broker's errors vary by transport: refused, timeout…
        if current_app.conf.task_always_eager:
            raise  # tests run the task itself here: its own failure must fail the test
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:500]
        )
        logger.warning("Outbox message %s (%s) not sent yet: %s", message.pk, message.task, error)
        return False
    OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
    )
    return True


def relay(limit: int = BATCH) -> tuple[int, int]:
    """Publish unsent messages, oldest first, each at most once at a time (rows are locked and
    skipped by a concurrent relay). Stops at the first failure: the broker is still down.
    Returns (sent, still waiting)."""
    sent = 0
    with transaction.atomic():
        # Not the last half minute's: their own publish, right after their commit, may still
        # be under way (the relay would send them a second time).
        settled = timezone.now() - datetime.timedelta(seconds=SETTLE_SECONDS)
        batch = list(
            OutboxMessage.objects.filter(sent_at__isnull=True, created_at__lt=settled)
            .select_for_update(skip_locked=True)
            .order_by("id")[:limit]
        )
        for message in batch:
            if not publish(message):
                break
            sent += 1
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    return sent, waiting


def purge_sent(*, now: datetime.datetime | None = None, limit: int = PURGE_BATCH) -> int:
    """Delete up to `limit` messages sent more than `KEEP_SENT_DAYS` ago (the oldest first);
    unsent ones are never purged, whatever their age. The number deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_SENT_DAYS)
    ids = list(
        OutboxMessage.objects.filter(sent_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return 0
    return OutboxMessage.objects.filter(id__in=ids).delete()[0]
