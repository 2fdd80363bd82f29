from django.apps import AppConfig


class HealthConfig(AppConfig):
    """The live phase (issue 10): KPI measurements, the issue log, call-quality audits,
    touchpoints, and the scheduled, explainable health checks with their alerts. Above
    culture, discovery and transition in the layers: it reads them, they never read it."""

    name = "health"
    verbose_name = "Account management and health"

    def ready(self) -> None:
        from health import access

        access.register_scopes()
