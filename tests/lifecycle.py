"""Evidence that opens the lifecycle gates, for tests that move partnerships (the gates
themselves are tested in tests/partnerships/test_gates.py)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from discovery.models import DiscoverySignOff
from transition.models import Decision, GoNoGoDecision

CHECKLIST = {
    "complete": True,
    "items": [
        {"code": "services_with_baselines", "label": "Services", "done": True, "detail": ""},
    ],
}


def sign_off_discovery(partnership, *, signed_by, cosigned_by=None) -> DiscoverySignOff:
    """Discovery signed off by `signed_by` and, when given, co-signed by `cosigned_by`."""
    now = timezone.now()
    return DiscoverySignOff.objects.create(
        organization_id=partnership.organization_id,
        partnership=partnership,
        signed_by=signed_by,
        signed_at=now,
        checklist=CHECKLIST,
        cosigned_by=cosigned_by,
        cosigned_at=now if cosigned_by is not None else None,
    )


def record_go(partnership, *, decided_by, decision=Decision.GO, days_ago: int = 0):
    """A go/no-go decision recorded `days_ago` days ago."""
    record = GoNoGoDecision.objects.create(
        organization_id=partnership.organization_id,
        partnership=partnership,
        decision=decision,
        rationale="Ready.",
        decided_by=decided_by,
    )
    if days_ago:
        GoNoGoDecision.objects.filter(pk=record.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
        record.refresh_from_db()
    return record


def ready_to_go_live(partnership, *, manager, executive, decision=Decision.GO):
    """Everything the gate to live asks: discovery signed off and co-signed, a plan whose
    critical task is done, and a go decision recorded today."""
    from tests.transition.factories import PlanTaskFactory, TransitionPlanFactory
    from transition.models import TaskStatus

    sign_off_discovery(partnership, signed_by=manager, cosigned_by=executive)
    plan = TransitionPlanFactory(partnership=partnership)
    PlanTaskFactory(plan=plan, title="Cut over the phone numbers", status=TaskStatus.DONE)
    return record_go(partnership, decided_by=manager, decision=decision)
