from django.apps import AppConfig


class HealthConfig(AppConfig):
    """The live phase (issue 10): KPI measurements, the issue log, call-quality audits,
    touchpoints, and the scheduled, explainable health checks with their alerts. Above
    culture, discovery and transition in the layers: it reads them, they never read it."""

    name = "health"
    verbose_name = "Account management and health"

    def ready(self) -> None:
        from health import access, import_tasks  # import_tasks: registers its Celery task
        from tenancy.jobs import register_kind

        access.register_scopes()
        _register_issue_comments()
        register_kind(import_tasks.KPI_IMPORT_JOB, "KPI import")


def _register_issue_comments() -> None:
    """Issues carry a comment thread; a provider's first shared comment answers one."""
    from django.db.models.signals import post_save

    from health.models import Issue
    from health.services.issues import issue_comment_posted
    from partnerships.commentable import register_commentable
    from partnerships.models import Comment

    register_commentable(Issue, noun="issue")
    post_save.connect(
        issue_comment_posted, sender=Comment, dispatch_uid="health.issue_comment_posted"
    )
