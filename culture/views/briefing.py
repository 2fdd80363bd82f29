"""The nurse briefing: one printable page of what a nurse taking these calls must know."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from django.views.generic import TemplateView

from culture import services
from culture.models import (
    CallerPopulation,
    CultureProfile,
    Nurse,
    PhysicianPreference,
    PhysicianPreferenceKind,
    PhysicianPreferenceVersion,
)
from culture.views.base import LANGUAGES, CultureView, decorate_population
from partnerships.briefing import briefing_sections


class BriefingView(CultureView, TemplateView):
    """One printable page: what a nurse taking these calls must know."""

    model = CultureProfile
    template_name = "culture/briefing.html"
    section = "briefing"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        populations = [
            decorate_population(population)
            for population in self.visible(CallerPopulation)
            .prefetch_related("languages")
            .order_by("-share_of_volume", "name")
        ]
        signed = (
            PhysicianPreferenceVersion.objects.filter(signed_off_at__isnull=False)
            .select_related("signed_off_by")
            .order_by("-number")
        )
        preferences = list(
            self.visible(PhysicianPreference)
            .select_related("current_version")
            .prefetch_related(Prefetch("versions", queryset=signed, to_attr="signed_versions"))
            .order_by("physician", "kind", "title")
        )
        for preference in preferences:
            signed_versions = preference.signed_versions
            preference.followed = signed_versions[0] if signed_versions else None
            current = preference.current_version
            preference.pending = (
                current if current is not None and not current.is_signed_off else None
            )
        team_languages = set()
        for languages in (
            self.visible(Nurse).filter(is_active=True).values_list("languages", flat=True)
        ):
            team_languages.update(languages or [])
        required: dict[str, Decimal] = {}
        for population in populations:
            for row in population.language_rows:
                # The language's share of all calls: its share of the population's calls
                # times the population's share of the volume.
                share = row.share * population.share_of_volume / 100
                required[row.language] = required.get(row.language, Decimal(0)) + share
        language_rows = [
            {
                "label": LANGUAGES.get(code, code),
                "share": share,
                "covered": code in team_languages,
            }
            for code, share in sorted(required.items(), key=lambda item: -item[1])
        ]
        kind = PhysicianPreferenceKind
        context.update(
            profile=services.culture_profile_get(partnership=self.partnership),
            populations=populations,
            language_rows=language_rows,
            escalation_rules=[p for p in preferences if p.kind == kind.ON_CALL_ESCALATION],
            standing_orders=[p for p in preferences if p.kind == kind.STANDING_ORDER],
            physician_preferences=[p for p in preferences if p.kind == kind.PREFERENCE],
            # What other apps add (transition: the knowledge transferred to the provider).
            extra_sections=briefing_sections(
                membership=self.membership, partnership=self.partnership
            ),
            as_of=self.today,
        )
        return context
