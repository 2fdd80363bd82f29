"""Demo transition data, written through the services (so it obeys every rule it shows).

`seed_transition` gives the organization's university partnership (in transition) an
in-flight plan — laid out from the shipped template around its planned go-live, baselined,
discovery done, the build under way with one task slipping and one in conflict — and a
realistic roster of twelve people handled with care (outcomes, notice, support,
recognition, sentiment, knowledge capture, a communications plan, the call-center manager
appointed implementation PM). Its live physician-group partnership gets a finished one:
every task done, the go decision recorded, every outcome completed.

Idempotent: a partnership that already has a plan is left alone. Returns what it created as
(kind, what) pairs. Called by `manage.py seed_demo`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from partnerships.models import ClientKind, Partnership, PartnershipStatus
from tenancy.audit import Actor
from tenancy.models import Membership, Organization, Role
from transition import services
from transition.models import (
    AdkarStage,
    Channel,
    Decision,
    GoNoGoDecision,
    KnowledgeCategory,
    Outcome,
    OutcomeStatus,
    PlanTask,
    StaffMember,
    StaffRole,
    Support,
    TaskStatus,
    TransitionPlan,
)

Created = list[tuple[str, str]]
SITE = "Student Health Center"


def _day(today: datetime.date, offset: int) -> datetime.date:
    return today + datetime.timedelta(days=offset)


def _morning(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _backdate(plan: TransitionPlan, *, baselined_on: datetime.date) -> None:
    """Services stamp `now`; the demo's history happened earlier. Put the baseline on the
    day it was agreed and each finished task's completion on its due date."""
    TransitionPlan.objects.filter(pk=plan.pk).update(baselined_at=_morning(baselined_on))
    for task in PlanTask.objects.filter(plan=plan, status=TaskStatus.DONE).only("id", "due"):
        PlanTask.objects.filter(pk=task.pk).update(completed_at=_morning(task.due))


def _actor(organization: Organization, role: str, fallback: Actor) -> Actor:
    membership = (
        Membership.objects.select_related("organization", "user")
        .filter(organization=organization, role=role)
        .order_by("pk")
        .first()
    )
    if membership is None:
        return fallback
    return Actor(membership=membership, user_agent="manage.py seed_demo")


def seed_transition(
    *, organization: Organization, actor: Actor, today: datetime.date | None = None
) -> Created:
    """The in-flight university transition and the finished physician-group one."""
    today = today or organization.local_today()
    manager = _actor(organization, Role.ACCOUNT_MANAGER, actor)
    pm = _actor(organization, Role.IMPLEMENTATION_PM, actor)
    executive = _actor(organization, Role.CLIENT_EXECUTIVE, actor)
    created: Created = []
    university = _partnership(
        organization, ClientKind.UNIVERSITY_HEALTH, PartnershipStatus.TRANSITION
    )
    if university is not None:
        created += _seed_in_flight(
            university, admin=actor, manager=manager, pm=pm, executive=executive, today=today
        )
    physicians = _partnership(organization, ClientKind.PHYSICIAN_PRACTICE, PartnershipStatus.LIVE)
    if physicians is not None:
        created += _seed_finished(physicians, admin=actor, manager=manager, pm=pm, today=today)
    return created


def _partnership(organization: Organization, kind: str, status: str) -> Partnership | None:
    partnership = (
        Partnership.objects.select_related("organization", "client")
        .prefetch_related("implementation_pms")
        .filter(organization=organization, client__kind=kind, status=status)
        .order_by("pk")
        .first()
    )
    if partnership is None or TransitionPlan.objects.filter(partnership=partnership).exists():
        return None
    return partnership


def _tasks(plan: TransitionPlan) -> dict[str, PlanTask]:
    return {
        task.key: task
        for task in PlanTask.objects.filter(plan=plan).select_related("plan", "partnership")
    }


def _set_status(actor: Actor, tasks: Iterable[PlanTask], status: str) -> None:
    tasks = list(tasks)
    if tasks:
        services.task_bulk_status(actor=actor, tasks=tasks, status=status)


