"""Discovery's checks on the lifecycle gate to transition (registered in `ready()`): the same
items the optimization gate names, so nothing changes before discovery is complete, signed
off by the account manager and co-signed by the client."""

from __future__ import annotations

from django.urls import reverse

from discovery import selectors
from partnerships.gates import GateCheck, register_gate
from partnerships.models import PartnershipStatus


def _discovery_complete(membership, partnership) -> list[GateCheck]:
    status = selectors.discovery_status(partnership=partnership)
    sign_off = status.sign_off
    kwargs = {"org_slug": partnership.organization.slug, "partnership_pk": partnership.pk}
    overview, sign_off_page = (
        reverse("discovery:overview", kwargs=kwargs),
        reverse("discovery:sign-off", kwargs=kwargs),
    )
    if sign_off is None:
        # Not signed off: every checklist item (done or not), then the two signatures.
        checks = [
            GateCheck(item.code, item.label, item.done, item.detail, fix_url=overview)
            for item in status.checklist.items
        ]
        checks.append(
            GateCheck(
                "discovery_signed_off",
                "Discovery signed off by the account manager",
                False,
                "Discovery is not signed off.",
                fix_url=sign_off_page,
            )
        )
    else:
        # Discovery is frozen while signed off: the checklist is as signed.
        checks = [
            GateCheck(
                "discovery_signed_off",
                "Discovery signed off by the account manager",
                True,
                f"Signed off by {sign_off.signed_by} on {sign_off.signed_at:%Y-%m-%d}, with "
                f"{len(status.checklist.items)} checklist items complete.",
            )
        ]
    checks.append(
        GateCheck(
            "discovery_cosigned",
            "Discovery sign-off co-signed by the client executive",
            status.cosigned,
            f"Co-signed by {sign_off.cosigned_by} on {sign_off.cosigned_at:%Y-%m-%d}."
            if status.cosigned
            else "The client has not co-signed the discovery sign-off.",
            fix_url="" if status.cosigned else sign_off_page,
        )
    )
    return checks


def register_gates() -> None:
    register_gate(PartnershipStatus.TRANSITION, _discovery_complete, name="discovery.signed_off")
