"""Metro Specialty Physicians (Northstar): a specialty practice's after-hours and overflow
triage, live for over six months.

- Culture: a diverse city practice (Spanish, Polish, Arabic, Vietnamese) whose specialists
  hold strong preferences, standing orders and on-call rules.
- Transition: finished — every task done, go-live a week late, the go decision recorded,
  every staff outcome completed and the leavers' knowledge transferred. The demo PM is not on
  this partnership: its account manager ran the transition.
"""

from __future__ import annotations

from demo.data.shared import QA_GRACE, QA_NURSES, TASK_OWNERS
from demo.spec import (
    AdaptationSpec,
    AuditSpec,
    ClientSpec,
    CommunicationSpec,
    CultureSpec,
    DiscoverySpec,
    FollowUpSpec,
    GoalSpec,
    GoNoGo,
    GroupSpec,
    HealthSpec,
    IssueSpec,
    KnowledgeSpec,
    KpiSeries,
    NurseSpec,
    PartnershipSpec,
    PopulationSpec,
    PreferenceSpec,
    ServiceSpec,
    StaffSpec,
    TaskEdit,
    TaskStatuses,
    TouchpointSpec,
    TransitionSpec,
    creep,
    in_phase,
    outside_phase,
    routine_audits,
)
from health.models import IssueStatus, Severity, TouchpointKind, TriageError
from partnerships.models import ClientKind, PartnershipStatus
from transition.models import (
    AdkarStage,
    Channel,
    Decision,
    KnowledgeCategory,
    Outcome,
    OutcomeStatus,
    StaffRole,
    Support,
    TaskStatus,
)

PARTNERSHIP = PartnershipSpec(
    name="Metro Specialty — after-hours and overflow triage",
    status=PartnershipStatus.LIVE,
    account_manager="am@northstar.example",
    contract_start=-330,
    planned_go_live=-200,
    actual_go_live=-193,
    description=(
        "Metro Specialty Physicians (140 physicians in cardiology, gastroenterology, "
        "orthopedics, OB/GYN and oncology across nine clinic sites) has moved its "
        "after-hours and daytime overflow triage to Northstar.\n\n"
        "Each specialty keeps its own on-call rotation and escalation preferences; "
        "oncology patients on active chemotherapy who report a fever reach the oncology "
        "on-call within 15 minutes. Spanish and Polish coverage on every shift.\n\n"
        "Quarterly business reviews with the COO; a monthly KPI pack to the practice "
        "administrator."
    ),
    internal_notes=(
        "Go-live slipped a week while the cardiology rotation feed was fixed. "
        "Orthopedics still prefers pages to secure messages after 22:00 — honor it. "
        "Renewal conversation due next quarter; the COO's priority is the abandonment "
        "rate during the Monday-morning overflow."
    ),
    overrides={
        PartnershipStatus.TRANSITION: (
            "Discovery ran before Metro moved to Switchboard: it was signed on paper by the "
            "COO and the specialty chiefs (the signed copy is in the contract file)."
        ),
        PartnershipStatus.LIVE: (
            "Go decision taken at the cut-over review (recorded on the readiness page); the "
            "paper discovery sign-off stands in for the one Switchboard would hold."
        ),
    },
    notes={
        PartnershipStatus.DISCOVERY: "Contract signed; discovery kickoff with the COO.",
        PartnershipStatus.TRANSITION: (
            "Discovery and desired patient experience signed off by the COO and the "
            "specialty chiefs."
        ),
        PartnershipStatus.LIVE: (
            "Cutover complete: all nine sites route after-hours calls to Northstar; "
            "on-call paging verified with every specialty."
        ),
    },
)

# --- Culture -------------------------------------------------------------------------------

STANDING_ORDERS = "Specialty standing orders: cardiology and anticoagulation"
OB_TRIAGE = "OB triage at night: reduced fetal movement and bleeding"
CARDIOLOGY = "Cardiology patients, North Side clinics"
ONCOLOGY = "Oncology patients on active treatment"
OBGYN = "OB/GYN patients, Pilsen and Little Village"
ORTHO = "Orthopedics and sports medicine"
GI = "Gastroenterology, Northwest Side and West Ridge"