def _owners(plan, tasks: dict[str, PlanTask], *, admin, manager, pm) -> None:
    by_key = {
        **dict.fromkeys(
            (
                "kickoff",
                "staff-outcomes-communicated",
                "clinic-briefing",
                "recognition",
                "kpi-review",
                "hypercare-exit",
                "lessons-learned",
                "go-no-go",
            ),
            manager,
        ),
        **dict.fromkeys(
            (
                "telephony-design",
                "telephony-build",
                "cutover-rehearsal",
                "telephony-cutover",
                "ehr-integration",
                "staffing-plan",
            ),
            admin,
        ),
    }
    for key, task in tasks.items():
        owner = (by_key.get(key) or pm).membership.user
        services.task_update(actor=pm, task=task, owner=owner)


# --- The university: in flight -----------------------------------------------------------


ROSTER: tuple[dict[str, Any], ...] = (
    {
        "full_name": "Renee Kowalski",
        "role": StaffRole.CALL_CENTER_MANAGER,
        "tenure_years": Decimal("6"),
        "work_email": "pm@northstar.example",
        "knowledge_areas": ["Standing orders", "Physician preferences", "On-call rotations"],
        "outcome": Outcome.HIRED_BY_PROVIDER,
        "outcome_status": OutcomeStatus.COMPLETED,
        "recognition": (
            "Thanked by the director of student health at the all-staff town hall for six "
            "years of running the line; now leads the transition as Northstar's PM."
        ),
        "support_offered": [Support.RETRAINING],
        "support_details": "Northstar PM onboarding and the project-management course.",
    },
    {
        "full_name": "Margaret “Peg” Ellison",
        "role": StaffRole.TRIAGE_RN,
        "tenure_years": Decimal("31"),
        "work_email": "m.ellison@lakeshore.example",
        "knowledge_areas": ["Physician preferences", "Sports medicine protocol", "Night triage"],
        "outcome": Outcome.RETIRING,
        "outcome_status": OutcomeStatus.AGREED,
        "notice": -20,
        "last_day": 50,
        "recognition": (
            "Thirty-one years on the student line. The student health council is naming the "
            "after-hours nursing award after her; farewell reception on her last day."
        ),
        "support_offered": [Support.REFERENCE, Support.COUNSELLING],
        "support_details": "Retirement planning session with university HR booked.",
        "hr_notes": "Prefers to announce her retirement to the students herself.",
    },
    {
        "full_name": "Dolores Vance",
        "role": StaffRole.TRIAGE_RN,
        "tenure_years": Decimal("24"),
        "work_email": "d.vance@lakeshore.example",
        "knowledge_areas": ["Athletics concussion protocol", "Eating-disorder program"],
        "outcome": Outcome.RETAINED,
        "outcome_status": OutcomeStatus.AGREED,
        "notice": -18,
        "last_day": 45,
        "recognition": "Moves to the daytime clinic as lead nurse for the athletics program.",
    },
    {
        "full_name": "James Whitaker",
        "role": StaffRole.TRIAGE_RN,
        "tenure_years": Decimal("18"),
        "work_email": "j.whitaker@lakeshore.example",
        "knowledge_areas": ["Night triage", "International students"],
        "outcome": Outcome.UNDECIDED,
        "outcome_status": OutcomeStatus.DISCUSSED,
        "hr_notes": "Weighing Northstar's offer against a hospital night post; decides by Friday.",
    },
    {
        "full_name": "Anita Desai",
        "role": StaffRole.TRIAGE_RN,
        "tenure_years": Decimal("12"),
        "work_email": "a.desai@lakeshore.example",
        "knowledge_areas": ["Mental-health warm transfers", "Hindi"],
        "outcome": Outcome.HIRED_BY_PROVIDER,
        "outcome_status": OutcomeStatus.AGREED,
        "recognition": "Joins Northstar's university pod as a senior triage nurse.",
    },
    {
        "full_name": "Tom Brennan",
        "role": StaffRole.TRIAGE_RN,
        "tenure_years": Decimal("27"),
        "work_email": "t.brennan@lakeshore.example",
        "knowledge_areas": ["Infusion clinic", "Travel medicine"],
        "outcome": Outcome.REDEPLOYED,
        "outcome_status": OutcomeStatus.COMMUNICATED,
        "notice": -14,
        "last_day": 40,
        "support_offered": [Support.RETRAINING],
        "support_details": "Infusion certification course paid by the university.",
    },
    {
        "full_name": "Carla Mendes",
        "role": StaffRole.LPN,
        "tenure_years": Decimal("9"),
        "work_email": "c.mendes@lakeshore.example",
        "knowledge_areas": ["Refill requests", "Immunization records"],
        "outcome": Outcome.LAID_OFF,
        "outcome_status": OutcomeStatus.COMMUNICATED,
        "notice": -15,
        "last_day": 46,
        "support_offered": [
            Support.SEVERANCE,
            Support.OUTPLACEMENT,
            Support.RETRAINING,
            Support.REFERENCE,
        ],
        "support_details": (
            "Twelve weeks' severance; LPN-to-RN bridge tuition at the community college."
        ),
        "hr_notes": "Interviewing with the county health department; reference sent.",
    },
    {
        "full_name": "Luis Ortega",
        "role": StaffRole.SCHEDULER,
        "tenure_years": Decimal("6"),
        "work_email": "l.ortega@lakeshore.example",
        "knowledge_areas": ["Provider templates", "Same-day slots"],
        "outcome": Outcome.REDEPLOYED,
        "outcome_status": OutcomeStatus.AGREED,
        "notice": -20,
        "last_day": 30,
        "recognition": "Moves to central registration with his seniority kept.",
    },
    {
        "full_name": "Kim Tran",
        "role": StaffRole.SCHEDULER,
        "tenure_years": Decimal("3"),
        "work_email": "k.tran@lakeshore.example",
        "knowledge_areas": ["Clinic schedules", "After-hours callback list"],
        "outcome": Outcome.LAID_OFF,
        "outcome_status": OutcomeStatus.COMMUNICATED,
        "notice": -30,
        "last_day": 10,
        "support_offered": [Support.SEVERANCE, Support.OUTPLACEMENT, Support.REFERENCE],
        "support_details": "Six weeks' severance; outplacement with the university's partner.",
        "hr_notes": "Upset about the short timeline; asked for a reference from the director.",
    },
    {
        "full_name": "Beth Olsen",
        "role": StaffRole.SUPERVISOR,
        "tenure_years": Decimal("15"),
        "work_email": "b.olsen@lakeshore.example",
        "knowledge_areas": ["Nurse scheduling", "Quality audits", "Escalation rules"],
        "outcome": Outcome.RETAINED,
        "outcome_status": OutcomeStatus.AGREED,
        "notice": -25,
        "last_day": 45,
        "recognition": "Becomes the clinical quality lead for student health at go-live.",
    },
    {
        "full_name": "Grace Liu",
        "role": StaffRole.MEDICAL_ASSISTANT,
        "tenure_years": Decimal("5"),
        "work_email": "g.liu@lakeshore.example",
        "knowledge_areas": ["Mandarin", "Lab result callbacks"],
        "outcome": Outcome.RETAINED,
        "outcome_status": OutcomeStatus.AGREED,
        "notice": -18,
        "last_day": 45,
    },
    {
        "full_name": "Robert Haines",
        "role": StaffRole.PATIENT_ACCESS,
        "tenure_years": Decimal("8"),
        "work_email": "r.haines@lakeshore.example",
        "knowledge_areas": ["Insurance verification"],
        "outcome": Outcome.LAID_OFF,
        "outcome_status": OutcomeStatus.PROPOSED,
    },
)

