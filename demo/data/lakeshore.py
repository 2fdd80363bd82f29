"""Lakeshore University Student Health (Northstar): a university's after-hours student nurse
line, in transition.

- Culture: students who ask in-depth technical questions, a large international population
  (Mandarin, Hindi, Spanish, Korean), faculty and staff; a CE physiology module, a
  medication-interaction script and late-night staffing, with satisfaction over eight months
  before and after.
- Discovery: complete, signed off and co-signed — three services with baselines, two reports,
  the current call flow (reviewed) and the provider's future design, the desired patient
  experience workshop, goals signed off by the client, one opportunity accepted and one
  proposed.
- Transition: in flight — the build under way with one task slipping, one stretched on the
  critical path and one blocked; twelve people handled with care (outcomes, notice, support,
  recognition, sentiment, knowledge capture, a communications plan), the call-center manager
  appointed implementation PM.
"""

from __future__ import annotations

from demo.data.shared import QA_GRACE, QA_TOMAS, TASK_OWNERS
from demo.spec import (
    AdaptationSpec,
    CallFlowSpec,
    ClientSpec,
    Comment,
    CommunicationSpec,
    CultureSpec,
    DiscoverySpec,
    FollowUpSpec,
    GoalSpec,
    GroupSpec,
    HealthSpec,
    IssueSpec,
    KnowledgeSpec,
    KpiSeries,
    NurseSpec,
    OpportunitySpec,
    PartnershipSpec,
    PersonSpec,
    PopulationSpec,
    PreferenceSpec,
    ReportSpec,
    ServiceSpec,
    SessionSpec,
    StaffSpec,
    TaskEdit,
    TaskStatuses,
    TouchpointSpec,
    TransitionSpec,
    VersionSpec,
    creep,
    due_before_today,
    graph,
    pdf,
    revise,
    routine_audits,
    under_way,
)
from health.models import IssueStatus, Severity, TouchpointKind
from partnerships.models import ClientKind, PartnershipStatus
from tenancy.models import Role
from transition.models import (
    AdkarStage,
    Channel,
    KnowledgeCategory,
    Outcome,
    OutcomeStatus,
    StaffRole,
    Support,
    TaskStatus,
)

PARTNERSHIP = PartnershipSpec(
    name="Lakeshore University — after-hours student nurse line",
    status=PartnershipStatus.TRANSITION,
    account_manager="am@northstar.example",
    implementation_pms=("pm@northstar.example",),
    contract_start=-120,
    planned_go_live=45,
    description=(
        "Lakeshore University Student Health is closing its in-house after-hours nurse "
        "line (two RNs, 17:00 to 08:00 on weekdays and around the clock at weekends) at "
        "the end of the spring term and handing it to Northstar.\n\n"
        "About 31,000 students. Volume peaks on Sunday evenings, in the first six weeks "
        "of each semester and again around finals. Callers are 18 to 26, well educated "
        "and ask in-depth questions — medication interactions, what a lab value means, "
        "whether a symptom warrants the emergency department — and expect the reasoning, "
        "not just a disposition. A large share are international students: Mandarin "
        "and Hindi interpretation on every shift.\n\n"
        "Objectives: caller satisfaction at or above the internal line's 92%; "
        "mental-health calls warm-transferred to the on-call counselor within 60 "
        "seconds; visit notes in the student health record by 08:00 the next morning."
    ),
    internal_notes=(
        "Renee ran the university's nurse line for six years before joining us as "
        "implementation PM; she knows the physicians' standing orders by heart — lean "
        "on her for knowledge capture. One night RN is retiring in May, the other is "
        "weighing our offer: handle with care and keep the counseling center's director "
        "informed. Renewal is tied to the fall CSAT survey."
    ),
    notes={
        PartnershipStatus.DISCOVERY: (
            "Master services agreement signed; discovery kickoff held with the "
            "director of student health and the night nurses."
        ),
        PartnershipStatus.TRANSITION: (
            "Discovery signed off, including the desired patient experience session "
            "with student representatives; transition plan approved."
        ),
    },
)

# --- Culture -------------------------------------------------------------------------------

CE_MODULE = "CE module: physiology and pharmacology for student callers"
CAPS_REFRESHER = "Refresher: mental-health warm transfer to CAPS"
STUDENTS = "Students, main campus, Marquette MI"
INTERNATIONAL = "International students and scholars"
FACULTY = "Faculty and staff"

