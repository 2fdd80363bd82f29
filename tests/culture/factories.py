"""factory_boy factories for the culture models (scaffolding, not a write path).

Every row takes its organization from its partnership, so a row never leaves its tenant.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from culture.models import (
    Adaptation,
    AdaptationKind,
    AdaptationStatus,
    CallerPopulation,
    CallerPopulationLanguage,
    CultureProfile,
    Language,
    Nurse,
    NurseTraining,
    PhysicianPreference,
    PhysicianPreferenceKind,
    PhysicianPreferenceVersion,
    SatisfactionResult,
)
from tests.factories import PartnershipFactory, UserFactory


class _PartnershipChild(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SelfAttribute("partnership.organization")


class CultureProfileFactory(_PartnershipChild):
    class Meta:
        model = CultureProfile

    mission_and_values = "Care for every student as a whole person."
    communication_style = "Plain, warm and direct; first names."
    escalation_preferences = "Page the on-call physician for anything urgent; never voicemail."
    terminology = "'Care team', not 'staff'; 'student', not 'patient' on campus."
    decision_makers = "Director of Student Health; CMO."
    meeting_cadence = "Fortnightly, Tuesday 9:00"
    internal_notes = "Internal: the director distrusts outsourcing."


class CallerPopulationFactory(_PartnershipChild):
    class Meta:
        model = CallerPopulation

    name = factory.Sequence(lambda n: f"Population {n}")
    region = "Ann Arbor, MI"
    share_of_volume = Decimal("0")
    age_bands = factory.LazyFunction(lambda: ["18_24"])
    preferred_channels = factory.LazyFunction(lambda: ["phone", "text"])
    accessibility_needs = factory.LazyFunction(list)
    notes = "Asks in-depth questions about their conditions."
    internal_notes = "Internal: complained twice last year."


class CallerPopulationLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallerPopulationLanguage

    population = factory.SubFactory(CallerPopulationFactory)
    partnership = factory.SelfAttribute("population.partnership")
    organization = factory.SelfAttribute("population.organization")
    language = Language.SPANISH
    share = Decimal("10")


class AdaptationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adaptation

    population = factory.SubFactory(CallerPopulationFactory)
    partnership = factory.SelfAttribute("population.partnership")
    organization = factory.SelfAttribute("population.organization")
    kind = AdaptationKind.TRAINING
    title = factory.Sequence(lambda n: f"Adaptation {n}")
    description = "Continuing-education module on physiology."
    status = AdaptationStatus.PLANNED
    completed_on = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status == AdaptationStatus.DONE),
        yes_declaration=datetime.date(2026, 3, 1),
        no_declaration=None,
    )
    outcome_measure = "questions answered %"
    internal_notes = "Internal: vendor module is expensive."


class NurseFactory(_PartnershipChild):
    class Meta:
        model = Nurse

    name = factory.Sequence(lambda n: f"Nurse {n}")
    languages = factory.LazyFunction(lambda: ["en"])


class NurseTrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NurseTraining

    nurse = factory.SubFactory(NurseFactory)
    adaptation = factory.SubFactory(
        AdaptationFactory, population__partnership=factory.SelfAttribute("...nurse.partnership")
    )
    partnership = factory.SelfAttribute("nurse.partnership")
    organization = factory.SelfAttribute("nurse.organization")
    completed_on = datetime.date(2026, 2, 1)


class PhysicianPreferenceFactory(_PartnershipChild):
    """Made with an unsigned version 1 as its current version; `versions=0` makes none."""

    class Meta:
        model = PhysicianPreference
        skip_postgeneration_save = True

    physician = factory.Sequence(lambda n: f"Dr. Physician {n}")
    specialty = "Cardiology"
    kind = PhysicianPreferenceKind.PREFERENCE
    title = factory.Sequence(lambda n: f"Preference {n}")

    @factory.post_generation
    def versions(self, create, extracted, **kwargs):
        if not create or extracted == 0:
            return
        version = PhysicianPreferenceVersionFactory(preference=self, number=1, **kwargs)
        self.current_version = version
        self.save(update_fields=["current_version"])


class PhysicianPreferenceVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhysicianPreferenceVersion

    preference = factory.SubFactory(PhysicianPreferenceFactory, versions=0)
    partnership = factory.SelfAttribute("preference.partnership")
    organization = factory.SelfAttribute("preference.organization")
    number = 1
    text = "Page me for chest pain at any hour; otherwise message before 22:00."
    created_by = factory.SubFactory(UserFactory)


class SatisfactionResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SatisfactionResult

    population = factory.SubFactory(CallerPopulationFactory)
    partnership = factory.SelfAttribute("population.partnership")
    organization = factory.SelfAttribute("population.organization")
    period_start = factory.Sequence(lambda n: datetime.date(2020, 1, 1) + datetime.timedelta(n * 7))
    period_end = factory.LazyAttribute(lambda o: o.period_start + datetime.timedelta(days=6))
    responses = 40
    satisfied_pct = Decimal("90")
    questions_answered_pct = Decimal("85")


def signed(version: PhysicianPreferenceVersion, user) -> PhysicianPreferenceVersion:
    version.signed_off_by = user
    version.signed_off_at = timezone.now()
    version.save()
    return version
