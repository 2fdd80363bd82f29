"""Demo culture data for the three Northstar demo clients, written through the services (so
it obeys every rule it shows: shares ≤ 100%, owners who are provider members, sign-off by
the client, no training completed in the future).

- Lakeshore University Student Health: students who ask in-depth technical questions, a
  large international population (Mandarin, Hindi, Spanish, Korean), faculty and staff;
  a CE physiology module, a medication-interaction script and late-night staffing, with
  satisfaction over eight months before and after.
- Prairie View Community Hospital: an older farming county that needs plain language and
  time, hard of hearing callers (TTY), Spanish-speaking seasonal workers; few survey
  responses so far (small samples, visibly small).
- Metro Specialty Physicians: a diverse city practice (Spanish, Polish, Arabic, Vietnamese)
  whose specialists hold strong preferences, standing orders and on-call rules.

`seed_culture` is idempotent: a partnership that already has caller populations or a
culture profile is left alone. It returns what it created as (kind, what) pairs, for the
summary of `manage.py seed_demo`.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from culture import services
from culture.models import Adaptation, CallerPopulation, CultureProfile, PhysicianPreference
from partnerships.models import Partnership
from tenancy.audit import Actor
from tenancy.models import Membership, Organization, Role

Created = list[tuple[str, str]]

LAKESHORE = "Lakeshore University Student Health"
PRAIRIE_VIEW = "Prairie View Community Hospital"
METRO = "Metro Specialty Physicians"


@dataclass(frozen=True)
class PopulationSpec:
    name: str
    share: str
    languages: dict[str, str]
    fields: dict


@dataclass(frozen=True)
class AdaptationSpec:
    population: str
    kind: str
    title: str
    status: str
    owner: str  # e-mail of a provider member
    due_days: int | None  # relative to today
    outcome_measure: str
    description: str = ""
    completed_days: int | None = None  # days ago, for done ones
    language: str = ""
    internal_notes: str = ""


@dataclass(frozen=True)
class NurseSpec:
    name: str
    languages: tuple[str, ...]
    trainings: dict[str, int] = field(default_factory=dict)  # training title -> days ago
    is_active: bool = True


@dataclass(frozen=True)
class PreferenceSpec:
    physician: str
    specialty: str
    kind: str
    title: str
    versions: tuple[str, ...]
    signed: int  # how many of the versions the client signed off (in order)


@dataclass(frozen=True)
class CultureSpec:
    profile: dict[str, str]
    populations: tuple[PopulationSpec, ...]
    adaptations: tuple[AdaptationSpec, ...]
    nurses: tuple[NurseSpec, ...]
    preferences: tuple[PreferenceSpec, ...]
    # population name -> one row per calendar month, oldest first, ending last month:
    # (responses, satisfied %, questions answered %)
    satisfaction: dict[str, tuple[tuple[int, str, str], ...]]


AM = "am@northstar.example"
PM = "pm@northstar.example"
ADMIN = "admin@northstar.example"

# --- Lakeshore University ------------------------------------------------------------------

STUDENTS = "Students, main campus, Marquette MI"
INTERNATIONAL = "International students and scholars"
FACULTY = "Faculty and staff"

LAKESHORE_SPEC = CultureSpec(
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
            "CE module: physiology and pharmacology for student callers",
            "done",
            PM,
            -110,
            "questions answered %",
            description=(
                "Four-hour continuing-education module (2 contact hours each part) so that "
                "nurses can explain the why: renal and hepatic physiology, common stimulant "
                "and SSRI interactions, reading a basic metabolic panel."
            ),
            completed_days=105,
        ),
        AdaptationSpec(
            STUDENTS,
            "script",
            "Script: medication-interaction questions",
            "done",
            PM,
            -80,
            "satisfied %",
            description=(
                "A structured script with the student health pharmacist: what to ask, when "
                "to check the interaction database, when to route to the pharmacist line."
            ),
            completed_days=76,
        ),
        AdaptationSpec(
            STUDENTS,
            "staffing",
            "Late-night staffing: third nurse Sun-Thu 21:00-01:00",
            "done",
            AM,
            -50,
            "abandonment rate",
            description="A third nurse on the peak hours, so text follow-ups go out at once.",
            completed_days=45,
        ),
        AdaptationSpec(
            STUDENTS,
            "training",
            "Refresher: mental-health warm transfer to CAPS",
            "in_progress",
            PM,
            21,
            "warm transfers within 60 s",
            description="Role-play with the CAPS on-call counselors; 45 minutes.",
        ),
        AdaptationSpec(
            INTERNATIONAL,
            "language_coverage",
            "Mandarin-speaking nurse on late-night shifts",
            "in_progress",
            AM,
            30,
            "satisfied %",
            language="cmn",
        ),
        AdaptationSpec(
            INTERNATIONAL,
            "script",
            "Hindi interpreter quick-connect from the IVR",
            "planned",
            AM,
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
            PM,
            -70,
            "satisfied %",
            description="A one-minute explanation of the student plan before an ED referral.",
            completed_days=66,
        ),
        AdaptationSpec(
            FACULTY,
            "script",
            "Pediatric questions from employees' families",
            "planned",
            PM,
            40,
            "questions answered %",
        ),
    ),
    nurses=(
        NurseSpec(
            "Grace Holloway, RN",
            ("en",),
            {"CE module: physiology and pharmacology for student callers": 100},
        ),
        NurseSpec(
            "Daniel Okonkwo, RN",
            ("en",),
            {
                "CE module: physiology and pharmacology for student callers": 98,
                "Refresher: mental-health warm transfer to CAPS": 6,
            },
        ),
        NurseSpec(
            "Li Wen, RN",
            ("en", "cmn"),
            {"CE module: physiology and pharmacology for student callers": 95},
        ),
        NurseSpec(
            "Sofia Marquez, RN",
            ("en", "es"),
            {
                "CE module: physiology and pharmacology for student callers": 92,
                "Refresher: mental-health warm transfer to CAPS": 4,
            },
        ),
        NurseSpec("Hannah Kim, RN", ("en", "ko"), {}),
        NurseSpec(
            "Tom Brennan, RN",
            ("en",),
            {"CE module: physiology and pharmacology for student callers": 88},
        ),
        NurseSpec(
            "Aisha Bello, RN",
            ("en",),
            {
                "CE module: physiology and pharmacology for student callers": 60,
                "Refresher: mental-health warm transfer to CAPS": 2,
            },
        ),
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

# --- Prairie View Community Hospital ---------------------------------------------------------

RETIREES = "Retirees and farm families, Republic County KS"
SEASONAL = "Seasonal agricultural workers"
TOWN = "Families and younger adults in Belleville"

PRAIRIE_SPEC = CultureSpec(
    profile={
        "mission_and_values": (
            "“Neighbors caring for neighbors.” A 25-bed critical access hospital that knows "
            "its patients by name; it values continuity and plain dealing over speed."
        ),
        "communication_style": (
            "Plain language, slow and clear, no jargon or acronyms. Let callers finish; "
            "many call from a landline in the barn or the truck. Always end with the "
            "explicit next step and who will call them back."
        ),
        "escalation_preferences": (
            "The ED physician on duty is the first escalation, at any hour. Ambulance "
            "response can take 40 minutes in the west of the county: when in doubt, "
            "dispatch early. Tell the ED charge nurse about every caller sent in."
        ),
        "terminology": (
            "“The hospital” or “Prairie View”, never the corporate name. “Dr. Engel”, "
            "not “your provider”. “Water pill”, “blood thinner” alongside drug names."
        ),
        "decision_makers": (
            "Janet Kroeker, chief nursing officer (sponsor); the CEO for the contract; "
            "the medical staff meeting (monthly) for protocols."
        ),
        "meeting_cadence": "Monthly on site, second Wednesday, with the CNO and ED charge nurses",
        "internal_notes": (
            "ED charge nurses fear losing 'their' patients. Visit in person; bring the "
            "hearing-loss training plan, it won them over in the first meeting."
        ),
    },
    populations=(
        PopulationSpec(
            RETIREES,
            "65",
            {"en": "98", "de": "2"},
            {
                "region": "Republic, Jewell and Washington counties, KS",
                "age_bands": ["50_64", "65_74", "75_plus"],
                "education_level": "high_school",
                "health_literacy": "low",
                "question_depth": "basic",
                "preferred_channels": ["phone"],
                "peak_hours": "Evenings 18:00-22:00 and early mornings 05:00-07:00",
                "accessibility_needs": ["hearing", "tty", "large_print", "cognitive"],
                "notes": (
                    "Several chronic conditions (CHF, COPD, diabetes), many on blood "
                    "thinners. Calls last longer — plan 14 minutes, not 9. Often ask for a "
                    "nurse or doctor by name; hard of hearing callers use TTY or relay."
                ),
                "internal_notes": "Average handle time at the ED station was 15.5 minutes.",
            },
        ),
        PopulationSpec(
            SEASONAL,
            "15",
            {"es": "80", "en": "20"},
            {
                "region": "Harvest crews and feedlots, June to October",
                "age_bands": ["18_24", "25_34", "35_49"],
                "education_level": "less_than_high_school",
                "health_literacy": "low",
                "question_depth": "basic",
                "preferred_channels": ["phone", "text"],
                "peak_hours": "After 20:00 during harvest; Sundays",
                "accessibility_needs": ["interpreter"],
                "notes": (
                    "Heat illness, lacerations, eye injuries and pesticide exposure; worry "
                    "about cost and immigration status. Text in Spanish after the call."
                ),
            },
        ),
        PopulationSpec(
            TOWN,
            "20",
            {"en": "94", "es": "6"},
            {
                "region": "Belleville and Scandia",
                "age_bands": ["under_18", "25_34", "35_49"],
                "education_level": "mixed",
                "health_literacy": "moderate",
                "question_depth": "moderate",
                "preferred_channels": ["phone", "text"],
                "peak_hours": "Weeknights 19:00-23:00 (children's fevers)",
                "accessibility_needs": [],
                "notes": "Parents of young children; the nearest pediatrician is 60 miles away.",
            },
        ),
    ),
    adaptations=(
        AdaptationSpec(
            RETIREES,
            "training",
            "Hearing loss, TTY and relay calls",
            "done",
            AM,
            -12,
            "satisfied %",
            description="Slow, clear speech; teach-back; handling TTY and relay calls.",
            completed_days=9,
        ),
        AdaptationSpec(
            RETIREES,
            "script",
            "Plain-language script with teach-back",
            "in_progress",
            AM,
            25,
            "questions answered %",
            description="Every disposition ends with the next step said back by the caller.",
        ),
        AdaptationSpec(
            RETIREES,
            "staffing",
            "Staff for a 14-minute average handle time",
            "planned",
            ADMIN,
            60,
            "abandonment rate",
            description="Model the rural queue at 14 minutes AHT, not the 9 of city lines.",
        ),
        AdaptationSpec(
            SEASONAL,
            "language_coverage",
            "Spanish-speaking nurse every evening during harvest",
            "planned",
            AM,
            -5,
            "satisfied %",
            language="es",
            internal_notes="Recruiting from our Dodge City pool; two candidates.",
        ),
        AdaptationSpec(
            SEASONAL,
            "protocol",
            "Heat illness and pesticide exposure protocol review",
            "planned",
            AM,
            45,
            "questions answered %",
        ),
    ),
    nurses=(
        NurseSpec("Carol Janssen, RN", ("en",), {"Hearing loss, TTY and relay calls": 8}),
        NurseSpec("Dwayne Fisher, RN", ("en",), {"Hearing loss, TTY and relay calls": 8}),
        NurseSpec("Beth Oberle, RN", ("en", "de"), {"Hearing loss, TTY and relay calls": 7}),
        NurseSpec("Kelsey Nguyen, RN", ("en",), {}),
    ),
    preferences=(
        PreferenceSpec(
            "Dr. Martha Engel",
            "Family medicine",
            "preference",
            "Her own patients after 22:00",
            (
                "Call me at home (not through the answering service) for any of my patients "
                "you would send to the ED after 22:00 — I may know a reason not to. If I do "
                "not answer within 10 minutes, follow the protocol.",
            ),
            1,
        ),
        PreferenceSpec(
            "Dr. Martha Engel",
            "Family medicine",
            "standing_order",
            "Warfarin patients with bleeding questions",
            (
                "Minor bleeding that stops with pressure: hold tonight's dose, INR at the "
                "clinic in the morning. Any head injury on warfarin: ED now.",
            ),
            0,
        ),
        PreferenceSpec(
            "Dr. Ray Dvorak",
            "Visiting general surgeon (Tuesdays)",
            "on_call_escalation",
            "Post-operative wound concerns",
            (
                "Within 14 days of surgery: page me; if no answer in 15 minutes, the ED "
                "physician on duty decides.",
            ),
            1,
        ),
    ),
    satisfaction={
        # The hospital's own callback survey: only a handful of answers a month.
        RETIREES: ((9, "77.8", "66.7"), (12, "75.0", "66.7"), (14, "78.6", "71.4")),
        SEASONAL: ((3, "66.7", "33.3"),),
    },
)

# --- Metro Specialty Physicians -------------------------------------------------------------

CARDIOLOGY = "Cardiology patients, North Side clinics"
ONCOLOGY = "Oncology patients on active treatment"
OBGYN = "OB/GYN patients, Pilsen and Little Village"
ORTHO = "Orthopedics and sports medicine"
GI = "Gastroenterology, Northwest Side and West Ridge"

METRO_SPEC = CultureSpec(
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
            AM,
            -175,
            "questions answered %",
            description="Direct page to oncology on-call; ED pre-notified for neutropenic fever.",
            completed_days=170,
        ),
        AdaptationSpec(
            GI,
            "language_coverage",
            "Polish-speaking nurse on every shift",
            "done",
            AM,
            -150,
            "satisfied %",
            language="pl",
            completed_days=140,
        ),
        AdaptationSpec(
            CARDIOLOGY,
            "training",
            "Specialty standing orders: cardiology and anticoagulation",
            "done",
            AM,
            -120,
            "satisfied %",
            description="Two hours with the cardiology nurse navigator, per shift team.",
            completed_days=112,
        ),
        AdaptationSpec(
            GI,
            "script",
            "Offer the interpreter first: Arabic and Vietnamese callers",
            "in_progress",
            AM,
            -14,
            "questions answered %",
            description="Offer the language line in the first sentence when the accent or "
            "name suggests it; record the language in the ticket.",
        ),
        AdaptationSpec(
            OBGYN,
            "training",
            "OB triage at night: reduced fetal movement and bleeding",
            "done",
            AM,
            -70,
            "questions answered %",
            completed_days=64,
        ),
        AdaptationSpec(
            ORTHO,
            "staffing",
            "Monday-morning overflow: two extra nurses 07:00-11:00",
            "done",
            ADMIN,
            -95,
            "abandonment rate",
            completed_days=90,
        ),
        AdaptationSpec(
            OBGYN,
            "language_coverage",
            "Second Spanish-speaking nurse on nights",
            "planned",
            AM,
            35,
            "satisfied %",
            language="es",
        ),
    ),
    nurses=(
        NurseSpec(
            "Marta Kowalczyk, RN",
            ("en", "pl"),
            {"Specialty standing orders: cardiology and anticoagulation": 110},
        ),
        NurseSpec(
            "Piotr Zielinski, RN",
            ("en", "pl", "uk"),
            {
                "Specialty standing orders: cardiology and anticoagulation": 108,
                "OB triage at night: reduced fetal movement and bleeding": 60,
            },
        ),
        NurseSpec(
            "Rosa Delgado, RN",
            ("en", "es"),
            {
                "Specialty standing orders: cardiology and anticoagulation": 105,
                "OB triage at night: reduced fetal movement and bleeding": 62,
            },
        ),
        NurseSpec(
            "Luis Herrera, RN",
            ("en", "es"),
            {"OB triage at night: reduced fetal movement and bleeding": 58},
        ),
        NurseSpec(
            "Thu Pham, RN",
            ("en", "vi"),
            {"Specialty standing orders: cardiology and anticoagulation": 101},
        ),
        NurseSpec(
            "Karen Mitchell, RN",
            ("en",),
            {
                "Specialty standing orders: cardiology and anticoagulation": 100,
                "OB triage at night: reduced fetal movement and bleeding": 55,
            },
        ),
        NurseSpec("James O'Neill, RN", ("en",), {}),
        NurseSpec(
            "Beatriz Santos, RN",
            ("en", "es", "pt"),
            {"OB triage at night: reduced fetal movement and bleeding": 50},
        ),
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

SPECS = {LAKESHORE: LAKESHORE_SPEC, PRAIRIE_VIEW: PRAIRIE_SPEC, METRO: METRO_SPEC}


# --- Seeding -------------------------------------------------------------------------------


def _months_back(today: datetime.date, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """The last `count` whole calendar months before this one, oldest first."""
    periods = []
    year, month = today.year, today.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        last = calendar.monthrange(year, month)[1]
        periods.append((datetime.date(year, month, 1), datetime.date(year, month, last)))
    return list(reversed(periods))


def _actor_for(organization: Organization, email: str, fallback: Actor) -> Actor:
    membership = (
        Membership.objects.select_related("organization", "user")
        .filter(organization=organization, user__email__iexact=email)
        .first()
    )
    if membership is None:
        return fallback
    return Actor(membership=membership, user_agent="manage.py seed_demo")


def _signer(partnership: Partnership, fallback: Actor) -> Actor:
    """The client's executive signs off; without one, the admin records the sign-off."""
    membership = (
        Membership.objects.select_related("organization", "user")
        .filter(
            organization_id=partnership.organization_id,
            role=Role.CLIENT_EXECUTIVE,
            client_id=partnership.client_id,
        )
        .order_by("pk")
        .first()
    )
    if membership is None:
        return fallback
    return Actor(membership=membership, user_agent="manage.py seed_demo")