CULTURE = CultureSpec(
    profile={
        "mission_and_values": (
            "“Every student, whole and well.” Student Health treats students as capable "
            "adults: explain the reasoning, respect their autonomy and privacy (FERPA and "
            "HIPAA both apply), and never talk down."
        ),
        "communication_style": (
            "Warm, direct and unhurried; first names. Students expect the why behind a "
            "disposition and often quote what they read online — engage with it, don't "
            "dismiss it. Confirm understanding with teach-back on medication advice."
        ),
        "escalation_preferences": (
            "Any risk of self-harm: warm transfer to the counseling on-call within 60 "
            "seconds, stay on the line until they answer. Sexual assault: offer the campus "
            "advocate and the SANE nurse at Marquette General. Physician on call for "
            "anything the protocol sends to the ED between 23:00 and 07:00. The director of "
            "student health is told of every ED referral by 08:00."
        ),
        "terminology": (
            "“Student” or “caller”, not “patient”, until care is given. “Care team”, not "
            "“staff”. “Counseling and Psychological Services (CAPS)”, never “the shrinks”. "
            "“Student Health”, not “the infirmary”."
        ),
        "decision_makers": (
            "Dr. Helen Okafor, medical director (clinical protocols); Priya Raman, "
            "executive director of Student Health (contract, sign-offs); Dean of Students "
            "office for anything touching student conduct."
        ),
        "meeting_cadence": "Fortnightly, Tuesday 9:00, with the executive director; monthly "
        "clinical review with Dr. Okafor",
        "internal_notes": (
            "Priya is an ally; Dr. Okafor is skeptical of outsourcing after a bad "
            "experience with a previous vendor — show her the QA audits first."
        ),
    },
    populations=(
        PopulationSpec(
            STUDENTS,
            "60",
            {"en": "92", "es": "5", "ko": "3"},
            {
                "region": "Main campus and off-campus housing, Marquette MI",
                "age_bands": ["18_24", "25_34"],
                "education_level": "some_college",
                "health_literacy": "high",
                "question_depth": "technical",
                "preferred_channels": ["text", "portal", "phone"],
                "peak_hours": "Sun-Thu 21:00-01:00; first six weeks of each semester; finals",
                "accessibility_needs": ["relay"],
                "notes": (
                    "In-depth technical questions: medication interactions (ADHD stimulants, "
                    "SSRIs, alcohol), what a lab value from the portal means, whether a "
                    "sports injury needs imaging. They expect the reasoning, not only a "
                    "disposition, and prefer a text follow-up."
                ),
                "internal_notes": "Two complaints last spring about being 'read a script'.",
            },
        ),
        PopulationSpec(
            INTERNATIONAL,
            "15",
            {"cmn": "40", "hi": "25", "es": "10", "ko": "10", "en": "15"},
            {
                "region": "Graduate housing and the engineering quad",
                "age_bands": ["18_24", "25_34"],
                "education_level": "graduate",
                "health_literacy": "high",
                "question_depth": "technical",
                "preferred_channels": ["portal", "text", "video"],
                "peak_hours": "Late night 23:00-03:00 (calls from family time zones)",
                "accessibility_needs": ["interpreter"],
                "notes": (
                    "Often unsure how US insurance and referrals work; ask about costs "
                    "before care. Many prefer to switch to their first language for "
                    "symptoms even when fluent in English."
                ),
            },
        ),
        PopulationSpec(
            FACULTY,
            "20",
            {"en": "96", "es": "4"},
            {
                "region": "Campus employees and dependants on the university plan",
                "age_bands": ["25_34", "35_49", "50_64"],
                "education_level": "graduate",
                "health_literacy": "high",
                "question_depth": "moderate",
                "preferred_channels": ["phone", "portal"],
                "peak_hours": "Weekday evenings 17:00-20:00",
                "accessibility_needs": [],
                "notes": "Questions about children and elderly parents as often as themselves.",
            },
        ),
    ),
    adaptations=(
        AdaptationSpec(
            STUDENTS,
            "training",
            CE_MODULE,
            "done",
            "pm",
            -110,
            "questions answered %",
            description=(
                "Four-hour continuing-education module (2 contact hours each part) so that "
                "nurses can explain the why: renal and hepatic physiology, common stimulant "
                "and SSRI interactions, reading a basic metabolic panel."
            ),
            completed_on=-105,
        ),
        AdaptationSpec(
            STUDENTS,
            "script",
            "Script: medication-interaction questions",
            "done",
            "pm",
            -80,
            "satisfied %",
            description=(
                "A structured script with the student health pharmacist: what to ask, when "
                "to check the interaction database, when to route to the pharmacist line."
            ),
            completed_on=-76,
        ),
        AdaptationSpec(
            STUDENTS,
            "staffing",
            "Late-night staffing: third nurse Sun-Thu 21:00-01:00",
            "done",
            "manager",
            -50,
            "abandonment rate",
            description="A third nurse on the peak hours, so text follow-ups go out at once.",
            completed_on=-45,
        ),
        AdaptationSpec(
            STUDENTS,
            "training",
            CAPS_REFRESHER,
            "in_progress",
            "pm",
            21,
            "warm transfers within 60 s",
            description="Role-play with the CAPS on-call counselors; 45 minutes.",
        ),
        AdaptationSpec(
            INTERNATIONAL,
            "language_coverage",
            "Mandarin-speaking nurse on late-night shifts",
            "in_progress",
            "manager",
            30,
            "satisfied %",
            language="cmn",
        ),
        AdaptationSpec(
            INTERNATIONAL,
            "script",
            "Hindi interpreter quick-connect from the IVR",
            "planned",
            "manager",
            -10,
            "questions answered %",
            description="Option in the IVR that conferences the interpreter before the nurse.",
            internal_notes="Interpreter vendor contract amendment still with legal.",
        ),
        AdaptationSpec(
            INTERNATIONAL,
            "protocol",
            "Cost-of-care and insurance explainer before referrals",
            "done",
            "pm",
            -70,
            "satisfied %",
            description="A one-minute explanation of the student plan before an ED referral.",
            completed_on=-66,
        ),
        AdaptationSpec(
            FACULTY,
            "script",
            "Pediatric questions from employees' families",
            "planned",
            "pm",
            40,
            "questions answered %",
        ),
    ),
    nurses=(
        NurseSpec("Grace Holloway, RN", ("en",), {CE_MODULE: -100}),
        NurseSpec("Daniel Okonkwo, RN", ("en",), {CE_MODULE: -98, CAPS_REFRESHER: -6}),
        NurseSpec("Li Wen, RN", ("en", "cmn"), {CE_MODULE: -95}),
        NurseSpec("Sofia Marquez, RN", ("en", "es"), {CE_MODULE: -92, CAPS_REFRESHER: -4}),
        NurseSpec("Hannah Kim, RN", ("en", "ko"), {}),
        NurseSpec("Tom Brennan, RN", ("en",), {CE_MODULE: -88}),
        NurseSpec("Aisha Bello, RN", ("en",), {CE_MODULE: -60, CAPS_REFRESHER: -2}),
        NurseSpec("Mark Ellison, RN", ("en",), {}, is_active=False),
    ),
    preferences=(
        PreferenceSpec(
            "Dr. Helen Okafor",
            "Medical director, Student Health",
            "on_call_escalation",
            "Risk of self-harm",
            (
                "Warm transfer to the CAPS on-call counselor; stay on the line until they "
                "answer. If CAPS does not answer within 60 seconds, call 988 with the student "
                "and page me. Never leave a message or end the call first.",
            ),
            1,
        ),
        PreferenceSpec(
            "Dr. Helen Okafor",
            "Medical director, Student Health",
            "standing_order",
            "Emergency contraception",
            (
                "Nurses may advise levonorgestrel 1.5 mg OTC up to 72 hours; 72-120 hours, "
                "refer for ulipristal at the Student Health pharmacy at 08:00. No pregnancy "
                "test needed first.",
            ),
            1,
        ),
        PreferenceSpec(
            "Dr. Samuel Lindqvist",
            "Sports medicine",
            "preference",
            "Head injuries in athletes",
            (
                "Any head injury during practice or a game: no return to play that day; "
                "athletic trainer informed by text.",
                "Any head injury during practice or a game: no return to play that day; "
                "athletic trainer informed by text. Worsening headache, repeated vomiting or "
                "confusion: ED now and page me, at any hour.",
            ),
            1,
        ),
        PreferenceSpec(
            "Counseling and Psychological Services",
            "Behavioral health",
            "preference",
            "Follow-up after a crisis call",
            (
                "Send a portal message to CAPS intake by 08:00 with the student's consent; "
                "CAPS calls the student the same morning.",
            ),
            0,
        ),
    ),
    satisfaction={
        # Eight months, oldest first: the CE module (≈3.5 months ago) and the script
        # (≈2.5 months ago) lift satisfaction and answered questions.
        STUDENTS: (
            (188, "84.5", "78.0"),
            (204, "85.0", "79.5"),
            (176, "83.0", "77.0"),
            (221, "84.0", "80.0"),
            (198, "88.5", "86.0"),
            (213, "90.0", "88.5"),
            (187, "91.5", "90.0"),
            (226, "92.5", "91.0"),
        ),
        INTERNATIONAL: (
            (24, "79.0", "72.0"),
            (31, "78.5", "70.5"),
            (19, "80.0", "74.0"),
            (27, "81.5", "75.0"),
            (33, "83.0", "79.0"),
            (22, "86.0", "81.0"),
            (29, "87.5", "83.0"),
            (35, "88.0", "84.5"),
        ),
        FACULTY: (
            (41, "90.0", "88.0"),
            (38, "91.0", "89.0"),
            (44, "90.5", "88.5"),
            (40, "92.0", "90.0"),
            (36, "91.5", "90.5"),
            (43, "92.5", "91.0"),
            (39, "93.0", "91.5"),
            (42, "92.0", "91.0"),
        ),
    },
)

