"""Pages of a partnership's culture (objective 1), under /o/<org_slug>/<partnership_pk>/culture/.

Every view resolves the organization and membership through `OrgScopedMixin`, then the
partnership ONCE through the access policy (404 when it is not visible, with the same
message as a missing one), then its own object within that partnership (404), and only then
checks what the member may do (403). Reads go through the access policy and the culture
selectors; writes only through `culture.services` and `imports`.

Culture is provider work (`Action.CHANGE_WORK`: admin, the dedicated account manager, the
assigned implementation PMs). A client executive reads the profile, the populations and the
readiness figures, never a field marked internal, and signs off physician preferences.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.views.generic import FormView, ListView, TemplateView, View

from culture import imports, selectors, services
from culture.forms import (
    AdaptationForm,
    CultureProfileForm,
    LanguageFormSet,
    NurseForm,
    PhysicianPreferenceForm,
    PopulationForm,
    SatisfactionImportForm,
    SatisfactionResultForm,
    SignOffForm,
    add_group_error,
    add_service_error,
    language_initial,
)
from culture.models import (
    AccessibilityNeed,
    Adaptation,
    AdaptationKind,
    AdaptationStatus,
    AgeBand,
    CallerPopulation,
    Channel,
    CultureProfile,
    Language,
    Nurse,
    NurseTraining,
    PhysicianPreference,
    PhysicianPreferenceKind,
    PhysicianPreferenceVersion,
    SatisfactionResult,
)
from partnerships.models import Partnership
from partnerships.views import LenientPaginationMixin
from tenancy import access
from tenancy.access import Action
from tenancy.errors import ApplicationError
from tenancy.models import Role
from tenancy.rest import NOT_FOUND
from tenancy.views import OrgScopedMixin

LANGUAGES = dict(Language.choices)
SMALL_SAMPLE = selectors.SMALL_SAMPLE_RESPONSES


def labels(values: list[str] | None, choices) -> list[str]:
    """Codes stored in a JSON list as their labels (an unknown code is shown as it is)."""
    names = dict(choices)
    return [names.get(value, value) for value in values or []]


# --- The base: organization, then partnership, then object, then the role ------------------


class _PartnershipLoader:
    """Sits after `OrgScopedMixin` in the bases, so the membership is resolved first."""

    object_action: Action = Action.VIEW

    def dispatch(self, request, *args, **kwargs):
        self.partnership = self.get_partnership()
        self.object = self.get_object() if "pk" in self.kwargs else None
        self.require(self.object_action, self.object or self.partnership)
        return super().dispatch(request, *args, **kwargs)


class CultureView(OrgScopedMixin, _PartnershipLoader):
    """A page of one partnership's culture; subclasses declare `model`."""

    tab = "culture"
    section = ""

    def get_partnership(self) -> Partnership:
        partnership = (
            access.visible(self.membership, Partnership.objects.with_people())
            .filter(pk=self.kwargs["partnership_pk"])
            .first()
        )
        if partnership is None:
            raise Http404(NOT_FOUND)
        partnership.organization = self.organization  # loaded with the membership
        return partnership

    def get_queryset(self):
        return super().get_queryset().filter(partnership=self.partnership)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        # The access policy reads the partnership of the object; it is the one loaded above.
        obj.partnership = self.partnership
        return obj

    @property
    def can_edit(self) -> bool:
        return access.can(self.membership, Action.CHANGE_WORK, self.partnership)

    @property
    def can_sign_off(self) -> bool:
        """Physician preferences are the client's word: its executives sign them off (an
        admin may record a sign-off given outside the app)."""
        return self.membership.role in (Role.CLIENT_EXECUTIVE, Role.ADMIN) and access.can(
            self.membership, Action.SIGN_OFF, self.partnership
        )

    def url(self, name: str, **kwargs) -> str:
        return reverse(
            f"culture:{name}",
            kwargs={
                "org_slug": self.organization.slug,
                "partnership_pk": self.partnership.pk,
                **kwargs,
            },
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            nav="partnerships",
            tab=self.tab,
            section=self.section,
            partnership=self.partnership,
            can_edit=self.can_edit,
            can_see_internal=access.can_see_internal(self.membership),
        )
        return context


