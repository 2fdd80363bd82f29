from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = "Discovery"

    def ready(self) -> None:
        # Registers the discovery models' scopes in the access policy.
        from discovery import access  # noqa: F401
