"""The culture API under /api/v1/orgs/<org_slug>/partnerships/<partnership_pk>/.

Order of checks in every handler: the organization and the partnership resolve (404 when
missing or not visible, same message), then the object (404), then the role (403), then the
input (400 naming the field). Writes go input serializer → service → output serializer.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from culture import imports, selectors, services
from culture.api import serializers as s
from culture.models import (
    Adaptation,
    AdaptationKind,
    AdaptationStatus,
    CallerPopulation,
    CultureProfile,
    Nurse,
    PhysicianPreference,
    SatisfactionResult,
    SatisfactionSource,
)
from partnerships.api.base import PartnershipScopedViewSet
from tenancy.access import Action, can

# --- culture profile -------------------------------------------------------------------


@extend_schema(tags=["culture"])
class CultureProfileViewSet(PartnershipScopedViewSet):
    """The client's culture profile (one per partnership). Reading creates nothing: a
    partnership without a profile answers empty values."""

    queryset = CultureProfile.objects.all()
    serializer_class = s.CultureProfileSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses=s.CultureProfileSerializer)
    def retrieve(self, request, *args, **kwargs):
        profile = services.culture_profile_get(partnership=self.partnership)
        return Response(self.get_serializer(profile).data)

    @extend_schema(
        request=s.CultureProfileInputSerializer,
        responses=s.CultureProfileSerializer,
        description="Replaces the profile: fields left out become empty.",
    )
    def update(self, request, *args, **kwargs):
        return self._save(partial=False)

    @extend_schema(request=s.CultureProfileInputSerializer, responses=s.CultureProfileSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self._save(partial=True)

    def _save(self, *, partial: bool) -> Response:
        self.require_work()
        fields = self.validated(s.CultureProfileInputSerializer, partial=partial)
        profile = services.culture_profile_update(
            actor=self.actor, partnership=self.partnership, **fields
        )
        return Response(self.get_serializer(profile).data)


# --- caller populations ----------------------------------------------------------------


@extend_schema(tags=["culture"])
class CallerPopulationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipScopedViewSet
):
    """The populations of callers the line serves, with their languages."""

    queryset = CallerPopulation.objects.prefetch_related("languages")
    serializer_class = s.CallerPopulationSerializer
    filterset_fields = ["health_literacy", "question_depth", "education_level"]
    search_fields = ["name", "region"]
    ordering_fields = ["name", "share_of_volume", "created_at"]
    ordering = ["-share_of_volume", "name"]

    @extend_schema(
        request=s.CallerPopulationInputSerializer, responses={201: s.CallerPopulationSerializer}
    )
    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.CallerPopulationInputSerializer)
        population = services.caller_population_create(
            actor=self.actor, partnership=self.partnership, **fields
        )
        return self.output(population, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CallerPopulationInputSerializer, responses=s.CallerPopulationSerializer
    )
    def partial_update(self, request, *args, **kwargs):
        population = self.get_object()
        self.require_work()
        fields = self.validated(s.CallerPopulationInputSerializer, partial=True)
        services.caller_population_update(actor=self.actor, population=population, **fields)
        return self.output(population)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        population = self.get_object()
        self.require_work()
        services.caller_population_delete(actor=self.actor, population=population)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- adaptations -----------------------------------------------------------------------


class AdaptationFilter(django_filters.FilterSet):
    # Plain ids, not model choices: an id of another tenant's row must behave exactly like
    # an id that does not exist (an empty list), never like a validation error.
    population = django_filters.NumberFilter(field_name="population_id")
    owner = django_filters.NumberFilter(field_name="owner_id")
    status = django_filters.MultipleChoiceFilter(choices=AdaptationStatus.choices)
    kind = django_filters.MultipleChoiceFilter(choices=AdaptationKind.choices)

    class Meta:
        model = Adaptation
        fields = ["population", "owner", "status", "kind"]


@extend_schema(tags=["culture"])
class AdaptationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipScopedViewSet):
    """What the provider changes (training, scripts, staffing, languages, protocols) to
    serve each population."""

    queryset = Adaptation.objects.select_related("population", "owner")
    serializer_class = s.AdaptationSerializer
    filterset_class = AdaptationFilter
    search_fields = ["title", "description", "outcome_measure"]
    ordering_fields = ["due_date", "title", "status", "completed_on", "created_at"]
    ordering = ["due_date", "title"]

    @extend_schema(request=s.AdaptationInputSerializer, responses={201: s.AdaptationSerializer})
    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.AdaptationInputSerializer)
        adaptation = services.adaptation_create(
            actor=self.actor, population=fields.pop("population"), **fields
        )
        return self.output(adaptation, code=status.HTTP_201_CREATED)

    @extend_schema(request=s.AdaptationInputSerializer, responses=s.AdaptationSerializer)
    def partial_update(self, request, *args, **kwargs):
        adaptation = self.get_object()
        self.require_work()
        fields = self.validated(s.AdaptationInputSerializer, partial=True)
        services.adaptation_update(actor=self.actor, adaptation=adaptation, **fields)
        return self.output(adaptation)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        adaptation = self.get_object()
        self.require_work()
        services.adaptation_delete(actor=self.actor, adaptation=adaptation)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- nurse team ------------------------------------------------------------------------


@extend_schema(tags=["culture"])
class NurseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipScopedViewSet):
    """The provider's nurses on this partnership, their languages and completed trainings."""

    queryset = Nurse.objects.prefetch_related("trainings__adaptation")
    serializer_class = s.NurseSerializer
    filterset_fields = ["is_active"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]

    @extend_schema(request=s.NurseInputSerializer, responses={201: s.NurseSerializer})
    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.NurseInputSerializer)
        nurse = services.nurse_create(actor=self.actor, partnership=self.partnership, **fields)
        return self.output(nurse, code=status.HTTP_201_CREATED)

    @extend_schema(request=s.NurseInputSerializer, responses=s.NurseSerializer)
    def partial_update(self, request, *args, **kwargs):
        nurse = self.get_object()
        self.require_work()
        fields = self.validated(s.NurseInputSerializer, partial=True)
        services.nurse_update(actor=self.actor, nurse=nurse, **fields)
        return self.output(nurse)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        nurse = self.get_object()
        self.require_work()
        services.nurse_delete(actor=self.actor, nurse=nurse)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- physician preferences -------------------------------------------------------------


