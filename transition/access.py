"""Transition's place in the access policy (registered from TransitionConfig.ready()).

Who sees what:
- every row that belongs to a partnership is seen by whoever sees the partnership
  (`via="partnership"`);
- plan templates belong to the organization and are seen by its provider members;
- the log of views of HR-sensitive data is seen by admins only;
- calendar feed keys are seen by their owner only.

Who may do what (decided by `tenancy.access.can`, rules in `partnerships.access`):
- plan, tasks, people, knowledge, communications: `Action.CHANGE_WORK` (admins, the
  partnership's account manager, its implementation PMs);
- comments (`partnerships.Comment` threads): `Action.COMMENT`;
- go/no-go decisions: `Action.GO_NO_GO` (those who change the work, and the client's
  executives);
- HR-sensitive fields: shown to those with `Action.VIEW_HR` on the partnership, and to
  anyone who sees the partnership where the row is marked `shared_with_client`
  (`hr_shown`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenancy import access
from tenancy.access import Action
from transition import models as m

if TYPE_CHECKING:
    from tenancy.models import Membership


def hr_shown(row, *, hr_visible: bool) -> bool:
    """Are `row`'s HR-sensitive fields shown? To whoever has `Action.VIEW_HR` on its
    partnership (`hr_visible`, asked once per request), and wherever the row is shared."""
    return hr_visible or bool(getattr(row, "shared_with_client", False))


def sees_templates(membership: Membership) -> bool:
    """Plan templates (the organization's and the one shipped) are the provider's know-how:
    its members see them, the client's executives never do."""
    return membership.is_provider


def _templates(membership: Membership, queryset):
    return queryset if sees_templates(membership) else queryset.none()


def _access_log(membership: Membership, queryset):
    # A log of who saw what, like the audit log: for those who read the audit log.
    return queryset if access.can(membership, Action.VIEW_AUDIT) else queryset.none()


def _feed_keys(membership: Membership, queryset):
    return queryset.filter(user_id=membership.user_id)


def register_scopes() -> None:
    for model in (
        m.TransitionPlan,
        m.PlanTask,
        m.TaskDependency,
        m.GoNoGoDecision,
        m.StaffMember,
        m.StakeholderGroup,
        m.SentimentCheckIn,
        m.KnowledgeItem,
        m.CommunicationItem,
    ):
        access.register(model, via="partnership")
    access.register(m.PlanTemplate, _templates)
    access.register(m.SensitiveAccessLog, _access_log)
    access.register(m.CalendarFeedKey, _feed_keys)
