"""What makes a notification: this app hears the other apps' models being saved (it is the
top layer: they never know of it) and tells the members concerned.

- a health check raises an alert (`health.signals.alerts_raised`): its recipient (alert);
- a task gets an owner: the owner (task);
- an issue is raised: the partnership's account manager, unless they raised it (issue);
- an issue is answered (moved to waiting on the client or resolved, or a reply shared with
  the client): whoever raised it, unless they did it (issue);
- discovery is signed off by the provider: the client's executives, to co-sign (awaiting);
- an opportunity is proposed: the client's executives, to decide (awaiting);
- a physician preference gets a new version: the client's executives, to approve (awaiting);
- an experience goal is added: the client's executives, to sign the goals off, once a day
  (awaiting);
- the client asks to reopen discovery: the account manager (reopen).

Tasks due tomorrow are found by a daily task (`dashboards.tasks`).
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.urls import reverse

from dashboards.models import NotificationKind
from dashboards.services import Message, notify, notify_many
from partnerships.models import Partnership
from tenancy.models import Membership, Role

DUID = "dashboards.notify."


def _partnership(partnership_id: int) -> Partnership:
    return Partnership.objects.select_related("organization").get(pk=partnership_id)


def _client_executives(partnership: Partnership) -> list[int]:
    return list(
        Membership.objects.filter(
            organization_id=partnership.organization_id,
            role=Role.CLIENT_EXECUTIVE,
            client_id=partnership.client_id,
        ).values_list("user_id", flat=True)
    )


def _url(name: str, partnership: Partnership, **kwargs) -> str:
    return reverse(
        name,
        kwargs={"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk}
        | kwargs,
    )


def _others(user_ids, actor_id) -> list[int]:
    return [pk for pk in user_ids if pk and pk != actor_id]


def alerts_raised(sender, organization, alerts, **kwargs) -> bool:
    """The health check's new alerts (`health.signals.alerts_raised`): each to its recipient,
    delivered as they chose (by default an e-mail at once, with the alert's reasons and next
    step), all in one batch (a sweep keeps its fixed number of queries). Answers True: the
    check sends no e-mail of its own. Alerts carry no primary key on every database after a
    bulk insert: the key is the alert's partnership, kind and check."""
    from health.services.checks import alert_email

    messages = [
        Message(
            recipient_ids=(alert.recipient_id,),
            kind=NotificationKind.ALERT,
            title=alert.title,
            url=reverse(
                "health:check",
                kwargs={"org_slug": organization.slug, "partnership_pk": alert.partnership_id},
            ),
            key=f"alert:{alert.partnership_id}:{alert.kind}:{alert.health_check_id}",
            partnership_id=alert.partnership_id,
            email_body=alert_email(organization, alert)[1],
        )
        for alert in alerts
    ]
    notify_many(organization_id=organization.pk, messages=messages)
    return True


def task_owner_before(sender, instance, update_fields=None, **kwargs):
    instance._owner_before = None
    if instance.pk is None or (update_fields is not None and "owner" not in update_fields):
        instance._owner_before = instance.owner_id
        return
    instance._owner_before = (
        sender.objects.filter(pk=instance.pk).values_list("owner_id", flat=True).first()
    )


def _tell(partnership: Partnership, recipients, kind: str, title: str, key: str, route: str, **url):
    """Notify `recipients` of something on `partnership`, linking to its page `route`."""
    return notify(
        organization_id=partnership.organization_id,
        recipient_ids=recipients,
        kind=kind,
        title=title,
        url=_url(route, partnership, **url),
        key=key,
        partnership_id=partnership.pk,
    )


def task_assigned(sender, instance, created, **kwargs):
    owner = instance.owner_id
    if owner is None or (not created and getattr(instance, "_owner_before", owner) == owner):
        return
    _tell(
        _partnership(instance.partnership_id),
        [owner],
        NotificationKind.TASK,
        f"Task assigned to you: {instance.title} (due {instance.due:%b %-d})",
        f"task-assigned:{instance.pk}:{owner}",
        "transition:task",
        pk=instance.pk,
    )


def issue_raised(sender, instance, created, **kwargs):
    if not created:
        return
    partnership = _partnership(instance.partnership_id)
    _tell(
        partnership,
        _others([partnership.account_manager_id], instance.raised_by_id),
        NotificationKind.ISSUE,
        f"New {instance.severity} issue on {partnership.name}: {instance.title}",
        f"issue-raised:{instance.pk}",
        "health:issue-detail",
        pk=instance.pk,
    )


ANSWERED = {"waiting_on_client": "waits on your reply", "resolved": "was resolved"}


def issue_answered(sender, instance, created, **kwargs):
    if not created or instance.to_status not in ANSWERED:
        return
    issue = instance.issue
    _tell(
        _partnership(issue.partnership_id),
        _others([issue.raised_by_id], instance.changed_by_id),
        NotificationKind.ISSUE,
        f"Your issue “{issue.title}” {ANSWERED[instance.to_status]}",
        f"issue-status:{instance.pk}",
        "health:issue-detail",
        pk=issue.pk,
    )