def _seed_partnership(
    *, partnership: Partnership, spec: CultureSpec, actor: Actor, today: datetime.date
) -> Created:
    organization = partnership.organization
    writer = (
        _actor_for(organization, partnership.account_manager.email, actor)
        if partnership.account_manager_id
        else actor
    )
    created: Created = []
    services.culture_profile_update(actor=writer, partnership=partnership, **spec.profile)
    created.append(("culture profile", partnership.name))

    populations: dict[str, CallerPopulation] = {}
    for item in spec.populations:
        populations[item.name] = services.caller_population_create(
            actor=writer,
            partnership=partnership,
            name=item.name,
            share_of_volume=Decimal(item.share),
            languages=[
                {"language": code, "share": Decimal(share)}
                for code, share in item.languages.items()
            ],
            **item.fields,
        )
        created.append(("caller population", item.name))

    adaptations: dict[str, Adaptation] = {}
    for item in spec.adaptations:
        owner = _actor_for(organization, item.owner, actor).membership.user
        adaptations[item.title] = services.adaptation_create(
            actor=writer,
            population=populations[item.population],
            kind=item.kind,
            title=item.title,
            description=item.description,
            owner=owner,
            due_date=today + datetime.timedelta(days=item.due_days)
            if item.due_days is not None
            else None,
            status=item.status,
            completed_on=today - datetime.timedelta(days=item.completed_days)
            if item.completed_days is not None
            else None,
            outcome_measure=item.outcome_measure,
            language=item.language,
            internal_notes=item.internal_notes,
        )
        created.append(("adaptation", item.title))

    for item in spec.nurses:
        services.nurse_create(
            actor=writer,
            partnership=partnership,
            name=item.name,
            languages=list(item.languages),
            is_active=item.is_active,
            trainings=[
                {
                    "adaptation": adaptations[title],
                    "completed_on": today - datetime.timedelta(days=days),
                }
                for title, days in item.trainings.items()
            ],
        )
        created.append(("nurse", item.name))

    signer = _signer(partnership, actor)
    for item in spec.preferences:
        preference = services.physician_preference_create(
            actor=writer,
            partnership=partnership,
            text=item.versions[0],
            physician=item.physician,
            specialty=item.specialty,
            kind=item.kind,
            title=item.title,
        )
        if item.signed >= 1:
            services.physician_preference_sign_off(actor=signer, preference=preference)
        for number, text in enumerate(item.versions[1:], start=2):
            services.physician_preference_version_create(
                actor=writer, preference=preference, text=text
            )
            if item.signed >= number:
                services.physician_preference_sign_off(actor=signer, preference=preference)
        created.append(("physician preference", f"{item.physician}: {item.title}"))

    for name, rows in spec.satisfaction.items():
        for (start, end), (responses, satisfied, answered) in zip(
            _months_back(today, len(rows)), rows, strict=True
        ):
            services.satisfaction_result_create(
                actor=writer,
                population=populations[name],
                period_start=start,
                period_end=end,
                responses=responses,
                satisfied_pct=Decimal(satisfied),
                questions_answered_pct=Decimal(answered),
            )
            created.append(("satisfaction result", f"{name}, {start:%Y-%m}"))
    return created


def seed_culture(*, organization: Organization, actor: Actor) -> Created:
    """Culture data for the demo clients' partnerships of `organization` (others are left
    alone). A partnership with a culture profile or populations already is skipped."""
    today = organization.local_today()
    created: Created = []
    partnerships = (
        Partnership.objects.filter(organization=organization, client__name__in=SPECS)
        .select_related("client", "organization", "account_manager")
        .order_by("pk")
    )
    for partnership in partnerships:
        has_culture = (
            CultureProfile.objects.filter(
                organization=organization, partnership=partnership
            ).exists()
            or CallerPopulation.objects.filter(
                organization=organization, partnership=partnership
            ).exists()
            or PhysicianPreference.objects.filter(
                organization=organization, partnership=partnership
            ).exists()
        )
        if has_culture:
            continue
        created += _seed_partnership(
            partnership=partnership,
            spec=SPECS[partnership.client.name],
            actor=actor,
            today=today,
        )
    return created
