"""`manage.py migrate` runs as the tables' owner when `MIGRATION_DATABASE_URL` names one (the
`owner` database alias); the application's own role may not change the schema
(tenancy/rls.py). `--database` still chooses explicitly."""

from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand


class Command(MigrateCommand):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        if "owner" in settings.DATABASES:
            parser.set_defaults(database="owner")