GROUPS = (
    (
        "Triage nurses",
        7,
        AdkarStage.DESIRE,
        "The internal after-hours RNs and the LPN.",
        [
            (-56, 4, "Relieved the plan is finally public."),
            (-42, 3, "Night nurses worry their students' trust goes with the line."),
            (-28, 3, "Offers out; two still undecided."),
            (-14, 2, "Rumour that Northstar nurses read scripts; frustration in the huddle."),
            (-3, 2, "Quiet compliance only; two missed the protocol walkthrough."),
        ],
    ),
    (
        "Schedulers and front desk",
        3,
        AdkarStage.KNOWLEDGE,
        "",
        [
            (-42, 2, "Fear about jobs."),
            (-21, 3, "Redeployment options explained one-to-one."),
            (-7, 4, "Luis has his registration post; relief."),
        ],
    ),
    (
        "Student Health physicians",
        14,
        AdkarStage.ABILITY,
        "Attending physicians who take on-call pages.",
        [(-40, 3, ""), (-20, 4, "Escalation rules reviewed together."), (-5, 4, "")],
    ),
    (
        "Campus counseling center",
        9,
        AdkarStage.AWARENESS,
        "Takes warm transfers of mental-health calls.",
        [(-30, 3, "Wants the 60-second warm-transfer target in writing."), (-6, 3, "")],
    ),
)

