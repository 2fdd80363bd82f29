"""What the demo clients' data has in common."""

from __future__ import annotations

from demo.spec import Who

# Who owns which task of the shipped transition template; every other task: the PM.
TASK_OWNERS: dict[str, Who] = {
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
        "manager",
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
        "admin",
    ),
}

# The provider's QA nurses, who audit triage calls on every partnership (provider members
# with the implementation-PM role, the nearest the roles come; no partnership names them).
QA_GRACE = "grace.liu@northstar.example"
QA_TOMAS = "tomas.reyes@northstar.example"
QA_NURSES = (QA_GRACE, QA_TOMAS)
