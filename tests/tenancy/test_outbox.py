"""The transactional outbox: work asked for while the broker is down is answered at once and
delivered when the broker is back; work of a rolled-back change is never sent. The fault test
stops and starts a real Redis of its own (never the shared one)."""

from __future__ import annotations

import datetime
import shutil
import socket
import subprocess
import time

import kombu.pools
import pytest
import redis
from django.urls import reverse

from config.celery import app as celery_app
from tenancy import outbox
from tenancy.models import Job, OutboxMessage

pytestmark = pytest.mark.django_db


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    from django.db import transaction

    from tenancy.tasks import outbox_relay_task

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                outbox.enqueue(outbox_relay_task)
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


def test_what_was_sent_over_a_week_ago_is_purged_and_nothing_unsent_ever():
    from django.utils import timezone

    now = timezone.now()
    OutboxMessage.objects.create(task="x", sent_at=now - datetime.timedelta(days=8))
    recent = OutboxMessage.objects.create(task="x", sent_at=now - datetime.timedelta(days=6))
    unsent = OutboxMessage.objects.create(task="x")
    OutboxMessage.objects.filter(pk=unsent.pk).update(created_at=now - datetime.timedelta(days=30))
    assert outbox.purge_sent(now=now - datetime.timedelta(days=3)) == 0  # nothing that old yet
    assert outbox.purge_sent(now=now) == 1
    left = set(OutboxMessage.objects.values_list("pk", flat=True))
    # A message never sent is never purged, however old: the relay still owes it.
    assert left == {recent.pk, unsent.pk}


def test_the_relay_task_purges_too():
    from django.utils import timezone

    from tenancy.tasks import outbox_relay_task

    OutboxMessage.objects.create(task="x", sent_at=timezone.now() - datetime.timedelta(days=8))
    assert outbox_relay_task.apply().get()["purged"] == 1
    assert not OutboxMessage.objects.exists()


def test_a_committed_message_is_sent_and_marked(client, admin, django_capture_on_commit_callbacks):
    client.force_login(admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboards:health-checks-all", args=["northstar"]))
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.task == "dashboards.tasks.health_checks_all_task"
    assert message.sent_at is not None and message.attempts == 1
    # The eager test broker ran it: the job is done.
    assert Job.objects.get().status == "done"


# --- A real Redis, stopped and started --------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the private Redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def fresh_pools() -> None:
    """Forget every broker connection and producer pool (the app's and kombu's global ones),
    so that the next publish connects to the broker now configured."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()


@pytest.fixture
def private_broker():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = PrivateRedis(free_port())
    server.start()
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.broker_transport_options)
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{server.port}/0"
    conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    fresh_pools()
    outbox._down_until = 0.0
    yield server
    server.stop()
    outbox._down_until = 0.0
    conf.task_always_eager, conf.broker_url, conf.broker_transport_options = saved
    fresh_pools()


@pytest.mark.subprocess
def test_with_the_broker_down_the_request_answers_and_the_work_waits(
    client, admin, private_broker, django_capture_on_commit_callbacks
):
    client.force_login(admin.user)
    private_broker.stop()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboards:health-checks-all", args=["northstar"]))
    elapsed = time.monotonic() - started

    assert response.status_code == 302 and elapsed < 2.0, elapsed
    job = Job.objects.get()
    assert response["Location"].endswith(f"/jobs/{job.pk}/")
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert outbox.relay() == (0, 1)  # its own publish may still be under way: left alone
    message.refresh_from_db()
    assert message.attempts == 1
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=message.created_at - datetime.timedelta(minutes=1)
    )
    assert outbox.relay() == (0, 1)  # still down: nothing lost, nothing sent

    private_broker.start()
    outbox._down_until = 0.0  # the relay runs in a worker: a process of its own
    assert outbox.relay() == (1, 0)
    message.refresh_from_db()
    assert message.sent_at is not None
    # The task is on the broker's queue, once, for that job.
    queued = redis.Redis(port=private_broker.port).lrange("celery", 0, -1)
    assert len(queued) == 1
    assert b"dashboards.tasks.health_checks_all_task" in queued[0]
    assert f"outbox-{message.pk}".encode() in queued[0]
    # A second relay sends nothing more.
    assert outbox.relay() == (0, 0)
    assert redis.Redis(port=private_broker.port).llen("celery") == 1