CULTURE = CultureSpec(
    profile={
        "mission_and_values": (
            "Specialist care close to home in every Chicago neighborhood. The practice "
            "measures itself on access: a patient who calls must reach the right specialist "
            "the same night when it matters."
        ),
        "communication_style": (
            "Professional and efficient; patients are often already managed by a "
            "specialist and know their condition. Use their specialist's name. Offer the "
            "language line immediately — do not wait for the caller to ask."
        ),
        "escalation_preferences": (
            "Each specialty keeps its own on-call rotation (fed nightly by the practice's "
            "scheduling system): follow the specialty's rule in this registry, not a generic "
            "one. Oncology fever on active chemotherapy: on-call within 15 minutes. "
            "Orthopedics after 22:00: page, never secure message."
        ),
        "terminology": (
            "“Patients” (they are established). “Metro Specialty”, not “MSP”. "
            "Say “infusion center”, not “chemo room”."
        ),
        "decision_makers": (
            "COO (contract and renewals); practice administrator (monthly KPI pack); "
            "each specialty chief for their own on-call rules."
        ),
        "meeting_cadence": "Quarterly business review with the COO; monthly KPI pack to the "
        "practice administrator",
        "internal_notes": (
            "Renewal next quarter. The COO watches Monday-morning overflow abandonment; the "
            "cardiology chief is the loudest voice and the best reference if kept happy."
        ),
    },
    populations=(
        PopulationSpec(
            CARDIOLOGY,
            "25",
            {"en": "78", "pl": "12", "es": "10"},
            {
                "region": "Edgewater, Lincoln Square, Jefferson Park",
                "age_bands": ["50_64", "65_74", "75_plus"],
                "education_level": "mixed",
                "health_literacy": "moderate",
                "question_depth": "moderate",
                "preferred_channels": ["phone", "portal"],
                "peak_hours": "Weekday evenings 18:00-21:00; Monday mornings (overflow)",
                "accessibility_needs": ["hearing"],
                "notes": "Home monitor alerts, chest pain, anticoagulation, device questions.",
            },
        ),
        PopulationSpec(
            ONCOLOGY,
            "15",
            {"en": "80", "es": "10", "ar": "5", "vi": "5"},
            {
                "region": "All nine sites; infusion centers at Loop and Evanston",
                "age_bands": ["35_49", "50_64", "65_74"],
                "education_level": "mixed",
                "health_literacy": "moderate",
                "question_depth": "technical",
                "preferred_channels": ["phone", "portal"],
                "peak_hours": "Evenings and weekends after infusion days",
                "accessibility_needs": ["interpreter"],
                "notes": (
                    "Fever, nausea and pain on active chemotherapy; caregivers call as often "
                    "as patients and know the regimen in detail."
                ),
            },
        ),
        PopulationSpec(
            OBGYN,
            "25",
            {"es": "55", "en": "45"},
            {
                "region": "Pilsen, Little Village, Back of the Yards",
                "age_bands": ["18_24", "25_34", "35_49"],
                "education_level": "mixed",
                "health_literacy": "moderate",
                "question_depth": "basic",
                "preferred_channels": ["phone", "text"],
                "peak_hours": "Nights 22:00-06:00",
                "accessibility_needs": ["interpreter"],
                "notes": "Pregnancy concerns at night; partners and mothers often on the line.",
            },
        ),
        PopulationSpec(
            ORTHO,
            "15",
            {"en": "85", "pl": "8", "es": "7"},
            {
                "region": "Loop, River North, Oak Park",
                "age_bands": ["18_24", "25_34", "35_49", "50_64"],
                "education_level": "bachelors",
                "health_literacy": "high",
                "question_depth": "moderate",
                "preferred_channels": ["phone", "portal", "text"],
                "peak_hours": "Weekends; evenings after surgery days",
                "accessibility_needs": [],
                "notes": "Post-op pain, casts and splints, DVT worries after joint replacement.",
            },
        ),
        PopulationSpec(
            GI,
            "20",
            {"en": "55", "pl": "20", "ar": "15", "vi": "10"},
            {
                "region": "Avondale, Albany Park, West Ridge, Uptown (Argyle Street)",
                "age_bands": ["35_49", "50_64", "65_74"],
                "education_level": "mixed",
                "health_literacy": "low",
                "question_depth": "basic",
                "preferred_channels": ["phone"],
                "peak_hours": "The evening before colonoscopies (bowel prep questions)",
                "accessibility_needs": ["interpreter", "large_print"],
                "notes": (
                    "Bowel-prep questions the night before procedures; Arabic and "
                    "Vietnamese speakers rarely ask for an interpreter — offer it."
                ),
            },
        ),
    ),
    adaptations=(
        AdaptationSpec(
            ONCOLOGY,
            "protocol",
            "Chemotherapy fever pathway: oncology on-call within 15 minutes",
            "done",
            "manager",
            -175,
            "questions answered %",
            description="Direct page to oncology on-call; ED pre-notified for neutropenic fever.",
            completed_on=-170,
        ),
        AdaptationSpec(
            GI,
            "language_coverage",
            "Polish-speaking nurse on every shift",
            "done",
            "manager",
            -150,
            "satisfied %",
            language="pl",
            completed_on=-140,
        ),
        AdaptationSpec(
            CARDIOLOGY,
            "training",
            STANDING_ORDERS,
            "done",
            "manager",
            -120,
            "satisfied %",
            description="Two hours with the cardiology nurse navigator, per shift team.",
            completed_on=-112,
        ),
        AdaptationSpec(
            GI,
            "script",
            "Offer the interpreter first: Arabic and Vietnamese callers",
            "in_progress",
            "manager",
            -14,
            "questions answered %",
            description="Offer the language line in the first sentence when the accent or "
            "name suggests it; record the language in the ticket.",
        ),
        AdaptationSpec(
            OBGYN,
            "training",
            OB_TRIAGE,
            "done",
            "manager",
            -70,
            "questions answered %",
            completed_on=-64,
        ),
        AdaptationSpec(
            ORTHO,
            "staffing",
            "Monday-morning overflow: two extra nurses 07:00-11:00",
            "done",
            "admin",
            -95,
            "abandonment rate",
            completed_on=-90,
        ),
        AdaptationSpec(
            OBGYN,
            "language_coverage",
            "Second Spanish-speaking nurse on nights",
            "planned",
            "manager",
            35,
            "satisfied %",
            language="es",
        ),
    ),
    nurses=(
        NurseSpec("Marta Kowalczyk, RN", ("en", "pl"), {STANDING_ORDERS: -110}),
        NurseSpec(
            "Piotr Zielinski, RN", ("en", "pl", "uk"), {STANDING_ORDERS: -108, OB_TRIAGE: -60}
        ),
        NurseSpec("Rosa Delgado, RN", ("en", "es"), {STANDING_ORDERS: -105, OB_TRIAGE: -62}),
        NurseSpec("Luis Herrera, RN", ("en", "es"), {OB_TRIAGE: -58}),
        NurseSpec("Thu Pham, RN", ("en", "vi"), {STANDING_ORDERS: -101}),
        NurseSpec("Karen Mitchell, RN", ("en",), {STANDING_ORDERS: -100, OB_TRIAGE: -55}),
        NurseSpec("James O'Neill, RN", ("en",), {}),
        NurseSpec("Beatriz Santos, RN", ("en", "es", "pt"), {OB_TRIAGE: -50}),
        NurseSpec("Angela Russo, RN", ("en", "it"), {}),
    ),
    preferences=(
        PreferenceSpec(
            "Dr. Andrzej Nowak",
            "Cardiology (chief)",
            "on_call_escalation",
            "Chest pain and home-monitor alerts",
            (
                "Chest pain with a home-monitor alert or a history of stent: 911 first, then "
                "page cardiology on-call. Monitor alert without symptoms: secure message "
                "before 22:00, page after.",
            ),
            1,
        ),
        PreferenceSpec(
            "Dr. Andrzej Nowak",
            "Cardiology (chief)",
            "standing_order",
            "Missed anticoagulant dose",
            (
                "Apixaban missed under 6 hours: take it now; over 6 hours: skip, next dose as "
                "scheduled. Never double.",
            ),
            1,
        ),
        PreferenceSpec(
            "Dr. Farah Haddad",
            "Medical oncology",
            "on_call_escalation",
            "Fever on active chemotherapy",
            (
                "Temperature 100.4°F or above within 21 days of chemotherapy: page oncology "
                "on-call at once; they call back within 15 minutes. No acetaminophen before "
                "the call. Pre-notify the ED if sent.",
            ),
            1,
        ),
        PreferenceSpec(
            "Orthopedics group",
            "Orthopedic surgery",
            "preference",
            "Contacting the on-call surgeon after 22:00",
            (
                "Secure message the on-call surgeon.",
                "After 22:00 page the on-call surgeon; never a secure message (they are not "
                "read at night). Before 22:00 secure message for non-urgent questions.",
            ),
            2,
        ),
        PreferenceSpec(
            "Dr. Linh Tran",
            "Gastroenterology",
            "standing_order",
            "Bowel preparation questions",
            (
                "Clear liquids only from the morning before; second half of the prep 5 hours "
                "before arrival. Vomiting the prep: wait 30 minutes, resume slower. Call the "
                "endoscopy unit at 06:30 if the stool is not clear.",
            ),
            1,
        ),
        PreferenceSpec(
            "Dr. Maria Esposito",
            "Obstetrics and gynecology",
            "on_call_escalation",
            "Reduced fetal movement after 28 weeks",
            (
                "Fewer than 10 movements in 2 hours after 28 weeks: go to Labor and Delivery "
                "triage now; call L&D to expect her. Do not advise waiting until morning.",
                "Fewer than 10 movements in 2 hours after 28 weeks: go to Labor and Delivery "
                "triage now; call L&D to expect her, and text the patient the address in her "
                "language. Do not advise waiting until morning.",
            ),
            1,
        ),
    ),
    satisfaction={
        ONCOLOGY: (
            (58, "82.0", "80.0"),
            (61, "81.5", "79.0"),
            (55, "88.0", "87.5"),
            (63, "89.5", "89.0"),
            (60, "90.0", "90.5"),
            (57, "91.0", "91.0"),
            (64, "90.5", "91.5"),
            (59, "91.5", "92.0"),
            (62, "92.0", "92.5"),
        ),
        GI: (
            (70, "80.0", "74.0"),
            (68, "79.5", "73.5"),
            (74, "81.0", "75.0"),
            (71, "86.0", "80.5"),
            (69, "87.0", "82.0"),
            (75, "87.5", "82.5"),
            (72, "88.0", "83.0"),
            (66, "87.0", "83.5"),
            (73, "88.5", "84.0"),
        ),
        CARDIOLOGY: (
            (95, "86.0", "85.0"),
            (102, "85.5", "84.0"),
            (98, "86.5", "85.5"),
            (104, "87.0", "86.0"),
            (99, "90.0", "89.0"),
            (101, "90.5", "89.5"),
            (97, "91.0", "90.0"),
            (103, "91.5", "90.5"),
            (100, "92.0", "91.0"),
        ),
        OBGYN: (
            (88, "84.0", "80.0"),
            (91, "83.5", "79.0"),
            (86, "84.5", "80.5"),
            (90, "85.0", "81.0"),
            (92, "84.0", "80.0"),
            (89, "85.5", "81.5"),
            (93, "88.5", "86.0"),
            (87, "89.0", "87.5"),
            (94, "90.0", "88.0"),
        ),
        ORTHO: (
            (40, "87.0", "88.0"),
            (42, "86.5", "87.5"),
            (38, "87.5", "88.0"),
            (44, "88.0", "88.5"),
            (41, "89.5", "89.0"),
            (39, "90.0", "89.5"),
            (43, "90.5", "90.0"),
            (45, "91.0", "90.5"),
            (40, "91.0", "91.0"),
        ),
    },
)