# --- Discovery -----------------------------------------------------------------------------

TRIAGE = "After-hours nurse triage"
PAGING = "Physician on-call paging"
ACD_REPORT = "ACD interval report, spring term"

# The after-hours line as the night nurses first sketched it (version 1) ...
SKETCH = graph(
    nodes=(
        ("entry", "entry", "Student calls the after-hours line"),
        ("menu", "ivr_menu", "Greeting and menu: 1 for a nurse, 2 for appointments"),
        ("emergency_message", "emergency_escalation", "Emergency message: hang up, dial 911"),
        ("appointments", "voicemail", "Appointment requests voicemail"),
        ("nurse_queue", "queue", "Nurse queue"),
        ("triage", "triage_protocol", "Nurse triage (telephone protocols)"),
        ("ed_now", "emergency_escalation", "911 / ED now: nurse stays on the line"),
        ("page_on_call", "oncall_page", "Page the on-call physician"),
        ("md_transfer", "warm_transfer", "Warm transfer to the on-call physician"),
        ("end", "end", "Call complete, advice documented"),
    ),
    edges=(
        ("entry", "menu"),
        ("menu", "emergency_message", "Emergency (message plays first)"),
        ("menu", "nurse_queue", "Press 1: nurse"),
        ("menu", "appointments", "Press 2: appointments"),
        ("emergency_message", "end"),
        ("appointments", "end", "Booked next business day"),
        ("nurse_queue", "triage", "Nurse answers"),
        ("triage", "ed_now", "Emergent: 911 / ED now"),
        ("triage", "page_on_call", "Physician needed tonight"),
        ("triage", "end", "Home care advice"),
        ("page_on_call", "md_transfer", "Physician calls in"),
        ("ed_now", "end"),
        ("md_transfer", "end"),
    ),
)

