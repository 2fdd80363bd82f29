"""Tenancy's scheduled work: relaying the outbox (tenancy/outbox.py) and purging what it
sent over a week ago."""

from __future__ import annotations

from celery import shared_task

from tenancy import outbox
from tenancy.rls import system_task


@shared_task(ignore_result=True)
@system_task  # across organizations (tenancy/rls.py)
def outbox_relay_task() -> dict[str, int]:
    sent, waiting = outbox.relay()
    return {"sent": sent, "waiting": waiting, "purged": outbox.purge_sent()}
