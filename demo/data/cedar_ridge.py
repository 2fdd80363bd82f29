"""Cedar Ridge Health System (Northstar): a health system's after-hours nurse line and
physician paging, live for four months — and in trouble.

- Discovery ran on paper before Switchboard (the override reasons say so); the account
  manager entered the two services and their baselines afterwards, and the one goal the
  health system cares about most.
- Live: red. Three weeks ago the health system's telephony team moved the after-hours trunks
  to a new overnight carrier; since then calls drop and callers hang up — abandonment near
  14% against a 6% baseline and a 5% target, answer times up on both lines. A critical issue
  raised by the health system is past its 24-hour resolution target; a QA nurse found a
  missed red flag on a call that dropped and was called back. The account manager is on it
  (a call two days ago, follow-ups for tomorrow).
"""

from __future__ import annotations

from demo.data.shared import QA_GRACE, QA_NURSES, QA_TOMAS
from demo.spec import (
    AuditSpec,
    ClientSpec,
    DiscoverySpec,
    FollowUpSpec,
    GoalSpec,
    HealthSpec,
    IssueSpec,
    KpiSeries,
    PartnershipSpec,
    PersonSpec,
    ServiceSpec,
    TouchpointSpec,
    routine_audits,
    step,
)
from health.models import IssueStatus, Severity, TouchpointKind, TriageError
from partnerships.models import ClientKind, PartnershipStatus
from tenancy.models import Role

PARTNERSHIP = PartnershipSpec(
    name="Cedar Ridge — after-hours nurse line",
    status=PartnershipStatus.LIVE,
    account_manager="am@northstar.example",
    implementation_pms=("pm@northstar.example",),
    contract_start=-240,
    planned_go_live=-125,
    actual_go_live=-122,
    description=(
        "Cedar Ridge Health System (three hospitals and 28 clinics around Springfield) "
        "routes its after-hours nurse line and physician on-call paging to Northstar.\n\n"
        "Callers are the system's primary-care and specialty patients across central "
        "Illinois, many rural and older; the telephony stays the health system's (calls "
        "reach Northstar over its trunks)."
    ),
    internal_notes=(
        "The director of patient access is our day-to-day contact and escalates fast; the "
        "CMO reads the monthly pack. Telephony changes are theirs: ask for the change "
        "calendar every month."
    ),
    overrides={
        PartnershipStatus.TRANSITION: (
            "Discovery ran before Cedar Ridge moved to Switchboard: it was signed on paper by "
            "the CMO and the director of patient access (the copy is in the contract file)."
        ),
        PartnershipStatus.LIVE: (
            "Go decision taken at the cut-over review with the CMO; the transition was run "
            "on paper before Switchboard."
        ),
    },
    notes={
        PartnershipStatus.DISCOVERY: "Contract signed; discovery with the patient-access team.",
        PartnershipStatus.TRANSITION: "Discovery signed on paper by the CMO.",
        PartnershipStatus.LIVE: "Cut over: after-hours calls and paging now reach Northstar.",
    },
)

AFTER_HOURS = "After-hours nurse triage"
PAGING = "Physician on-call paging"

DISCOVERY = DiscoverySpec(
    inventory_by="manager",
    led_by="manager",
    services=(
        ServiceSpec(
            kind="after_hours_triage",
            name=AFTER_HOURS,
            hours="Every night 17:00 to 08:00, weekends and holidays around the clock",
            monthly_volume=4200,
            description="Three hospitals' and 28 clinics' patients; many rural, many over 65.",
            baselines=(
                ("average_speed_of_answer", "35"),
                ("abandonment_rate", "6"),
                ("service_level_30s", "76"),
            ),
        ),
        ServiceSpec(
            kind="on_call_paging",
            name=PAGING,
            hours="Same as the after-hours line",
            monthly_volume=650,
            baselines=(("average_speed_of_answer", "24"), ("abandonment_rate", "4")),
        ),
    ),
    goals=(
        GoalSpec(
            "After-hours callers reach a nurse: fewer than 5 in 100 hang up",
            "abandonment_rate",
            "5",
            1,
            service=AFTER_HOURS,
        ),
    ),
)

# --- Live ----------------------------------------------------------------------------------

CARRIER_SWITCH = -21  # the night the trunks moved to the new carrier

