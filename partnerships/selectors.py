"""Reads for partnerships: scoped by the access policy, with their joins done up front."""

from __future__ import annotations

from django.db.models import BigIntegerField, Count, Q, QuerySet
from django.utils import timezone

from partnerships.models import (
    STATUS_TRANSITIONS,
    STATUSES_NEEDING_MANAGER,
    ClientOrganization,
    Comment,
    Partnership,
    PartnershipStatus,
    PartnershipStatusChange,
)
from tenancy import access
from tenancy.errors import ApplicationError
from tenancy.queries import Bind, PreparedRead, id_in


def partnership_list(*, membership, filters: dict | None = None) -> QuerySet[Partnership]:
    filters = filters or {}
    queryset = access.visible(membership, Partnership.objects.with_people())
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if manager := filters.get("account_manager"):
        queryset = queryset.filter(account_manager_id=manager)
    if client := filters.get("client"):
        queryset = queryset.filter(client_id=client)
    if search := (filters.get("q") or "").strip():
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(client__name__icontains=search)
            | Q(client__city__icontains=search)
        )
    return queryset.order_by("name")


def partnership_list_count(*, filters: dict, status_counts: dict[str, int]) -> int | None:
    """How many rows `partnership_list(filters=filters)` holds, read from the status counts
    (`partnership_status_counts`, the same scope) when no filter but the status is set, as on
    the status tabs; None when it must be counted."""
    if filters.get("account_manager") or filters.get("client"):
        return None
    if (filters.get("q") or "").strip():
        return None
    if status := filters.get("status"):
        return status_counts.get(status, 0)
    return sum(status_counts.values())


def partnership_status_counts(*, membership) -> dict[str, int]:
    rows = (
        access.visible(membership, Partnership).order_by().values("status").annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}


def partnership_history(*, membership, partnership: Partnership):
    return (
        access.visible(membership, PartnershipStatusChange)
        .filter(partnership=partnership)
        .select_related("changed_by")
    )


def partnership_audit(*, membership, partnership: Partnership):
    from tenancy.models import AuditEvent

    return (
        access.visible(membership, AuditEvent)
        .filter(partnership=partnership)
        .select_related("actor")[:100]
    )


def client_list(*, membership) -> QuerySet[ClientOrganization]:
    return (
        access.visible(membership, ClientOrganization)
        # Count only the partnerships the member may see: a PM must not learn of the others.
        .annotate(
            partnership_count=Count(
                "partnerships",
                filter=Q(partnerships__in=access.visible(membership, Partnership).values("pk")),
            )
        )
        .order_by("name")
    )


def account_manager_choices(*, organization):
    """Members who may be a dedicated account manager (for form choice lists)."""
    from accounts.models import User
    from tenancy.models import Role

    return User.objects.filter(
        memberships__organization=organization,
        memberships__role__in=[Role.ACCOUNT_MANAGER, Role.ADMIN],
        is_active=True,
    ).order_by("full_name", "email")


def next_step_hint(*, partnership: Partnership) -> str:
    """One sentence that tells the people who can act what the partnership needs next."""
    status = partnership.status
    has_pms = bool(partnership.implementation_pms.all())  # prefetched by the caller
    if status == PartnershipStatus.ENDED:
        return "This partnership has ended; its history stays here for reference."
    if not partnership.account_manager_id:
        if status in STATUSES_NEEDING_MANAGER:
            return "Assign a dedicated account manager: every open partnership needs one."
        return "Assign a dedicated account manager before moving to discovery."
    if status == PartnershipStatus.PROSPECT:
        if not partnership.contract_start:
            return "Record the contract start, then start discovery with the client."
        return "Start discovery: learn every service the client's center delivers first."
    if status == PartnershipStatus.DISCOVERY:
        if not has_pms:
            return "Appoint implementation PMs to run discovery and the transition."
        return (
            "Finish the discovery checklist (services and baselines, call flows, reports, a "
            "session with the client, signed-off experience goals), sign it off and have the "
            "client co-sign it: the transition can start only then."
        )
    if status == PartnershipStatus.TRANSITION:
        if not partnership.planned_go_live:
            return "Set the planned go-live date so the transition plan can be scheduled."
        return (
            "Work the plan to the go/no-go readiness checklist, record a go decision there, "
            "then go live with the actual go-live date."
        )
    return (
        "Live: keep touchpoints with the client regular, answer the issue log within its SLA, "
        "and read the health check's reasons when its band changes."
    )


def pm_choices(*, organization):
    from accounts.models import User
    from tenancy.models import PROVIDER_ROLES

    return User.objects.filter(
        memberships__organization=organization,
        memberships__role__in=PROVIDER_ROLES,
        is_active=True,
    ).order_by("full_name", "email")


def comment_thread(*, membership, partnership: Partnership, target) -> QuerySet[Comment]:
    """The comments on `target` that the member sees, oldest first, with their authors."""
    from partnerships.commentable import target_type_of

    return (
        access.visible(membership, Comment)
        .filter(partnership=partnership, target_type=target_type_of(target), target_id=target.pk)
        .select_related("author")
        .order_by("created_at", "id")
    )


def partnership_comments(*, membership, partnership: Partnership, limit: int = 200):
    """The partnership's comments the member sees, newest first (at most `limit`)."""
    return (
        access.visible(membership, Comment)
        .filter(partnership=partnership)
        .select_related("author")
        .order_by("-created_at", "-id")[:limit]
    )


