"""The base of the culture pages (objective 1), under /o/<org_slug>/<partnership_pk>/culture/.

`PartnershipPageMixin` resolves the organization and membership, then the partnership
through the access policy (404 when it is not visible, with the same message as a missing
one), then the page's own object within that partnership (404), and only then checks what
the member may do (403). Reads go through the access policy and the culture selectors;
writes only through `culture.services` and `culture.imports`.

Culture is provider work (`Action.CHANGE_WORK`, the templates' `can_change`: admin, the
dedicated account manager, the assigned implementation PMs). A client executive reads the
profile, the populations and the readiness figures, never a field marked internal, and
signs off physician preferences.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.views.generic import FormView, View

from culture import selectors
from culture.models import AccessibilityNeed, AgeBand, CallerPopulation, Channel, Language
from partnerships.base import PartnershipPageMixin
from tenancy.access import Action, can
from tenancy.errors import ApplicationError

LANGUAGES = dict(Language.choices)
SMALL_SAMPLE = selectors.SMALL_SAMPLE_RESPONSES


def labels(values: list[str] | None, choices) -> list[str]:
    """Codes stored in a JSON list as their labels (an unknown code is shown as it is)."""
    names = dict(choices)
    return [names.get(value, value) for value in values or []]


def decorate_population(population: CallerPopulation) -> CallerPopulation:
    """Readable labels for the JSON choice lists (kept on the object for the template)."""
    population.age_band_labels = labels(population.age_bands, AgeBand.choices)
    population.channel_labels = labels(population.preferred_channels, Channel.choices)
    population.accessibility_labels = labels(
        population.accessibility_needs, AccessibilityNeed.choices
    )
    population.language_rows = list(population.languages.all())  # prefetched
    return population


class CultureView(PartnershipPageMixin):
    """A page of one partnership's culture; subclasses declare `model`."""

    url_namespace = "culture"
    tab = "culture"

    def get_queryset(self):
        # Lists show this partnership's rows only (the object of a page is looked up inside
        # it by the base already).
        return super().get_queryset().filter(partnership=self.partnership)

    @property
    def can_sign_off(self) -> bool:
        return can(self.membership, Action.CLIENT_APPROVAL, self.partnership)


class CultureFormView(CultureView, FormView):
    """Create or change something of the culture: provider work (403 for others)."""

    object_action = Action.CHANGE_WORK
    template_name = "culture/form.html"
    title = ""
    intro = ""
    submit_label = "Save"
    sections: tuple[tuple[str, tuple[str | tuple[str, ...], ...]], ...] = ()
    return_section = ""

    def get_success_url(self) -> str:
        return self.url("overview") + (f"#{self.return_section}" if self.return_section else "")

    def cancel_url(self) -> str:
        return self.get_success_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        fieldsets = []
        for legend, entries in self.sections:
            # An entry is a field name, or a tuple of names shown side by side.
            rows = []
            for entry in entries:
                names = (entry,) if isinstance(entry, str) else entry
                row = [form[name] for name in names if name in form.fields]
                if row:
                    rows.append(row)
            if rows:
                internal = entries == ("internal_notes",)
                fieldsets.append({"legend": legend, "rows": rows, "internal": internal})
        context.update(
            title=self.title,
            intro=self.intro,
            submit_label=self.submit_label,
            fieldsets=fieldsets,
            cancel_url=self.cancel_url(),
        )
        return context

    def saved(self, message: str) -> HttpResponseRedirect:
        messages.success(self.request, message)
        return HttpResponseRedirect(self.get_success_url())


class CultureDeleteView(CultureView, View):
    """POST only: delete through the service, then back with the outcome."""

    http_method_names = ["post"]
    object_action = Action.CHANGE_WORK
    return_name = "overview"

    def delete(self, obj) -> str:  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.delete(self.object)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(self.url(self.return_name))
