"""The Quality tab (provider members only): the partnership's call-quality audits with
pass/fail and under-/over-triage markers, the monthly QA figures against their targets, and
the audit form (the rubric as yes / no / not applicable radio groups)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.views.generic import TemplateView

from discovery.models import ServiceLine
from health import audit_selectors as selectors
from health.models import Answer, CallAudit, TriageError
from health.models.audits import COMPASSION_ITEMS
from health.services import audits as services
from partnerships.base import PartnershipPageMixin
from partnerships.forms import DateInput, UserChoiceField, add_service_error, editable_initial
from tenancy.access import Action
from tenancy.errors import ApplicationError

LIST_LIMIT = 100


def _answer_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=Answer.choices,
        initial=Answer.NOT_APPLICABLE,
        widget=forms.RadioSelect(attrs={"class": "answer-choice"}),
    )


class AuditForm(forms.Form):
    call_date = forms.DateField(label="Call date", widget=DateInput())
    call_reference = forms.CharField(
        label="Call reference",
        max_length=100,
        required=False,
        help_text="The call's id in the telephony system. No patient details.",
    )
    service_line = forms.ModelChoiceField(
        label="Service",
        queryset=ServiceLine.objects.none(),
        required=False,
        empty_label="The whole line",
    )
    auditor = UserChoiceField(
        label="Auditor", queryset=None, help_text="The QA nurse who listened to the call."
    )
    guideline_correct = _answer_field("Protocol (guideline) correct")
    disposition_correct = _answer_field("Disposition correct")
    triage_error = forms.ChoiceField(
        label="If the disposition was wrong",
        choices=TriageError.choices,
        initial=TriageError.NONE,
        widget=forms.RadioSelect,
    )
    red_flag_missed = forms.BooleanField(
        label="A red flag was missed (an emergency under-triaged)",
        required=False,
        help_text="Fails the audit automatically, whatever the other answers.",
    )
    documentation_complete = _answer_field("Documentation complete")
    introduction = _answer_field("Introduction and name")
    empathy = _answer_field("Empathy statement")
    plain_language = _answer_field("Plain language fitted to the caller")
    teach_back = _answer_field("Teach-back")
    safety_net = _answer_field("Safety-net advice")
    respectful_closing = _answer_field("Respectful closing")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = ServiceLine.objects.filter(
            organization_id=partnership.organization_id, partnership=partnership
        ).order_by("name")
        self.fields["auditor"].queryset = selectors.auditor_choices(
            organization=partnership.organization
        )

    @property
    def compassion_fields(self):
        return [self[name] for name, _ in COMPASSION_ITEMS]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        return {
            "auditor": data.pop("auditor"),
            **{name: data[name] for name in CallAudit.EDITABLE_FIELDS},
        }


class QualityMixin(PartnershipPageMixin):
    url_namespace = "health"
    tab = "quality"
    provider_only = True
    model = CallAudit
    object_select = ("auditor", "service_line")


class QualityView(QualityMixin, TemplateView):
    """Audits with their result, and the QA KPIs per month against their targets."""

    template_name = "health/audit_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = {"membership": self.membership, "partnership": self.partnership}
        rows = selectors.audits(**scope)
        audits = selectors.with_results(rows[:LIST_LIMIT])
        context.update(
            audits=audits,
            total=len(audits) if len(audits) < LIST_LIMIT else rows.count(),
            list_limit=LIST_LIMIT,
            failed=sum(1 for audit in audits if not audit.result["passed"]),
            qa_months=selectors.qa_months(**scope),
            can_audit=self.can_change,
        )
        return context


class AuditFormView(QualityMixin, TemplateView):
    """Record an audit (no `pk`) or change one."""

    template_name = "health/audit_form.html"
    object_action = Action.CHANGE_WORK

    def form(self, data=None) -> AuditForm:
        if self.object is not None:
            initial = editable_initial(self.object) | {"auditor": self.object.auditor_id}
        else:
            initial = {"call_date": self.today, "auditor": self.request.user.pk}
        return AuditForm(data, partnership=self.partnership, initial=initial)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                if self.object is None:
                    fields = form.service_fields()
                    audit = services.audit_record(
                        actor=self.actor,
                        partnership=self.partnership,
                        auditor=fields.pop("auditor"),
                        **fields,
                    )
                else:
                    audit = services.audit_update(
                        actor=self.actor, audit=self.object, **form.service_fields()
                    )
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                result = services.audit_result(audit)
                outcome = "passed" if result["passed"] else "failed"
                messages.success(
                    request,
                    f"Audit of the call on {audit.call_date:%b %-d} saved: {outcome}. "
                    "This month's QA figures are updated.",
                )
                return HttpResponseRedirect(self.url("quality") + f"#audit-{audit.pk}")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        context["audit"] = self.object
        return context


class AuditDeleteView(QualityMixin, TemplateView):
    object_action = Action.CHANGE_WORK
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.audit_delete(actor=self.actor, audit=self.object)
        messages.success(request, "Audit deleted; that month's QA figures are updated.")
        return HttpResponseRedirect(self.url("quality"))
