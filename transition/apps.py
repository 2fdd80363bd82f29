from django.apps import AppConfig


class TransitionConfig(AppConfig):
    name = "transition"
    verbose_name = "Transition"
