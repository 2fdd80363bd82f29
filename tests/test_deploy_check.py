"""Production settings pass Django's deployment checklist and refuse to start half-configured."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

# Every test here starts `manage.py` in a process of its own (a few seconds each).
pytestmark = pytest.mark.subprocess

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        # A clean slate: nothing from the test run (or the developer's shell) leaks in.
        if key not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def production_env() -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "switchboard.example",
    }


def test_check_deploy_passes_with_production_settings(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_would_catch_a_weak_setting(production_env):
    """The check above is meaningful: the same command fails on a short secret key."""
    production_env["SECRET_KEY"] = "short"
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(production_env):
    del production_env["SECRET_KEY"]
    result = manage("check", **production_env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_is_not_in_debug_by_default(production_env):
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", **production_env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_production_collects_its_static_files(production_env, tmp_path):
    """The Docker image's build step: the manifest storage resolves every file a stylesheet or
    script names (a source map it cannot find stops the build)."""
    result = manage("collectstatic", "--noinput", STATIC_ROOT=str(tmp_path), **production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = tmp_path / "staticfiles.json"
    assert manifest.exists()
    assert "vendor/htmx.min.js" in manifest.read_text()
