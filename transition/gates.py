"""Transition's checks on the lifecycle gate to live (registered in `ready()`): a recorded go
decision no older than the organization allows (14 days by default), and the go/no-go
readiness checklist. A "go with conditions" decision accepts the readiness items still
open when it was taken as its conditions; a plain "go" needs every item done."""

from __future__ import annotations

from django.urls import reverse

from partnerships.gates import GateCheck, register_gate
from partnerships.models import PartnershipStatus
from transition import selectors
from transition.models import Decision, GoNoGoDecision

GO_DECISIONS = (Decision.GO, Decision.GO_WITH_CONDITIONS)
# Never waived, not even as a condition: a plan to check, and discovery signed off.
NEEDED = frozenset({"critical_tasks", "discovery"})


def _go_live_ready(membership, partnership) -> list[GateCheck]:
    organization = partnership.organization
    today = organization.local_today()
    max_age = organization.go_decision_max_age_days
    latest = (
        GoNoGoDecision.objects.filter(
            organization_id=partnership.organization_id, partnership=partnership
        )
        .select_related("decided_by")
        .order_by("-created_at", "-id")
        .first()
    )
    label = f"A go decision recorded in the last {max_age} days"
    kwargs = {"org_slug": organization.slug, "partnership_pk": partnership.pk}
    readiness_url = reverse("transition:readiness", kwargs=kwargs)
    plan_url = reverse("transition:plan", kwargs=kwargs)
    conditional = False
    if latest is None:
        decision = GateCheck(
            "go_decision",
            label,
            False,
            "No go/no-go decision is recorded; record one on the go/no-go readiness page.",
            fix_url=readiness_url,
        )
    else:
        decided_on = latest.created_at.astimezone(organization.zone).date()
        age = (today - decided_on).days
        said = f"{latest.get_decision_display()} by {latest.decided_by} on {decided_on.isoformat()}"
        if latest.decision not in GO_DECISIONS:
            decision = GateCheck(
                "go_decision",
                label,
                False,
                f"The latest decision is “{said}”.",
                fix_url=readiness_url,
            )
        elif age > max_age:
            decision = GateCheck(
                "go_decision",
                label,
                False,
                f"The latest decision, {said}, is {age} days old; record a new one.",
                fix_url=readiness_url,
            )
        else:
            conditional = latest.decision == Decision.GO_WITH_CONDITIONS
            decision = GateCheck("go_decision", label, True, f"{said}.")

    report = selectors.readiness(membership=membership, partnership=partnership, today=today)
    checks = [decision]
    for item in report["items"]:
        state, detail = item["state"], item["detail"]
        if state == selectors.DONE:
            checks.append(GateCheck(f"readiness_{item['key']}", item["label"], True, detail))
        elif state == selectors.NOT_AVAILABLE and item["key"] not in NEEDED:
            # Nothing to check (no one departing, no training tasks): not a reason to wait.
            checks.append(
                GateCheck(
                    f"readiness_{item['key']}", item["label"], True, f"Nothing to check: {detail}"
                )
            )
        elif conditional and state == selectors.OPEN and item["key"] not in NEEDED:
            checks.append(
                GateCheck(
                    f"readiness_{item['key']}",
                    item["label"],
                    True,
                    f"Accepted as a condition of the go decision: {detail}",
                )
            )
        else:
            fix_url = plan_url if item["key"] in ("critical_tasks", "training") else readiness_url
            checks.append(
                GateCheck(f"readiness_{item['key']}", item["label"], False, detail, fix_url=fix_url)
            )
    return checks


def register_gates() -> None:
    register_gate(PartnershipStatus.LIVE, _go_live_ready, name="transition.go_decision")
