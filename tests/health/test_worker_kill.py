"""A real Celery worker process, killed with SIGKILL in the middle of a health sweep, loses and
duplicates nothing once its task is redelivered (issue 10, "Reliability").

The sweep goes the production way: the dispatcher is published to Redis, a worker runs it and
the chunks it fans out. The worker pauses inside the second chunk's transaction, after that
chunk's snapshots are written but before they commit, and is killed there. Then:

- `solo`: the whole worker process dies; the message stays unacknowledged in Redis
  (`CELERY_TASK_ACKS_LATE`), and a new worker gets it back once the transport's
  `visibility_timeout` (3 s here, an hour in production) has passed.
- `prefork`: the pool's child process dies; the worker hands the message back to the broker
  at once (`CELERY_TASK_REJECT_ON_WORKER_LOST`; the visibility timeout is left at an hour, so
  it cannot be what brought the message back) and a new child runs it.

Either way every partnership ends with exactly one snapshot for the period, complete, and one
alert; a second beat in the same period adds nothing.

Only on PostgreSQL with REDIS_URL set (as in CI's second run): the worker is another process,
and it must share the test database, which under SQLite lives in this process's memory. The
worker reads the test database's name from the environment; the pause is a wrapper installed
by the worker script below, so the application carries no test hook.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from health.models import Alert, AlertKind, HealthCheck, Touchpoint
from health.tasks import health_checks_dispatch_task
from partnerships.models import PartnershipStatus
from tests.factories import PartnershipFactory

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="needs PostgreSQL (DATABASE_URL): the worker must share the test database "
        "with this process, and SQLite's lives in this process's memory",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
PARTNERSHIPS = 6
CHUNK_SIZE = 2  # three chunks: the first commits, the second is killed, the third waits
SECONDS = 40  # for each step; the whole test takes ~10-20 s

# The worker process: the test settings on this test's database, our own queue and Redis
# keys, eager mode off, and the pause inside the chunk that holds KILL_TEST_PAUSE_ON (once:
# the marker file says it happened, so the redelivery runs through).
WORKER = r"""
import json, os, time
from pathlib import Path

from django.conf import settings

settings.DATABASES["default"]["NAME"] = os.environ["KILL_TEST_DB_NAME"]
import django

django.setup()

from config.celery import app
from health import tasks
from health.models import HealthCheck
from health.services import checks

queue = os.environ["KILL_TEST_QUEUE"]
marker = Path(os.environ["KILL_TEST_MARKER"])
pause_on = int(os.environ["KILL_TEST_PAUSE_ON"])
tasks.CHUNK_SIZE = int(os.environ["KILL_TEST_CHUNK_SIZE"])
write_alerts = checks._alerts_for


def paused_alerts_for(organization, outcomes, now):
    # Called inside the chunk's transaction, after its snapshots were inserted.
    if pause_on in {item.id for item, *_ in outcomes} and not marker.exists():
        seen = HealthCheck.objects.filter(organization=organization).count()
        part = marker.with_suffix(".part")
        part.write_text(json.dumps({"pid": os.getpid(), "snapshots_seen": seen}))
        os.replace(part, marker)
        time.sleep(300)
    return write_alerts(organization, outcomes, now)


