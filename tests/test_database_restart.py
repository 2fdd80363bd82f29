"""PostgreSQL restarted under the app: while it is down every request answers 503 at once (a
page that says so for people, JSON for the API) and writes nothing, and once it is back the app
answers again by itself, with no restart of its own.

The PostgreSQL is one this test starts for itself (initdb in a temporary directory, its own
port), loaded with a copy of the test database, never the shared server. Requests go through
the production WSGI handler, which closes a broken connection at the end of a request (Django's
test client would not)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection
from werkzeug.test import Client as WsgiClient

from partnerships.models import ClientOrganization
from tests.factories import ApiTokenFactory, InvitationFactory

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
BIN = Path(BIN[-1]) if BIN else None

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRESQL, reason="restarts a PostgreSQL: needs DATABASE_URL"),
    pytest.mark.skipif(BIN is None, reason="PostgreSQL's server binaries are not installed"),
    pytest.mark.subprocess,
    pytest.mark.django_db(transaction=True),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostgres:
    """A throwaway cluster. As root (CI), its files and process belong to `postgres`."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="sb-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def run(self, *args: str) -> None:
        command = [*args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        # No pipes: the server would inherit them and keep them open.
        subprocess.run(
            command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120
        )

    def init(self) -> None:
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run(str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.dir / "server.log")
        self.run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        self.run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def source_url() -> str:
    s = connection.settings_dict
    user = f"{s['USER']}@" if s.get("USER") else ""
    return f"postgres://{user}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture
def switched(transactional_db, admin, org_a):
    """The app's connection moved onto a private PostgreSQL holding a copy of the test data."""
    token = ApiTokenFactory(organization=org_a, user=admin.user)
    invitation = InvitationFactory(organization=org_a, invited_by=admin.user)
    server = PrivatePostgres()
    server.init()
    server.start()
    dump = server.dir / "copy.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source_url()],
        check=True,
        timeout=120,
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "app"])
    subprocess.run(
        # Without privileges, as `make restore`: the grants name roles of the other server.
        ["pg_restore", "--no-owner", "--no-privileges", f"--dbname={server.url('app')}", str(dump)],
        check=True,
        timeout=120,
    )
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(server.port), NAME="app")
    yield server, token, invitation
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)
    server.remove()


def test_a_restart_answers_503_writes_nothing_and_recovers_by_itself(switched, settings):
    server, token, invitation = switched
    settings.DEBUG = False
    app = WsgiClient(get_wsgi_application())
    auth = {"Authorization": f"Token {token.raw_key}"}
    clients = "/api/v1/orgs/northstar/clients/"
    before = ClientOrganization.objects.count()

    assert app.get("/api/v1/me/", headers=auth).status_code == 200

    server.stop()
    started = time.monotonic()
    read = app.get("/api/v1/me/", headers=auth)
    write = app.post(clients, json={"name": "Written during the outage"}, headers=auth)
    page = app.get(f"/invitations/{invitation.raw_token}/")
    elapsed = time.monotonic() - started

    assert read.status_code == 503 and read.json["code"] == "database_unavailable"
    assert read.headers["Retry-After"] == "30"
    assert write.status_code == 503
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "Switchboard is briefly unavailable" in html and "could not be finished" in html
    assert "OperationalError" not in html and "connection" not in html.lower()
    assert elapsed < 3 * 2, elapsed  # within 2 seconds each

    server.start()
    assert app.get("/api/v1/me/", headers=auth).status_code == 200
    created = app.post(clients, json={"name": "Written after the restart"}, headers=auth)
    assert created.status_code == 201, created.get_data(as_text=True)
    names = set(ClientOrganization.objects.values_list("name", flat=True))
    assert "Written during the outage" not in names
    assert "Written after the restart" in names
    assert ClientOrganization.objects.count() == before + 1