PERSON_CHECK_INS = {
    "m.ellison@lakeshore.example": [
        (-40, 4, "Proud of what the line became."),
        (-24, 3, "Worried the new nurses won't know the sports medicine protocol."),
        (-8, 2, "Feels her knowledge is being taken without her being asked."),
    ],
    "k.tran@lakeshore.example": [
        (-25, 2, "Angry about the timeline."),
        (-6, 2, "Did not come to the knowledge interview."),
    ],
    "pm@northstar.example": [(-30, 4, ""), (-2, 5, "Energised: leading the cut-over.")],
}

KNOWLEDGE = (
    (
        "m.ellison@lakeshore.example",
        KnowledgeCategory.PHYSICIAN_PREFERENCE,
        "Dr. Okafor: chest pain in students with a known cardiac history",
        "Dr. Okafor (cardiology liaison)",
        "Page Dr. Okafor directly, day or night, for chest pain or palpitations in any student "
        "on the cardiac registry; do not send them to urgent care first.",
        "transferred",
    ),
    (
        "m.ellison@lakeshore.example",
        KnowledgeCategory.STANDING_ORDER,
        "Ondansetron for varsity athletes on the sports medicine protocol",
        "Sports medicine",
        "Athletes on the protocol may take their prescribed ondansetron after the first "
        "vomiting episode; triage still for dehydration signs.",
        "reviewed",
    ),
    (
        "m.ellison@lakeshore.example",
        KnowledgeCategory.PATIENT_POPULATION,
        "International students call back through the interpreter line",
        "International students",
        "Many do not answer unknown US numbers: call back through the interpreter line's "
        "caller ID, and leave the message in their language.",
        "captured",
    ),
    (
        "pm@northstar.example",
        KnowledgeCategory.ESCALATION,
        "Self-harm calls after 23:00 go to the counseling crisis line first",
        "Campus counseling center",
        "Warm-transfer to the counseling center's crisis line; page the on-call psychiatrist "
        "only if the crisis counselor does not answer within 60 seconds.",
        "transferred",
    ),
    (
        "pm@northstar.example",
        KnowledgeCategory.CLINIC_PROCEDURE,
        "Same-day slots held for triage until 10:00",
        "Student Health scheduling",
        "Four same-day slots per clinic are held for overnight triage referrals until 10:00.",
        "transferred",
    ),
    (
        "d.vance@lakeshore.example",
        KnowledgeCategory.STANDING_ORDER,
        "Concussion: page the team physician for any athlete",
        "Athletics",
        "Any head injury in a rostered athlete: page the team physician, no return to play "
        "advice on the phone.",
        "transferred",
    ),
    (
        "t.brennan@lakeshore.example",
        KnowledgeCategory.CLINIC_PROCEDURE,
        "Infusion reactions after hours",
        "Infusion clinic",
        "Students who had an infusion that day and report a rash or fever: ED now, and "
        "e-mail the infusion nurse for the morning.",
        "reviewed",
    ),
    (
        "b.olsen@lakeshore.example",
        KnowledgeCategory.ESCALATION,
        "When a supervisor is paged overnight",
        "Night escalation",
        "Page the supervisor for a caller who is a student-athlete's parent threatening to "
        "complain, for any media call, and for two abandoned callbacks to the same student.",
        "reviewed",
    ),
    (
        "c.mendes@lakeshore.example",
        KnowledgeCategory.CLINIC_PROCEDURE,
        "Refill requests: which prescriptions the LPN may relay",
        "Refills",
        "Only maintenance medications on the approved list; controlled substances always to "
        "the prescriber the next morning.",
        "captured",
    ),
)

