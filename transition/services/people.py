"""Writes for the people side of a transition: the staff roster (by hand or from CSV, validated
whole before anything is saved), sentiment check-ins, stakeholder groups and their ADKAR stage,
appointing a manager as implementation PM, knowledge capture, the communications plan, and
the log of views of HR-sensitive data. Keyword-only, atomic, audited; audit events say that
an HR-sensitive field changed, never what it says."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tenancy import access
from tenancy.access import Action
from tenancy.audit import Actor, audit_record, diff, redact
from tenancy.errors import ApplicationError
from tenancy.services import check_fields
from transition import imports
from transition.models import (
    CommunicationItem,
    KnowledgeItem,
    KnowledgeStatus,
    PeopleAccessGrant,
    SensitiveAccessLog,
    SentimentCheckIn,
    StaffMember,
    StakeholderGroup,
)
from transition.services._common import (
    clean,
    provider_member,
    require_work,
    same_partnership,
    snapshot,
    update,
)

# --- Staff roster ----------------------------------------------------------------------


def _email_taken(partnership, email: str, exclude: int | None = None) -> bool:
    if not email:
        return False
    rows = StaffMember.objects.filter(partnership=partnership, work_email__iexact=email)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.exists()


def _staff_audit(actor: Actor, verb: str, staff: StaffMember, changes) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        target=staff,
        partnership=staff.partnership,
        changes=redact(changes, StaffMember.HR_SENSITIVE_FIELDS),
    )


def _require_hr(actor: Actor, partnership, fields) -> None:
    """Writing HR-sensitive fields takes what reading them takes (`Action.VIEW_HR`): a PM
    without people access edits the rest of a record, never these."""
    touched = sorted(name for name in StaffMember.HR_SENSITIVE_FIELDS if name in fields)
    if touched and not access.can(actor.membership, Action.VIEW_HR, partnership):
        raise PermissionDenied(
            f"{', '.join(touched)}: HR-sensitive; you need people access on this partnership "
            "(ask the account manager)."
        )


@transaction.atomic
def staff_create(*, actor: Actor, partnership, **fields: Any) -> StaffMember:
    require_work(actor, partnership)
    check_fields(fields, StaffMember.EDITABLE_FIELDS)
    _require_hr(actor, partnership, {name for name, value in fields.items() if value})
    fields["work_email"] = (fields.get("work_email") or "").strip().lower()
    if _email_taken(partnership, fields["work_email"]):
        raise ApplicationError(
            "Someone on this roster already has this work e-mail.", field="work_email"
        )
    staff = StaffMember(
        organization_id=partnership.organization_id, partnership=partnership, **fields
    )
    clean(staff)
    staff.save()
    _staff_audit(actor, "transition_staff.created", staff, diff({}, snapshot(staff, fields)))
    return staff


@transaction.atomic
def staff_update(*, actor: Actor, staff_member: StaffMember, **fields: Any) -> StaffMember:
    require_work(actor, staff_member.partnership)
    check_fields(fields, StaffMember.EDITABLE_FIELDS)
    _require_hr(actor, staff_member.partnership, fields)
    if "work_email" in fields:
        fields["work_email"] = (fields["work_email"] or "").strip().lower()
        if _email_taken(staff_member.partnership, fields["work_email"], exclude=staff_member.pk):
            raise ApplicationError(
                "Someone on this roster already has this work e-mail.", field="work_email"
            )
    changes = update(staff_member, fields)
    if changes:
        _staff_audit(actor, "transition_staff.updated", staff_member, changes)
    return staff_member


@transaction.atomic
def staff_delete(*, actor: Actor, staff_member: StaffMember) -> None:
    require_work(actor, staff_member.partnership)
    _staff_audit(actor, "transition_staff.deleted", staff_member, {})
    staff_member.delete()


@dataclass(frozen=True)
class ImportResult:
    created: list[StaffMember]
    updated: list[StaffMember]


@transaction.atomic
def staff_import_csv(*, actor: Actor, partnership, content: str | bytes) -> ImportResult:
    """Import a roster from CSV (format in transition/imports.py): every row is validated
    first, and any error anywhere means nothing is saved; the errors name the line and the
    column. A row whose work e-mail matches someone on the roster updates that person."""
    require_work(actor, partnership)
    existing = {
        staff.work_email.lower(): staff
        for staff in StaffMember.objects.filter(partnership=partnership).exclude(work_email="")
    }
    try:
        parsed = imports.staff_rows_parse(content, existing=existing)
    except imports.ImportFailed as failure:
        raise ApplicationError(
            failure.summary, field="file", extra={"errors": failure.as_list()}
        ) from failure
    hr_columns = sorted(set(parsed.fields) & set(StaffMember.HR_SENSITIVE_FIELDS))
    if hr_columns and not access.can(actor.membership, Action.VIEW_HR, partnership):
        raise ApplicationError(
            f"The {', '.join(hr_columns)} column is HR-sensitive: leave it out, or ask the "
            "account manager for people access.",
            field="file",
        )
    created: list[StaffMember] = []
    updated: list[StaffMember] = []
    now = timezone.now()
    for row in parsed.rows:
        staff = existing.get(row.values.get("work_email") or "")
        if staff is None:
            staff = StaffMember(
                organization_id=partnership.organization_id, partnership=partnership
            )
            created.append(staff)
        else:
            staff.updated_at = now  # bulk_update does not apply auto_now
            updated.append(staff)
        # Rows are written in bulk (two queries for the file), not one update per person.
        for name, value in row.values.items():
            setattr(staff, name, value)
    StaffMember.objects.bulk_create(created, batch_size=500)
    if updated:
        StaffMember.objects.bulk_update(
            updated, [*sorted(parsed.fields), "updated_at"], batch_size=1000
        )
    audit_record(
        actor=actor,
        verb="transition_staff.imported",
        target=partnership,
        changes={"created": [None, len(created)], "updated": [None, len(updated)]},
    )
    return ImportResult(created=created, updated=updated)


# --- Appointing a manager as implementation PM -----------------------------------------


@dataclass(frozen=True)
class PmAppointment:
    staff_member: StaffMember
    state: str  # "assigned" (now a PM of the partnership) or "invited" (on acceptance)
    invitation_token: str | None = None  # the raw token of a new invitation, shown once


def _assign_pm(*, actor: Actor, staff_member: StaffMember, user) -> None:
    partnership = staff_member.partnership
    try:
        partnership.validate_implementation_pms([user])
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="work_email") from error
    partnership.implementation_pms.add(user)
    staff_member.pm_user = user
    staff_member.save(update_fields=["pm_user", "updated_at"])
    audit_record(
        actor=actor,
        verb="partnership.implementation_pm_added",
        target=partnership,
        changes={"implementation_pms": [None, user.email]},
    )


@transaction.atomic
def staff_appoint_pm(*, actor: Actor, staff_member: StaffMember) -> PmAppointment:
    """Appoint a person (often the client's call-center manager) implementation PM of this
    partnership. Someone already a provider member is assigned at once; anyone else gets an
    invitation with the implementation_pm role, and is assigned to the partnership when they
    accept (`pm_appointments_fulfil`). Inviting needs the invite right (admins)."""
    from accounts.models import Invitation
    from accounts.services import invitation_create
    from tenancy.models import PROVIDER_ROLES, Membership, Role

    partnership = staff_member.partnership
    if not access.can(actor.membership, Action.APPOINT_PM, partnership):
        raise PermissionDenied(
            "Appointing an implementation PM is the account manager's (or an admin's) decision."
        )
    email = staff_member.work_email
    if not email:
        raise ApplicationError(
            "Add this person's work e-mail first: the invitation goes there.", field="work_email"
        )
    if staff_member.pm_user_id:
        raise ApplicationError(
            f"{staff_member} is already an implementation PM of this partnership.",
            field="work_email",
        )
    membership = (
        Membership.objects.select_related("user")
        .filter(organization_id=partnership.organization_id, user__email__iexact=email)
        .first()
    )
    staff_member.pm_appointed_at = timezone.now()
    if membership is not None:
        if membership.role not in PROVIDER_ROLES:
            raise ApplicationError(
                f"{email} is a client-executive member of this organization and cannot be an "
                "implementation PM.",
                field="work_email",
            )
        staff_member.save(update_fields=["pm_appointed_at", "updated_at"])
        _assign_pm(actor=actor, staff_member=staff_member, user=membership.user)
        return PmAppointment(staff_member=staff_member, state="assigned")
    token = None
    pending = (
        Invitation.objects.pending()
        .filter(organization_id=partnership.organization_id, email__iexact=email)
        .first()
    )
    if pending is not None:
        if pending.role != Role.IMPLEMENTATION_PM:
            raise ApplicationError(
                f"{email} has a pending invitation with another role; revoke it first.",
                field="work_email",
            )
        invitation = pending
    else:
        issued = invitation_create(actor=actor, email=email, role=Role.IMPLEMENTATION_PM)
        invitation, token = issued.invitation, issued.token
    staff_member.pm_invitation = invitation
    staff_member.save(update_fields=["pm_invitation", "pm_appointed_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="transition_staff.appointed_pm",
        target=staff_member,
        partnership=partnership,
        changes={"pm_invitation": [None, email]},
    )
    return PmAppointment(staff_member=staff_member, state="invited", invitation_token=token)


@transaction.atomic
def pm_appointments_fulfil(*, membership) -> list[StaffMember]:
    """Assign a newly joined member to the partnerships whose staff record appointed them PM.

    Meant to run right after `accounts.services.invitation_accept` creates the membership;
    idempotent (records already assigned are skipped)."""
    from tenancy.models import PROVIDER_ROLES

    if membership.role not in PROVIDER_ROLES:
        return []
    appointed = list(
        StaffMember.objects.select_related("partnership", "pm_invitation")
        .filter(
            organization_id=membership.organization_id,
            pm_user__isnull=True,
            pm_invitation__isnull=False,
            pm_invitation__email__iexact=membership.user.email,
        )
        .select_for_update(of=("self",))
    )
    actor = Actor(membership=membership)
    for staff_member in appointed:
        _assign_pm(actor=actor, staff_member=staff_member, user=membership.user)
    return appointed


# --- Stakeholder groups and sentiment --------------------------------------------------


@transaction.atomic
def group_create(*, actor: Actor, partnership, **fields: Any) -> StakeholderGroup:
    require_work(actor, partnership)
    check_fields(fields, StakeholderGroup.EDITABLE_FIELDS)
    _group_name_free(partnership, fields.get("name", ""))
    group = StakeholderGroup(
        organization_id=partnership.organization_id, partnership=partnership, **fields
    )
    clean(group)
    group.save()
    audit_record(
        actor=actor,
        verb="transition_group.created",
        target=group,
        partnership=partnership,
        changes=diff({}, snapshot(group, ("name", "adkar_stage"))),
    )
    return group


def _group_name_free(partnership, name: str, exclude: int | None = None) -> None:
    rows = StakeholderGroup.objects.filter(partnership=partnership, name__iexact=name.strip())
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        raise ApplicationError(f"A group named “{name}” already exists.", field="name")


@transaction.atomic
def group_update(*, actor: Actor, group: StakeholderGroup, **fields: Any) -> StakeholderGroup:
    """Change a group; a move of its ADKAR stage is audited as such."""
    require_work(actor, group.partnership)
    check_fields(fields, StakeholderGroup.EDITABLE_FIELDS)
    if "name" in fields:
        _group_name_free(group.partnership, fields["name"], exclude=group.pk)
    changes = update(group, fields)
    if "adkar_stage" in changes:
        audit_record(
            actor=actor,
            verb="transition_group.adkar_stage_changed",
            target=group,
            partnership=group.partnership,
            changes={"adkar_stage": changes["adkar_stage"]},
        )
    elif changes:
        audit_record(
            actor=actor,
            verb="transition_group.updated",
            target=group,
            partnership=group.partnership,
            changes=changes,
        )
    return group


@transaction.atomic
def group_delete(*, actor: Actor, group: StakeholderGroup) -> None:
    require_work(actor, group.partnership)
    audit_record(
        actor=actor, verb="transition_group.deleted", target=group, partnership=group.partnership
    )
    group.delete()


@transaction.atomic
def check_in_create(
    *,
    actor: Actor,
    partnership,
    score: int,
    staff_member: StaffMember | None = None,
    group: StakeholderGroup | None = None,
    note: str = "",
    checked_on: datetime.date | None = None,
) -> SentimentCheckIn:
    """Record how a person or a group feels (1 to 5 and a note). The note is HR-sensitive."""
    require_work(actor, partnership)
    if (staff_member is None) == (group is None):
        raise ApplicationError("A check-in is about one person or one group.", field="group")
    same_partnership(staff_member, partnership, "staff_member", "person")
    same_partnership(group, partnership, "group", "group")
    today = partnership.organization.local_today()
    checked_on = checked_on or today
    if checked_on > today:
        raise ApplicationError("A check-in cannot be in the future.", field="checked_on")
    check_in = SentimentCheckIn(
        organization_id=partnership.organization_id,
        partnership=partnership,
        staff_member=staff_member,
        group=group,
        score=score,
        note=note,
        checked_on=checked_on,
        recorded_by_id=actor.membership.user_id,
    )
    clean(check_in)
    check_in.save()
    audit_record(
        actor=actor,
        verb="transition_check_in.recorded",
        target=check_in,
        partnership=partnership,
        changes={"score": [None, score], "about": [None, str(staff_member or group)]},
    )
    return check_in


# --- Knowledge capture -----------------------------------------------------------------


@transaction.atomic
def knowledge_create(*, actor: Actor, partnership, **fields: Any) -> KnowledgeItem:
    require_work(actor, partnership)
    check_fields(fields, KnowledgeItem.EDITABLE_FIELDS)
    same_partnership(fields.get("source"), partnership, "source", "person")
    fields.setdefault("captured_on", partnership.organization.local_today())
    item = KnowledgeItem(
        organization_id=partnership.organization_id,
        partnership=partnership,
        captured_by_id=actor.membership.user_id,
        **fields,
    )
    clean(item)
    item.save()
    audit_record(
        actor=actor, verb="transition_knowledge.captured", target=item, partnership=partnership
    )
    return item


@transaction.atomic
def knowledge_update(*, actor: Actor, item: KnowledgeItem, **fields: Any) -> KnowledgeItem:
    require_work(actor, item.partnership)
    check_fields(fields, KnowledgeItem.EDITABLE_FIELDS)
    same_partnership(fields.get("source"), item.partnership, "source", "person")
    changes = update(item, fields)
    if changes:
        audit_record(
            actor=actor,
            verb="transition_knowledge.updated",
            target=item,
            partnership=item.partnership,
            changes=changes,
        )
    return item


@transaction.atomic
def knowledge_delete(*, actor: Actor, item: KnowledgeItem) -> None:
    require_work(actor, item.partnership)
    audit_record(
        actor=actor, verb="transition_knowledge.deleted", target=item, partnership=item.partnership
    )
    item.delete()


@transaction.atomic
def knowledge_review(*, actor: Actor, item: KnowledgeItem) -> KnowledgeItem:
    require_work(actor, item.partnership)
    if item.status != KnowledgeStatus.CAPTURED:
        raise ApplicationError(
            f"This item is already {item.get_status_display().lower()}.", field="status"
        )
    item.status = KnowledgeStatus.REVIEWED
    item.reviewed_by_id = actor.membership.user_id
    item.reviewed_at = timezone.now()
    item.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="transition_knowledge.reviewed",
        target=item,
        partnership=item.partnership,
        changes={"status": [KnowledgeStatus.CAPTURED, KnowledgeStatus.REVIEWED]},
    )
    return item


@transaction.atomic
def knowledge_transfer(*, actor: Actor, item: KnowledgeItem) -> KnowledgeItem:
    """Mark a reviewed item transferred into the provider's knowledge base."""
    require_work(actor, item.partnership)
    if item.status == KnowledgeStatus.CAPTURED:
        raise ApplicationError("Review the item before marking it transferred.", field="status")
    if item.status == KnowledgeStatus.TRANSFERRED:
        raise ApplicationError("This item is already transferred.", field="status")
    item.status = KnowledgeStatus.TRANSFERRED
    item.transferred_by_id = actor.membership.user_id
    item.transferred_at = timezone.now()
    item.save(update_fields=["status", "transferred_by", "transferred_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="transition_knowledge.transferred",
        target=item,
        partnership=item.partnership,
        changes={"status": [KnowledgeStatus.REVIEWED, KnowledgeStatus.TRANSFERRED]},
    )
    return item


# --- Communications plan ---------------------------------------------------------------


@transaction.atomic
def communication_create(*, actor: Actor, partnership, **fields: Any) -> CommunicationItem:
    require_work(actor, partnership)
    check_fields(fields, CommunicationItem.EDITABLE_FIELDS)
    same_partnership(fields.get("group"), partnership, "group", "group")
    provider_member(partnership.organization_id, fields.get("owner"))
    item = CommunicationItem(
        organization_id=partnership.organization_id, partnership=partnership, **fields
    )
    clean(item)
    item.save()
    audit_record(
        actor=actor, verb="transition_communication.planned", target=item, partnership=partnership
    )
    return item


@transaction.atomic
def communication_update(
    *, actor: Actor, item: CommunicationItem, **fields: Any
) -> CommunicationItem:
    require_work(actor, item.partnership)
    check_fields(fields, CommunicationItem.EDITABLE_FIELDS)
    same_partnership(fields.get("group"), item.partnership, "group", "group")
    if "owner" in fields:
        provider_member(item.organization_id, fields["owner"])
    changes = update(item, fields)
    if changes:
        audit_record(
            actor=actor,
            verb="transition_communication.updated",
            target=item,
            partnership=item.partnership,
            changes=changes,
        )
    return item


@transaction.atomic
def communication_delete(*, actor: Actor, item: CommunicationItem) -> None:
    require_work(actor, item.partnership)
    audit_record(
        actor=actor,
        verb="transition_communication.deleted",
        target=item,
        partnership=item.partnership,
    )
    item.delete()


@transaction.atomic
def communication_mark_sent(
    *, actor: Actor, item: CommunicationItem, sent_at: datetime.datetime | None = None
) -> CommunicationItem:
    require_work(actor, item.partnership)
    if item.sent_at is not None:
        raise ApplicationError("This message is already marked sent.", field="sent_at")
    item.sent_at = sent_at or timezone.now()
    item.save(update_fields=["sent_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="transition_communication.sent",
        target=item,
        partnership=item.partnership,
        changes={"sent_at": [None, item.sent_at.isoformat()]},
    )
    return item


# --- People access: who of the PMs reads HR-sensitive data -----------------------------


@transaction.atomic
def people_access_grant(*, actor: Actor, partnership, grantee, note: str = "") -> PeopleAccessGrant:
    """Let an implementation PM of this partnership see its staff's HR-sensitive fields and
    individual sentiment. An admin's or the dedicated account manager's decision; recorded
    and audited, and revocable (`people_access_revoke`)."""
    if not access.can(actor.membership, Action.GRANT_PEOPLE_ACCESS, partnership):
        raise PermissionDenied(
            "Granting people access is the account manager's (or an admin's) decision."
        )
    if grantee is None or not partnership.implementation_pms.filter(pk=grantee.pk).exists():
        raise ApplicationError(
            "People access is granted to an implementation PM of this partnership.",
            field="grantee",
        )
    if PeopleAccessGrant.objects.active().filter(partnership=partnership, grantee=grantee).exists():
        raise ApplicationError(f"{grantee} already has people access.", field="grantee")
    grant = PeopleAccessGrant(
        organization_id=partnership.organization_id,
        partnership=partnership,
        grantee=grantee,
        granted_by_id=actor.membership.user_id,
        granted_at=timezone.now(),
        note=(note or "").strip(),
    )
    clean(grant)
    grant.save()
    audit_record(
        actor=actor,
        verb="transition_people_access.granted",
        target=grant,
        partnership=partnership,
        changes={"grantee": [None, grantee.email], "note": [None, grant.note]},
    )
    return grant


@transaction.atomic
def people_access_revoke(*, actor: Actor, grant: PeopleAccessGrant) -> PeopleAccessGrant:
    """Take people access back: the grant stays, marked revoked (when and by whom)."""
    if not access.can(actor.membership, Action.GRANT_PEOPLE_ACCESS, grant.partnership):
        raise PermissionDenied(
            "Revoking people access is the account manager's (or an admin's) decision."
        )
    if grant.revoked_at is not None:
        raise ApplicationError("This people access was already revoked.", field="grant")
    grant.revoked_at = timezone.now()
    grant.revoked_by_id = actor.membership.user_id
    grant.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        actor=actor,
        verb="transition_people_access.revoked",
        target=grant,
        partnership=grant.partnership,
        changes={"revoked_at": [None, grant.revoked_at.isoformat()]},
    )
    return grant


# --- Views of HR-sensitive data --------------------------------------------------------


def sensitive_access_record(
    *,
    membership,
    partnership,
    people: Iterable[tuple[int, str]],
    context: str,
    fields: Iterable[str],
) -> int:
    """Log that `membership` was shown HR-sensitive data about these people: one bulk insert
    per request, however many people (ids and names; names survive a deleted record)."""
    fields = sorted(fields)
    rows = [
        SensitiveAccessLog(
            organization_id=partnership.organization_id,
            partnership=partnership,
            viewer_id=membership.user_id,
            viewer_role=membership.role,
            staff_member_id=staff_id,
            staff_name=name[:200],
            context=context,
            fields=fields,
        )
        for staff_id, name in dict(people).items()
    ]
    if rows:
        SensitiveAccessLog.objects.bulk_create(rows, batch_size=500)
    return len(rows)
