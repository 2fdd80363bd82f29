"""Transition's place in the access policy (registered from TransitionConfig.ready()).

Who sees what:
- every row that belongs to a partnership is seen by whoever sees the partnership
  (`via="partnership"`), except internal task comments, which client executives never see;
- plan templates belong to the organization and are seen by its provider members;
- the log of views of HR-sensitive data is seen by admins only;
- calendar feed keys are seen by their owner only.

Who may do what (decided by `tenancy.access.can`, rules in `partnerships.access`):
- plan, tasks, people, knowledge, communications: `Action.CHANGE_WORK` (admins, the
  partnership's account manager, its implementation PMs);
- comments: `Action.COMMENT`; go/no-go decisions: `CHANGE_WORK` or `Action.SIGN_OFF`
  (which lets the client's executives decide);
- HR-sensitive fields: shown to those with `VIEW_HR` on the partnership, and to anyone
  who sees the partnership where the row is marked `shared_with_client`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from partnerships.models import Partnership
from tenancy import access
from tenancy.access import Action
from tenancy.models import Role
from transition import models as m

if TYPE_CHECKING:
    from tenancy.models import Membership


def can_change_work(membership: Membership, partnership: Partnership) -> bool:
    return access.can(membership, Action.CHANGE_WORK, partnership)


def can_comment(membership: Membership, partnership: Partnership) -> bool:
    return access.can(membership, Action.COMMENT, partnership)


def can_see_hr(membership: Membership, partnership: Partnership) -> bool:
    """Admins and the partnership's account manager and PMs see HR-sensitive fields."""
    return access.can(membership, Action.VIEW_HR, partnership)


def hr_visible_for_row(membership: Membership, partnership: Partnership, row) -> bool:
    return can_see_hr(membership, partnership) or bool(getattr(row, "shared_with_client", False))


def _comments(membership: Membership, queryset):
    queryset = queryset.filter(partnership__in=access.visible(membership, Partnership).values("pk"))
    if not access.can_see_internal(membership):
        queryset = queryset.filter(internal=False)
    return queryset


def _templates(membership: Membership, queryset):
    return queryset if membership.is_provider else queryset.none()


def _access_log(membership: Membership, queryset):
    return queryset if membership.role == Role.ADMIN else queryset.none()


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
    access.register(m.TaskComment, _comments)
    access.register(m.PlanTemplate, _templates)
    access.register(m.SensitiveAccessLog, _access_log)
    access.register(m.CalendarFeedKey, _feed_keys)