COMMUNICATIONS = (
    (
        "All Student Health staff",
        None,
        "Why the after-hours line moves to Northstar, what happens to each role, the timeline "
        "and where to ask questions.",
        Channel.TOWN_HALL,
        -35,
        "manager",
        True,
    ),
    (
        "Each triage nurse, LPN and scheduler",
        "Triage nurses",
        "Your outcome, notice date, last day and the support offered — in person, with HR and "
        "the director, before anything is written down.",
        Channel.ONE_ON_ONE,
        -20,
        "manager",
        True,
    ),
    (
        "Campus counseling center",
        "Campus counseling center",
        "How warm transfers of mental-health calls work after go-live (within 60 seconds).",
        Channel.TEAM_MEETING,
        -5,
        "pm",
        False,
    ),
    (
        "Student Health physicians",
        "Student Health physicians",
        "On-call paging and escalation after go-live; who to call about a triage note.",
        Channel.TEAM_MEETING,
        7,
        "pm",
        False,
    ),
    (
        "Internal triage team",
        "Triage nurses",
        "Invitation to the recognition evening honouring the team's years on the line.",
        Channel.LETTER,
        20,
        "manager",
        False,
    ),
    (
        "Students",
        None,
        "The after-hours nurse line keeps its number; the same care, now around the clock, "
        "with Mandarin and Hindi interpreters.",
        Channel.NEWSLETTER,
        38,
        "pm",
        False,
    ),
)


