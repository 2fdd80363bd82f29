"""The lifecycle gates: what a partnership must show before it moves to its next status.

Partnerships sits below the apps that hold the evidence (discovery's sign-off, transition's
go/no-go decision), so the gates are a registry: each app registers, from its
`AppConfig.ready()`, the checks it answers for a move, and the partnership's services and
pages ask `gate_for()` without importing those apps.

- prospect → discovery: a dedicated account manager (answered here);
- discovery → transition: discovery signed off and co-signed by the client (discovery);
- transition → live: a recent go decision and the readiness checklist (transition).

Ending a partnership has no gate. A closed gate answers 409 with its `missing` checks (the
same shape as the optimization gate's); an admin may override it by writing a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from partnerships.models import PartnershipStatus

if TYPE_CHECKING:
    from partnerships.models import Partnership
    from tenancy.models import Membership


@dataclass(frozen=True)
class GateCheck:
    """One thing a move needs: `done` or not, with what the data says (`detail`)."""

    code: str
    label: str
    done: bool
    detail: str = ""
    # Where a person fixes it (a page of the app that owns the check), for the pages.
    fix_url: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The API's shape, the same as the optimization gate's items."""
        data = asdict(self)
        data.pop("fix_url")
        return data


@dataclass(frozen=True)
class Gate:
    to_status: str
    checks: tuple[GateCheck, ...]

    @property
    def missing(self) -> list[GateCheck]:
        return [check for check in self.checks if not check.done]

    @property
    def open(self) -> bool:
        return not self.missing

    def as_dict(self) -> dict[str, Any]:
        return {
            "to_status": self.to_status,
            "open": self.open,
            "checks": [check.as_dict() for check in self.checks],
            "missing": [check.as_dict() for check in self.missing],
        }


# (membership, partnership) → the checks this app answers for the move. The membership is
# the person asking (the account manager or an admin when moving), for the readers that go
# through the access policy.
Provider = Callable[["Membership", "Partnership"], Iterable[GateCheck]]

_PROVIDERS: dict[str, list[tuple[str, Provider]]] = {}


def register_gate(to_status: str, provider: Provider, *, name: str) -> None:
    """Add `provider`'s checks to the gate in front of `to_status` (once per `name`)."""
    if to_status not in PartnershipStatus.values:
        raise ValueError(f"“{to_status}” is not a partnership status.")
    providers = _PROVIDERS.setdefault(to_status, [])
    if any(existing == name for existing, _ in providers):
        raise ValueError(f"The gate to {to_status} already has checks named {name}.")
    providers.append((name, provider))


def gate_for(*, membership: Membership, partnership: Partnership, to_status: str) -> Gate:
    """Every check of the gate in front of `to_status`, in registration order."""
    checks: list[GateCheck] = []
    for _, provider in _PROVIDERS.get(to_status, ()):
        checks.extend(provider(membership, partnership))
    return Gate(to_status=to_status, checks=tuple(checks))


def _account_manager(membership: Membership, partnership: Partnership) -> list[GateCheck]:
    manager = partnership.account_manager
    return [
        GateCheck(
            "account_manager",
            "A dedicated account manager",
            manager is not None,
            f"{manager.get_full_name() or manager.email} manages this partnership."
            if manager is not None
            else "No account manager is assigned; edit the partnership to assign one.",
            fix_url="" if manager is not None else partnership.get_absolute_url() + "edit/",
        )
    ]


def register_gates() -> None:
    """Partnerships' own checks (called from `PartnershipsConfig.ready()`, before the apps
    above it add theirs)."""
    for to_status in (
        PartnershipStatus.DISCOVERY,
        PartnershipStatus.TRANSITION,
        PartnershipStatus.LIVE,
    ):
        register_gate(to_status, _account_manager, name="partnerships.account_manager")
