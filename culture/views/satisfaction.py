"""Caller satisfaction: the list of results, the form, deletion and the CSV import."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.views.generic import ListView

from culture import imports, services
from culture.forms import (
    SatisfactionImportForm,
    SatisfactionResultForm,
    add_service_error,
)
from culture.models import CallerPopulation, SatisfactionResult
from culture.views.base import SMALL_SAMPLE, CultureDeleteView, CultureFormView, CultureView
from partnerships.views import LenientPaginationMixin
from tenancy.errors import ApplicationError


class SatisfactionListView(CultureView, LenientPaginationMixin, ListView):
    """Every satisfaction result, newest period first (one page of 50 at a time)."""

    model = SatisfactionResult
    template_name = "culture/satisfaction_list.html"
    context_object_name = "results"
    section = "satisfaction"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("population")
            .order_by("-period_start", "population__name", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["small_sample"] = SMALL_SAMPLE
        return context


class SatisfactionFormMixin:
    model = SatisfactionResult
    form_class = SatisfactionResultForm
    object_select = ("population",)
    sections = (
        ("Population and period", ("population", ("period_start", "period_end"))),
        ("Survey results", (("responses", "satisfied_pct", "questions_answered_pct"),)),
    )

    def get_success_url(self) -> str:
        return self.url("satisfaction")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            membership=self.membership, partnership=self.partnership, instance=self.object
        )
        return kwargs

    def form_valid(self, form):
        try:
            result = self.save(form.service_fields())
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error, unique_field="period_start")
            return self.form_invalid(form)
        period = f"{date_format(result.period_start)} to {date_format(result.period_end)}"
        return self.saved(f"Result for {result.population.name}, {period}, saved.")


class SatisfactionCreateView(SatisfactionFormMixin, CultureFormView):
    title = "Enter a satisfaction result"
    intro = "One population's caller survey over one period."
    submit_label = "Add the result"

    def save(self, fields):
        population = fields.pop("population")
        return services.satisfaction_result_create(
            actor=self.actor, population=population, **fields
        )


class SatisfactionUpdateView(SatisfactionFormMixin, CultureFormView):
    title = "Edit a satisfaction result"
    submit_label = "Save changes"

    def save(self, fields):
        return services.satisfaction_result_update(actor=self.actor, result=self.object, **fields)


class SatisfactionDeleteView(CultureDeleteView):
    model = SatisfactionResult
    return_name = "satisfaction"

    def delete(self, obj) -> str:
        services.satisfaction_result_delete(actor=self.actor, result=obj)
        return "Satisfaction result deleted."


class SatisfactionImportView(CultureFormView):
    """Upload a CSV of results: validated whole, so one bad row saves nothing and every error
    is listed with its row and column; a valid file is saved (or only checked) as a whole."""

    model = SatisfactionResult
    form_class = SatisfactionImportForm
    template_name = "culture/satisfaction_import.html"
    section = "satisfaction"
    title = "Import satisfaction results"

    def get_success_url(self) -> str:
        return self.url("satisfaction")

    def form_valid(self, form):
        try:
            summary = imports.satisfaction_import_csv(
                actor=self.actor,
                partnership=self.partnership,
                file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except imports.CsvImportError as error:
            form.add_error("file", error.message)
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    row_errors=error.errors[: imports.MAX_ERRORS_REPORTED],
                    error_count=len(error.errors),
                )
            )
        except ApplicationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        if summary.dry_run:
            return self.render_to_response(
                self.get_context_data(form=SatisfactionImportForm(), checked=summary)
            )
        return self.saved(
            f"Imported {summary.rows} result{'s' if summary.rows != 1 else ''}: "
            f"{summary.created} new, {summary.updated} updated."
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            columns=imports.COLUMNS,
            population_names=list(
                self.visible(CallerPopulation)
                .order_by("-share_of_volume", "name")
                .values_list("name", flat=True)
            ),
            max_errors=imports.MAX_ERRORS_REPORTED,
        )
        return context