checks._alerts_for = paused_alerts_for
app.conf.update(
    task_always_eager=False,
    task_default_queue=queue,
    worker_enable_remote_control=False,
    broker_transport_options={
        "visibility_timeout": int(os.environ["KILL_TEST_VISIBILITY"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        # Keys of our own: a short visibility timeout must not requeue another run's tasks.
        "unacked_key": queue + ".unacked",
        "unacked_index_key": queue + ".unacked_index",
        "unacked_mutex_key": queue + ".unacked_mutex",
    },
)
app.worker_main([
    "worker", "--pool", os.environ["KILL_TEST_POOL"], "--concurrency", "1", "--queues", queue,
    "--hostname", queue + "-" + str(os.getpid()) + "@%h",
    "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
])
"""


class Worker:
    """One worker process and its log, stopped (and its log shown) when the test ends."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log = log
        self.stream = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            cwd=ROOT,
            env=env,
            stdout=self.stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait(timeout=10)
        self.stream.close()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def broker():
    """A Redis client, and afterwards the removal of the keys of this test's queue."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    queue = f"switchboard-test-kill-{uuid.uuid4().hex[:12]}"
    yield client, queue
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(env: dict[str, str]) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(started) + 1}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def eager_off():
    """Publish to the real broker from this process (the test settings run tasks eagerly)."""
    from config.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = saved


@pytest.fixture
def sweep(org_a, account_manager):
    """Live partnerships of the account manager, each with a touchpoint and no KPI feed: a
    check of each writes a snapshot and raises one "stale data" alert."""
    partnerships = PartnershipFactory.create_batch(
        PARTNERSHIPS,
        organization=org_a,
        status=PartnershipStatus.LIVE,
        account_manager=account_manager.user,
    )
    for partnership in partnerships:
        Touchpoint.objects.create(
            organization=org_a,
            partnership=partnership,
            date=org_a.local_today(),
            kind="call",
            attendees="Erin Executive",
            recorded_by=account_manager.user,
        )
    return sorted(partnerships, key=lambda p: p.pk)


def wait_for(what: str, condition, workers_to_watch: list[Worker]) -> None:
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        for worker in workers_to_watch:
            assert worker.alive(), f"the worker died while waiting for {what}:\n{worker.tail()}"
        time.sleep(0.1)
    logs = "\n---\n".join(worker.tail() for worker in workers_to_watch)
    pytest.fail(f"timed out waiting for {what}:\n{logs}")


def succeeded(logs: str, task: str) -> int:
    """How many runs of `task` the workers' logs report as succeeded."""
    return len(re.findall(rf"Task health\.tasks\.{task}\[[0-9a-f-]+\] succeeded in", logs))


def drained(client, queue: str) -> bool:
    """Nothing waits in the queue and nothing is delivered but unacknowledged."""
    return client.llen(queue) == 0 and client.hlen(f"{queue}.unacked") == 0


@pytest.mark.redis
@pytest.mark.subprocess
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real Redis broker)")
@pytest.mark.parametrize("pool", ["solo", "prefork"])
def test_a_worker_killed_mid_sweep_loses_and_duplicates_nothing(
    pool, sweep, broker, workers, eager_off, tmp_path
):
    client, queue = broker
    marker = tmp_path / "paused.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "KILL_TEST_DB_NAME": connection.settings_dict["NAME"],
        "KILL_TEST_QUEUE": queue,
        "KILL_TEST_MARKER": str(marker),
        "KILL_TEST_PAUSE_ON": str(sweep[CHUNK_SIZE].pk),  # the first of the second chunk
        "KILL_TEST_CHUNK_SIZE": str(CHUNK_SIZE),
        "KILL_TEST_POOL": pool,
        # solo: the visibility timeout brings the message back; prefork: it must not.
        "KILL_TEST_VISIBILITY": "3" if pool == "solo" else "3600",
    }
    first = workers(env)
    health_checks_dispatch_task.apply_async(queue=queue)

    # The second chunk has written its snapshots, uncommitted, and sleeps: kill it there.
    wait_for("the pause inside the second chunk", marker.exists, [first])
    paused = json.loads(marker.read_text())
    if pool == "solo":
        assert paused["pid"] == first.process.pid
        first.kill()
        second = workers(env)
        watched, started = [second], [first, second]
    else:
        assert paused["pid"] != first.process.pid  # a child of the pool
        os.kill(paused["pid"], signal.SIGKILL)
        watched = started = [first]
    assert paused["snapshots_seen"] == 2 * CHUNK_SIZE  # the first chunk's and its own

    # Killed mid-transaction: the first chunk is there whole, nothing of the second.
    assert HealthCheck.objects.count() == CHUNK_SIZE
    assert Alert.objects.count() == CHUNK_SIZE

    chunks = -(-PARTNERSHIPS // CHUNK_SIZE)

    def finished(dispatches: int) -> bool:
        """Every task of `dispatches` sweeps succeeded (the killed one's redelivery included)
        and the broker holds nothing more."""
        logs = "".join(worker.log.read_text(errors="replace") for worker in started)
        return (
            succeeded(logs, "health_checks_dispatch_task") == dispatches
            and succeeded(logs, "health_checks_run_task") == dispatches * chunks
            and drained(client, queue)
        )

    wait_for("the redelivered chunk and the rest of the sweep", lambda: finished(1), watched)
    period = HealthCheck.objects.values_list("period_start", flat=True).first()
    assert HealthCheck.objects.filter(period_start=period).count() == PARTNERSHIPS
    assert Alert.objects.count() == PARTNERSHIPS

    # A second beat (two beats running, say): in the same period it adds nothing. (Should the
    # hour turn meanwhile, it checks the new period: once per partnership again, no alert.)
    health_checks_dispatch_task.apply_async(queue=queue)
    wait_for("the second beat's sweep", lambda: finished(2), watched)

    ids = [p.pk for p in sweep]
    checks = list(HealthCheck.objects.order_by("period_start", "partnership_id"))
    periods = sorted({c.period_start for c in checks})
    assert periods[0] == period and len(periods) <= 2
    for each in periods:  # one snapshot per partnership and period: none lost, none doubled
        assert [c.partnership_id for c in checks if c.period_start == each] == ids
    for check in checks:  # complete snapshots
        assert check.band
        assert check.components
        assert "data_freshness" in {c["key"] for c in check.components}
    alerts = list(Alert.objects.order_by("partnership_id"))
    assert [a.partnership_id for a in alerts] == ids
    assert {a.kind for a in alerts} == {AlertKind.STALE_DATA}
    # Each alert points at its partnership's snapshot of the sweep that raised it.
    first_sweep = {c.partnership_id: c.pk for c in checks if c.period_start == period}
    assert all(a.health_check_id == first_sweep[a.partnership_id] for a in alerts)


def test_a_delivery_that_overlaps_a_running_one_waits_and_adds_nothing(sweep, monkeypatch):
    """Redis hands a message out again when its first delivery outlives the visibility
    timeout; the same happens with two beats. The second run waits for the first one's
    transaction, then finds the period checked: no second alert."""
    from health.services import checks

    org = sweep[0].organization
    ids = [p.pk for p in sweep]
    period = checks.period_floor(timezone.now(), 60)
    inside, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}
    write_alerts = checks._alerts_for

    def alerts_for(organization, outcomes, now):
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(timeout=SECONDS)
        return write_alerts(organization, outcomes, now)

    monkeypatch.setattr(checks, "_alerts_for", alerts_for)

    def run(name: str) -> None:
        try:
            results[name] = checks.checks_run(
                organization=org, partnership_ids=ids, period_start=period
            )
        except Exception as error:
            results[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",), name="first")
    second = threading.Thread(target=run, args=("second",), name="second")
    first.start()
    assert inside.wait(timeout=SECONDS), "the first run never reached its alerts"
    second.start()
    second.join(timeout=1)
    assert second.is_alive()  # waiting for the first run's transaction
    release.set()
    first.join(timeout=SECONDS)
    second.join(timeout=SECONDS)

    assert results["first"].checked == PARTNERSHIPS
    assert len(results["first"].alerts) == PARTNERSHIPS
    assert results["second"].checked == 0
    assert results["second"].skipped == PARTNERSHIPS
    assert results["second"].alerts == []
    assert HealthCheck.objects.count() == PARTNERSHIPS
    assert Alert.objects.count() == PARTNERSHIPS
