from django.apps import AppConfig


class CultureConfig(AppConfig):
    name = "culture"
    verbose_name = "Culture"

    def ready(self) -> None:
        from culture import access

        access.register_scopes()