# ... after the walk-through: the overflow voicemail and the nurse callbacks (version 2,
# reviewed) ...
CURRENT = revise(
    SKETCH,
    nodes=(
        ("overflow_voicemail", "voicemail", "Overflow voicemail, checked every 30 min"),
        ("nurse_callback", "callback", "Nurse calls the student back"),
    ),
    edges=(
        ("nurse_queue", "overflow_voicemail", "Hold > 10 min"),
        ("overflow_voicemail", "nurse_callback"),
        ("nurse_callback", "triage", "Student reached"),
        ("nurse_callback", "end", "3 attempts, no answer"),
        ("triage", "nurse_callback", "Recheck symptoms in 2 hours"),
    ),
)

# ... and the provider's design: virtual hold instead of the overflow voicemail, interpreters
# on every shift, a warm transfer straight to the on-call physician (paging as a fallback)
# and to the on-call counselor for mental-health calls.
FUTURE = revise(
    CURRENT,
    nodes=(
        (
            "menu",
            "ivr_menu",
            "Greeting and menu: 1 for a nurse, 2 for appointments; interpreters on request",
        ),
        ("overflow_voicemail", "callback", "Virtual hold: keep your place, nurse calls back"),
        ("interpreter", "warm_transfer", "Interpreter conferenced in (Mandarin, Hindi)"),
        ("counselor", "warm_transfer", "Warm transfer to the on-call counselor (< 60 s)"),
        ("appointments", "callback", "Scheduling team calls back by 10:00"),
    ),
    edges=(
        ("nurse_queue", "overflow_voicemail", "Hold > 2 min, student opts in"),
        ("nurse_queue", "interpreter", "Language other than English"),
        ("interpreter", "triage"),
        ("triage", "md_transfer", "Physician needed tonight"),
        ("md_transfer", "page_on_call", "Physician unavailable: page"),
        ("page_on_call", "end", "Physician calls the student"),
        ("triage", "counselor", "Mental-health crisis"),
        ("counselor", "end"),
        ("appointments", "end", "Appointment booked"),
    ),
    drop_edges=(("triage", "page_on_call"), ("page_on_call", "md_transfer")),
)

SESSION_ATTENDEES = (
    "Director of Student Health\nNight nurse lead\nStudent government health liaison\n"
    "Northstar account manager"
)

DISCOVERY = DiscoverySpec(
    inventory_by="pm",
    led_by="manager",
    services=(
        ServiceSpec(
            kind="after_hours_triage",
            name=TRIAGE,
            hours="Weeknights 17:00 to 08:00; weekends and university holidays around the clock",
            monthly_volume=2100,
            description="Two RNs on protocols; peaks on Sunday evenings and at the start of term.",
            baselines=(
                ("average_speed_of_answer", "38"),
                ("abandonment_rate", "7.8"),
                ("triage_callback_time", "34"),
                ("service_level_30s", "71"),
                ("average_handle_time", "11.5"),
                ("qa_correct_guideline", "96"),
                ("qa_correct_disposition", "94"),
                ("caller_satisfaction", "92"),
                ("emergency_disposition_rate", "6.5"),
            ),
            baseline_report=ACD_REPORT,
        ),
        ServiceSpec(
            kind="on_call_paging",
            name=PAGING,
            hours="Same as the triage line",
            monthly_volume=180,
            description="Clinicians and pharmacies reaching the student health physician on call.",
            baselines=(("average_speed_of_answer", "25"),),
            baseline_report=ACD_REPORT,
        ),
        ServiceSpec(
            kind="refill_requests",
            name="Prescription refill requests",
            hours="Voicemail after hours, handled next business day",
            monthly_volume=240,
            baselines=(("average_speed_of_answer", "52"), ("abandonment_rate", "11")),
        ),
    ),
    reports=(
        ReportSpec(
            file_name="acd-spring-term.csv",
            content=(
                b"week,offered,answered,abandoned,asa_seconds\n"
                b"1,540,497,43,41\n2,512,474,38,37\n3,488,452,36,36\n"
            ),
            name=ACD_REPORT,
            source_system="Cisco UCCX",
            findings="Abandonment climbs to 12% on Sunday evenings when both nurses are on "
            "calls; the overflow voicemail is checked only every 30 minutes.",
        ),
        ReportSpec(
            file_name="nurse-qa-audit.pdf",
            content=pdf("Nurse QA audit summary"),
            name="Nurse QA audit summary",
            source_system="Internal QA review",
            findings="Guideline selection is strong; dispositions for mental-health calls vary "
            "between the two nurses.",
        ),
    ),
    call_flows=(
        CallFlowSpec(
            service=TRIAGE,
            name="After-hours student nurse line",
            state="current",
            description="As the night nurses and the IVR configuration describe it.",
            versions=(
                VersionSpec(SKETCH, "First sketch from the IVR configuration."),
                VersionSpec(
                    CURRENT,
                    "Walked through with the night nurses: overflow voicemail and callbacks added.",
                    reviewed=True,
                ),
            ),
        ),
        CallFlowSpec(
            service=TRIAGE,
            name="After-hours student nurse line",
            state="future",
            description="Virtual hold instead of the overflow voicemail; interpreters; "
            "physicians and counselors warm-transferred.",
            versions=(
                VersionSpec(CURRENT, "Copied from the current state v2."),
                VersionSpec(FUTURE, "Proposed design."),
            ),
        ),
    ),
    sessions=(
        SessionSpec(
            held_on=-100,
            title="Discovery kickoff with student health leadership",
            attendees=SESSION_ATTENDEES,
            notes="Reviewed services, volumes and the night nurses' concerns.",
            decisions="Weekly check-ins on Tuesdays; reports shared by the IT analyst.",
        ),
        SessionSpec(
            held_on=-60,
            title="Desired patient experience workshop with student representatives",
            attendees=SESSION_ATTENDEES,
            notes="Students want the reasoning behind advice, not only a disposition; "
            "international students want interpretation without waiting.",
            decisions="Goals agreed: answer within 30 seconds, callbacks within 30 minutes, "
            "CSAT at or above today's 92%.",
        ),
    ),
    goals=(
        GoalSpec(
            "Students reach a nurse within 30 seconds, even on Sunday evenings",
            "average_speed_of_answer",
            "30",
            1,
        ),
        GoalSpec(
            "A student who leaves a message hears back from a nurse within 30 minutes",
            "triage_callback_time",
            "30",
            1,
        ),
        GoalSpec(
            "Students feel their questions were answered in depth", "caller_satisfaction", "92", 2
        ),
        GoalSpec(
            "Every caller is treated with warmth and plain explanations",
            "compassion_score",
            "92",
            2,
        ),
    ),
    goals_signed_off="Agreed with the student representatives.",
    signed_off="All services, flows and reports reviewed.",
    opportunities=(
        OpportunitySpec(
            by="manager",
            title="Virtual hold instead of the overflow voicemail",
            description="Callers keep their place in line and a nurse calls back, instead of a "
            "voicemail checked every 30 minutes.",
            service=TRIAGE,
            kpi="abandonment_rate",
            expected_effect="Abandonment from 7.8% to under 5%",
            expected_value="4.5",
            effort="low",
            decision=("accepted", "Yes, before fall term."),
        ),
        OpportunitySpec(
            by="pm",
            title="Warm transfer for clinicians instead of paging",
            description="Pharmacies and clinicians reach the on-call physician directly.",
            service=PAGING,
            kpi="average_speed_of_answer",
            expected_effect="Physicians reached in under a minute instead of a page and callback",
            effort="medium",
        ),
    ),
)

