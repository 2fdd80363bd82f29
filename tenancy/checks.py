"""`manage.py check --deploy --database default`: is row-level security holding the role the
application connects as? (tenancy/rls.py) A superuser, a role with BYPASSRLS or the tables'
owner (who may switch it off) is warned about: the access policy still filters every query,
but the database's backstop would not hold."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, connections


@register(Tags.database, deploy=True)
def application_role_check(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    from tenancy import rls

    if not databases or DEFAULT_DB_ALIAS not in databases:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        role, superuser, bypass = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            " AND tableowner = current_user AND tablename = ANY(%s)",
            [rls.tenant_tables()],
        )
        owned = cursor.fetchone()[0]
    hint = (
        "Connect DATABASE_URL as a role that is neither (config/postgres/roles.sql) and run"
        " migrations as the owner with MIGRATION_DATABASE_URL."
    )
    warnings = []
    if superuser or bypass:
        warnings.append(
            Warning(
                f"The application connects to PostgreSQL as “{role}”, which bypasses row-level"
                " security (a superuser or BYPASSRLS): the tenancy backstop does not hold.",
                hint=hint,
                id="tenancy.W001",
            )
        )
    if owned:
        warnings.append(
            Warning(
                f"The application connects as “{role}”, the owner of {owned} tenant tables: it"
                " could switch their row-level security off.",
                hint=hint,
                id="tenancy.W002",
            )
        )
    return warnings
