"""Transition's place in the access policy (registered from TransitionConfig.ready()).

Who sees what:
- every row that belongs to a partnership is seen by whoever sees the partnership
  (`via="partnership"`), except sentiment check-ins (below);
- plan templates belong to the organization and are seen by its provider members;
- the log of views of HR-sensitive data is seen by admins only;
- calendar feed keys are seen by their owner only.

Who may do what (decided by `tenancy.access.can`, rules in `partnerships.access`):
- plan, tasks, people, knowledge, communications: `Action.CHANGE_WORK` (admins, the
  partnership's account manager, its implementation PMs);
- comments (`partnerships.Comment` threads): `Action.COMMENT`;
- go/no-go decisions: `Action.GO_NO_GO` (those who change the work, and the client's
  executives);

Who sees the people (issue 9, "Who sees staff data"; the rules live here, where the data is):
- HR-sensitive fields (HR notes, support offered and its details, check-in notes) and a named
  person's sentiment: `Action.VIEW_HR`, the one decision every page, serializer and selector
  asks. Admins, the partnership's dedicated account manager, and the implementation PMs an
  admin or that account manager granted "people access" (`PeopleAccessGrant`, revocable; a
  PM is often the client's former call-center manager, so never by default). Never a client
  executive: no record is shared with them.
- `Action.GRANT_PEOPLE_ACCESS`: admins and the partnership's account manager.
- Sentiment check-ins: those with `VIEW_HR` on the partnership see them all; other provider
  members see the stakeholder groups' check-ins only (scores; notes hidden); client
  executives see none, only each group's average with its number of responses, where there
  are at least `MIN_GROUP_RESPONSES` (`selectors.group_sentiment`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from partnerships.access import is_account_manager, partnership_of
from partnerships.models import Partnership
from tenancy import access
from tenancy.access import Action
from tenancy.models import Role
from transition import models as m

if TYPE_CHECKING:
    from tenancy.models import Membership

# A stakeholder group's sentiment is shown to the client's executives as an average, and only
# from this many responses on (fewer could point at a person).
MIN_GROUP_RESPONSES = 5


def _pm_with_people_access(membership: Membership, partnership: Partnership) -> bool:
    """Is the member an implementation PM of the partnership holding an active people-access
    grant on it? One query, asked once per partnership object however many checks a request
    makes (it answers "is a PM" too, so it costs what the PM check alone would)."""
    cache = partnership.__dict__.setdefault("_people_access", {})
    if membership.user_id not in cache:
        cache[membership.user_id] = (
            m.PeopleAccessGrant.objects.active()
            .filter(
                organization_id=membership.organization_id,
                partnership_id=partnership.pk,
                grantee_id=membership.user_id,
                partnership__implementation_pms=membership.user_id,
            )
            .exists()
        )
    return cache[membership.user_id]


def _view_hr(membership: Membership, obj) -> bool:
    partnership = partnership_of(obj)
    if partnership is None:
        return False
    if membership.role == Role.IMPLEMENTATION_PM:
        return _pm_with_people_access(membership, partnership)
    return is_account_manager(membership, partnership)


def _grant_people_access(membership: Membership, obj) -> bool:
    partnership = partnership_of(obj)
    return partnership is not None and is_account_manager(membership, partnership)


def hr_partnerships(membership: Membership):
    """The partnerships (ids, as a subquery) on which `membership` has `Action.VIEW_HR`: the
    queryset form of `_view_hr`, for scopes and selectors. None: every partnership it sees."""
    match membership.role:
        case Role.ADMIN:
            return None
        case Role.ACCOUNT_MANAGER:
            return Partnership.objects.filter(
                organization_id=membership.organization_id, account_manager_id=membership.user_id
            ).values("pk")
        case Role.IMPLEMENTATION_PM:
            return (
                m.PeopleAccessGrant.objects.active()
                .filter(
                    organization_id=membership.organization_id,
                    grantee_id=membership.user_id,
                    partnership__implementation_pms=membership.user_id,
                )
                .values("partnership_id")
            )
    return Partnership.objects.none().values("pk")


def _check_ins(membership: Membership, queryset):
    queryset = queryset.filter(partnership__in=access.visible(membership, Partnership).values("pk"))
    if not membership.is_provider:
        return queryset.none()  # the client's executives: group averages only
    allowed = hr_partnerships(membership)
    if allowed is None:
        return queryset
    return queryset.filter(Q(staff_member__isnull=True) | Q(partnership__in=allowed))


def _people_access(membership: Membership, queryset):
    # Who may read a person's HR data on a partnership: for those who decide it, and for the
    # grantee (their own grants); never for the client.
    queryset = queryset.filter(partnership__in=access.visible(membership, Partnership).values("pk"))
    if membership.role in (Role.ADMIN, Role.ACCOUNT_MANAGER):
        return queryset
    if membership.role == Role.IMPLEMENTATION_PM:
        return queryset.filter(grantee_id=membership.user_id)
    return queryset.none()


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
        m.KnowledgeItem,
        m.CommunicationItem,
    ):
        access.register(model, via="partnership")
    access.register(m.PlanTemplate, _templates)
    access.register(m.SensitiveAccessLog, _access_log)
    access.register(m.CalendarFeedKey, _feed_keys)
    access.register(m.SentimentCheckIn, _check_ins)
    access.register(m.PeopleAccessGrant, _people_access)
    access.register_rule(Action.VIEW_HR, _view_hr)
    access.register_rule(Action.GRANT_PEOPLE_ACCESS, _grant_people_access)
