from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from tenancy import access, checks, generation, rls  # noqa: F401 (they register themselves)

        access.register_scopes()
        # After every migrate (and only once: sent with this app as sender), row security on
        # every tenant table, new ones included.
        post_migrate.connect(rls.after_migrate, sender=self, dispatch_uid="tenancy.rls")
