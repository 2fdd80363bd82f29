"""What discovery records: services and their KPI baselines (by hand or from a CSV report),
the reports reviewed, the sessions held with the client and the desired patient experience
goals the client signs off.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.generic import View

from discovery import forms, services
from discovery.models import (
    DiscoverySession,
    ExperienceGoal,
    GoalSignOff,
    KpiBaseline,
    ReviewedReport,
    ServiceLine,
)
from discovery.views.base import DiscoveryActionView, DiscoveryFormView, DiscoveryMixin, kpi_choices
from tenancy.access import Action
from tenancy.errors import ApplicationError
from tenancy.rest import NOT_FOUND

# --- Services and baselines ----------------------------------------------------------------


class ServiceCreateView(DiscoveryFormView):
    model = ServiceLine
    form_class = forms.ServiceLineForm
    page_title = "Add a service"
    intro = "A service the client's existing center delivers today."
    submit_label = "Add service"
    anchor = "services"

    def perform(self, form) -> str:
        service = services.service_line_create(
            actor=self.actor, partnership=self.partnership, **form.service_fields()
        )
        return f"Service “{service.name}” added. Record its baselines next."


class ServiceUpdateView(DiscoveryFormView):
    model = ServiceLine
    form_class = forms.ServiceLineForm
    submit_label = "Save service"
    anchor = "services"

    def get_page_title(self) -> str:
        return f"Edit “{self.object.name}”"

    def perform(self, form) -> str:
        services.service_line_update(
            actor=self.actor, service_line=self.object, **form.service_fields()
        )
        return f"Service “{self.object.name}” saved."


class ServiceDeleteView(DiscoveryActionView):
    model = ServiceLine

    def perform(self) -> str:
        services.service_line_delete(actor=self.actor, service_line=self.object)
        return f"Service “{self.object.name}” removed."

    def get_success_url(self) -> str:
        return self.overview_url("services")


class BaselineFormMixin:
    model = KpiBaseline
    form_class = forms.BaselineForm
    anchor = "services"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["kpis"] = kpi_choices(self.membership)
        return kwargs


class BaselineCreateView(BaselineFormMixin, DiscoveryFormView):
    page_title = "Add a baseline"
    intro = (
        "How a service of the existing center performs on one KPI today, and the provider's "
        "target. The target is at least as good as the baseline unless you record why not."
    )
    submit_label = "Add baseline"

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if service := self.request.GET.get("service", "").strip():
            initial["service_line"] = service  # a choice outside the form's list is ignored
        return initial

    def perform(self, form) -> str:
        baseline = services.baseline_create(
            actor=self.actor, partnership=self.partnership, **form.service_fields()
        )
        return f"Baseline for {baseline.kpi} added to “{baseline.service_line}”."


class BaselineUpdateView(BaselineFormMixin, DiscoveryFormView):
    submit_label = "Save baseline"

    def get_queryset(self):
        return super().get_queryset().select_related("kpi", "service_line")

    def get_page_title(self) -> str:
        return f"Edit the baseline of {self.object.service_line} · {self.object.kpi}"

    def perform(self, form) -> str:
        services.baseline_update(actor=self.actor, baseline=self.object, **form.service_fields())
        return "Baseline saved."


class BaselineDeleteView(DiscoveryActionView):
    model = KpiBaseline

    def perform(self) -> str:
        services.baseline_delete(actor=self.actor, baseline=self.object)
        return "Baseline removed."

    def get_success_url(self) -> str:
        return self.overview_url("services")


class BaselineImportView(DiscoveryFormView):
    model = KpiBaseline
    form_class = forms.BaselineImportForm
    template_name = "discovery/baseline_import.html"
    page_title = "Import baselines from a CSV report"
    submit_label = "Check and import"
    multipart = True
    anchor = "services"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("row_errors", [])
        context["kpis"] = kpi_choices(self.membership)
        name = (
            self.visible(ServiceLine).order_by("name").values_list("name", flat=True).first()
            or "After-hours nurse triage"
        )
        cell = f'"{name}"' if "," in name else name
        context["services_example"] = [
            f"{cell},average_speed_of_answer,38,2026-01-01,2026-03-31,30,",
            f"{cell},abandonment_rate,7.8%,2026-01-01,2026-03-31,,",
            f"{cell},caller_satisfaction,92,2026-01-01,2026-03-31,90,Survey changes in May",
        ]
        return context

    def perform(self, form) -> str:
        summary = services.baselines_import(
            actor=self.actor,
            partnership=self.partnership,
            upload=form.cleaned_data.get("file"),
            report=form.cleaned_data.get("report"),
        )
        return f"Imported {summary['created']} new baseline(s) and updated {summary['updated']}."

    def form_valid(self, form):
        try:
            message = self.perform(form)
        except (ApplicationError, ValidationError) as error:
            self.put_error(form, error)
            row_errors = (
                error.extra.get("errors", []) if isinstance(error, ApplicationError) else []
            )
            return self.render_to_response(
                self.get_context_data(form=form, row_errors=row_errors),
                status=409 if getattr(error, "status", 400) == 409 else 200,
            )
        messages.success(self.request, message)
        return redirect(self.get_success_url())


# --- Reports -------------------------------------------------------------------------------


class ReportCreateView(DiscoveryFormView):
    model = ReviewedReport
    form_class = forms.ReportUploadForm
    page_title = "Add a reviewed report"
    intro = "A report of the existing center (ACD, QA, surveys…) and what its review found."
    submit_label = "Upload report"
    multipart = True
    anchor = "reports"

    def perform(self, form) -> str:
        report = services.report_create(
            actor=self.actor, partnership=self.partnership, **form.service_fields()
        )
        return f"Report “{report.name}” uploaded."


class ReportUpdateView(DiscoveryFormView):
    model = ReviewedReport
    form_class = forms.ReportForm
    submit_label = "Save report"
    anchor = "reports"

    def get_page_title(self) -> str:
        return f"Edit “{self.object.name}”"

    def perform(self, form) -> str:
        services.report_update(actor=self.actor, report=self.object, **form.service_fields())
        return f"Report “{self.object.name}” saved."


class ReportDeleteView(DiscoveryActionView):
    model = ReviewedReport

    def perform(self) -> str:
        services.report_delete(actor=self.actor, report=self.object)
        return f"Report “{self.object.name}” removed."

    def get_success_url(self) -> str:
        return self.overview_url("reports")


CONTENT_TYPES = {
    "csv": "text/csv",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportDownloadView(DiscoveryMixin, View):
    """The uploaded file, as an attachment under its original name."""

    model = ReviewedReport

    def get(self, request, *args, **kwargs):
        report = self.object
        try:
            handle = report.file.open("rb")
        except (FileNotFoundError, OSError) as error:
            raise Http404(NOT_FOUND) from error
        services.report_downloaded(actor=self.actor, report=report)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=report.original_filename,
            content_type=CONTENT_TYPES.get(report.file_kind, "application/octet-stream"),
        )


# --- Sessions and goals --------------------------------------------------------------------


class SessionCreateView(DiscoveryFormView):
    model = DiscoverySession
    form_class = forms.SessionForm
    page_title = "Record a discovery session"
    intro = "A working session with the client: who came, what was said and decided."
    submit_label = "Record session"
    anchor = "sessions"

    def perform(self, form) -> str:
        session = services.session_create(
            actor=self.actor, partnership=self.partnership, **form.service_fields()
        )
        return f"Session “{session.title}” recorded."


class SessionUpdateView(DiscoveryFormView):
    model = DiscoverySession
    form_class = forms.SessionForm
    submit_label = "Save session"
    anchor = "sessions"

    def get_page_title(self) -> str:
        return f"Edit “{self.object.title}”"

    def perform(self, form) -> str:
        services.session_update(actor=self.actor, session=self.object, **form.service_fields())
        return "Session saved."


class SessionDeleteView(DiscoveryActionView):
    model = DiscoverySession

    def perform(self) -> str:
        services.session_delete(actor=self.actor, session=self.object)
        return f"Session “{self.object.title}” removed."

    def get_success_url(self) -> str:
        return self.overview_url("sessions")


class GoalFormMixin:
    model = ExperienceGoal
    form_class = forms.GoalForm
    anchor = "goals"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["kpis"] = kpi_choices(self.membership)
        return kwargs


class GoalCreateView(GoalFormMixin, DiscoveryFormView):
    page_title = "Add a desired patient experience goal"
    intro = (
        "What callers should experience, agreed with the client, and the KPI and target "
        "that measure it. Adding a goal asks the client executive to sign off the set again."
    )
    submit_label = "Add goal"

    def perform(self, form) -> str:
        services.goal_create(
            actor=self.actor, partnership=self.partnership, **form.service_fields()
        )
        return "Goal added. The client executive signs off the goals once the set is agreed."


class GoalUpdateView(GoalFormMixin, DiscoveryFormView):
    submit_label = "Save goal"
    intro = "Changing a signed-off goal asks the client executive to sign off the set again."

    def get_page_title(self) -> str:
        return "Edit a goal"

    def perform(self, form) -> str:
        services.goal_update(actor=self.actor, goal=self.object, **form.service_fields())
        return "Goal saved."


class GoalDeleteView(DiscoveryActionView):
    model = ExperienceGoal

    def perform(self) -> str:
        services.goal_delete(actor=self.actor, goal=self.object)
        return "Goal removed."

    def get_success_url(self) -> str:
        return self.overview_url("goals")


class GoalsSignOffView(DiscoveryFormView):
    """The client executive signs off the set of goals as it stands."""

    model = GoalSignOff
    object_action = Action.CLIENT_SIGN_OFF
    denied_message = "Only the client's executive signs off the goals."
    form_class = forms.NoteForm
    template_name = "discovery/goals_sign_off.html"
    page_title = "Sign off the desired patient experience goals"
    submit_label = "Sign off these goals"
    anchor = "goals"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["goals"] = list(
            self.visible(ExperienceGoal)
            .select_related("kpi", "service_line")
            .order_by("priority", "id")
        )
        return context

    def perform(self, form) -> str:
        services.goals_sign_off(
            actor=self.actor, partnership=self.partnership, note=form.cleaned_data["note"]
        )
        return "Goals signed off. Thank you."

    def put_error(self, form, error) -> None:
        form.add_error(None, error.message if isinstance(error, ApplicationError) else error)