# --- Transition ----------------------------------------------------------------------------


def _settled(name: str, role: str, tenure: str, outcome: str, notice: int, last_day: int):
    """Someone of the practice's call center, long settled. Everyone not hired by Northstar
    gave a structured knowledge interview twenty days before their last day."""
    first = name.split()[0]
    return StaffSpec(
        full_name=name,
        role=role,
        tenure_years=tenure,
        work_email=name.lower().replace(" ", ".") + "@metrospecialty.example",
        outcome=outcome,
        outcome_status=OutcomeStatus.COMPLETED,
        notice_date=notice,
        last_day=last_day,
        recognition="Honoured at the practice's go-live dinner.",
        support_offered=(
            (Support.SEVERANCE, Support.OUTPLACEMENT, Support.REFERENCE)
            if outcome == Outcome.LAID_OFF
            else ()
        ),
        knowledge=()
        if outcome == Outcome.HIRED_BY_PROVIDER
        else (
            KnowledgeSpec(
                KnowledgeCategory.PHYSICIAN_PREFERENCE,
                f"What {first} knew about the specialties' on-call habits",
                "All specialties",
                "Captured in a structured interview before the last day.",
                last_day - 20,
                "transferred",
            ),
        ),
    )


TRANSITION = TransitionSpec(
    run_by="manager",
    site="Metro Specialty call center, Chicago",
    task_owners=TASK_OWNERS,
    roster=(
        _settled("Helen Carver", StaffRole.TRIAGE_RN, "22", Outcome.HIRED_BY_PROVIDER, -270, -195),
        _settled("Marek Nowak", StaffRole.TRIAGE_RN, "14", Outcome.HIRED_BY_PROVIDER, -270, -195),
        _settled("Sandra Ruiz", StaffRole.TRIAGE_RN, "29", Outcome.RETIRING, -290, -190),
        _settled("Paul Greene", StaffRole.LPN, "11", Outcome.REDEPLOYED, -280, -193),
        _settled("Dana Fox", StaffRole.SCHEDULER, "7", Outcome.LAID_OFF, -280, -190),
        _settled("Victor Osei", StaffRole.CALL_CENTER_MANAGER, "12", Outcome.RETAINED, -280, -193),
    ),
    groups=(
        GroupSpec(
            "Specialty triage nurses",
            5,
            AdkarStage.REINFORCEMENT,
            check_ins=((-260, 3, ""), (-220, 4, ""), (-190, 4, ""), (-120, 5, "")),
        ),
    ),
    communications=(
        CommunicationSpec(
            "All nine clinic sites",
            "After-hours and overflow calls now reach Northstar; the numbers do not change.",
            Channel.EMAIL,
            -194,
            "manager",
            sent=True,
        ),
    ),
    story=(
        # The cardiology rotation feed held the cut-over back a week.
        TaskEdit("go-live", move=7, auto_schedule=True),
        TaskStatuses(TaskStatus.DONE, when=outside_phase("hypercare")),
        GoNoGo(
            by="manager",
            decision=Decision.GO,
            rationale=(
                "Parallel run met every discovery baseline (answer in 24 s against 31 s, "
                "abandonment 3.1%); the cardiology rotation feed is fixed and verified; every "
                "staff outcome is settled and the knowledge transferred."
            ),
        ),
        TaskStatuses(TaskStatus.DONE, when=in_phase("hypercare")),
    ),
)

