from django.apps import AppConfig


class TransitionConfig(AppConfig):
    name = "transition"
    verbose_name = "Transition"

    def ready(self) -> None:
        from accounts.signals import member_joined, member_leaving, user_deactivated
        from culture.signals import adaptation_deleted, adaptation_saved
        from partnerships.briefing import register_briefing_section
        from partnerships.commentable import register_commentable
        from transition import access, gates, models

        access.register_scopes()
        gates.register_gates()
        register_commentable(models.PlanTask, noun="task")
        register_commentable(models.KnowledgeItem, noun="knowledge item")
        member_joined.connect(_member_joined, dispatch_uid="transition.pm_appointments_fulfil")
        # A calendar feed key dies with the membership or the account, like an API token: it
        # must not work again when the person is invited back or switched on again.
        member_leaving.connect(_member_leaving, dispatch_uid="transition.calendar_keys.member")
        user_deactivated.connect(_user_deactivated, dispatch_uid="transition.calendar_keys.user")
        # The plan keeps a task per culture adaptation (services.plan_sync_culture).
        adaptation_saved.connect(_adaptation_saved, dispatch_uid="transition.culture_tasks.saved")
        adaptation_deleted.connect(
            _adaptation_deleted, dispatch_uid="transition.culture_tasks.deleted"
        )
        register_briefing_section(_transferred_knowledge, key="transition.knowledge")


def _member_joined(sender, *, membership, **kwargs) -> None:
    # A client manager appointed implementation PM from the staff roster joins the
    # partnerships that appointed them as soon as they accept.
    from transition.services import pm_appointments_fulfil

    pm_appointments_fulfil(membership=membership)


def _member_leaving(sender, *, membership, **kwargs) -> dict[str, int]:
    from transition.services import calendar_feed_keys_revoke_for

    revoked = calendar_feed_keys_revoke_for(
        user_id=membership.user_id, organization=membership.organization
    )
    return {"calendar_feed_keys_revoked": revoked}


def _user_deactivated(sender, *, user, **kwargs) -> dict[str, int]:
    from transition.services import calendar_feed_keys_revoke_for

    return {"calendar_feed_keys_revoked": calendar_feed_keys_revoke_for(user_id=user.pk)}


def _sync_culture_tasks(actor, partnership) -> None:
    from transition.models import TransitionPlan
    from transition.services import plan_sync_culture

    plan = TransitionPlan.objects.filter(
        organization_id=partnership.organization_id, partnership_id=partnership.pk
    ).first()
    if plan is not None:
        plan.partnership = partnership
        plan_sync_culture(actor=actor, plan=plan)


def _adaptation_saved(sender, *, actor, adaptation, **kwargs) -> None:
    _sync_culture_tasks(actor, adaptation.partnership)


def _adaptation_deleted(sender, *, actor, partnership, **kwargs) -> None:
    _sync_culture_tasks(actor, partnership)


def _transferred_knowledge(*, membership, partnership):
    """The nurse briefing's section of what experienced client staff taught the provider:
    the knowledge items transferred to the provider's knowledge base."""
    from partnerships.briefing import BriefingItem, BriefingSection
    from transition.selectors import transferred_knowledge

    return BriefingSection(
        key="knowledge",
        title="What the client's staff know",
        note="Captured from the client's experienced staff, reviewed, and transferred to the "
        "provider's knowledge base.",
        items=[
            BriefingItem(
                title=item.title,
                detail=" · ".join(
                    part for part in (item.get_category_display(), item.subject) if part
                ),
                text=item.content,
            )
            for item in transferred_knowledge(membership=membership, partnership=partnership)
        ],
    )