HEALTH = HealthSpec(
    kpis=(
        KpiSeries(
            "abandonment_rate",
            AFTER_HOURS,
            step("5.4", "14", on=CARRIER_SWITCH),
            "0.8",
        ),
        KpiSeries(
            "average_speed_of_answer",
            AFTER_HOURS,
            step("29", "58", on=CARRIER_SWITCH),
            "4",
            calls=140,
        ),
        KpiSeries("service_level_30s", AFTER_HOURS, step("80", "57", on=CARRIER_SWITCH), "2.5"),
        KpiSeries("abandonment_rate", PAGING, step("3.2", "9", on=CARRIER_SWITCH), "0.7"),
        KpiSeries(
            "average_speed_of_answer", PAGING, step("20", "38", on=CARRIER_SWITCH), "3", calls=22
        ),
        KpiSeries("average_handle_time", None, step("10.1", "11.4", on=CARRIER_SWITCH), "0.6"),
    ),
    issues=(
        IssueSpec(
            "Calls dropping after the overnight carrier switch",
            Severity.CRITICAL,
            "Since the trunks moved to the new carrier, after-hours calls drop after 40 to 90 "
            "seconds in the queue and callers hear a busy tone; some never call back. Paging "
            "calls from the hospitals drop too.",
            raised_by="executive",
            owner="admin",
            opened=3,
            service=AFTER_HOURS,
            path=((IssueStatus.IN_PROGRESS, 0.6),),
            internal_notes="The carrier's ticket is with their tier 3; our trunk logs sent.",
        ),
        IssueSpec(
            "Silence after choosing the nurse option in the phone menu",
            Severity.HIGH,
            "Some callers who press 2 for a nurse hear silence for up to a minute before the "
            "queue music starts.",
            raised_by="manager",
            owner="admin",
            opened=18,
            service=AFTER_HOURS,
            path=((IssueStatus.IN_PROGRESS, 1.5), (IssueStatus.WAITING_ON_CLIENT, 30)),
            internal_notes="Waiting on the health system's telephony team (their IVR).",
        ),
        IssueSpec(
            "On-call list for the Springfield cardiology group out of date",
            Severity.MEDIUM,
            "Two pages went to a cardiologist who left the group in the spring.",
            raised_by="manager",
            owner="manager",
            opened=58,
            service=PAGING,
            path=((IssueStatus.IN_PROGRESS, 3), (IssueStatus.RESOLVED, 50)),
            resolution="The group's on-call list now comes from the health system's "
            "scheduling export every night.",
        ),
    ),
    audits=(
        *routine_audits(
            "CRH", services=(AFTER_HOURS, AFTER_HOURS, PAGING), auditors=QA_NURSES, every=7
        ),
        AuditSpec(
            "CRH-009-R",
            -9,
            QA_GRACE,
            "nnyyyyyny",
            service=AFTER_HOURS,
            triage_error=TriageError.UNDER,
            red_flag_missed=True,
            notes="A 61-year-old with chest pressure and sweating; the call had dropped once "
            "and the nurse, rushing the callback, chose the heartburn protocol and advised a "
            "clinic visit in the morning. Should have been 911. Patient reached and sent to "
            "the ED within the hour; case reviewed with the nurse and the medical director.",
        ),
        AuditSpec(
            "CRH-015-D",
            -15,
            QA_TOMAS,
            "yynyyyyyy",
            service=AFTER_HOURS,
            notes="The call dropped mid-triage; the callback was not linked to the first "
            "record, so the documentation is split across two tickets.",
        ),
    ),
    touchpoints=(
        TouchpointSpec(
            -44,
            TouchpointKind.BUSINESS_REVIEW,
            "Marcus Oyelaran, Dana Whitfield (Northstar); Dr. Helen Marsh, CMO; Angela Brooks, "
            "director of patient access",
            "First quarterly review: every KPI at or better than its baseline; the CMO asked "
            "to be told of any telephony change in advance.",
            follow_ups=(
                FollowUpSpec(
                    "Ask for the health system's telephony change calendar", "manager", -30
                ),
            ),
        ),
        TouchpointSpec(
            -16,
            TouchpointKind.CALL,
            "Marcus Oyelaran (Northstar); Angela Brooks",
            "Abandonment up since the carrier switch; agreed daily figures until it is fixed.",
            follow_ups=(
                FollowUpSpec(
                    "Send the abandonment figures by hour every morning", "manager", -9, True
                ),
            ),
        ),
        TouchpointSpec(
            -2,
            TouchpointKind.CALL,
            "Marcus Oyelaran, Dana Whitfield (Northstar); Dr. Helen Marsh; Angela Brooks; the "
            "health system's telephony lead",
            "Escalation call on the dropped calls: the carrier has the trunk logs; the health "
            "system may roll back to the old carrier at night if tier 3 has no fix by Friday.",
            follow_ups=(
                FollowUpSpec("Daily update to the CMO until the drops stop", "manager", 1),
                FollowUpSpec("Decide on the night-time roll-back with the carrier", "executive", 2),
            ),
        ),
    ),
)

CLIENT = ClientSpec(
    name="Cedar Ridge Health System",
    kind=ClientKind.HEALTH_SYSTEM,
    city="Springfield",
    state="IL",
    time_zone="America/Chicago",
    executives=(PersonSpec("exec@cedarridge.example", "Angela Brooks", Role.CLIENT_EXECUTIVE),),
    partnership=PARTNERSHIP,
    discovery=DISCOVERY,
    health=HEALTH,
)