# --- Transition ----------------------------------------------------------------------------

INTERVIEWS = -12  # when the knowledge interviews took place

ROSTER = (
    StaffSpec(
        full_name="Renee Kowalski",
        role=StaffRole.CALL_CENTER_MANAGER,
        tenure_years="6",
        work_email="pm@northstar.example",
        knowledge_areas=("Standing orders", "Physician preferences", "On-call rotations"),
        outcome=Outcome.HIRED_BY_PROVIDER,
        outcome_status=OutcomeStatus.COMPLETED,
        recognition=(
            "Thanked by the director of student health at the all-staff town hall for six "
            "years of running the line; now leads the transition as Northstar's PM."
        ),
        support_offered=(Support.RETRAINING,),
        support_details="Northstar PM onboarding and the project-management course.",
        appointed_pm=True,
        check_ins=((-30, 4, ""), (-2, 5, "Energised: leading the cut-over.")),
        knowledge=(
            KnowledgeSpec(
                KnowledgeCategory.ESCALATION,
                "Self-harm calls after 23:00 go to the counseling crisis line first",
                "Campus counseling center",
                "Warm-transfer to the counseling center's crisis line; page the on-call "
                "psychiatrist only if the crisis counselor does not answer within 60 seconds.",
                INTERVIEWS,
                "transferred",
            ),
            KnowledgeSpec(
                KnowledgeCategory.CLINIC_PROCEDURE,
                "Same-day slots held for triage until 10:00",
                "Student Health scheduling",
                "Four same-day slots per clinic are held for overnight triage referrals until "
                "10:00.",
                INTERVIEWS,
                "transferred",
            ),
        ),
    ),
    StaffSpec(
        full_name="Margaret “Peg” Ellison",
        role=StaffRole.TRIAGE_RN,
        tenure_years="31",
        work_email="m.ellison@lakeshore.example",
        knowledge_areas=("Physician preferences", "Sports medicine protocol", "Night triage"),
        outcome=Outcome.RETIRING,
        outcome_status=OutcomeStatus.AGREED,
        notice_date=-20,
        last_day=50,
        recognition=(
            "Thirty-one years on the student line. The student health council is naming the "
            "after-hours nursing award after her; farewell reception on her last day."
        ),
        support_offered=(Support.REFERENCE, Support.COUNSELLING),
        support_details="Retirement planning session with university HR booked.",
        hr_notes="Prefers to announce her retirement to the students herself.",
        check_ins=(
            (-40, 4, "Proud of what the line became."),
            (-24, 3, "Worried the new nurses won't know the sports medicine protocol."),
            (-8, 2, "Feels her knowledge is being taken without her being asked."),
        ),
        knowledge=(
            KnowledgeSpec(
                KnowledgeCategory.PHYSICIAN_PREFERENCE,
                "Dr. Okafor: chest pain in students with a known cardiac history",
                "Dr. Okafor (cardiology liaison)",
                "Page Dr. Okafor directly, day or night, for chest pain or palpitations in any "
                "student on the cardiac registry; do not send them to urgent care first.",
                INTERVIEWS,
                "transferred",
            ),
            KnowledgeSpec(
                KnowledgeCategory.STANDING_ORDER,
                "Ondansetron for varsity athletes on the sports medicine protocol",
                "Sports medicine",
                "Athletes on the protocol may take their prescribed ondansetron after the first "
                "vomiting episode; triage still for dehydration signs.",
                INTERVIEWS,
                "reviewed",
            ),
            KnowledgeSpec(
                KnowledgeCategory.PATIENT_POPULATION,
                "International students call back through the interpreter line",
                "International students",
                "Many do not answer unknown US numbers: call back through the interpreter "
                "line's caller ID, and leave the message in their language.",
                INTERVIEWS,
            ),
        ),
    ),
    StaffSpec(
        full_name="Dolores Vance",
        role=StaffRole.TRIAGE_RN,
        tenure_years="24",
        work_email="d.vance@lakeshore.example",
        knowledge_areas=("Athletics concussion protocol", "Eating-disorder program"),
        outcome=Outcome.RETAINED,
        outcome_status=OutcomeStatus.AGREED,
        notice_date=-18,
        last_day=45,
        recognition="Moves to the daytime clinic as lead nurse for the athletics program.",
        knowledge=(
            KnowledgeSpec(
                KnowledgeCategory.STANDING_ORDER,
                "Concussion: page the team physician for any athlete",
                "Athletics",
                "Any head injury in a rostered athlete: page the team physician, no return to "
                "play advice on the phone.",
                INTERVIEWS,
                "transferred",
            ),
        ),
    ),
    StaffSpec(
        full_name="James Whitaker",
        role=StaffRole.TRIAGE_RN,
        tenure_years="18",
        work_email="j.whitaker@lakeshore.example",
        knowledge_areas=("Night triage", "International students"),
        outcome=Outcome.UNDECIDED,
        outcome_status=OutcomeStatus.DISCUSSED,
        hr_notes="Weighing Northstar's offer against a hospital night post; decides by Friday.",
    ),
    StaffSpec(
        full_name="Anita Desai",
        role=StaffRole.TRIAGE_RN,
        tenure_years="12",
        work_email="a.desai@lakeshore.example",
        knowledge_areas=("Mental-health warm transfers", "Hindi"),
        outcome=Outcome.HIRED_BY_PROVIDER,
        outcome_status=OutcomeStatus.AGREED,
        recognition="Joins Northstar's university pod as a senior triage nurse.",
    ),
    StaffSpec(
        full_name="Tom Brennan",
        role=StaffRole.TRIAGE_RN,
        tenure_years="27",
        work_email="t.brennan@lakeshore.example",
        knowledge_areas=("Infusion clinic", "Travel medicine"),
        outcome=Outcome.REDEPLOYED,
        outcome_status=OutcomeStatus.COMMUNICATED,
        notice_date=-14,
        last_day=40,
        support_offered=(Support.RETRAINING,),
        support_details="Infusion certification course paid by the university.",
        knowledge=(
            KnowledgeSpec(
                KnowledgeCategory.CLINIC_PROCEDURE,
                "Infusion reactions after hours",
                "Infusion clinic",
                "Students who had an infusion that day and report a rash or fever: ED now, and "
                "e-mail the infusion nurse for the morning.",
                INTERVIEWS,
                "reviewed",
            ),
        ),
    ),
    StaffSpec(
        full_name="Carla Mendes",
        role=StaffRole.LPN,
        tenure_years="9",
        work_email="c.mendes@lakeshore.example",
        knowledge_areas=("Refill requests", "Immunization records"),
        outcome=Outcome.LAID_OFF,
        outcome_status=OutcomeStatus.COMMUNICATED,
        notice_date=-15,
        last_day=46,
        support_offered=(
            Support.SEVERANCE,
            Support.OUTPLACEMENT,
            Support.RETRAINING,
            Support.REFERENCE,
        ),
        support_details=(
            "Twelve weeks' severance; LPN-to-RN bridge tuition at the community college."
        ),
        hr_notes="Interviewing with the county health department; reference sent.",
        knowledge=(
            KnowledgeSpec(
                KnowledgeCategory.CLINIC_PROCEDURE,
                "Refill requests: which prescriptions the LPN may relay",
                "Refills",
                "Only maintenance medications on the approved list; controlled substances "
                "always to the prescriber the next morning.",
                INTERVIEWS,
            ),
        ),
    ),
    StaffSpec(
        full_name="Luis Ortega",
        role=StaffRole.SCHEDULER,
        tenure_years="6",
        work_email="l.ortega@lakeshore.example",
        knowledge_areas=("Provider templates", "Same-day slots"),
        outcome=Outcome.REDEPLOYED,
        outcome_status=OutcomeStatus.AGREED,
        notice_date=-20,
        last_day=30,
        recognition="Moves to central registration with his seniority kept.",
    ),
    StaffSpec(
        full_name="Kim Tran",
        role=StaffRole.SCHEDULER,
        tenure_years="3",
        work_email="k.tran@lakeshore.example",
        knowledge_areas=("Clinic schedules", "After-hours callback list"),
        outcome=Outcome.LAID_OFF,
        outcome_status=OutcomeStatus.COMMUNICATED,
        notice_date=-30,
        last_day=10,
        support_offered=(Support.SEVERANCE, Support.OUTPLACEMENT, Support.REFERENCE),
        support_details="Six weeks' severance; outplacement with the university's partner.",
        hr_notes="Upset about the short timeline; asked for a reference from the director.",
        check_ins=(
            (-25, 2, "Angry about the timeline."),
            (-6, 2, "Did not come to the knowledge interview."),
        ),
    ),
    StaffSpec(
        full_name="Beth Olsen",
        role=StaffRole.SUPERVISOR,
        tenure_years="15",
        work_email="b.olsen@lakeshore.example",
        knowledge_areas=("Nurse scheduling", "Quality audits", "Escalation rules"),
        outcome=Outcome.RETAINED,
        outcome_status=OutcomeStatus.AGREED,
        notice_date=-25,
        last_day=45,
        recognition="Becomes the clinical quality lead for student health at go-live.",
        knowledge=(
            KnowledgeSpec(
                KnowledgeCategory.ESCALATION,
                "When a supervisor is paged overnight",
                "Night escalation",
                "Page the supervisor for a caller who is a student-athlete's parent threatening "
                "to complain, for any media call, and for two abandoned callbacks to the same "
                "student.",
                INTERVIEWS,
                "reviewed",
            ),
        ),
    ),
    StaffSpec(
        full_name="Grace Liu",
        role=StaffRole.MEDICAL_ASSISTANT,
        tenure_years="5",
        work_email="g.liu@lakeshore.example",
        knowledge_areas=("Mandarin", "Lab result callbacks"),
        outcome=Outcome.RETAINED,
        outcome_status=OutcomeStatus.AGREED,
        notice_date=-18,
        last_day=45,
    ),
    StaffSpec(
        full_name="Robert Haines",
        role=StaffRole.PATIENT_ACCESS,
        tenure_years="8",
        work_email="r.haines@lakeshore.example",
        knowledge_areas=("Insurance verification",),
        outcome=Outcome.LAID_OFF,
        outcome_status=OutcomeStatus.PROPOSED,
    ),
)