@extend_schema(tags=["culture"])
class PhysicianPreferenceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipScopedViewSet
):
    """Physicians' preferences, standing orders and on-call escalation rules, versioned and
    signed off by the client."""

    queryset = PhysicianPreference.objects.select_related(
        "current_version__created_by", "current_version__signed_off_by"
    )
    serializer_class = s.PhysicianPreferenceSerializer
    filterset_fields = ["kind"]
    search_fields = ["physician", "specialty", "title"]
    ordering_fields = ["physician", "kind", "title", "updated_at"]
    ordering = ["physician", "kind", "title"]

    def get_serializer_class(self):
        # One preference (and the answer to its sign-off) says what changed since the
        # version the client signed off last; the list does not (one query per row).
        if self.action in ("retrieve", "sign_off"):
            return s.PhysicianPreferenceDetailSerializer
        return super().get_serializer_class()

    @extend_schema(
        request=s.PhysicianPreferenceInputSerializer,
        responses={201: s.PhysicianPreferenceSerializer},
    )
    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.PhysicianPreferenceInputSerializer)
        preference = services.physician_preference_create(
            actor=self.actor, partnership=self.partnership, **fields
        )
        return self.output(preference, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.PhysicianPreferenceInputSerializer,
        responses=s.PhysicianPreferenceSerializer,
        description="A changed `text` becomes a new version (signed-off text is never edited).",
    )
    def partial_update(self, request, *args, **kwargs):
        preference = self.get_object()
        self.require_work()
        fields = self.validated(s.PhysicianPreferenceInputSerializer, partial=True)
        services.physician_preference_update(actor=self.actor, preference=preference, **fields)
        return self.output(preference)

    @extend_schema(methods=["GET"], responses=s.PhysicianPreferenceVersionSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=s.PhysicianPreferenceVersionInputSerializer,
        responses={201: s.PhysicianPreferenceVersionSerializer},
        description="A new version supersedes the current one and needs sign-off again.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def versions(self, request, *args, **kwargs):
        """Every version of the preference, newest first (GET), or a new one (POST)."""
        preference = self.get_object()
        if request.method == "POST":
            self.require_work()
            fields = self.validated(s.PhysicianPreferenceVersionInputSerializer)
            version = services.physician_preference_version_create(
                actor=self.actor, preference=preference, text=fields["text"]
            )
            data = s.PhysicianPreferenceVersionSerializer(version).data
            return Response(data, status=status.HTTP_201_CREATED)
        versions = preference.versions.select_related("created_by", "signed_off_by").order_by(
            "-number"
        )
        return Response(s.PhysicianPreferenceVersionSerializer(versions, many=True).data)

    @extend_schema(
        request=s.SignOffInputSerializer,
        responses={
            200: s.PhysicianPreferenceDetailSerializer,
            409: OpenApiResponse(description="Already signed off, or the version changed."),
        },
    )
    @action(detail=True, methods=["post"], url_path="sign-off", url_name="sign-off")
    def sign_off(self, request, *args, **kwargs):
        """The client signs off the current version (client executives of the client, or an
        admin)."""
        preference = self.get_object()
        if not can(self.membership, Action.CLIENT_APPROVAL, preference):
            raise exceptions.PermissionDenied(
                "Physician preferences are signed off by the client's executives (or an admin)."
            )
        fields = self.validated(s.SignOffInputSerializer)
        services.physician_preference_sign_off(
            actor=self.actor, preference=preference, version_number=fields.get("version")
        )
        return self.output(preference)


# --- satisfaction ----------------------------------------------------------------------


class SatisfactionFilter(django_filters.FilterSet):
    population = django_filters.NumberFilter(field_name="population_id")
    period_from = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = SatisfactionResult
        fields = ["population", "period_from", "period_to", "source"]


@extend_schema(tags=["culture"])
class SatisfactionResultViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipScopedViewSet
):
    """Caller satisfaction per population and period: entered, posted, or imported as CSV."""

    queryset = SatisfactionResult.objects.select_related("population")
    serializer_class = s.SatisfactionResultSerializer
    filterset_class = SatisfactionFilter
    ordering_fields = ["period_start", "period_end", "responses", "satisfied_pct"]
    ordering = ["-period_start", "population__name"]

    @extend_schema(
        request=s.SatisfactionResultInputSerializer,
        responses={201: s.SatisfactionResultSerializer},
    )
    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.SatisfactionResultInputSerializer)
        source = (
            SatisfactionSource.API
            if getattr(request, "auth", None) is not None
            else SatisfactionSource.MANUAL
        )
        result = services.satisfaction_result_create(
            actor=self.actor, population=fields.pop("population"), source=source, **fields
        )
        return self.output(result, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.SatisfactionResultInputSerializer, responses=s.SatisfactionResultSerializer
    )
    def partial_update(self, request, *args, **kwargs):
        result = self.get_object()
        self.require_work()
        # A period that would end before it starts is refused by the model (400 naming
        # `period_end`), also when only one of its ends is sent.
        fields = self.validated(s.SatisfactionResultInputSerializer, partial=True)
        services.satisfaction_result_update(actor=self.actor, result=result, **fields)
        return self.output(result)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        result = self.get_object()
        self.require_work()
        services.satisfaction_result_delete(actor=self.actor, result=result)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"multipart/form-data": s.SatisfactionImportInputSerializer},
        responses={
            200: s.SatisfactionImportResultSerializer,
            400: s.SatisfactionImportErrorSerializer,
        },
        description=(
            "Import a CSV file (columns: population, period_start, period_end, responses, "
            "satisfied_pct, questions_answered_pct). The file is validated whole: any error "
            "and nothing is saved; every error names its row and column. A period already "
            "stored for a population is updated, not duplicated."
        ),
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def bulk(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.SatisfactionImportInputSerializer)
        summary = imports.satisfaction_import_csv(
            actor=self.actor,
            partnership=self.partnership,
            file=fields["file"],
            dry_run=fields["dry_run"],
        )
        data = {
            "created": summary.created,
            "updated": summary.updated,
            "rows": summary.rows,
            "dry_run": summary.dry_run,
        }
        return Response(s.SatisfactionImportResultSerializer(data).data)


# --- culture readiness -----------------------------------------------------------------


@extend_schema(tags=["culture"])
class CultureReadinessViewSet(PartnershipScopedViewSet):
    """Per population: adaptations done / planned / overdue, languages required vs covered
    by the nurse team, training completion, and satisfaction before and after each
    completed adaptation (with the responses behind each figure)."""

    queryset = CallerPopulation.objects.all()
    serializer_class = s.CultureReadinessSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses=s.CultureReadinessSerializer)
    def retrieve(self, request, *args, **kwargs):
        readiness = selectors.culture_readiness(self.partnership, today=self.today)
        return Response(self.get_serializer(readiness).data)
