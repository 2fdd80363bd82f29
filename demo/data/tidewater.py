"""Tidewater Pediatric Associates (Harbor): a pediatric practice's after-hours line, just into
discovery — the other organization's partnership, which Northstar's people never see."""

from __future__ import annotations

from demo.spec import ClientSpec, PartnershipSpec
from partnerships.models import ClientKind, PartnershipStatus

CLIENT = ClientSpec(
    name="Tidewater Pediatric Associates",
    kind=ClientKind.PHYSICIAN_PRACTICE,
    city="Norfolk",
    state="VA",
    time_zone="America/New_York",
    partnership=PartnershipSpec(
        name="Tidewater Pediatrics — after-hours triage",
        status=PartnershipStatus.DISCOVERY,
        account_manager="admin@harbor.example",
        contract_start=-14,
        planned_go_live=120,
        description=(
            "A twelve-pediatrician practice handing its after-hours line to Harbor. "
            "Callers are parents, often of infants; fever in babies under three months "
            "goes straight to the on-call pediatrician."
        ),
        internal_notes="Practice manager prefers updates by phone on Friday afternoons.",
        notes={PartnershipStatus.DISCOVERY: "Contract signed; discovery kickoff booked."},
    ),
)
