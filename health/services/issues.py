"""Writes for the issue log: raise, update, move through the statuses (the SLA clock pauses
while an issue waits on the client), and the organization's SLA targets. Keyword-only,
atomic, validated, audited.

Who: anyone who may comment on the partnership raises an issue (the provider's staff on it
and the client's executives); those who change the partnership's work manage it; admins set
the SLA targets.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from health import issue_selectors
from health.models import Issue, IssueStatus, IssueStatusChange, Severity, SlaTarget
from tenancy import access
from tenancy.access import Action
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError
from tenancy.services import check_fields, model_update
from tenancy.validators import check_text

# Where an issue may go from each status. Resolved → in progress reopens it.
MOVES: dict[str, tuple[str, ...]] = {
    IssueStatus.OPEN: (
        IssueStatus.IN_PROGRESS,
        IssueStatus.WAITING_ON_CLIENT,
        IssueStatus.RESOLVED,
    ),
    IssueStatus.IN_PROGRESS: (IssueStatus.WAITING_ON_CLIENT, IssueStatus.RESOLVED),
    IssueStatus.WAITING_ON_CLIENT: (IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED),
    IssueStatus.RESOLVED: (IssueStatus.CLOSED, IssueStatus.IN_PROGRESS),
    IssueStatus.CLOSED: (),
}
# What the person raising an issue may fill in: the client's executives leave the owner and
# the internal notes to the provider.
RAISE_FIELDS = ("title", "description", "severity", "service_line", "owner", "internal_notes")
CLIENT_RAISE_FIELDS = ("title", "description", "severity", "service_line")
# The longest target an organization may set: a year.
MAX_TARGET_MINUTES = 365 * 24 * 60


def allowed_moves(issue: Issue) -> tuple[str, ...]:
    return MOVES.get(issue.status, ())


def _require(actor: Actor, action: Action, partnership, what: str) -> None:
    if not access.can(actor.membership, action, partnership):
        raise PermissionDenied(f"Your role may not {what}.")


def _severity(value) -> str:
    if value not in Severity.values:
        raise ApplicationError(
            "Choose a severity: critical, high, medium or low.", field="severity"
        )
    return value


def _check_links(partnership, fields: dict[str, Any]) -> None:
    """The owner is a provider member of the organization; the service one of this
    partnership's."""
    from tenancy.models import PROVIDER_ROLES, Membership

    owner = fields.get("owner")
    if owner is not None:
        fits = Membership.objects.filter(
            organization_id=partnership.organization_id, user=owner, role__in=PROVIDER_ROLES
        ).exists()
        if not fits:
            raise ApplicationError(
                "The owner must be one of the provider's members in this organization.",
                field="owner",
            )
    service_line = fields.get("service_line")
    if service_line is not None and service_line.partnership_id != partnership.pk:
        raise ApplicationError("That service belongs to another partnership.", field="service_line")


def _clean(issue: Issue) -> None:
    try:
        issue.full_clean()
    except ValidationError as error:
        if hasattr(error, "error_dict") and len(error.message_dict) == 1:
            (field, messages), *_ = error.message_dict.items()
            raise ApplicationError(" ".join(messages), field=field) from error
        raise


@transaction.atomic
def issue_raise(*, actor: Actor, partnership, **fields: Any) -> Issue:
    """Log an issue; its SLA targets are the organization's for its severity."""
    _require(actor, Action.COMMENT, partnership, "raise an issue on this partnership")
    allowed = RAISE_FIELDS if actor.membership.is_provider else CLIENT_RAISE_FIELDS
    check_fields(fields, allowed)
    severity = _severity(fields.get("severity"))
    if not (fields.get("title") or "").strip():
        raise ApplicationError("Give the issue a title.", field="title")
    _check_links(partnership, fields)
    response, resolution = issue_selectors.sla_minutes(
        organization_id=partnership.organization_id, severity=severity
    )
    fields = {
        name: value.strip() if isinstance(value, str) else value for name, value in fields.items()
    }
    issue = Issue(
        organization_id=partnership.organization_id,
        partnership=partnership,
        raised_by=actor.user,
        opened_at=timezone.now(),
        response_minutes=response,
        resolution_minutes=resolution,
        **fields,
    )
    _clean(issue)
    issue.save()
    audit_record(
        actor=actor,
        verb="health_issue.raised",
        target=issue,
        partnership=partnership,
        changes={"severity": [None, severity], "status": [None, issue.status]},
    )
    return issue