class CultureFormView(CultureView, FormView):
    """Create or change something of the culture: provider work (403 for others)."""

    object_action = Action.CHANGE_WORK
    template_name = "culture/form.html"
    title = ""
    intro = ""
    submit_label = "Save"
    sections: tuple[tuple[str, tuple[str | tuple[str, ...], ...]], ...] = ()
    return_section = ""

    def get_success_url(self) -> str:
        return self.url("overview") + (f"#{self.return_section}" if self.return_section else "")

    def cancel_url(self) -> str:
        return self.get_success_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        fieldsets = []
        for legend, entries in self.sections:
            # An entry is a field name, or a tuple of names shown side by side.
            rows = []
            for entry in entries:
                names = (entry,) if isinstance(entry, str) else entry
                row = [form[name] for name in names if name in form.fields]
                if row:
                    rows.append(row)
            if rows:
                internal = entries == ("internal_notes",)
                fieldsets.append({"legend": legend, "rows": rows, "internal": internal})
        context.update(
            title=self.title,
            intro=self.intro,
            submit_label=self.submit_label,
            fieldsets=fieldsets,
            cancel_url=self.cancel_url(),
        )
        return context

    def saved(self, message: str) -> HttpResponseRedirect:
        messages.success(self.request, message)
        return HttpResponseRedirect(self.get_success_url())


class CultureDeleteView(CultureView, View):
    """POST only: delete through the service, then back with the outcome."""

    http_method_names = ["post"]
    object_action = Action.CHANGE_WORK
    return_name = "overview"

    def delete(self, obj) -> str:  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.delete(self.object)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(self.url(self.return_name))


# --- The culture tab ---------------------------------------------------------------------


def _figure(figure: selectors.SatisfactionFigure) -> dict[str, Any]:
    return {
        "satisfied": figure.satisfied_pct,
        "answered": figure.questions_answered_pct,
        "responses": figure.responses,
        "periods": figure.periods,
        "small": figure.small_sample,
        "empty": figure.satisfied_pct is None,
    }


def _chart_number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def readiness_rows(readiness: selectors.CultureReadiness) -> list[dict[str, Any]]:
    """The panel's figures as the template shows them, with each population's chart data."""
    rows = []
    for item in readiness.populations:
        effects = [
            {
                "effect": effect,
                "kind": AdaptationKind(effect.kind).label,
                "before": _figure(effect.before),
                "after": _figure(effect.after),
                "change": effect.satisfied_change,
                "answered_change": effect.questions_answered_change,
            }
            for effect in item.effects
        ]
        chart = None
        if any(not e["before"]["empty"] or not e["after"]["empty"] for e in effects):
            chart = {
                "title": item.name,
                "labels": [e["effect"].title for e in effects],
                "before": [_chart_number(e["effect"].before.satisfied_pct) for e in effects],
                "after": [_chart_number(e["effect"].after.satisfied_pct) for e in effects],
                "before_n": [e["effect"].before.responses for e in effects],
                "after_n": [e["effect"].after.responses for e in effects],
                "small_sample": SMALL_SAMPLE,
            }
        missing = item.languages_missing
        rows.append(
            {
                "item": item,
                "open": item.adaptations_planned + item.adaptations_in_progress,
                "languages": [
                    {
                        "code": code,
                        "label": LANGUAGES.get(code, code),
                        "covered": code not in missing,
                    }
                    for code in item.languages_required
                ],
                "missing": [LANGUAGES.get(code, code) for code in missing],
                "effects": effects,
                "chart": chart,
                "chart_id": f"culture-chart-{item.population_id}",
            }
        )
    return rows


