from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = "Discovery"

    def ready(self) -> None:
        from discovery import access, gates, models
        from partnerships.commentable import register_commentable

        access.register_scopes()
        gates.register_gates()
        register_commentable(models.CallFlowVersion, noun="call-flow version")
        register_commentable(models.ReviewedReport, noun="report")
        register_commentable(models.ExperienceGoal, noun="goal")
        register_commentable(models.Opportunity, noun="opportunity")
