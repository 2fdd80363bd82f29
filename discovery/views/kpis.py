"""The organization's KPI catalog: every member reads it, admins edit targets and add KPIs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from discovery import forms, selectors, services
from discovery.models import KpiDefinition
from partnerships.forms import add_service_error
from tenancy import access
from tenancy.access import Action
from tenancy.errors import ApplicationError
from tenancy.views import OrgScopedMixin

# --- KPI catalog ---------------------------------------------------------------------------


class KpiMixin(OrgScopedMixin):
    model = KpiDefinition

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav"] = "kpis"
        context["can_change"] = access.can(self.membership, Action.CREATE)
        return context


class KpiListView(KpiMixin, TemplateView):
    template_name = "discovery/kpi_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        services.kpi_catalog_ready(organization=self.organization)
        context["kpis"] = list(selectors.kpi_catalog(membership=self.membership))
        return context


class _LoadKpi:
    """After OrgScopedMixin: the KPI of the page (404 when not visible), then admin only."""

    object: KpiDefinition | None = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.object = self.get_object()
            self.require(Action.CHANGE, self.object)
        return super().dispatch(request, *args, **kwargs)


class KpiFormView(KpiMixin, _LoadKpi, FormView):
    """Add a KPI (admins), or edit one (admins): its key never changes."""

    form_class = forms.KpiForm
    template_name = "discovery/kpi_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kpi"] = self.object
        return context

    def get_success_url(self) -> str:
        return reverse("discovery:kpis", kwargs={"org_slug": self.organization.slug})

    def form_valid(self, form):
        fields = dict(form.cleaned_data)
        if fields.get("position") is None:
            fields.pop("position")  # the catalog's default place
        try:
            if self.object is None:
                kpi = services.kpi_create(actor=self.actor, **fields)
                message = f"KPI “{kpi.name}” added to the catalog."
            else:
                fields.pop("key")
                kpi = services.kpi_update(actor=self.actor, kpi=self.object, **fields)
                message = f"KPI “{kpi.name}” saved."
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(self.get_success_url())


class KpiCreateView(KpiFormView):
    required_action = Action.CREATE


class KpiUpdateView(KpiFormView):
    pass
