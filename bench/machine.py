"""What every benchmark records about the run: the machine, its load, the versions, the
database and the commit (with "+uncommitted changes" when the work tree differs)."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import django
from django.db import connection
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent


def commit() -> str | None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+uncommitted changes" if dirty else "")


def database() -> str:
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        version = connection.connection.info.server_version
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def machine(**extra) -> dict:
    return {
        "date": timezone.now().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        # Other work on the machine skews the timings (not the query counts); say how much.
        "load_average_1_5_15": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database(),
        **extra,
        "commit": commit(),
    }
