"""The nurse team: languages and completed trainings, the form and removal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.views.generic import ListView

from culture import services
from culture.forms import NurseForm, add_group_error
from culture.models import Adaptation, AdaptationKind, Language, Nurse, NurseTraining
from culture.views.base import LANGUAGES, CultureDeleteView, CultureFormView, CultureView, labels
from tenancy.errors import ApplicationError


class NurseListView(CultureView, ListView):
    """The provider's nurses on this partnership: languages and completed trainings."""

    model = Nurse
    template_name = "culture/nurse_list.html"
    context_object_name = "nurses"
    section = "team"

    def get_queryset(self):
        trainings = NurseTraining.objects.select_related("adaptation").order_by("completed_on")
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("trainings", queryset=trainings))
            .order_by("-is_active", "name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nurses = context["nurses"]
        covered: set[str] = set()
        for nurse in nurses:
            nurse.language_labels = labels(nurse.languages, Language.choices)
            if nurse.is_active:
                covered.update(nurse.languages or [])
        context.update(
            active_count=sum(1 for nurse in nurses if nurse.is_active),
            team_language_labels=sorted(LANGUAGES.get(c, c) for c in covered),
        )
        return context


class NurseFormMixin:
    model = Nurse
    form_class = NurseForm
    template_name = "culture/nurse_form.html"

    def get_success_url(self) -> str:
        return self.url("team")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        trainings = (
            self.visible(Adaptation)
            .filter(kind=AdaptationKind.TRAINING)
            .select_related("population")
            .order_by("population__name", "title")
        )
        kwargs.update(trainings=list(trainings), instance=self.object, today=self.today)
        return kwargs

    def form_valid(self, form):
        try:
            nurse = self.save(form)
        except (ApplicationError, ValidationError) as error:
            add_group_error(form, error)
            return self.form_invalid(form)
        return self.saved(f"{nurse.name} saved.")


class NurseCreateView(NurseFormMixin, CultureFormView):
    title = "Add a nurse to the team"
    intro = "Language and training coverage are computed from the team, not claimed."
    submit_label = "Add the nurse"

    def save(self, form):
        return services.nurse_create(
            actor=self.actor,
            partnership=self.partnership,
            trainings=form.trainings(),
            **form.service_fields(),
        )


class NurseUpdateView(NurseFormMixin, CultureFormView):
    submit_label = "Save changes"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("trainings")

    @property
    def title(self) -> str:
        return f"Edit {self.object.name}"

    def save(self, form):
        return services.nurse_update(
            actor=self.actor, nurse=self.object, trainings=form.trainings(), **form.service_fields()
        )


class NurseDeleteView(CultureDeleteView):
    model = Nurse
    return_name = "team"

    def delete(self, obj) -> str:
        services.nurse_delete(actor=self.actor, nurse=obj)
        return f"{obj.name} removed from the team."
