"""The Celery app. Tasks take ids, re-fetch, re-check the tenant and call a service."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Every task runs in a tenant scope (row-level security): tenancy/rls.py, ScopedTask.
app = Celery("switchboard", task_cls="tenancy.rls:ScopedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Static schedule, kept in code so that it is reviewed like code.
app.conf.beat_schedule = {
    # The transactional outbox (tenancy/outbox.py): what could not be sent when it was made.
    "tenancy.outbox-relay": {
        "task": "tenancy.tasks.outbox_relay_task",
        "schedule": 60.0,
    },
    "invitations-expire-hourly": {
        "task": "accounts.tasks.invitations_expire_task",
        "schedule": crontab(minute=5),
    },
    # Health checks (health/tasks.py): the dispatcher fans out per organization and chunk.
    # Only ONE beat process may run, or the schedule would be enqueued twice (harmless for
    # the snapshots, which are unique per period, but wasted work).
    "health.dispatch_checks": {
        "task": "health.tasks.health_checks_dispatch_task",
        "schedule": crontab(minute=0),
    },
    # Notifications of tasks due tomorrow and the digests (dashboards/tasks.py): each
    # organization at 7:00 in its own time zone, the weekly digest on Mondays.
    "dashboards.digests": {
        "task": "dashboards.tasks.digests_dispatch_task",
        "schedule": crontab(minute=2),
    },
}