def comment_target_names(*, membership, comments) -> dict[tuple[str, int], str]:
    """How each comment's object is called, `{(target_type, target_id): name}`: one query per
    kind of object, whatever the number of comments. Objects the member does not see are
    left out."""
    from partnerships.commentable import commentable

    ids: dict[str, set[int]] = {}
    for comment in comments:
        ids.setdefault(comment.target_type, set()).add(comment.target_id)
    names: dict[tuple[str, int], str] = {}
    for target_type, pks in ids.items():
        try:
            model = commentable(target_type).model
        except ApplicationError:
            continue  # a kind of object no longer registered: nameless, still listed
        for obj in access.visible(membership, model).filter(pk__in=pks):
            names[(target_type, obj.pk)] = str(obj)
    return names


def status_change_audience(*, partnership: Partnership, exclude_user_id=None) -> list:
    """Who is told when the partnership moves: its account manager, its implementation PMs
    and its client's executives (active members only), the person moving it excepted."""
    from accounts.models import User
    from tenancy.models import Role

    people = User.objects.filter(is_active=True).filter(
        Q(pk=partnership.account_manager_id)
        | Q(pm_partnerships=partnership)
        | Q(
            memberships__organization_id=partnership.organization_id,
            memberships__role=Role.CLIENT_EXECUTIVE,
            memberships__client_id=partnership.client_id,
        )
    )
    if exclude_user_id is not None:
        people = people.exclude(pk=exclude_user_id)
    return list(people.distinct().order_by("full_name", "email"))


# --- The list API's rows ---------------------------------------------------------------------

# What `PartnershipSerializer` writes, in its order, read as values: a list of 200 partnerships
# needs no model instance and no serializer field per cell (tests/api/test_partnership_rows.py
# holds the two equal).
_ROW_COLUMNS = (
    "id",
    "name",
    "client_id",
    "client__name",
    "status",
    "contract_start",
    "planned_go_live",
    "actual_go_live",
    "account_manager_id",
    "account_manager__email",
    "account_manager__full_name",
    "description",
    "internal_notes",
    "created_at",
    "updated_at",
)


def partnership_row_values(queryset: QuerySet[Partnership]) -> QuerySet:
    """`queryset` (scoped, filtered, ordered) as the tuples `partnership_rows` takes: one
    query with the client and the manager, sliced to a page by the paginator."""
    return queryset.select_related(None).prefetch_related(None).values_list(*_ROW_COLUMNS)


def partnership_rows(rows, *, membership) -> list[dict]:
    """The API rows of a page of `partnership_row_values` tuples, with the PMs of the page
    read in one more query."""
    rows = list(rows)
    pms: dict[int, list[dict]] = {row[0]: [] for row in rows}
    if pms:
        through = Partnership.implementation_pms.through
        for pid, user_id, email, full_name in (
            id_in(through.objects.all(), "partnership_id", list(pms))
            .order_by("user__full_name", "user__email", "user_id")
            .values_list("partnership_id", "user_id", "user__email", "user__full_name")
        ):
            pms[pid].append({"id": user_id, "email": email, "full_name": full_name})
    internal = access.can_see_internal(membership)
    zone = timezone.get_current_timezone()
    out = []
    for (
        pk,
        name,
        client_id,
        client_name,
        status,
        contract_start,
        planned_go_live,
        actual_go_live,
        manager_id,
        manager_email,
        manager_name,
        description,
        internal_notes,
        created_at,
        updated_at,
    ) in rows:
        row = {
            "id": pk,
            "name": name,
            "client": {"id": client_id, "name": client_name},
            "status": status,
            "allowed_transitions": list(STATUS_TRANSITIONS[status]),
            "contract_start": contract_start.isoformat() if contract_start else None,
            "planned_go_live": planned_go_live.isoformat() if planned_go_live else None,
            "actual_go_live": actual_go_live.isoformat() if actual_go_live else None,
            "account_manager": None
            if manager_id is None
            else {"id": manager_id, "email": manager_email, "full_name": manager_name},
            "implementation_pms": pms[pk],
            "description": description,
            "internal_notes": internal_notes,
            "created_at": _api_datetime(created_at, zone),
            "updated_at": _api_datetime(updated_at, zone),
        }
        if not internal:
            for field in Partnership.INTERNAL_FIELDS:
                del row[field]
        out.append(row)
    return out


def _api_datetime(value, zone) -> str | None:
    """As DRF's DateTimeField writes it: in the current time zone, ISO 8601, "Z" for UTC."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_PAGE_COLUMNS = (
    "id",
    "name",
    "client__name",
    "client__city",
    "client__state",
    "status",
    "account_manager__full_name",
    "account_manager__email",
    "planned_go_live",
)


def partnership_page_values(queryset: QuerySet[Partnership]) -> QuerySet:
    """The list page's columns of `queryset` (scoped, filtered, ordered) as tuples, sliced to
    a page by the paginator."""
    return queryset.select_related(None).prefetch_related(None).values_list(*_PAGE_COLUMNS)


_PM_IDS = Bind("ids", BigIntegerField())  # the page's partnership ids
# Built and compiled once per connection (`PreparedRead`): the list page reads its page's
# PMs on every request. The ids come from a page already read through the access
# policy; this joins them to their PMs and no further.
_PM_NAMES = PreparedRead(
    lambda: (
        id_in(Partnership.implementation_pms.through.objects.all(), "partnership_id", _PM_IDS)
        .order_by("user__full_name", "user__email", "user_id")
        .values_list("partnership_id", "user__full_name", "user__email")
    )
)


def implementation_pm_names(partnership_ids) -> dict[int, list[str]]:
    """{partnership: the names of its implementation PMs, in name order}, in one query."""
    names: dict[int, list[str]] = {pk: [] for pk in partnership_ids}
    if names:
        for pid, full_name, email in _PM_NAMES(ids=list(names)):
            names[pid].append(full_name or email)
    return names
