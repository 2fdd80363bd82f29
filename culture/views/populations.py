"""Caller populations: the form (with its languages as a formset) and deletion."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from culture import services
from culture.forms import LanguageFormSet, PopulationForm, add_group_error, language_initial
from culture.models import CallerPopulation
from culture.views.base import CultureDeleteView, CultureFormView
from tenancy.errors import ApplicationError


class PopulationFormMixin:
    model = CallerPopulation
    form_class = PopulationForm
    template_name = "culture/population_form.html"
    return_section = "populations"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["membership"] = self.membership
        kwargs["instance"] = self.object
        return kwargs

    def get_formset(self):
        if self.request.method == "POST":
            return LanguageFormSet(self.request.POST, prefix="languages")
        return LanguageFormSet(initial=language_initial(self.object), prefix="languages")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formset", self.get_formset())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form, formset = self.get_form(), self.get_formset()
        if form.is_valid() and formset.is_valid():
            try:
                population = self.save(form, formset.rows())
            except (ApplicationError, ValidationError) as error:
                add_group_error(form, error)
            else:
                return self.saved(f"Population “{population.name}” saved.")
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


class PopulationCreateView(PopulationFormMixin, CultureFormView):
    title = "New caller population"
    intro = "A group of callers the line serves, and what a nurse should know about them."
    submit_label = "Add the population"

    def save(self, form, languages):
        return services.caller_population_create(
            actor=self.actor,
            partnership=self.partnership,
            languages=languages,
            **form.service_fields(),
        )


class PopulationUpdateView(PopulationFormMixin, CultureFormView):
    submit_label = "Save changes"

    @property
    def title(self) -> str:
        return f"Edit “{self.object.name}”"

    def save(self, form, languages):
        return services.caller_population_update(
            actor=self.actor, population=self.object, languages=languages, **form.service_fields()
        )


class PopulationDeleteView(CultureDeleteView):
    model = CallerPopulation

    def delete(self, obj) -> str:
        services.caller_population_delete(actor=self.actor, population=obj)
        return f"Population “{obj.name}” removed."
