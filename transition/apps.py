from django.apps import AppConfig


class TransitionConfig(AppConfig):
    name = "transition"
    verbose_name = "Transition"

    def ready(self) -> None:
        from transition import access  # noqa: F401  (registers the scopes)
