"""Adaptations: the list (overdue ones flagged), the form and deletion."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.views.generic import ListView

from culture import services
from culture.forms import AdaptationForm, add_service_error
from culture.models import Adaptation
from culture.views.base import CultureDeleteView, CultureFormView, CultureView
from tenancy.errors import ApplicationError


class AdaptationListView(CultureView, ListView):
    """Every adaptation of the partnership, by due date (overdue ones flagged)."""

    model = Adaptation
    template_name = "culture/adaptation_list.html"
    context_object_name = "adaptations"
    section = "adaptations"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("population", "owner")
            .order_by("population__name", "due_date", "title")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for adaptation in context["adaptations"]:
            adaptation.overdue = adaptation.is_overdue(self.today)
        context["today"] = self.today
        return context


class AdaptationFormMixin:
    model = Adaptation
    form_class = AdaptationForm
    sections = (
        ("The adaptation", (("population", "kind"), "title", "description", "language")),
        ("Plan", (("owner", "due_date"), ("status", "completed_on"))),
        ("Effect", ("outcome_measure",)),
        ("Internal", ("internal_notes",)),
    )

    def get_success_url(self) -> str:
        return self.url("adaptations")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(membership=self.membership, partnership=self.partnership)
        kwargs["instance"] = self.object
        return kwargs

    def form_valid(self, form):
        try:
            adaptation = self.save(form.service_fields())
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error, unique_field="title")
            return self.form_invalid(form)
        return self.saved(f"Adaptation “{adaptation.title}” saved.")


class AdaptationCreateView(AdaptationFormMixin, CultureFormView):
    title = "Plan an adaptation"
    intro = (
        "Training, a script, staffing, language coverage or a protocol that answers one "
        "population's needs, with the outcome it should move."
    )
    submit_label = "Add the adaptation"

    def get_initial(self):
        initial = super().get_initial()
        if population := self.request.GET.get("population"):
            initial["population"] = population
        return initial

    def save(self, fields):
        population = fields.pop("population")
        return services.adaptation_create(actor=self.actor, population=population, **fields)


class AdaptationUpdateView(AdaptationFormMixin, CultureFormView):
    submit_label = "Save changes"

    @property
    def title(self) -> str:
        return f"Edit “{self.object.title}”"

    def save(self, fields):
        return services.adaptation_update(actor=self.actor, adaptation=self.object, **fields)


class AdaptationDeleteView(CultureDeleteView):
    model = Adaptation
    return_name = "adaptations"

    def delete(self, obj) -> str:
        services.adaptation_delete(actor=self.actor, adaptation=obj)
        return f"Adaptation “{obj.title}” deleted."
