"""The people side: the WARN-style notice check at its boundaries, knowledge coverage, the CSV
import (validated whole, errors by line and column), sentiment flags, appointing a manager as
implementation PM, and audit events that never carry HR-sensitive content."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from accounts import services as account_services
from accounts.models import Invitation
from tenancy.errors import ApplicationError
from tenancy.models import AuditEvent, Role
from tests.factories import MembershipFactory
from tests.transition.factories import (
    KnowledgeItemFactory,
    SentimentCheckInFactory,
    StaffMemberFactory,
    StakeholderGroupFactory,
)
from transition import selectors, services
from transition.models import KnowledgeStatus, Outcome, OutcomeStatus, StaffMember, StaffRole

pytestmark = pytest.mark.django_db

LAST_DAY = datetime.date(2026, 7, 31)


def lay_off(partnership, count: int, *, notice_days: int, site: str = "Main campus"):
    return StaffMemberFactory.create_batch(
        count,
        partnership=partnership,
        site=site,
        outcome=Outcome.LAID_OFF,
        last_day=LAST_DAY,
        notice_date=LAST_DAY - datetime.timedelta(days=notice_days),
    )


# --- Notice check ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layoffs", "short_notice_days", "warned"),
    [
        (49, 59, False),  # under the mass-layoff threshold: no warning, however short
        (50, 59, True),  # threshold reached and one notice is a day short
        (50, 60, False),  # threshold reached, every notice is 60 days
        (49, 60, False),
    ],
)
def test_notice_check_at_its_boundaries(partnership, admin, layoffs, short_notice_days, warned):
    lay_off(partnership, layoffs - 1, notice_days=90)
    (person,) = lay_off(partnership, 1, notice_days=short_notice_days)
    result = selectors.notice_check(membership=admin, partnership=partnership)
    assert result["warning"] is warned
    (site,) = result["sites"]
    assert site["layoffs"] == layoffs
    assert site["threshold_reached"] is (layoffs >= 50)
    if warned:
        assert [row["id"] for row in site["short_notice"]] == [person.pk]
        assert site["short_notice"][0]["notice_days"] == 59
        assert "50 lay-offs reach the mass-layoff threshold of 50" in result["warnings"][0]
    else:
        assert site["short_notice"] == []
    assert "WARN Act" in result["rule"] and "29 U.S.C." in result["rule"]
    assert "not legal advice" in result["disclaimer"]


def test_notice_check_counts_per_site_and_flags_missing_dates(partnership, admin):
    lay_off(partnership, 30, notice_days=30, site="North clinic")
    lay_off(partnership, 30, notice_days=30, site="South clinic")
    assert selectors.notice_check(membership=admin, partnership=partnership)["warning"] is False
    lay_off(partnership, 20, notice_days=90, site="north clinic ")  # same site, other spelling
    StaffMemberFactory(partnership=partnership, site="North clinic", outcome=Outcome.LAID_OFF)
    result = selectors.notice_check(membership=admin, partnership=partnership)
    north = next(site for site in result["sites"] if site["site"] == "North clinic")
    assert north["layoffs"] == 51
    assert len(north["short_notice"]) == 31  # 30 short and one without dates
    assert any(row["notice_days"] is None for row in north["short_notice"])


def test_only_lay_offs_count_toward_the_threshold(partnership, admin):
    lay_off(partnership, 49, notice_days=10)
    StaffMemberFactory(partnership=partnership, outcome=Outcome.RETIRING)
    assert selectors.notice_check(membership=admin, partnership=partnership)["warning"] is False


# --- Knowledge coverage ------------------------------------------------------------------


def test_knowledge_coverage_per_departing_person(partnership, admin):
    today = datetime.date(2026, 5, 1)
    soon_nothing = StaffMemberFactory(
        partnership=partnership,
        outcome=Outcome.LAID_OFF,
        last_day=today + datetime.timedelta(days=14),
    )
    later_nothing = StaffMemberFactory(
        partnership=partnership,
        outcome=Outcome.RETIRING,
        last_day=today + datetime.timedelta(days=15),
    )
    gone_nothing = StaffMemberFactory(
        partnership=partnership,
        outcome=Outcome.LAID_OFF,
        last_day=today - datetime.timedelta(days=1),
    )
    partial = StaffMemberFactory(
        partnership=partnership,
        outcome=Outcome.REDEPLOYED,
        last_day=today + datetime.timedelta(days=3),
    )
    KnowledgeItemFactory(
        partnership=partnership, source=partial, status=KnowledgeStatus.TRANSFERRED
    )
    KnowledgeItemFactory(partnership=partnership, source=partial, status=KnowledgeStatus.REVIEWED)
    complete = StaffMemberFactory(partnership=partnership, outcome=Outcome.RETAINED)
    KnowledgeItemFactory(
        partnership=partnership, source=complete, status=KnowledgeStatus.TRANSFERRED
    )
    StaffMemberFactory(partnership=partnership, outcome=Outcome.HIRED_BY_PROVIDER)  # not departing
    StaffMemberFactory(partnership=partnership, outcome=Outcome.UNDECIDED)  # not yet

    result = selectors.knowledge_coverage(membership=admin, partnership=partnership, today=today)
    states = {row["staff_member"]: row["state"] for row in result["people"]}
    assert states == {
        soon_nothing.pk: "red",  # 14 days left, nothing captured: the boundary is red
        later_nothing.pk: "amber",  # 15 days left
        gone_nothing.pk: "red",
        partial.pk: "amber",  # captured, not all transferred
        complete.pk: "green",
    }
    assert result["departing"] == 5
    assert result["covered"] == 2
    assert result["coverage_percent"] == 40
    assert result["counts"] == {"red": 2, "amber": 2, "green": 1}
    row = next(r for r in result["people"] if r["staff_member"] == partial.pk)
    assert (row["captured"], row["transferred"], row["days_left"]) == (2, 1, 3)


def test_knowledge_is_reviewed_before_it_is_transferred(partnership, implementation_pm, actor_for):
    actor = actor_for(implementation_pm)
    item = services.knowledge_create(
        actor=actor,
        partnership=partnership,
        category="standing_order",
        title="Refills",
        content="Standing order: 30-day refills of maintenance meds after hours.",
    )
    with pytest.raises(ApplicationError, match="Review the item before"):
        services.knowledge_transfer(actor=actor, item=item)
    services.knowledge_review(actor=actor, item=item)
    services.knowledge_transfer(actor=actor, item=item)
    item.refresh_from_db()
    assert item.status == KnowledgeStatus.TRANSFERRED
    assert item.reviewed_by == implementation_pm.user and item.transferred_at


# --- CSV import --------------------------------------------------------------------------

GOOD_CSV = (
    "full_name,role,site,tenure,knowledge_areas,email,outcome,status,notice_date,last_day\n"
    "Maria Lopez,Triage RN,Main campus,12.5,pediatrics; Dr. Patel's preferences,"
    "maria@uh.example,laid_off,communicated,2026-04-01,2026-07-31\n"
    "Sam Chen,call_center_manager,Main campus,9,scheduling,sam@uh.example,"
    "hired by the provider,agreed,,\n"
)


def test_a_clean_csv_imports_every_row(partnership, implementation_pm, actor_for):
    result = services.staff_import_csv(
        actor=actor_for(implementation_pm), partnership=partnership, content=GOOD_CSV.encode()
    )
    assert (len(result.created), len(result.updated)) == (2, 0)
    maria = StaffMember.objects.get(work_email="maria@uh.example")
    assert maria.role == StaffRole.TRIAGE_RN
    assert maria.knowledge_areas == ["pediatrics", "Dr. Patel's preferences"]
    assert maria.notice_days == 121
    sam = StaffMember.objects.get(work_email="sam@uh.example")
    assert (sam.outcome, sam.outcome_status) == (Outcome.HIRED_BY_PROVIDER, OutcomeStatus.AGREED)


def test_a_second_import_updates_people_by_work_email(partnership, implementation_pm, actor_for):
    actor = actor_for(implementation_pm)
    services.staff_import_csv(actor=actor, partnership=partnership, content=GOOD_CSV)
    result = services.staff_import_csv(
        actor=actor,
        partnership=partnership,
        content="full_name,email,outcome\nMaria Lopez-Ruiz,MARIA@uh.example,retiring\n",
    )
    assert (len(result.created), len(result.updated)) == (0, 1)
    maria = StaffMember.objects.get(work_email="maria@uh.example")
    assert (maria.full_name, maria.outcome) == ("Maria Lopez-Ruiz", Outcome.RETIRING)
    assert maria.site == "Main campus"  # columns not in the file are left alone


def test_a_csv_with_errors_saves_nothing_and_names_line_and_column(
    partnership, implementation_pm, actor_for
):
    content = (
        "full_name,role,email,outcome,tenure,notice_date,last_day\n"
        "Ann Ok,triage_rn,ann@uh.example,laid_off,3,2026-04-01,2026-07-01\n"
        "Bad Role,surgeon,bob@uh.example,laid_off,3,,\n"
        "Bad Email,lpn,not-an-email,retiring,3,,\n"
        ",lpn,empty@uh.example,retiring,3,,\n"
        "Dup,lpn,ann@uh.example,retiring,x,,\n"
        "Backwards,lpn,back@uh.example,laid_off,1,2026-05-01,2026-04-01\n"
    )
    with pytest.raises(ApplicationError) as caught:
        services.staff_import_csv(
            actor=actor_for(implementation_pm), partnership=partnership, content=content
        )
    assert caught.value.field == "file"
    errors = {(e["row"], e["column"]) for e in caught.value.extra["errors"]}
    assert errors == {
        (3, "role"),
        (4, "email"),
        (5, "full_name"),
        (6, "email"),
        (6, "tenure"),
        (7, "last_day"),
    }
    assert caught.value.message.startswith("Nothing was imported: the file has 6 errors")
    assert not StaffMember.objects.exists()


def test_an_unknown_column_is_an_error_on_the_header(partnership, implementation_pm, actor_for):
    with pytest.raises(ApplicationError) as caught:
        services.staff_import_csv(
            actor=actor_for(implementation_pm),
            partnership=partnership,
            content="full_name,salary\nAnn,100\n",
        )
    assert caught.value.extra["errors"] == [
        {
            "row": 1,
            "column": "salary",
            "message": caught.value.extra["errors"][0]["message"],
        }
    ]
    assert "Unknown column" in caught.value.extra["errors"][0]["message"]


# --- Sentiment ---------------------------------------------------------------------------


def _check_ins(staff, scores):
    for offset, score in enumerate(scores):
        SentimentCheckInFactory(
            staff_member=staff, score=score, checked_on=datetime.date(2026, 3, 1 + offset * 7)
        )


def test_sentiment_flags_low_twice_falling_and_sharp_drops(partnership, admin):
    low = StaffMemberFactory(partnership=partnership, full_name="Low Twice")
    _check_ins(low, [4, 2, 1])
    falling = StaffMemberFactory(partnership=partnership, full_name="Falling")
    _check_ins(falling, [5, 4, 3])
    drop = StaffMemberFactory(partnership=partnership, full_name="Drop")
    _check_ins(drop, [3, 5, 3])
    fine = StaffMemberFactory(partnership=partnership, full_name="Fine")
    _check_ins(fine, [2, 3, 2])  # low once, recovering: no flag
    group = StakeholderGroupFactory(partnership=partnership, name="Night nurses")
    for offset, score in enumerate([2, 2]):
        SentimentCheckInFactory(
            staff_member=None,
            group=group,
            score=score,
            checked_on=datetime.date(2026, 3, 1 + offset),
        )
    flags = {
        row["name"]: row
        for row in selectors.sentiment_flags(membership=admin, partnership=partnership)
    }
    assert set(flags) == {"Low Twice", "Falling", "Drop", "Night nurses"}
    assert flags["Low Twice"]["flags"] == ["low_twice", "falling"]
    assert flags["Falling"]["flags"] == ["falling"]
    assert flags["Drop"]["flags"] == ["sharp_drop"]
    assert flags["Night nurses"]["subject_type"] == "group"
    assert "twice in a row" in flags["Low Twice"]["reasons"][0]


def test_a_check_in_is_about_one_person_or_one_group(partnership, implementation_pm, actor_for):
    staff = StaffMemberFactory(partnership=partnership)
    group = StakeholderGroupFactory(partnership=partnership)
    actor = actor_for(implementation_pm)
    with pytest.raises(ApplicationError):
        services.check_in_create(
            actor=actor, partnership=partnership, score=3, staff_member=staff, group=group
        )
    with pytest.raises(ApplicationError) as caught:
        services.check_in_create(
            actor=actor,
            partnership=partnership,
            score=3,
            staff_member=staff,
            checked_on=datetime.date(2099, 1, 1),
        )
    assert caught.value.field == "checked_on"
    with pytest.raises(ApplicationError) as caught:
        services.check_in_create(actor=actor, partnership=partnership, score=6, staff_member=staff)
    assert caught.value.field == "score"


def test_client_executives_may_not_record_check_ins(partnership, client_executive, actor_for):
    staff = StaffMemberFactory(partnership=partnership)
    with pytest.raises(PermissionDenied):
        services.check_in_create(
            actor=actor_for(client_executive), partnership=partnership, score=3, staff_member=staff
        )


def test_adkar_stage_moves_are_audited(partnership, implementation_pm, actor_for):
    actor = actor_for(implementation_pm)
    group = services.group_create(actor=actor, partnership=partnership, name="Triage nurses")
    services.group_update(actor=actor, group=group, adkar_stage="desire")
    event = AuditEvent.objects.get(verb="transition_group.adkar_stage_changed")
    assert event.changes == {"adkar_stage": ["awareness", "desire"]}


# --- HR-sensitive content never reaches the audit log ------------------------------------


def test_audit_events_say_hr_fields_changed_never_what_they_say(
    partnership, account_manager, actor_for
):
    actor = actor_for(account_manager)
    staff = services.staff_create(
        actor=actor,
        partnership=partnership,
        full_name="Jo Rivera",
        support_details="Severance of 12 weeks; counselling through the EAP.",
    )
    services.staff_update(actor=actor, staff_member=staff, hr_notes="Going through a divorce.")
    text = str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert "Severance" not in text and "divorce" not in text
    assert "(changed)" in text


# --- Appointing a manager as implementation PM -------------------------------------------


def test_appointing_a_manager_invites_them_and_assigns_them_on_acceptance(
    partnership, admin, actor_for
):
    manager = StaffMemberFactory(
        partnership=partnership,
        full_name="Dana Whitfield",
        role=StaffRole.CALL_CENTER_MANAGER,
        work_email="dana@uh.example",
    )
    result = services.staff_appoint_pm(actor=actor_for(admin), staff_member=manager)
    assert result.state == "invited"
    invitation = Invitation.objects.get(email="dana@uh.example")
    assert invitation.role == Role.IMPLEMENTATION_PM
    manager.refresh_from_db()
    assert manager.pm_appointment_state == "invited"
    assert not partnership.implementation_pms.filter(email="dana@uh.example").exists()

    membership = account_services.invitation_accept(
        raw_token=result.invitation_token,
        full_name="Dana Whitfield",
        password="a-long-safe-pass-42",
    )
    # Accepting the invitation is enough: the manager joins the partnership as its PM.
    manager.refresh_from_db()
    assert manager.pm_user == membership.user
    assert partnership.implementation_pms.filter(pk=membership.user_id).exists()
    assert services.pm_appointments_fulfil(membership=membership) == []  # idempotent


def test_appointing_an_existing_provider_member_assigns_them_at_once(
    org_a, partnership, account_manager, actor_for
):
    member = MembershipFactory(
        organization=org_a, role=Role.IMPLEMENTATION_PM, user__email="lee@uh.example"
    )
    staff = StaffMemberFactory(partnership=partnership, work_email="lee@uh.example")
    result = services.staff_appoint_pm(actor=actor_for(account_manager), staff_member=staff)
    assert result.state == "assigned"
    assert partnership.implementation_pms.filter(pk=member.user_id).exists()
    with pytest.raises(ApplicationError, match="already an implementation PM"):
        services.staff_appoint_pm(actor=actor_for(account_manager), staff_member=staff)


def test_inviting_needs_an_admin_and_an_email(partnership, account_manager, actor_for):
    staff = StaffMemberFactory(partnership=partnership, work_email="new@uh.example")
    with pytest.raises(PermissionDenied):
        services.staff_appoint_pm(actor=actor_for(account_manager), staff_member=staff)
    assert not Invitation.objects.exists()
    nameless = StaffMemberFactory(partnership=partnership, work_email="")
    with pytest.raises(ApplicationError) as caught:
        services.staff_appoint_pm(actor=actor_for(account_manager), staff_member=nameless)
    assert caught.value.field == "work_email"
