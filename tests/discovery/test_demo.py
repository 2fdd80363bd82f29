"""The demo discovery data obeys the rules it shows."""

from __future__ import annotations

import datetime

import pytest

from demo.data import lakeshore, prairie_view
from demo.loader import load_discovery
from discovery import selectors
from discovery.models import CallFlow, Opportunity

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 1)


def test_a_complete_discovery_opens_the_gate(
    partnership, account_manager, implementation_pm, client_executive, actor_for
):
    cast = {
        "manager": actor_for(account_manager),
        "pm": actor_for(implementation_pm),
        "executive": actor_for(client_executive),
    }
    created = load_discovery(lakeshore.DISCOVERY, partnership=partnership, cast=cast, today=TODAY)
    assert ("discovery sign-off", str(partnership)) in created
    status = selectors.discovery_status(partnership=partnership)
    assert status.checklist.complete and status.gate_open
    assert set(Opportunity.objects.values_list("status", flat=True)) == {"accepted", "proposed"}
    assert CallFlow.objects.filter(partnership=partnership).count() == 2
    assert (
        load_discovery(lakeshore.DISCOVERY, partnership=partnership, cast=cast, today=TODAY) == []
    )


def test_a_discovery_in_progress_shows_what_is_missing(other_client_partnership, admin, actor_for):
    load_discovery(
        prairie_view.DISCOVERY,
        partnership=other_client_partnership,
        cast={"manager": actor_for(admin)},
        today=TODAY,
    )
    items = selectors.discovery_checklist(partnership=other_client_partnership).items
    assert [item.code for item in items if not item.done] == [
        "services_with_baselines",
        "call_flows_reviewed",
        "reports_reviewed",
        "goals_signed_off",
    ]
    flow = CallFlow.objects.get(partnership=other_client_partnership)
    assert [p["code"] for p in flow.latest_version.problems] == [
        "path_without_end",
        "triage_without_callback_or_transfer",
    ]
