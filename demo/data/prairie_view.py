"""Prairie View Community Hospital (Northstar): a critical access hospital's after-hours line,
in discovery.

- Culture: an older farming county that needs plain language and time, hard of hearing
  callers (TTY), Spanish-speaking seasonal workers; few survey responses so far (small
  samples, visibly small).
- Discovery: half done, so the checklist shows what is missing — baselines for one service
  only, a call flow with a dead end that nobody reviewed yet, a report not reviewed, goals
  not signed off by the client.
"""

from __future__ import annotations

from demo.spec import (
    AdaptationSpec,
    CallFlowSpec,
    ClientSpec,
    CultureSpec,
    DiscoverySpec,
    GoalSpec,
    NurseSpec,
    PartnershipSpec,
    PopulationSpec,
    PreferenceSpec,
    ReportSpec,
    ServiceSpec,
    SessionSpec,
    VersionSpec,
    graph,
)
from partnerships.models import ClientKind, PartnershipStatus

PARTNERSHIP = PartnershipSpec(
    name="Prairie View — after-hours triage line",
    status=PartnershipStatus.DISCOVERY,
    account_manager="am@northstar.example",
    contract_start=-21,
    planned_go_live=160,
    description=(
        "Prairie View Community Hospital, a 25-bed critical access hospital, answers "
        "its after-hours calls at the emergency department's nurses' station today, "
        "which pulls nurses away from patients.\n\n"
        "The county is older (median age 49); many callers are retirees managing "
        "several chronic conditions, calling from landlines. They need plain language, "
        "unhurried calls and explicit next steps, and they often ask for a nurse by "
        "name.\n\n"
        "Discovery covers what the station delivers informally today — post-discharge "
        "calls, refill requests for the rural health clinic, on-call paging for two "
        "family physicians and a visiting surgeon — and the baselines we must match. "
        "No change is proposed before the desired patient experience session with the "
        "chief nursing officer is signed off."
    ),
    internal_notes=(
        "The CNO is supportive; the ED charge nurses are not yet — they fear losing "
        "their relationship with 'their' patients. Visit in person rather than by "
        "video. Broadband at the clinic is unreliable: confirm a fax fallback for the "
        "paging workflow."
    ),
    notes={
        PartnershipStatus.DISCOVERY: (
            "Contract signed by the hospital board; discovery starts with two days on "
            "site at the ED nurses' station."
        )
    },
)

# --- Culture -------------------------------------------------------------------------------

HEARING_TRAINING = "Hearing loss, TTY and relay calls"
RETIREES = "Retirees and farm families, Republic County KS"
SEASONAL = "Seasonal agricultural workers"
TOWN = "Families and younger adults in Belleville"

CULTURE = CultureSpec(
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
            HEARING_TRAINING,
            "done",
            "manager",
            -12,
            "satisfied %",
            description="Slow, clear speech; teach-back; handling TTY and relay calls.",
            completed_on=-9,
        ),
        AdaptationSpec(
            RETIREES,
            "script",
            "Plain-language script with teach-back",
            "in_progress",
            "manager",
            25,
            "questions answered %",
            description="Every disposition ends with the next step said back by the caller.",
        ),
        AdaptationSpec(
            RETIREES,
            "staffing",
            "Staff for a 14-minute average handle time",
            "planned",
            "admin",
            60,
            "abandonment rate",
            description="Model the rural queue at 14 minutes AHT, not the 9 of city lines.",
        ),
        AdaptationSpec(
            SEASONAL,
            "language_coverage",
            "Spanish-speaking nurse every evening during harvest",
            "planned",
            "manager",
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
            "manager",
            45,
            "questions answered %",
        ),
    ),
    nurses=(
        NurseSpec("Carol Janssen, RN", ("en",), {HEARING_TRAINING: -8}),
        NurseSpec("Dwayne Fisher, RN", ("en",), {HEARING_TRAINING: -8}),
        NurseSpec("Beth Oberle, RN", ("en", "de"), {HEARING_TRAINING: -7}),
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

# --- Discovery -----------------------------------------------------------------------------

TRIAGE = "After-hours triage at the ED nurses' station"

DISCOVERY = DiscoverySpec(
    inventory_by="manager",
    led_by="manager",
    services=(
        ServiceSpec(
            kind="after_hours_triage",
            name=TRIAGE,
            hours="Every night 19:00 to 07:00",
            monthly_volume=420,
            baselines=(
                ("average_speed_of_answer", "95"),
                ("abandonment_rate", "14"),
                ("caller_satisfaction", "88"),
            ),
        ),
        ServiceSpec("post_discharge_calls", "Post-discharge follow-up calls", 160),
        ServiceSpec("refill_requests", "Rural health clinic refill requests", 90),
        ServiceSpec(
            "on_call_paging", "On-call paging (two family physicians, visiting surgeon)", 60
        ),
    ),
    reports=(
        ReportSpec(
            file_name="station-call-log.csv",
            content=(
                b"date,calls,answered_by_nurse,voicemails\n2026-01-05,14,11,3\n2026-01-06,12,10,2\n"
            ),
            name="ED station call log (paper log, transcribed)",
            source_system="Paper log",
        ),
    ),
    call_flows=(
        CallFlowSpec(
            service=TRIAGE,
            name="ED station after-hours calls",
            state="current",
            versions=(
                VersionSpec(
                    graph(
                        nodes=(
                            ("entry", "entry", "Caller dials the hospital"),
                            ("operator", "ivr_menu", "Switchboard operator"),
                            ("ed_station", "queue", "ED nurses' station"),
                            ("triage", "triage_protocol", "Charge nurse triage"),
                            ("er", "emergency_escalation", "Come to the ED now"),
                            ("page", "oncall_page", "Page the family physician"),
                            ("voicemail", "voicemail", "Station voicemail"),  # a dead end
                            ("end", "end", "Call complete"),
                        ),
                        edges=(
                            ("entry", "operator"),
                            ("operator", "ed_station", "Medical question"),
                            ("ed_station", "triage", "Nurse free"),
                            ("ed_station", "voicemail", "No answer"),
                            ("triage", "er", "Emergent"),
                            ("triage", "page", "Physician needed"),
                            ("triage", "end", "Advice given"),
                            ("er", "end"),
                            ("page", "end"),
                        ),
                    ),
                    "First sketch from the on-site visit; voicemail follow-up still unknown.",
                ),
            ),
        ),
    ),
    sessions=(
        SessionSpec(
            held_on=-7,
            title="On-site visit at the ED nurses' station",
            attendees="Chief nursing officer\nED charge nurses\nNorthstar account manager",
            notes="Callers often ask for a nurse by name; many are on landlines.",
            decisions="Desired patient experience session with the CNO to be scheduled.",
        ),
    ),
    goals=(
        GoalSpec(
            "Callers reach a nurse in under a minute, any night of the week",
            "average_speed_of_answer",
            "60",
            1,
        ),
        GoalSpec(
            "Older callers get plain language, unhurried calls and explicit next steps",
            "caller_satisfaction",
            "90",
            1,
        ),
    ),
)

CLIENT = ClientSpec(
    name="Prairie View Community Hospital",
    kind=ClientKind.HOSPITAL,
    city="Belleville",
    state="KS",
    time_zone="America/Chicago",
    partnership=PARTNERSHIP,
    culture=CULTURE,
    discovery=DISCOVERY,
)