# Metro's discovery ran on paper before Switchboard (its sign-off is the override of the
# transition gate); the account manager entered its services and baselines afterwards, so
# that the live KPIs have something to be compared with.
AFTER_HOURS = "After-hours specialty triage"
OVERFLOW = "Daytime overflow triage"
PAGING = "Specialist on-call paging"

DISCOVERY = DiscoverySpec(
    inventory_by="manager",
    led_by="manager",
    services=(
        ServiceSpec(
            kind="after_hours_triage",
            name=AFTER_HOURS,
            hours="Every night 17:00 to 08:00, weekends and holidays around the clock",
            monthly_volume=3400,
            description="Nine clinic sites; one on-call rotation per specialty.",
            baselines=(
                ("average_speed_of_answer", "31"),
                ("abandonment_rate", "4.6"),
                ("service_level_30s", "78"),
                ("qa_correct_guideline", "94"),
                ("qa_correct_disposition", "93"),
                ("caller_satisfaction", "88"),
            ),
        ),
        ServiceSpec(
            kind="daytime_triage",
            name=OVERFLOW,
            hours="Weekdays 08:00 to 17:00 when the clinic queues pass 3 minutes",
            monthly_volume=1900,
            description="Overflow from the clinics' own nurses; Monday mornings are the peak.",
            baselines=(
                ("average_speed_of_answer", "44"),
                ("abandonment_rate", "5.2"),
                ("service_level_30s", "72"),
            ),
        ),
        ServiceSpec(
            kind="on_call_paging",
            name=PAGING,
            hours="Same as the after-hours line",
            monthly_volume=420,
            baselines=(("average_speed_of_answer", "20"),),
        ),
    ),
    # The COO's one number, agreed on paper with the discovery.
    goals=(
        GoalSpec(
            "Monday-morning overflow callers reach a nurse: fewer than 5 in 100 hang up",
            "abandonment_rate",
            "5",
            1,
            service=OVERFLOW,
        ),
        GoalSpec(
            "Overflow callers are answered within 30 seconds, 8 times in 10",
            "service_level_30s",
            "80",
            2,
            service=OVERFLOW,
        ),
    ),
)