NURSES = "Triage nurses"
PHYSICIANS = "Student Health physicians"
COUNSELING = "Campus counseling center"

GROUPS = (
    GroupSpec(
        NURSES,
        7,
        AdkarStage.DESIRE,
        "The internal after-hours RNs and the LPN.",
        (
            (-56, 4, "Relieved the plan is finally public."),
            (-42, 3, "Night nurses worry their students' trust goes with the line."),
            (-28, 3, "Offers out; two still undecided."),
            (-14, 2, "Rumour that Northstar nurses read scripts; frustration in the huddle."),
            (-3, 2, "Quiet compliance only; two missed the protocol walkthrough."),
        ),
    ),
    GroupSpec(
        "Schedulers and front desk",
        3,
        AdkarStage.KNOWLEDGE,
        "",
        (
            (-42, 2, "Fear about jobs."),
            (-21, 3, "Redeployment options explained one-to-one."),
            (-7, 4, "Luis has his registration post; relief."),
        ),
    ),
    GroupSpec(
        PHYSICIANS,
        14,
        AdkarStage.ABILITY,
        "Attending physicians who take on-call pages.",
        ((-40, 3, ""), (-20, 4, "Escalation rules reviewed together."), (-5, 4, "")),
    ),
    GroupSpec(
        COUNSELING,
        9,
        AdkarStage.AWARENESS,
        "Takes warm transfers of mental-health calls.",
        ((-30, 3, "Wants the 60-second warm-transfer target in writing."), (-6, 3, "")),
    ),
)

