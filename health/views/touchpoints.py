"""The Touchpoints tab (provider members only): the account manager's meetings, calls,
business reviews and site visits with the client, the days since the last one, the
follow-ups due or overdue, and the form (with up to three follow-ups at once)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.views.generic import TemplateView

from accounts.models import User
from health import touchpoint_selectors as selectors
from health.models import FollowUp, Touchpoint, TouchpointKind
from health.services import touchpoints as services
from partnerships.base import PartnershipPageMixin
from partnerships.forms import DateInput, UserChoiceField, add_service_error, editable_initial
from tenancy.access import Action
from tenancy.errors import ApplicationError

SERVICE_ERRORS = (ApplicationError, ValidationError)
BLANK_FOLLOW_UPS = 3


def owner_choices(partnership):
    """Who may own a follow-up (the service checks it again, by the same rule)."""
    return selectors.follow_up_owners(partnership=partnership)


class TouchpointForm(forms.Form):
    date = forms.DateField(label="Date", widget=DateInput())
    kind = forms.ChoiceField(label="Kind", choices=TouchpointKind.choices)
    attendees = forms.CharField(
        label="Attendees",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Who took part, one per line or comma-separated.",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class FollowUpForm(forms.Form):
    action = forms.CharField(label="Action", max_length=300, required=False)
    owner = UserChoiceField(label="Owner", queryset=None, required=False, empty_label="Nobody yet")
    due = forms.DateField(label="Due", required=False, widget=DateInput())

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else User.objects.none()

    def clean(self):
        data = super().clean()
        if (data.get("owner") or data.get("due")) and not (data.get("action") or "").strip():
            self.add_error("action", "Say what is to be done (or clear the owner and due date).")
        return data

    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("action") or "").strip()


FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=BLANK_FOLLOW_UPS, max_num=20)


class TouchpointMixin(PartnershipPageMixin):
    url_namespace = "health"
    tab = "touchpoints"
    provider_only = True
    model = Touchpoint

    @property
    def can_record(self) -> bool:
        from tenancy import access

        return access.can(self.membership, Action.CHANGE, self.partnership)


class TouchpointsView(TouchpointMixin, TemplateView):
    """The list, the days since the last touchpoint and the follow-ups due or overdue;
    the form to record one (with follow-ups)."""

    template_name = "health/touchpoint_list.html"

    def forms(self, data=None):
        form = TouchpointForm(data, initial={"date": self.today}, prefix="tp")
        formset = FollowUpFormSet(
            data, prefix="fu", form_kwargs={"owners": owner_choices(self.partnership)}
        )
        return form, formset

    def post(self, request, *args, **kwargs):
        self.require(Action.CHANGE)
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            follow_ups = [
                {
                    "action": item.cleaned_data["action"],
                    "owner": item.cleaned_data.get("owner"),
                    "due": item.cleaned_data.get("due"),
                }
                for item in formset
                if not item.is_blank()
            ]
            try:
                touchpoint = services.touchpoint_create(
                    actor=self.actor,
                    partnership=self.partnership,
                    follow_ups=follow_ups,
                    **form.cleaned_data,
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"{touchpoint} recorded"
                    + (f" with {len(follow_ups)} follow-up(s)." if follow_ups else "."),
                )
                return HttpResponseRedirect(
                    self.url("touchpoints") + f"#touchpoint-{touchpoint.pk}"
                )
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = {"membership": self.membership, "partnership": self.partnership}
        touchpoints = list(selectors.touchpoints(**scope))
        for touchpoint in touchpoints:
            for follow_up in touchpoint.follow_ups.all():
                follow_up.state = selectors.follow_up_state(follow_up, self.today)
        context.update(
            touchpoints=touchpoints,
            days_since=selectors.days_since_last_touchpoint(**scope, today=self.today),
            attention=selectors.open_follow_ups(**scope, today=self.today),
            due_soon_days=selectors.DUE_SOON_DAYS,
            can_record=self.can_record,
        )
        if self.can_record and "form" not in context:
            context["form"], context["formset"] = self.forms()
        return context


class TouchpointEditView(TouchpointMixin, TemplateView):
    """Change a touchpoint, add a follow-up to it, or delete it."""

    template_name = "health/touchpoint_form.html"
    object_action = Action.CHANGE

    def post(self, request, *args, **kwargs):
        form = TouchpointForm(request.POST, prefix="tp")
        if form.is_valid():
            try:
                services.touchpoint_update(
                    actor=self.actor, touchpoint=self.object, **form.cleaned_data
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{self.object} saved.")
                return HttpResponseRedirect(
                    self.url("touchpoints") + f"#touchpoint-{self.object.pk}"
                )
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "form", TouchpointForm(initial=editable_initial(self.object), prefix="tp")
        )
        context.setdefault(
            "follow_up_form", FollowUpForm(owners=owner_choices(self.partnership), prefix="new")
        )
        follow_ups = list(
            selectors.follow_ups(membership=self.membership, partnership=self.partnership).filter(
                touchpoint=self.object
            )
        )
        for follow_up in follow_ups:
            follow_up.state = selectors.follow_up_state(follow_up, self.today)
        context.update(touchpoint=self.object, follow_ups=follow_ups)
        return context


class TouchpointDeleteView(TouchpointMixin, TemplateView):
    object_action = Action.CHANGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        label = str(self.object)
        services.touchpoint_delete(actor=self.actor, touchpoint=self.object)
        messages.success(request, f"{label} deleted, with its follow-ups.")
        return HttpResponseRedirect(self.url("touchpoints"))


class FollowUpAddView(TouchpointEditView):
    """Add a follow-up to the touchpoint `pk`."""

    def post(self, request, *args, **kwargs):
        form = FollowUpForm(request.POST, owners=owner_choices(self.partnership), prefix="new")
        if form.is_valid() and not form.is_blank():
            try:
                services.follow_up_create(
                    actor=self.actor,
                    touchpoint=self.object,
                    action=form.cleaned_data["action"],
                    owner=form.cleaned_data.get("owner"),
                    due=form.cleaned_data.get("due"),
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Follow-up added.")
                return HttpResponseRedirect(self.url("touchpoint", pk=self.object.pk))
        elif form.is_valid():
            form.add_error("action", "Say what is to be done.")
        return self.render_to_response(self.get_context_data(follow_up_form=form))


class FollowUpDoneView(TouchpointMixin, TemplateView):
    """Mark a follow-up done (or, with `done=0`, not done again)."""

    model = FollowUp
    object_action = Action.CHANGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        done = request.POST.get("done", "1") != "0"
        services.follow_up_set_done(actor=self.actor, follow_up=self.object, done=done)
        messages.success(
            request, f"“{self.object.action}” marked {'done' if done else 'not done'}."
        )
        back = request.POST.get("next")
        if back == "touchpoint":
            return HttpResponseRedirect(self.url("touchpoint", pk=self.object.touchpoint_id))
        return HttpResponseRedirect(self.url("touchpoints") + f"#follow-up-{self.object.pk}")
