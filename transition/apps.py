from django.apps import AppConfig


class TransitionConfig(AppConfig):
    name = "transition"
    verbose_name = "Transition"

    def ready(self) -> None:
        from accounts.signals import member_joined
        from partnerships.commentable import register_commentable
        from transition import access, models

        access.register_scopes()
        register_commentable(models.PlanTask, noun="task")
        register_commentable(models.KnowledgeItem, noun="knowledge item")
        member_joined.connect(_member_joined, dispatch_uid="transition.pm_appointments_fulfil")


def _member_joined(sender, *, membership, **kwargs) -> None:
    # A client manager appointed implementation PM from the staff roster joins the
    # partnerships that appointed them as soon as they accept.
    from transition.services import pm_appointments_fulfil

    pm_appointments_fulfil(membership=membership)
