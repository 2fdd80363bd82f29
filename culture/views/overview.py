"""The Culture tab (profile, physician preferences, populations, the readiness panel) and
the culture profile's form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.views.generic import TemplateView

from culture import selectors, services
from culture.forms import CultureProfileForm, add_service_error
from culture.models import AdaptationKind, CallerPopulation, CultureProfile, PhysicianPreference
from culture.views.base import (
    LANGUAGES,
    SMALL_SAMPLE,
    CultureFormView,
    CultureView,
    decorate_population,
)
from tenancy.errors import ApplicationError


def _figure(figure: selectors.SatisfactionFigure) -> dict[str, Any]:
    return {
        "satisfied": figure.satisfied_pct,
        "answered": figure.questions_answered_pct,
        "responses": figure.responses,
        "periods": figure.periods,
        "small": figure.small_sample,
        "empty": figure.satisfied_pct is None,
    }


def _chart_number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def readiness_rows(readiness: selectors.CultureReadiness) -> list[dict[str, Any]]:
    """The panel's figures as the template shows them, with each population's chart data."""
    rows = []
    for item in readiness.populations:
        effects = [
            {
                "effect": effect,
                "kind": AdaptationKind(effect.kind).label,
                "before": _figure(effect.before),
                "after": _figure(effect.after),
                "change": effect.satisfied_change,
                "answered_change": effect.questions_answered_change,
            }
            for effect in item.effects
        ]
        chart = None
        if any(not e["before"]["empty"] or not e["after"]["empty"] for e in effects):
            chart = {
                "title": item.name,
                "labels": [e["effect"].title for e in effects],
                "before": [_chart_number(e["effect"].before.satisfied_pct) for e in effects],
                "after": [_chart_number(e["effect"].after.satisfied_pct) for e in effects],
                "before_n": [e["effect"].before.responses for e in effects],
                "after_n": [e["effect"].after.responses for e in effects],
                "small_sample": SMALL_SAMPLE,
            }
        missing = item.languages_missing
        rows.append(
            {
                "item": item,
                "open": item.adaptations_planned + item.adaptations_in_progress,
                "languages": [
                    {
                        "code": code,
                        "label": LANGUAGES.get(code, code),
                        "covered": code not in missing,
                    }
                    for code in item.languages_required
                ],
                "missing": [LANGUAGES.get(code, code) for code in missing],
                "effects": effects,
                "chart": chart,
                "chart_id": f"culture-chart-{item.population_id}",
            }
        )
    return rows


class CultureOverviewView(CultureView, TemplateView):
    """The Culture tab: profile, physician preferences, populations and the readiness panel.

    Queries, whatever the number of rows: the partnership, the profile, the preferences with
    their current versions, the populations and their languages, and the five of
    `culture_readiness`.
    """

    model = CultureProfile
    template_name = "culture/overview.html"
    section = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = services.culture_profile_get(partnership=self.partnership)
        preferences = list(
            self.visible(PhysicianPreference)
            .select_related("current_version__signed_off_by", "current_version__created_by")
            .order_by("physician", "kind", "title")
        )
        populations = [
            decorate_population(population)
            for population in self.visible(CallerPopulation)
            .prefetch_related("languages")
            .order_by("-share_of_volume", "name")
        ]
        readiness = selectors.culture_readiness(self.partnership, today=self.today)
        rows = readiness_rows(readiness)
        context.update(
            profile=profile,
            profile_empty=not any(
                getattr(profile, name)
                for name in CultureProfile.EDITABLE_FIELDS
                if name not in CultureProfile.INTERNAL_FIELDS
            ),
            preferences=preferences,
            awaiting_sign_off=sum(
                1 for p in preferences if p.current_version and not p.current_version.is_signed_off
            ),
            can_sign_off=self.can_sign_off,
            populations=populations,
            total_share=sum((p.share_of_volume for p in populations), Decimal(0)),
            readiness=readiness,
            readiness_rows=rows,
            team_language_labels=[LANGUAGES.get(c, c) for c in readiness.team_languages],
            small_sample=SMALL_SAMPLE,
            has_charts=any(row["chart"] for row in rows),
        )
        return context


class CultureProfileUpdateView(CultureFormView):
    model = CultureProfile
    form_class = CultureProfileForm
    title = "Edit the culture profile"
    intro = "How the client works and wants to be worked with; every nurse briefing draws on it."
    submit_label = "Save the profile"
    return_section = "profile"
    sections = (
        ("The client", ("mission_and_values", "communication_style", "terminology")),
        ("Decisions and escalations", ("escalation_preferences", "decision_makers")),
        ("Working together", ("meeting_cadence",)),
        ("Internal", ("internal_notes",)),
    )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["membership"] = self.membership
        kwargs["instance"] = services.culture_profile_get(partnership=self.partnership)
        return kwargs

    def form_valid(self, form):
        try:
            services.culture_profile_update(
                actor=self.actor, partnership=self.partnership, **form.service_fields()
            )
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        return self.saved("Culture profile saved.")
