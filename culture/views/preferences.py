"""Physician preferences: one with its versions, the form (a changed text is a new
version) and the client's sign-off."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.views.generic import TemplateView, View

from culture import services
from culture.forms import PhysicianPreferenceForm, SignOffForm, add_service_error
from culture.models import PhysicianPreference, PhysicianPreferenceKind, PhysicianPreferenceVersion
from culture.preference_diff import previous_signed_off, version_diff
from culture.views.base import CultureFormView, CultureView
from tenancy.access import Action
from tenancy.errors import ApplicationError


class PreferenceDetailView(CultureView, TemplateView):
    """One preference with every version, newest first: who wrote it, who signed it off."""

    model = PhysicianPreference
    template_name = "culture/preference_detail.html"
    section = "overview"
    object_select = ("current_version",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = (
            self.visible(PhysicianPreferenceVersion)
            .filter(preference=self.object)
            .select_related("created_by", "signed_off_by")
            .order_by("-number")
        )
        versions = list(versions)
        current = next((v for v in versions if v.pk == self.object.current_version_id), None)
        diff = None
        if current is not None and not current.is_signed_off:
            # What the client signs off: the change since the version they signed last.
            diff = version_diff(previous_signed_off(versions, current), current)
        context.update(
            preference=self.object,
            versions=versions,
            can_sign_off=self.can_sign_off,
            sign_off_diff=diff,
        )
        return context


class PreferenceFormMixin:
    model = PhysicianPreference
    form_class = PhysicianPreferenceForm
    return_section = "physicians"
    sections = (
        ("Whose and what", (("physician", "specialty"), ("kind", "title"))),
        ("The text", ("text",)),
    )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def form_valid(self, form):
        try:
            preference = self.save(form)
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error, unique_field="title")
            return self.form_invalid(form)
        return self.saved(f"“{preference.title}” ({preference.physician}) saved.")


class PreferenceCreateView(PreferenceFormMixin, CultureFormView):
    title = "New physician preference"
    intro = (
        "A physician's (or group's) preference, standing order or on-call escalation rule. "
        "It becomes version 1, which the client signs off."
    )
    submit_label = "Add the preference"

    def get_initial(self):
        initial = super().get_initial()
        kind = self.request.GET.get("kind")
        if kind in PhysicianPreferenceKind.values:
            initial["kind"] = kind
        return initial

    def save(self, form):
        return services.physician_preference_create(
            actor=self.actor,
            partnership=self.partnership,
            text=form.cleaned_data["text"],
            **form.service_fields(),
        )


class PreferenceUpdateView(PreferenceFormMixin, CultureFormView):
    submit_label = "Save"
    intro = (
        "A changed text becomes a new version: the signed-off text is kept as it was, and "
        "the new one waits for the client's sign-off."
    )
    object_select = ("current_version",)

    @property
    def title(self) -> str:
        return f"Edit “{self.object.title}” or add a version"

    def save(self, form):
        return services.physician_preference_update(
            actor=self.actor,
            preference=self.object,
            text=form.cleaned_data["text"],
            **form.service_fields(),
        )


class PreferenceSignOffView(CultureView, View):
    """POST only: a client executive (or an admin) signs off the version they read."""

    http_method_names = ["post"]
    model = PhysicianPreference
    object_action = Action.CLIENT_APPROVAL
    denied_message = "Physician preferences are signed off by the client."

    def post(self, request, *args, **kwargs):
        form = SignOffForm(request.POST)
        version = form.cleaned_data["version"] if form.is_valid() else None
        try:
            signed = services.physician_preference_sign_off(
                actor=self.actor, preference=self.object, version_number=version
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"Signed off version {signed.number} of “{self.object.title}” "
                f"({self.object.physician}).",
            )
        if request.POST.get("next") == "detail":
            return HttpResponseRedirect(self.url("preference-detail", pk=self.object.pk))
        return HttpResponseRedirect(self.url("overview") + "#physicians")