COMMUNICATIONS = (
    CommunicationSpec(
        "All Student Health staff",
        "Why the after-hours line moves to Northstar, what happens to each role, the timeline "
        "and where to ask questions.",
        Channel.TOWN_HALL,
        -35,
        "manager",
        sent=True,
    ),
    CommunicationSpec(
        "Each triage nurse, LPN and scheduler",
        "Your outcome, notice date, last day and the support offered — in person, with HR and "
        "the director, before anything is written down.",
        Channel.ONE_ON_ONE,
        -20,
        "manager",
        group=NURSES,
        sent=True,
    ),
    CommunicationSpec(
        COUNSELING,
        "How warm transfers of mental-health calls work after go-live (within 60 seconds).",
        Channel.TEAM_MEETING,
        -5,
        "pm",
        group=COUNSELING,
    ),
    CommunicationSpec(
        PHYSICIANS,
        "On-call paging and escalation after go-live; who to call about a triage note.",
        Channel.TEAM_MEETING,
        7,
        "pm",
        group=PHYSICIANS,
    ),
    CommunicationSpec(
        "Internal triage team",
        "Invitation to the recognition evening honouring the team's years on the line.",
        Channel.LETTER,
        20,
        "manager",
        group=NURSES,
    ),
    CommunicationSpec(
        "Students",
        "The after-hours nurse line keeps its number; the same care, now around the clock, "
        "with Mandarin and Hindi interpreters.",
        Channel.NEWSLETTER,
        38,
        "pm",
    ),
)

# Tasks whose story is told below rather than by the calendar.
SLIPPING = "physician-preferences"
STRETCHED = "protocol-configuration"
CONFLICTED = "ehr-integration"
LATE = "knowledge-interviews"