# --- Live ----------------------------------------------------------------------------------
# Amber: the daytime overflow's abandonment has crept from under 5% to 7.5% and more, worst
# on Monday mornings (above its 5.2% baseline and the COO's goal of 5%), and the account
# manager has not spoken to the practice for over three weeks (two follow-ups overdue). The
# after-hours line and the paging line are better than their baselines; QA is on target.

MONDAY = 0

HEALTH = HealthSpec(
    kpis=(
        KpiSeries("average_speed_of_answer", AFTER_HOURS, creep("27", "25"), "3", calls=115),
        KpiSeries("abandonment_rate", AFTER_HOURS, creep("4.1", "3.8"), "0.6"),
        KpiSeries("service_level_30s", AFTER_HOURS, creep("81", "83"), "2.5"),
        KpiSeries(
            "average_speed_of_answer",
            OVERFLOW,
            creep("36", "46"),
            "4",
            weekly={MONDAY: "16"},
            weekdays_only=True,
            calls=90,
        ),
        KpiSeries(
            "abandonment_rate",
            OVERFLOW,
            creep("4.6", "7.6"),
            "0.5",
            weekly={MONDAY: "2.6"},
            weekdays_only=True,
        ),
        KpiSeries(
            "service_level_30s",
            OVERFLOW,
            creep("76", "68"),
            "2.5",
            weekly={MONDAY: "-9"},
            weekdays_only=True,
        ),
        KpiSeries("average_speed_of_answer", PAGING, creep("18", "17"), "3", calls=14),
        KpiSeries("average_handle_time", None, creep("9.8", "10.2"), "0.8"),
    ),
    issues=(
        IssueSpec(
            "Orthopedics page sent as a secure message after 22:00",
            Severity.MEDIUM,
            "A post-op DVT question at 23:10 went to the on-call surgeon as a secure message; "
            "the surgeon read it at 06:30. The orthopedics rule is a page after 22:00.",
            raised_by="manager",
            owner="admin",
            opened=71,
            service=AFTER_HOURS,
            path=(
                (IssueStatus.IN_PROGRESS, 1),
                (IssueStatus.RESOLVED, 30),
                (IssueStatus.CLOSED, 80),
            ),
            resolution="The paging rule is now in the after-22:00 script and the nurses were "
            "briefed at the shift huddles; no repeat in a month of audits.",
        ),
        IssueSpec(
            "Cardiology rotation feed missed the Saturday swap",
            Severity.HIGH,
            "The nightly rotation feed still named Dr. Nowak on call on Saturday; two pages "
            "went to him instead of Dr. Patel.",
            raised_by="manager",
            owner="admin",
            opened=39,
            path=((IssueStatus.IN_PROGRESS, 2), (IssueStatus.RESOLVED, 26)),
            resolution="The practice's scheduling export now runs after the Friday swaps; the "
            "feed is checked every Saturday at 07:00.",
        ),
        IssueSpec(
            "Monday-morning overflow: callers abandoning before a nurse answers",
            Severity.HIGH,
            "On the last four Mondays 8 to 10 in 100 overflow callers hung up before a nurse "
            "answered, against 5.2 in the discovery baseline. The clinics' queues spill over "
            "at 08:00 sharp, before the second wave of nurses logs in.",
            raised_by="manager",
            owner="admin",
            opened=12,
            service=OVERFLOW,
            path=((IssueStatus.IN_PROGRESS, 3),),
            internal_notes="Renewal next quarter; the COO will ask about this first.",
        ),
        IssueSpec(
            "Bowel-prep callbacks not reaching the endoscopy unit by 06:30",
            Severity.MEDIUM,
            "Two patients told to call the endoscopy unit at 06:30 found no one had been told "
            "their prep was incomplete; the unit wants the nurse's note by 06:00.",
            raised_by="manager",
            owner="admin",
            opened=6,
            service=AFTER_HOURS,
            path=((IssueStatus.IN_PROGRESS, 4),),
        ),
        IssueSpec(
            "Polish interpreter line slow to connect on Sunday nights",
            Severity.LOW,
            "Two Sunday-night calls waited over three minutes for the Polish interpreter.",
            raised_by="manager",
            owner="manager",
            opened=9,
            path=((IssueStatus.IN_PROGRESS, 5), (IssueStatus.WAITING_ON_CLIENT, 28)),
            internal_notes="Waiting on the practice's interpreter contract renewal.",
        ),
    ),
    audits=(
        *routine_audits(
            "MSP", services=(AFTER_HOURS, OVERFLOW, AFTER_HOURS), auditors=QA_NURSES, every=6
        ),
        AuditSpec(
            "MSP-054-A",
            -54,
            QA_GRACE,
            "ynyyyyyyy",
            service=OVERFLOW,
            triage_error=TriageError.UNDER,
            notes="Post-op calf pain and swelling after a knee replacement: home care advised; "
            "the DVT protocol calls for a same-day assessment. Coached with the nurse; the "
            "patient was called back and seen the same afternoon.",
        ),
    ),
    touchpoints=(
        TouchpointSpec(
            -82,
            TouchpointKind.CALL,
            "Marcus Oyelaran (Northstar); Janet Kowalski, practice administrator",
            "Monthly KPI pack walked through: every line at or better than its baseline.",
        ),
        TouchpointSpec(
            -68,
            TouchpointKind.BUSINESS_REVIEW,
            "Marcus Oyelaran, Dana Whitfield (Northstar); the COO; Janet Kowalski; "
            "Dr. Andrzej Nowak, cardiology chief",
            "Quarterly business review. The COO is pleased with the after-hours line; asked "
            "us to watch the Monday-morning overflow as the clinics grow.",
            follow_ups=(
                FollowUpSpec(
                    "Add Monday-morning figures to the monthly KPI pack", "manager", -52, True
                ),
                FollowUpSpec("Plan the next QBR for the renewal quarter", "manager", -40, True),
            ),
        ),
        TouchpointSpec(
            -54,
            TouchpointKind.CALL,
            "Marcus Oyelaran (Northstar); Janet Kowalski",
            "KPI pack: overflow abandonment a little above baseline on Mondays; watching it.",
        ),
        TouchpointSpec(
            -40,
            TouchpointKind.SITE_VISIT,
            "Marcus Oyelaran (Northstar); Janet Kowalski; the Loop clinic's charge nurse",
            "Watched the Loop clinic's queue on a Monday morning: the clinic nurses spill over "
            "to us at 08:00 sharp, when our second wave of nurses is still logging in.",
            follow_ups=(
                FollowUpSpec("Send the Monday-morning staffing model to the COO", "manager", -19),
                FollowUpSpec("Start the overflow nurses at 07:45 on Mondays", "admin", -24, True),
            ),
        ),
        TouchpointSpec(
            -26,
            TouchpointKind.CALL,
            "Marcus Oyelaran (Northstar); Janet Kowalski",
            "KPI pack: overflow abandonment still climbing on Mondays despite the earlier "
            "start. Promised a recovery plan.",
            follow_ups=(
                FollowUpSpec(
                    "Propose a recovery plan for Monday-morning abandonment", "manager", -12
                ),
                FollowUpSpec(
                    "Send the Sunday-night interpreter wait times to the practice administrator",
                    "manager",
                    -5,
                ),
                FollowUpSpec(
                    "Confirm the start date of the second Spanish-speaking night nurse",
                    "manager",
                    12,
                ),
            ),
        ),
    ),
)

CLIENT = ClientSpec(
    name="Metro Specialty Physicians",
    kind=ClientKind.PHYSICIAN_PRACTICE,
    city="Chicago",
    state="IL",
    time_zone="America/Chicago",
    partnership=PARTNERSHIP,
    culture=CULTURE,
    discovery=DISCOVERY,
    transition=TRANSITION,
    health=HEALTH,
)
