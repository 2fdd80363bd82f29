from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """Home pages per role (issue 12): the top layer. It reads the other apps through their
    selectors and owns no business rule and no table."""

    name = "dashboards"
    verbose_name = "Dashboards"