TRANSITION = TransitionSpec(
    site="Student Health Center",
    task_owners=TASK_OWNERS,
    roster=ROSTER,
    groups=GROUPS,
    communications=COMMUNICATIONS,
    story=(
        # The build is under way: what was due is done and what has started is in progress...
        TaskStatuses(
            TaskStatus.DONE, when=due_before_today, unless=(SLIPPING, STRETCHED, CONFLICTED, LATE)
        ),
        # ... and the knowledge interviews run past their due date: not everyone came (overdue
        # for the PM).
        TaskStatuses(TaskStatus.IN_PROGRESS, when=under_way, also=(LATE,)),
        # Protocol configuration runs three days long and it is on the critical path: its
        # dependants move with it, and go-live with them.
        TaskEdit(STRETCHED, extend=3, status=TaskStatus.IN_PROGRESS, auto_schedule=True),
        # The clinics sent their on-call rotations a week late (absorbed by its float).
        TaskEdit(
            SLIPPING,
            move=6,
            auto_schedule=True,
            status=TaskStatus.IN_PROGRESS,
            comments=(
                Comment(
                    "pm",
                    "Cardiology and sports medicine rotations arrived a week late; loading the "
                    "rest now. Training still has room.",
                ),
                Comment("executive", "Sports medicine confirmed their on-call list this morning."),
                Comment(
                    "manager",
                    "Watch this one: it feeds training. Another week and go-live moves.",
                    shared_with_client=False,
                ),
            ),
        ),
        # The EHR vendor moved the interface test; its dependants were not moved yet, so the
        # plan flags the conflicts for the PM to resolve.
        TaskEdit(
            CONFLICTED,
            by="admin",
            extend=4,
            status=TaskStatus.BLOCKED,
            comments=(
                Comment(
                    "admin",
                    "Epic interface test moved by the vendor to next Thursday; waiting on them.",
                ),
            ),
        ),
    ),
)

# --- Health ---------------------------------------------------------------------------------
# Green, but slipping: the plan's build runs late (a milestone past its baseline), while the
# first weeks of Northstar's nurses answering the triage line alongside the university's
# (the early parallel run the steering group asked for) beat every discovery baseline.

PARALLEL_RUN = -18

HEALTH = HealthSpec(
    kpis=(
        KpiSeries(
            "average_speed_of_answer", TRIAGE, creep("29", "26", since=PARALLEL_RUN), "3", calls=60
        ),
        KpiSeries("abandonment_rate", TRIAGE, creep("5.4", "4.8", since=PARALLEL_RUN), "0.5"),
        KpiSeries("service_level_30s", TRIAGE, creep("78", "82", since=PARALLEL_RUN), "2"),
        KpiSeries("triage_callback_time", TRIAGE, creep("29", "25", since=PARALLEL_RUN), "3"),
        KpiSeries("average_handle_time", TRIAGE, creep("12.5", "11.8", since=PARALLEL_RUN), "1"),
    ),
    issues=(
        IssueSpec(
            "Transferred calls lose the caller's number on the parallel-run trunk",
            Severity.MEDIUM,
            "Calls the university's UCCX transfers to Northstar arrive without the caller's "
            "number, so a nurse cannot call back a student whose call drops.",
            raised_by="pm",
            owner="admin",
            opened=6,
            service=TRIAGE,
            path=((IssueStatus.IN_PROGRESS, 2),),
        ),
        IssueSpec(
            "Students asked to repeat their student ID twice",
            Severity.LOW,
            "Students tell us the nurse asks for their ID again after the IVR took it.",
            raised_by="executive",
            owner="pm",
            opened=15,
            path=((IssueStatus.IN_PROGRESS, 20), (IssueStatus.RESOLVED, 70)),
            resolution="The IVR now passes the student ID to the nurse's screen.",
        ),
    ),
    audits=routine_audits(
        "LSU", services=(TRIAGE,), auditors=(QA_TOMAS, QA_GRACE), since=PARALLEL_RUN, every=4
    ),
    touchpoints=(
        TouchpointSpec(
            -33,
            TouchpointKind.SITE_VISIT,
            "Marcus Oyelaran, Renee Kowalski (Northstar); Priya Raman; the two student health RNs",
            "Sat with the night nurses on a Sunday evening; agreed the early parallel run.",
            follow_ups=(FollowUpSpec("Set up the parallel-run trunk with IT", "admin", -20, True),),
        ),
        TouchpointSpec(
            -19,
            TouchpointKind.MEETING,
            "Marcus Oyelaran, Renee Kowalski (Northstar); Priya Raman",
            "Steering meeting: parallel run starts tomorrow; the Epic interface test slipped.",
        ),
        TouchpointSpec(
            -5,
            TouchpointKind.MEETING,
            "Marcus Oyelaran, Renee Kowalski (Northstar); Priya Raman",
            "Steering meeting: parallel-run figures beat the baselines; build milestone "
            "slipping, re-forecast asked of the PM.",
            follow_ups=(
                FollowUpSpec("Re-forecast the build milestones", "pm", 3),
                FollowUpSpec("Share the parallel-run figures with the dean", "executive", 7),
            ),
        ),
    ),
)

CLIENT = ClientSpec(
    name="Lakeshore University Student Health",
    kind=ClientKind.UNIVERSITY_HEALTH,
    city="Marquette",
    state="MI",
    time_zone="America/Detroit",
    executives=(PersonSpec("exec@university.example", "Priya Raman", Role.CLIENT_EXECUTIVE),),
    partnership=PARTNERSHIP,
    culture=CULTURE,
    discovery=DISCOVERY,
    transition=TRANSITION,
    health=HEALTH,
)