def _seed_in_flight(partnership, *, admin, manager, pm, executive, today) -> Created:
    actors = {"manager": manager, "pm": pm, "admin": admin}
    plan = services.plan_create(actor=pm, partnership=partnership)
    plan.partnership = partnership
    services.plan_baseline(actor=pm, plan=plan)
    tasks = _tasks(plan)
    _owners(plan, tasks, admin=admin, manager=manager, pm=pm)
    tasks = _tasks(plan)
    done, in_progress = [], []
    for task in tasks.values():
        if task.due < today:
            done.append(task)
        elif task.start <= today:
            in_progress.append(task)
    slipping = tasks.get("physician-preferences")
    stretched = tasks.get("protocol-configuration")
    conflicted = tasks.get("ehr-integration")
    # Knowledge interviews run past their due date: not everyone came (overdue for the PM).
    late = tasks.get("knowledge-interviews")
    held_back = (slipping, stretched, conflicted, late)
    done = [task for task in done if task not in held_back]
    _set_status(pm, done, TaskStatus.DONE)
    _set_status(pm, in_progress + ([late] if late else []), TaskStatus.IN_PROGRESS)
    if stretched is not None:
        # Protocol configuration runs three days long and it is on the critical path: its
        # dependants move with it, and go-live with them.
        stretched.refresh_from_db()
        services.task_update(
            actor=pm,
            task=stretched,
            due=stretched.due + datetime.timedelta(days=3),
            status=TaskStatus.IN_PROGRESS,
            auto_schedule=True,
        )
    if slipping is not None:
        # The clinics sent their on-call rotations a week late (absorbed by its float).
        slipping.refresh_from_db()
        services.task_move(
            actor=pm,
            task=slipping,
            start=slipping.start + datetime.timedelta(days=6),
            auto_schedule=True,
        )
        slipping.refresh_from_db()
        services.task_update(actor=pm, task=slipping, status=TaskStatus.IN_PROGRESS)
        services.task_comment_create(
            actor=pm,
            task=slipping,
            body="Cardiology and sports medicine rotations arrived a week late; loading the "
            "rest now. Training still has room.",
        )
        services.task_comment_create(
            actor=executive,
            task=slipping,
            body="Sports medicine confirmed their on-call list this morning.",
        )
        services.task_comment_create(
            actor=manager,
            task=slipping,
            body="Watch this one: it feeds training. Another week and go-live moves.",
            internal=True,
        )
    if conflicted is not None:
        # The EHR vendor moved the interface test; its dependants were not moved yet, so the
        # plan flags the conflicts for the PM to resolve.
        conflicted.refresh_from_db()
        services.task_update(
            actor=admin,
            task=conflicted,
            due=conflicted.due + datetime.timedelta(days=4),
            status=TaskStatus.BLOCKED,
        )
        services.task_comment_create(
            actor=admin,
            task=conflicted,
            body="Epic interface test moved by the vendor to next Thursday; waiting on them.",
        )
    created: Created = [("transition plan", partnership.name)]

    people: dict[str, StaffMember] = {}
    for spec in ROSTER:
        fields = {k: v for k, v in spec.items() if k not in ("notice", "last_day")}
        fields["site"] = SITE
        if "notice" in spec:
            fields["notice_date"] = _day(today, spec["notice"])
        if "last_day" in spec:
            fields["last_day"] = _day(today, spec["last_day"])
        person = services.staff_create(actor=admin, partnership=partnership, **fields)
        people[person.work_email] = person
        created.append(("staff member", person.full_name))
    manager_record = people.get("pm@northstar.example")
    if manager_record is not None:
        services.staff_appoint_pm(actor=admin, staff_member=manager_record)

    groups = {}
    for name, headcount, stage, description, check_ins in GROUPS:
        group = services.group_create(
            actor=pm,
            partnership=partnership,
            name=name,
            headcount=headcount,
            adkar_stage=stage,
            description=description,
        )
        groups[name] = group
        for offset, score, note in check_ins:
            services.check_in_create(
                actor=pm,
                partnership=partnership,
                group=group,
                score=score,
                note=note,
                checked_on=_day(today, offset),
            )
    for email, check_ins in PERSON_CHECK_INS.items():
        for offset, score, note in check_ins:
            services.check_in_create(
                actor=manager,
                partnership=partnership,
                staff_member=people[email],
                score=score,
                note=note,
                checked_on=_day(today, offset),
            )

    for email, category, title, subject, content, status in KNOWLEDGE:
        item = services.knowledge_create(
            actor=pm,
            partnership=partnership,
            source=people[email],
            category=category,
            title=title,
            subject=subject,
            content=content,
            captured_on=_day(today, -12),
        )
        if status in ("reviewed", "transferred"):
            services.knowledge_review(actor=manager, item=item)
        if status == "transferred":
            services.knowledge_transfer(actor=pm, item=item)

    for audience, group, message, channel, offset, owner, sent in COMMUNICATIONS:
        item = services.communication_create(
            actor=pm,
            partnership=partnership,
            audience=audience,
            group=groups.get(group) if group else None,
            message=message,
            channel=channel,
            planned_on=_day(today, offset),
            owner=actors[owner].membership.user,
        )
        if sent:
            services.communication_mark_sent(actor=pm, item=item, sent_at=_morning(item.planned_on))
    kickoff = tasks.get("kickoff")
    _backdate(plan, baselined_on=kickoff.start if kickoff else today)
    return created


# --- The physician group: finished ---------------------------------------------------------


FINISHED_ROSTER = (
    ("Helen Carver", StaffRole.TRIAGE_RN, "22", Outcome.HIRED_BY_PROVIDER, -270, -195),
    ("Marek Nowak", StaffRole.TRIAGE_RN, "14", Outcome.HIRED_BY_PROVIDER, -270, -195),
    ("Sandra Ruiz", StaffRole.TRIAGE_RN, "29", Outcome.RETIRING, -290, -190),
    ("Paul Greene", StaffRole.LPN, "11", Outcome.REDEPLOYED, -280, -193),
    ("Dana Fox", StaffRole.SCHEDULER, "7", Outcome.LAID_OFF, -280, -190),
    ("Victor Osei", StaffRole.CALL_CENTER_MANAGER, "12", Outcome.RETAINED, -280, -193),
)


