"""Tasks: enqueued on commit with ids, idempotent, tenant re-checked; and, with REDIS_URL set,
a real worker consuming from a real broker."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from accounts import tasks
from accounts.models import Invitation
from accounts.services import invitation_create, invitation_revoke
from config.celery import app
from tenancy.models import Role

pytestmark = pytest.mark.django_db

EMAIL = "new.pm@northstar.example"


def _invite(admin, actor_for, **kwargs):
    return invitation_create(
        actor=actor_for(admin), email=kwargs.pop("email", EMAIL), role=Role.IMPLEMENTATION_PM
    )


@pytest.fixture
def celery_conf():
    """`celery_conf(task_always_eager=False, ...)`: change the app's settings for one test."""
    saved: dict[str, object] = {}

    def change(**values) -> None:
        for key, value in values.items():
            saved.setdefault(key, app.conf[key])
            app.conf[key] = value

    yield change
    for key, value in saved.items():
        app.conf[key] = value


def accept_url(token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/invitations/{token}/"


def test_invitation_create_enqueues_the_send_task_on_commit(
    admin, actor_for, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(tasks.invitation_send_task, "delay", lambda **kw: enqueued.append(kw))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        issued = _invite(admin, actor_for)

    assert len(callbacks) == 1
    assert enqueued == []  # nothing leaves before the transaction commits
    callbacks[0]()
    # Ids (and the one-time token), never model instances.
    assert enqueued == [
        {
            "organization_id": admin.organization_id,
            "invitation_id": issued.invitation.pk,
            "token": issued.token,
        }
    ]


def test_the_committed_invitation_is_e_mailed_with_its_accept_link(
    admin, actor_for, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        issued = _invite(admin, actor_for)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [EMAIL]
    assert "Northstar Nurse Line" in message.subject
    assert accept_url(issued.token) in message.body
    assert "Implementation PM" in message.body
    issued.invitation.refresh_from_db()
    assert issued.invitation.sent_at is not None
    # Only the hash is stored: the link's token is nowhere in the row.
    assert issued.token not in str(
        Invitation.objects.filter(pk=issued.invitation.pk).values().get()
    )


def test_a_rolled_back_invitation_enqueues_nothing(
    admin, actor_for, django_capture_on_commit_callbacks, mailoutbox
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _invite(admin, actor_for)
        raise RuntimeError("the request failed after the service ran")
    assert callbacks == []
    assert mailoutbox == []
    assert not Invitation.objects.exists()


def test_the_send_task_is_idempotent(
    admin, actor_for, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False):
        issued = _invite(admin, actor_for)
    ids = {
        "organization_id": admin.organization_id,
        "invitation_id": issued.invitation.pk,
        "token": issued.token,
    }

    assert tasks.invitation_send_task(**ids) is True
    sent_at = Invitation.objects.get(pk=issued.invitation.pk).sent_at
    assert tasks.invitation_send_task(**ids) is False  # a retry or a duplicate delivery

    assert len(mailoutbox) == 1
    assert Invitation.objects.get(pk=issued.invitation.pk).sent_at == sent_at


def test_the_send_task_rechecks_the_tenant(
    admin, outsider, actor_for, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False):
        issued = _invite(admin, actor_for)
    sent = tasks.invitation_send_task(
        organization_id=outsider.organization_id,
        invitation_id=issued.invitation.pk,
        token=issued.token,
    )
    assert sent is False
    assert mailoutbox == []


def test_a_revoked_invitation_is_not_sent(
    admin, actor_for, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False):
        issued = _invite(admin, actor_for)
    invitation_revoke(actor=actor_for(admin), invitation=issued.invitation)
    assert (
        tasks.invitation_send_task(
            organization_id=admin.organization_id,
            invitation_id=issued.invitation.pk,
            token=issued.token,
        )
        is False
    )
    assert mailoutbox == []


def test_enqueueing_with_the_broker_down_gives_up_quickly(celery_conf):
    """A request that enqueues while the broker is down fails fast (bounded publish retries)
    instead of hanging its worker."""
    celery_conf(task_always_eager=False)
    policy = app.conf.task_publish_retry_policy
    assert app.conf.task_publish_retry is True
    assert policy["max_retries"] is not None and policy["max_retries"] <= 3
    outcome: dict[str, object] = {}

    def publish():
        started = time.monotonic()
        # Port 1 refuses connections: the broker is "down".
        with app.connection_for_write("redis://127.0.0.1:1/0") as connection:
            try:
                tasks.invitations_expire_task.apply_async(connection=connection)
            except Exception as error:
                outcome["error"] = error
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=publish, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "publishing hung while the broker was down"
    assert "error" in outcome, "publishing to a dead broker did not fail"
    assert outcome["seconds"] < 10


# --- A real worker against a real broker ------------------------------------------------------


@pytest.mark.redis
@pytest.mark.subprocess
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real Redis broker)")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_invitation(admin, actor_for, mailoutbox, monkeypatch, celery_conf):
    from celery.contrib.testing.worker import start_worker

    # A queue of our own, so that another test run on the same Redis cannot take our task.
    queue = f"switchboard-test-{uuid.uuid4().hex[:12]}"
    celery_conf(task_always_eager=False, broker_url=settings.REDIS_URL)
    send_task = app.tasks[tasks.invitation_send_task.name]
    monkeypatch.setattr(send_task, "queue", queue, raising=False)
    monkeypatch.setattr(send_task, "_exec_options", None)  # cached routing options

    def close_worker_connections(**kwargs):
        # The worker thread has its own database connections; close them so that the
        # test database can be flushed and dropped afterwards.
        connections.close_all()

    task_postrun.connect(close_worker_connections, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, queues=[queue], shutdown_timeout=20):
            issued = _invite(admin, actor_for)  # commits: on_commit publishes to Redis
            deadline = time.monotonic() + 30
            invitation = issued.invitation
            while time.monotonic() < deadline:
                invitation.refresh_from_db()
                if invitation.sent_at is not None and mailoutbox:
                    break
                time.sleep(0.1)
    finally:
        task_postrun.disconnect(close_worker_connections)

    assert invitation.sent_at is not None, "the worker never sent the invitation"
    assert invitation.sent_at <= timezone.now()
    assert [message.to for message in mailoutbox] == [[EMAIL]]
    assert accept_url(issued.token) in mailoutbox[0].body
