from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """Home pages per role, notifications and digests (issue 12): the top layer. It reads the
    other apps through their selectors, hears their saves and signals to notify people, and
    owns no business rule."""

    name = "dashboards"
    verbose_name = "Dashboards and notifications"

    def ready(self) -> None:
        from dashboards import access, signals
        from dashboards.services import HEALTH_CHECKS_JOB
        from tenancy.jobs import register_kind

        access.register_scopes()
        signals.connect()
        register_kind(HEALTH_CHECKS_JOB, "Every health check, now")