def _seed_finished(partnership, *, admin, manager, pm, today) -> Created:
    # The demo PM is not on this partnership: its account manager ran the transition.
    pm = manager
    plan = services.plan_create(actor=pm, partnership=partnership)
    plan.partnership = partnership
    created: Created = [("transition plan", partnership.name)]
    services.plan_baseline(actor=pm, plan=plan)
    tasks = _tasks(plan)
    _owners(plan, tasks, admin=admin, manager=manager, pm=pm)
    go_live = tasks.get("go-live")
    if go_live is not None:
        # The cardiology rotation feed held the cut-over back a week.
        go_live.refresh_from_db()
        services.task_move(
            actor=pm,
            task=go_live,
            start=go_live.start + datetime.timedelta(days=7),
            auto_schedule=True,
        )
    tasks = _tasks(plan)
    before, after = [], []
    for task in tasks.values():
        (after if task.phase == "hypercare" else before).append(task)
    _set_status(pm, before, TaskStatus.DONE)

    for name, role, tenure, outcome, notice, last_day in FINISHED_ROSTER:
        email = name.lower().replace(" ", ".") + "@metrospecialty.example"
        support = (
            [Support.SEVERANCE, Support.OUTPLACEMENT, Support.REFERENCE]
            if outcome == Outcome.LAID_OFF
            else []
        )
        person = services.staff_create(
            actor=admin,
            partnership=partnership,
            full_name=name,
            role=role,
            site="Metro Specialty call center, Chicago",
            tenure_years=Decimal(tenure),
            work_email=email,
            outcome=outcome,
            outcome_status=OutcomeStatus.COMPLETED,
            notice_date=_day(today, notice),
            last_day=_day(today, last_day),
            support_offered=support,
            recognition="Honoured at the practice's go-live dinner.",
        )
        created.append(("staff member", name))
        if outcome != Outcome.HIRED_BY_PROVIDER:
            item = services.knowledge_create(
                actor=pm,
                partnership=partnership,
                source=person,
                category=KnowledgeCategory.PHYSICIAN_PREFERENCE,
                title=f"What {name.split()[0]} knew about the specialties' on-call habits",
                subject="All specialties",
                content="Captured in a structured interview before the last day.",
                captured_on=_day(today, last_day - 20),
            )
            services.knowledge_review(actor=manager, item=item)
            services.knowledge_transfer(actor=pm, item=item)
    group = services.group_create(
        actor=pm,
        partnership=partnership,
        name="Specialty triage nurses",
        headcount=5,
        adkar_stage=AdkarStage.REINFORCEMENT,
    )
    for offset, score in ((-260, 3), (-220, 4), (-190, 4), (-120, 5)):
        services.check_in_create(
            actor=pm,
            partnership=partnership,
            group=group,
            score=score,
            checked_on=_day(today, offset),
        )
    item = services.communication_create(
        actor=pm,
        partnership=partnership,
        audience="All nine clinic sites",
        message="After-hours and overflow calls now reach Northstar; the numbers do not change.",
        channel=Channel.EMAIL,
        planned_on=_day(today, -194),
        owner=manager.membership.user,
    )
    services.communication_mark_sent(actor=pm, item=item, sent_at=_morning(item.planned_on))
    decision = services.go_no_go_record(
        actor=manager,
        partnership=partnership,
        decision=Decision.GO,
        rationale=(
            "Parallel run met every discovery baseline (answer in 24 s against 31 s, "
            "abandonment 3.1%); the cardiology rotation feed is fixed and verified; every "
            "staff outcome is settled and the knowledge transferred."
        ),
    )
    _set_status(pm, after, TaskStatus.DONE)
    decision_day = tasks["go-no-go"].due if "go-no-go" in tasks else today
    GoNoGoDecision.objects.filter(pk=decision.pk).update(created_at=_morning(decision_day))
    kickoff = tasks.get("kickoff")
    _backdate(plan, baselined_on=kickoff.start if kickoff else today)
    return created