@transaction.atomic
def issue_update(*, actor: Actor, issue: Issue, **fields: Any) -> Issue:
    """Change what the issue says; a new severity takes the organization's targets for it."""
    _require(actor, Action.CHANGE_WORK, issue.partnership, "manage this partnership's issues")
    check_fields(fields, Issue.EDITABLE_FIELDS)
    if "severity" in fields:
        _severity(fields["severity"])
    if "title" in fields and not (fields["title"] or "").strip():
        raise ApplicationError("Give the issue a title.", field="title")
    _check_links(issue.partnership, fields)
    changes = model_update(instance=issue, fields=fields, allowed=Issue.EDITABLE_FIELDS)
    if "severity" in changes:
        response, resolution = issue_selectors.sla_minutes(
            organization_id=issue.organization_id, severity=issue.severity
        )
        targets = {"response_minutes": response, "resolution_minutes": resolution}
        for name, value in targets.items():
            if getattr(issue, name) != value:
                changes[name] = [getattr(issue, name), value]
                setattr(issue, name, value)
        issue.save(update_fields=[*targets, "updated_at"])
    if changes:
        audit_record(
            actor=actor,
            verb="health_issue.updated",
            target=issue,
            partnership=issue.partnership,
            changes={
                name: ["(internal)", "(changed)"] if name in Issue.INTERNAL_FIELDS else change
                for name, change in changes.items()
            },
        )
    return issue


@transaction.atomic
def issue_transition(
    *,
    actor: Actor,
    issue: Issue,
    status: str,
    note: str = "",
    resolution: str | None = None,
    now: datetime.datetime | None = None,
) -> IssueStatusChange:
    """Move the issue to `status`. Waiting on the client pauses its clock; the first move
    out of "open" is its response; resolving needs a resolution (given here or already
    written); reopening clears the resolution time."""
    _require(actor, Action.CHANGE_WORK, issue.partnership, "manage this partnership's issues")
    now = now or timezone.now()
    # Two moves at once must not both read the old status.
    locked = Issue.objects.select_for_update().get(pk=issue.pk)
    for name in ("status", "paused_seconds", "paused_since", "first_response_at"):
        setattr(issue, name, getattr(locked, name))
    before = issue.status
    check_text(note or "", field="note")
    if status not in IssueStatus.values:
        raise ApplicationError("Choose one of the issue statuses.", field="status")
    if status not in allowed_moves(issue):
        allowed = ", ".join(IssueStatus(value).label.lower() for value in allowed_moves(issue))
        raise ApplicationError(
            f"An issue that is {IssueStatus(before).label.lower()} cannot move to "
            f"{IssueStatus(status).label.lower()}"
            + (f"; it can move to {allowed}." if allowed else "; it is closed for good."),
            field="status",
        )
    if resolution is not None:
        issue.resolution = resolution.strip()
    if status == IssueStatus.RESOLVED and not issue.resolution:
        raise ApplicationError("Say how the issue was resolved.", field="resolution")
    if before == IssueStatus.WAITING_ON_CLIENT and issue.paused_since is not None:
        issue.paused_seconds += int(max((now - issue.paused_since).total_seconds(), 0))
        issue.paused_since = None
    if status == IssueStatus.WAITING_ON_CLIENT:
        issue.paused_since = now
    if before == IssueStatus.OPEN and issue.first_response_at is None:
        issue.first_response_at = now
    if status == IssueStatus.RESOLVED:
        issue.resolved_at = now
    elif status == IssueStatus.CLOSED:
        issue.closed_at = now
    elif before in (IssueStatus.RESOLVED, IssueStatus.CLOSED):
        issue.resolved_at = None
        issue.closed_at = None
    issue.status = status
    issue.save()
    change = IssueStatusChange.objects.create(
        organization_id=issue.organization_id,
        partnership=issue.partnership,
        issue=issue,
        from_status=before,
        to_status=status,
        changed_by=actor.user,
        note=(note or "").strip(),
    )
    audit_record(
        actor=actor,
        verb="health_issue.moved",
        target=issue,
        partnership=issue.partnership,
        changes={"status": [before, status]},
    )
    return change


