"""`manage.py migrate` runs as the tables' owner when MIGRATION_DATABASE_URL names one."""

from __future__ import annotations

from django.conf import settings
from django.core.management import load_command_class

from tenancy import rls


def parsed_database(*args: str) -> str:
    command = load_command_class("tenancy", "migrate")
    return command.create_parser("manage.py", "migrate").parse_args(list(args)).database


def test_migrate_defaults_to_the_owner_when_one_is_configured(monkeypatch):
    assert parsed_database() == "default"
    monkeypatch.setitem(settings.DATABASES, "owner", {"USER": "switchboard"})
    assert parsed_database() == "owner"
    assert parsed_database("--database", "default") == "default"  # still chosen explicitly


def test_the_application_role_is_granted_only_when_migrating_as_another(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, "default", {"USER": "switchboard_app"})
    monkeypatch.setitem(settings.DATABASES, "owner", {"USER": "switchboard"})
    assert rls.application_role("owner") == "switchboard_app"
    assert rls.application_role("default") is None
    monkeypatch.setitem(settings.DATABASES, "owner", {"USER": "switchboard_app"})
    assert rls.application_role("owner") is None  # one role for both: nothing to grant