def issue_reply(sender, instance, created, **kwargs):
    if not created or instance.target_type != "health.issue" or not instance.shared_with_client:
        return
    from health.models import Issue

    issue = Issue.objects.filter(pk=instance.target_id).first()
    if issue is None:
        return
    _tell(
        _partnership(issue.partnership_id),
        _others([issue.raised_by_id], instance.author_id),
        NotificationKind.ISSUE,
        f"New reply on your issue “{issue.title}”",
        f"comment:{instance.pk}",
        "health:issue-detail",
        pk=issue.pk,
    )


def discovery_signed_off(sender, instance, created, **kwargs):
    if not created:
        return
    partnership = _partnership(instance.partnership_id)
    _tell(
        partnership,
        _client_executives(partnership),
        NotificationKind.AWAITING,
        f"Co-sign the discovery sign-off of {partnership.name}",
        f"cosign:{instance.pk}",
        "discovery:cosign",
    )


def opportunity_proposed(sender, instance, created, **kwargs):
    if not created:
        return
    partnership = _partnership(instance.partnership_id)
    _tell(
        partnership,
        _client_executives(partnership),
        NotificationKind.AWAITING,
        f"Decide on the opportunity “{instance.title}” ({partnership.name})",
        f"opportunity:{instance.pk}",
        "discovery:opportunity-decide",
        pk=instance.pk,
    )


def preference_versioned(sender, instance, created, **kwargs):
    if not created or instance.signed_off_at is not None:
        return
    partnership = _partnership(instance.partnership_id)
    preference = instance.preference
    _tell(
        partnership,
        _client_executives(partnership),
        NotificationKind.AWAITING,
        f"Approve {preference.physician}: {preference.title} (version {instance.number})",
        f"preference-version:{instance.pk}",
        "culture:preference-detail",
        pk=preference.pk,
    )


def goal_added(sender, instance, created, **kwargs):
    if not created:
        return
    partnership = _partnership(instance.partnership_id)
    today = partnership.organization.local_today()
    _tell(
        partnership,
        _client_executives(partnership),
        NotificationKind.AWAITING,
        f"Sign off the desired-experience goals of {partnership.name}",
        f"goals:{partnership.pk}:{today.isoformat()}",
        "discovery:goals-sign-off",
    )


def reopen_requested(sender, instance, created, **kwargs):
    if not created:
        return
    partnership = _partnership(instance.partnership_id)
    _tell(
        partnership,
        _others([partnership.account_manager_id], instance.requested_by_id),
        NotificationKind.REOPEN,
        f"The client asks to reopen discovery of {partnership.name}",
        f"reopen:{instance.pk}",
        "discovery:overview",
    )


def tasks_due_tomorrow(*, organization) -> int:
    """Tell each owner of an open task due tomorrow (the organization's day). Once per task
    and due date."""
    import datetime

    from transition.models import OPEN_STATUSES, PlanTask

    tomorrow = organization.local_today() + datetime.timedelta(days=1)
    tasks = PlanTask.objects.filter(
        organization=organization, due=tomorrow, status__in=OPEN_STATUSES, owner__isnull=False
    ).select_related("partnership__organization")
    count = 0
    for task in tasks:
        count += len(
            _tell(
                task.partnership,
                [task.owner_id],
                NotificationKind.TASK,
                f"Due tomorrow: {task.title} ({task.partnership.name})",
                f"task-due:{task.pk}:{tomorrow.isoformat()}",
                "transition:task",
                pk=task.pk,
            )
        )
    return count


def connect() -> None:
    from culture.models import PhysicianPreferenceVersion
    from discovery.models import (
        DiscoveryReopenRequest,
        DiscoverySignOff,
        ExperienceGoal,
        Opportunity,
    )
    from health.models import Issue, IssueStatusChange
    from health.signals import alerts_raised as health_alerts_raised
    from partnerships.models import Comment
    from transition.models import PlanTask

    hooks = [
        (pre_save, PlanTask, task_owner_before),
        (post_save, PlanTask, task_assigned),
        (post_save, Issue, issue_raised),
        (post_save, IssueStatusChange, issue_answered),
        (post_save, Comment, issue_reply),
        (post_save, DiscoverySignOff, discovery_signed_off),
        (post_save, Opportunity, opportunity_proposed),
        (post_save, PhysicianPreferenceVersion, preference_versioned),
        (post_save, ExperienceGoal, goal_added),
        (post_save, DiscoveryReopenRequest, reopen_requested),
    ]
    for signal, model, handler in hooks:
        signal.connect(handler, sender=model, dispatch_uid=DUID + handler.__name__)
    health_alerts_raised.connect(alerts_raised, dispatch_uid=DUID + "alerts_raised")
