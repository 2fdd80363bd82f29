"""On PostgreSQL the audit trail and the HR access log are append-only in the database itself:
raw SQL that updates or deletes a row fails, whoever runs it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tenancy.models import AuditEvent
from tests.factories import AuditEventFactory
from tests.transition.factories import StaffMemberFactory
from transition.models import SensitiveAccessLog
from transition.services.people import sensitive_access_record

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="the append-only triggers are PostgreSQL's (SQLite has the models' refusal only)",
    ),
    pytest.mark.django_db,
    pytest.mark.usefixtures("as_owner"),  # the trigger holds for the owner too
]


def refused(sql: str, params: list) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(error.value)


def test_raw_sql_cannot_change_or_delete_an_audit_event(admin):
    event = AuditEventFactory(organization=admin.organization, actor=admin.user, verb="x.made")
    message = refused("UPDATE tenancy_auditevent SET verb = 'x.hidden' WHERE id = %s", [event.pk])
    assert "append-only" in message
    refused("DELETE FROM tenancy_auditevent WHERE id = %s", [event.pk])
    refused("UPDATE tenancy_auditevent SET changes = '{}'::jsonb", [])
    event.refresh_from_db()
    assert event.verb == "x.made"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_hr_access_log_keeps_its_rows_and_lets_an_erased_record_go(admin, partnership):
    staff = StaffMemberFactory(partnership=partnership, full_name="Nina Nurse")
    sensitive_access_record(
        membership=admin,
        partnership=partnership,
        people=[(staff.pk, staff.full_name)],
        context="test",
        fields=["hr_notes"],
    )
    row = SensitiveAccessLog.objects.get()
    refused("UPDATE transition_sensitiveaccesslog SET staff_name = 'x' WHERE id = %s", [row.pk])
    refused("DELETE FROM transition_sensitiveaccesslog WHERE id = %s", [row.pk])
    refused(
        "UPDATE transition_sensitiveaccesslog SET staff_member_id = NULL, viewer_role = 'x'"
        " WHERE id = %s",
        [row.pk],
    )
    # Erasing the person's record empties the link (SET_NULL) and nothing else: allowed.
    staff.delete()
    row.refresh_from_db()
    assert row.staff_member_id is None and row.staff_name == "Nina Nurse"
