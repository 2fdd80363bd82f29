"""Sections other apps add to a partnership's nurse briefing (the culture tab's printable
page): a registry the domain apps fill from their `AppConfig.ready()`, so that culture, which
renders the briefing, never imports them (transition adds the knowledge transferred to the
provider).

A provider is called as `provider(membership=…, partnership=…)` and returns a
`BriefingSection`, or None when it has nothing to say. Sections are text: the page escapes
every string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partnerships.models import Partnership
    from tenancy.models import Membership


@dataclass(frozen=True)
class BriefingItem:
    title: str
    text: str
    detail: str = ""  # a short line under the title, e.g. who or what it is about


@dataclass(frozen=True)
class BriefingSection:
    key: str  # a slug: the section's anchor on the page
    title: str
    items: list[BriefingItem] = field(default_factory=list)
    note: str = ""  # a line under the heading, e.g. where the items come from


SectionProvider = Callable[..., "BriefingSection | None"]

_PROVIDERS: dict[str, SectionProvider] = {}


def register_briefing_section(provider: SectionProvider, *, key: str | None = None) -> None:
    """Add a section to every nurse briefing (registering the same key again replaces it)."""
    _PROVIDERS[key or f"{provider.__module__}.{provider.__qualname__}"] = provider


def briefing_sections(*, membership: Membership, partnership: Partnership) -> list[BriefingSection]:
    """The registered sections with something to show, in the order they were registered."""
    sections = []
    for provider in _PROVIDERS.values():
        section = provider(membership=membership, partnership=partnership)
        if section is not None and section.items:
            sections.append(section)
    return sections
