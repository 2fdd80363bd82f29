"""The backup drill, for real: `make backup` of a database with two tenants' data, `make restore`
into a new empty database, and every row comes back, per table and per organization, with the
append-only triggers and the uploaded files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.factories import ApiTokenFactory, AuditEventFactory

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump and pg_restore need PostgreSQL"),
    pytest.mark.subprocess,
    pytest.mark.django_db(transaction=True),
]


def url_of(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    user = f"{s['USER']}{password}@" if s.get("USER") else ""
    return f"postgres://{user}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{name}"


def make(*args: str) -> str:
    done = subprocess.run(
        ["make", "-s", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHON": "python3"},
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def counts(dsn: str) -> dict[str, object]:
    """Rows per table, and per organization for the tenant tables."""
    result: dict[str, object] = {}
    with psycopg.connect(dsn) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        for table in tables:
            columns = {
                row[0]
                for row in db.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                    [table],
                )
            }
            if "organization_id" in columns:
                rows = db.execute(
                    f'SELECT organization_id, count(*) FROM "{table}"'
                    " GROUP BY organization_id ORDER BY organization_id"
                ).fetchall()
                result[table] = rows
            else:
                result[table] = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        result["__triggers__"] = sorted(
            row[0]
            for row in db.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE '%append_only'")
        )
    return result


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    admin_dsn = url_of("postgres")
    with psycopg.connect(admin_dsn, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin_dsn, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_bring_back_every_row(
    partnership, outsider_partnership, admin, outsider, restored_name, tmp_path
):
    AuditEventFactory.create_batch(3, organization=admin.organization, actor=admin.user)
    AuditEventFactory(organization=outsider.organization, actor=outsider.user)
    ApiTokenFactory(organization=admin.organization, user=admin.user)
    media = tmp_path / "media"
    (media / "reports").mkdir(parents=True)
    (media / "reports" / "baseline.csv").write_text("kpi,value\nasa_seconds,42\n")

    source = url_of(connection.settings_dict["NAME"])
    out = make("backup", f"DATABASE_URL={source}", f"BACKUP_DIR={tmp_path}", f"MEDIA_DIR={media}")
    dump = out.strip().splitlines()[-1]
    assert dump.endswith(".dump") and Path(dump).stat().st_size > 0
    assert Path(dump.replace(".dump", "-media.tar.gz")).exists()

    target_media = tmp_path / "restored-media"
    make(
        "restore",
        f"FILE={dump}",
        f"DATABASE_URL={url_of(restored_name)}",
        f"MEDIA_DIR={target_media}",
    )

    before, after = counts(source), counts(url_of(restored_name))
    assert after == before
    # Real rows of both tenants were in it, and the audit trail is append-only again.
    assert dict(before["tenancy_auditevent"]) == {
        admin.organization_id: 3,
        outsider.organization_id: 1,
    }
    assert before["__triggers__"] == [
        "tenancy_auditevent_append_only",
        "transition_sensitiveaccesslog_append_only",
    ]
    assert (target_media / "reports" / "baseline.csv").read_text().endswith("42\n")


def test_restore_refuses_without_a_file_or_a_postgres_database():
    done = subprocess.run(
        ["make", "-s", "restore", "DATABASE_URL=sqlite:///x"], cwd=ROOT, capture_output=True
    )
    assert done.returncode != 0 and b"FILE=" in done.stderr
    done = subprocess.run(
        ["make", "-s", "backup", "DATABASE_URL=sqlite:///x"], cwd=ROOT, capture_output=True
    )
    assert done.returncode != 0 and b"postgres://" in done.stderr