def decorate_population(population: CallerPopulation) -> CallerPopulation:
    """Readable labels for the JSON choice lists (kept on the object for the template)."""
    population.age_band_labels = labels(population.age_bands, AgeBand.choices)
    population.channel_labels = labels(population.preferred_channels, Channel.choices)
    population.accessibility_labels = labels(
        population.accessibility_needs, AccessibilityNeed.choices
    )
    population.language_rows = list(population.languages.all())  # prefetched
    return population


class CultureOverviewView(CultureView, TemplateView):
    """The Culture tab: profile, physician preferences, populations and the readiness panel.

    Queries, whatever the number of rows: the partnership and its PMs, the profile, the
    preferences with their current versions, the populations and their languages, and the
    five of `culture_readiness`.
    """

    model = CultureProfile
    template_name = "culture/overview.html"
    section = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership, partnership = self.membership, self.partnership
        profile = services.culture_profile_get(partnership=partnership)
        preferences = list(
            access.visible(membership, PhysicianPreference)
            .filter(partnership=partnership)
            .select_related("current_version__signed_off_by", "current_version__created_by")
            .order_by("physician", "kind", "title")
        )
        populations = [
            decorate_population(population)
            for population in access.visible(membership, CallerPopulation)
            .filter(partnership=partnership)
            .prefetch_related("languages")
            .order_by("-share_of_volume", "name")
        ]
        readiness = selectors.culture_readiness(partnership)
        rows = readiness_rows(readiness)
        total_share = sum((p.share_of_volume for p in populations), Decimal(0))
        context.update(
            profile=profile,
            profile_empty=not any(
                getattr(profile, name)
                for name in CultureProfile.TEXT_FIELDS
                if name not in CultureProfile.INTERNAL_FIELDS
            ),
            preferences=preferences,
            awaiting_sign_off=sum(
                1 for p in preferences if p.current_version and not p.current_version.is_signed_off
            ),
            can_sign_off=self.can_sign_off,
            populations=populations,
            total_share=total_share,
            readiness=readiness,
            readiness_rows=rows,
            team_language_labels=[LANGUAGES.get(c, c) for c in readiness.team_languages],
            small_sample=SMALL_SAMPLE,
            has_charts=any(row["chart"] for row in rows),
        )
        return context


# --- Culture profile ---------------------------------------------------------------------


class CultureProfileUpdateView(CultureFormView):
    model = CultureProfile
    form_class = CultureProfileForm
    title = "Edit the culture profile"
    intro = "How the client works and wants to be worked with; every nurse briefing draws on it."
    submit_label = "Save the profile"
    return_section = "profile"
    sections = (
        ("The client", ("mission_and_values", "communication_style", "terminology")),
        ("Decisions and escalations", ("escalation_preferences", "decision_makers")),
        ("Working together", ("meeting_cadence",)),
        ("Internal", ("internal_notes",)),
    )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["membership"] = self.membership
        kwargs["instance"] = services.culture_profile_get(partnership=self.partnership)
        return kwargs

    def form_valid(self, form):
        try:
            services.culture_profile_update(
                actor=self.actor, partnership=self.partnership, **form.cleaned_data
            )
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        return self.saved("Culture profile saved.")


# --- Caller populations ------------------------------------------------------------------


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


# --- Adaptations -------------------------------------------------------------------------


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
        today = self.organization.local_today()
        open_statuses = (AdaptationStatus.PLANNED, AdaptationStatus.IN_PROGRESS)
        for adaptation in context["adaptations"]:
            adaptation.is_overdue = bool(
                adaptation.status in open_statuses
                and adaptation.due_date
                and adaptation.due_date < today
            )
        context["today"] = today
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


# --- Nurse team --------------------------------------------------------------------------


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
            access.visible(self.membership, Adaptation)
            .filter(partnership=self.partnership, kind=AdaptationKind.TRAINING)
            .select_related("population")
            .order_by("population__name", "title")
        )
        kwargs.update(
            trainings=list(trainings),
            instance=self.object,
            today=self.organization.local_today(),
        )
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


