"""The Health tab (provider members only): the latest score with its band and trend, the
"why" panel (every component, its measures, weight and contribution, and what was missing),
"Run a check now", and the history as a chart with a table alternative. And the member's
alerts across partnerships (acknowledge with a note, snooze until a date with a reason)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView, View

from health import scoring, selectors
from health.models import Alert, HealthCheck
from health.services import checks as services
from partnerships.base import PartnershipPageMixin
from partnerships.forms import DateInput
from tenancy.access import Action
from tenancy.errors import ApplicationError
from tenancy.views import OrgScopedMixin

SERVICE_ERRORS = (ApplicationError, ValidationError)
HISTORY_LIMIT = 60
TRIGGER_LABELS = {
    "schedule": "scheduled",
    "on_demand": "run on demand",
    "after_upload": "after new data",
}


class CheckMixin(PartnershipPageMixin):
    url_namespace = "health"
    tab = "health"
    provider_only = True
    model = HealthCheck


class CheckView(CheckMixin, TemplateView):
    template_name = "health/check_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        history = list(
            selectors.check_history(membership=self.membership, partnership=self.partnership)[
                :HISTORY_LIMIT
            ]
        )
        for check in history:
            check.trigger_label = TRIGGER_LABELS.get(check.trigger, check.trigger)
        latest = history[0] if history else None
        chart = {
            "labels": [
                f"{timezone.localtime(c.period_start):%b %-d %H:%M}" for c in reversed(history)
            ],
            "scores": [None if c.score is None else float(c.score) for c in reversed(history)],
            "red_below": 0,
            "green_from": 0,
        }
        hs = selectors.health_settings_for(organization=self.organization)
        chart["red_below"], chart["green_from"] = hs.red_below, hs.green_from
        context.update(
            latest=latest,
            history=history,
            chart=chart if len(history) > 1 else None,
            settings=hs,
            checked_phase=self.partnership.status in selectors.CHECKED_STATUSES,
            weights=scoring.weights_for(self.partnership.status, hs.weights),
            component_labels=scoring.COMPONENTS,
        )
        return context


class CheckRunView(CheckMixin, View):
    """POST: check this partnership now."""

    object_action = Action.CHANGE_WORK
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        target = self.url("check")
        try:
            check = services.check_run_now(actor=self.actor, partnership=self.partnership)
        except SERVICE_ERRORS as error:
            messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
            return HttpResponseRedirect(target)
        if check is None:
            messages.warning(request, "The check could not be stored; try again in a minute.")
        elif check.score is None:
            messages.success(request, "Checked: there is not enough data for a score yet.")
        else:
            messages.success(
                request, f"Checked: {scoring.fmt(float(check.score))} ({check.get_band_display()})."
            )
        return HttpResponseRedirect(target)


# --- Alerts ----------------------------------------------------------------------------------


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you did or decided.",
    )


class SnoozeForm(forms.Form):
    until = forms.DateField(label="Snooze until", widget=DateInput())
    reason = forms.CharField(label="Reason", max_length=2000, help_text="Why it can wait.")


class AlertListView(OrgScopedMixin, TemplateView):
    """The member's health alerts: open ones first, with their reasons and next step."""

    template_name = "health/check_alerts.html"
    provider_only = True
    model = Alert

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = self.organization.local_today()
        alerts = list(selectors.alert_list(membership=self.membership)[:200])
        for alert in alerts:
            alert.snoozed = alert.snoozed_until is not None and alert.snoozed_until >= today
        context.update(
            nav="alerts",
            today=today,
            open_alerts=[a for a in alerts if a.acknowledged_at is None and not a.snoozed],
            snoozed_alerts=[a for a in alerts if a.acknowledged_at is None and a.snoozed],
            done_alerts=[a for a in alerts if a.acknowledged_at is not None][:50],
            acknowledge_form=kwargs.get("acknowledge_form") or AcknowledgeForm(),
            snooze_form=kwargs.get("snooze_form") or SnoozeForm(),
            failed_pk=kwargs.get("failed_pk"),
            max_snooze_days=services.MAX_SNOOZE_DAYS,
        )
        return context


class AlertActionView(AlertListView):
    """POST acknowledge or snooze one alert (the recipient or an admin). `next`, a page of the
    same organization (a home page's inbox), is where to return; else the alerts page."""

    http_method_names = ["post"]
    step = ""

    def _next(self) -> str:
        alerts = reverse("health:alerts", kwargs={"org_slug": self.organization.slug})
        wanted = self.request.POST.get("next", "")
        own = f"/o/{self.organization.slug}/"
        safe = url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}, require_https=False
        )
        return wanted if safe and wanted.startswith(own) and "//" not in wanted else alerts

    def post(self, request, *args, **kwargs):
        alert = self.get_object()
        form_class = AcknowledgeForm if self.step == "acknowledge" else SnoozeForm
        form = form_class(request.POST)
        if form.is_valid():
            try:
                if self.step == "acknowledge":
                    services.alert_acknowledge(actor=self.actor, alert=alert, **form.cleaned_data)
                    messages.success(request, "Alert acknowledged.")
                else:
                    services.alert_snooze(actor=self.actor, alert=alert, **form.cleaned_data)
                    messages.success(
                        request, f"Alert snoozed until {form.cleaned_data['until']:%b %-d, %Y}."
                    )
                return HttpResponseRedirect(self._next())
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        name = f"{self.step}_form"
        context = self.get_context_data(**{name: form, "failed_pk": alert.pk})
        return self.render_to_response(context, status=400)
