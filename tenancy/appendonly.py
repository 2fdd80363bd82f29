"""Append-only tables, enforced by PostgreSQL itself: the audit trail and the HR access log.

The models already refuse `save()` of a stored row, `update()` and `delete()`; this backstop
catches everything that goes around them (raw SQL, a shell, a future bug, a compromised
application). A trigger raises on any UPDATE or DELETE of a row, whichever role runs it: the
database owner too, short of dropping the trigger (a schema change, which leaves its own
trace). TRUNCATE stays possible for the owner: the test suite empties tables with it between
tests, and a production role that may run it may drop triggers anyway.

Used by migrations (`append_only("tenancy_auditevent")`); on SQLite it does nothing.
"""

from __future__ import annotations

from django.db import migrations

# The trigger's arguments name the foreign keys declared SET_NULL (the HR access log keeps
# the person's name when their record is erased): an UPDATE that only empties those passes.
FUNCTION = """
CREATE OR REPLACE FUNCTION switchboard_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    i integer;
BEGIN
    IF TG_OP = 'UPDATE' AND TG_NARGS > 0 THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        FOR i IN 0 .. TG_NARGS - 1 LOOP
            IF new_row -> TG_ARGV[i] <> 'null'::jsonb THEN
                new_row := new_row || jsonb_build_object('__kept', true);
            END IF;
            old_row := old_row - TG_ARGV[i];
            new_row := new_row - TG_ARGV[i];
        END LOOP;
        IF old_row = new_row THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'Rows of % are never changed or deleted (append-only).', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def _trigger(table: str) -> str:
    return f"{table}_append_only"


def append_only(table: str, *, may_empty: tuple[str, ...] = ()) -> migrations.RunPython:
    """`may_empty`: columns of SET_NULL foreign keys, which an UPDATE may only set to NULL."""
    arguments = ", ".join(f"'{column}'" for column in may_empty if column.isidentifier())

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        quoted = schema_editor.quote_name(table)
        schema_editor.execute(FUNCTION, params=None)  # its % are PL/pgSQL's, not placeholders
        schema_editor.execute(
            f"CREATE TRIGGER {schema_editor.quote_name(_trigger(table))}"
            f" BEFORE UPDATE OR DELETE ON {quoted}"
            f" FOR EACH ROW EXECUTE FUNCTION switchboard_append_only({arguments})"
        )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {schema_editor.quote_name(_trigger(table))}"
            f" ON {schema_editor.quote_name(table)}"
        )

    return migrations.RunPython(forward, backward, elidable=False)