# --- Physician preferences ---------------------------------------------------------------


class PreferenceDetailView(CultureView, TemplateView):
    """One preference with every version, newest first: who wrote it, who signed it off."""

    model = PhysicianPreference
    template_name = "culture/preference_detail.html"
    section = "overview"

    def get_queryset(self):
        return super().get_queryset().select_related("current_version")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = (
            access.visible(self.membership, PhysicianPreferenceVersion)
            .filter(partnership=self.partnership, preference=self.object)
            .select_related("created_by", "signed_off_by")
            .order_by("-number")
        )
        context.update(
            preference=self.object,
            versions=list(versions),
            can_sign_off=self.can_sign_off,
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

    def get_queryset(self):
        return super().get_queryset().select_related("current_version")

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
    object_action = Action.SIGN_OFF

    def post(self, request, *args, **kwargs):
        if not self.can_sign_off:
            raise PermissionDenied("Physician preferences are signed off by the client.")
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
        back = request.POST.get("next") == "detail"
        if back:
            return HttpResponseRedirect(self.url("preference-detail", pk=self.object.pk))
        return HttpResponseRedirect(self.url("overview") + "#physicians")


# --- Satisfaction ------------------------------------------------------------------------


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

    def get_queryset(self):
        return super().get_queryset().select_related("population")

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
                access.visible(self.membership, CallerPopulation)
                .filter(partnership=self.partnership)
                .order_by("-share_of_volume", "name")
                .values_list("name", flat=True)
            ),
            max_errors=imports.MAX_ERRORS_REPORTED,
        )
        return context


# --- The nurse briefing ------------------------------------------------------------------


class BriefingView(CultureView, TemplateView):
    """One printable page: what a nurse taking these calls must know."""

    model = CultureProfile
    template_name = "culture/briefing.html"
    section = "briefing"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership, partnership = self.membership, self.partnership
        populations = [
            decorate_population(population)
            for population in access.visible(membership, CallerPopulation)
            .filter(partnership=partnership)
            .prefetch_related("languages")
            .order_by("-share_of_volume", "name")
        ]
        signed = (
            PhysicianPreferenceVersion.objects.filter(signed_off_at__isnull=False)
            .select_related("signed_off_by")
            .order_by("-number")
        )
        preferences = list(
            access.visible(membership, PhysicianPreference)
            .filter(partnership=partnership)
            .select_related("current_version")
            .prefetch_related(Prefetch("versions", queryset=signed, to_attr="signed_versions"))
            .order_by("physician", "kind", "title")
        )
        for preference in preferences:
            signed_versions = preference.signed_versions
            preference.followed = signed_versions[0] if signed_versions else None
            current = preference.current_version
            preference.pending = (
                current if current is not None and not current.is_signed_off else None
            )
        team_languages = set()
        for languages in (
            access.visible(membership, Nurse)
            .filter(partnership=partnership, is_active=True)
            .values_list("languages", flat=True)
        ):
            team_languages.update(languages or [])
        required: dict[str, Decimal] = {}
        for population in populations:
            for row in population.language_rows:
                # The language's share of all calls: its share of the population's calls
                # times the population's share of the volume.
                share = row.share * population.share_of_volume / 100
                required[row.language] = required.get(row.language, Decimal(0)) + share
        language_rows = [
            {
                "label": LANGUAGES.get(code, code),
                "share": share,
                "covered": code in team_languages,
            }
            for code, share in sorted(required.items(), key=lambda item: -item[1])
        ]
        kind = PhysicianPreferenceKind
        context.update(
            profile=services.culture_profile_get(partnership=partnership),
            populations=populations,
            language_rows=language_rows,
            escalation_rules=[p for p in preferences if p.kind == kind.ON_CALL_ESCALATION],
            standing_orders=[p for p in preferences if p.kind == kind.STANDING_ORDER],
            physician_preferences=[p for p in preferences if p.kind == kind.PREFERENCE],
            as_of=self.organization.local_today(),
        )
        return context