def issue_comment_posted(sender, instance, created: bool, **kwargs) -> None:
    """A provider's first comment shared with the client answers the issue (its response
    time), if nothing did before. Connected to `Comment`'s post_save in `HealthConfig`."""
    if not created or instance.target_type != Issue._meta.label_lower:
        return
    if not instance.shared_with_client:
        return  # a note among the provider's staff answers nobody
    from tenancy.models import PROVIDER_ROLES, Membership

    is_provider = Membership.objects.filter(
        organization_id=instance.organization_id,
        user_id=instance.author_id,
        role__in=PROVIDER_ROLES,
    ).exists()
    if is_provider:
        Issue.objects.filter(
            organization_id=instance.organization_id,
            pk=instance.target_id,
            first_response_at__isnull=True,
        ).update(first_response_at=instance.created_at, updated_at=timezone.now())


# --- SLA targets ---------------------------------------------------------------------


def _minutes(value, field: str) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ApplicationError("Give a whole number of minutes.", field=field) from None
    if minutes != value and not isinstance(value, str | int):
        raise ApplicationError("Give a whole number of minutes.", field=field)
    if minutes < 1:
        raise ApplicationError("A target is at least one minute.", field=field)
    if minutes > MAX_TARGET_MINUTES:
        raise ApplicationError("A target is at most 365 days.", field=field)
    return minutes


@transaction.atomic
def sla_targets_update(
    *, actor: Actor, targets: dict[str, dict[str, int]]
) -> dict[str, issue_selectors.SlaRow]:
    """Set the organization's response and resolution targets (minutes) for the severities
    named in `targets` ({severity: {"response_minutes": …, "resolution_minutes": …}}). Issues
    already raised keep theirs. Errors name `<severity>_response_minutes` or
    `<severity>_resolution_minutes`."""
    if not access.can(actor.membership, Action.MANAGE_SETTINGS):
        raise PermissionDenied("Only an admin may change the SLA targets.")
    organization_id = actor.membership.organization_id
    current = issue_selectors.sla_targets(organization_id=organization_id)
    changes: dict[str, list[Any]] = {}
    for severity, values in targets.items():
        if severity not in Severity.values:
            raise ApplicationError("There is no such severity.", field="severity")
        row = current[severity]
        response = _minutes(
            values.get("response_minutes", row.response_minutes), f"{severity}_response_minutes"
        )
        resolution = _minutes(
            values.get("resolution_minutes", row.resolution_minutes),
            f"{severity}_resolution_minutes",
        )
        if resolution < response:
            raise ApplicationError(
                "The resolution target cannot be shorter than the response target.",
                field=f"{severity}_resolution_minutes",
            )
        if (response, resolution) == (row.response_minutes, row.resolution_minutes) and (
            not row.is_default
        ):
            continue
        SlaTarget.objects.update_or_create(
            organization_id=organization_id,
            severity=severity,
            defaults={"response_minutes": response, "resolution_minutes": resolution},
        )
        changes[severity] = [
            f"{row.response_minutes}/{row.resolution_minutes}",
            f"{response}/{resolution}",
        ]
    if changes:
        audit_record(
            actor=actor,
            verb="health_sla_targets.updated",
            target=actor.membership.organization,
            changes=changes,
        )
    return issue_selectors.sla_targets(organization_id=organization_id)
