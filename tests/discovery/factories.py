"""factory_boy factories for the discovery models. Rows stay inside one organization and one
partnership: a given partnership decides the organization, a given parent row decides both."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from discovery.models import (
    CallFlow,
    CallFlowState,
    CallFlowVersion,
    DiscoverySession,
    ExperienceGoal,
    KpiBaseline,
    KpiDefinition,
    Opportunity,
    ReviewedReport,
    ServiceKind,
    ServiceLine,
)
from discovery.samples import AFTER_HOURS_TRIAGE_CURRENT
from tests.factories import OrganizationFactory, PartnershipFactory, UserFactory


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiDefinition

    organization = factory.SubFactory(OrganizationFactory)
    key = factory.Sequence(lambda n: f"custom_kpi_{n}")
    name = factory.Sequence(lambda n: f"Custom KPI {n}")
    unit = "percent"
    direction = "higher"
    target = Decimal("90")


class _PartnershipChild(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SelfAttribute("partnership.organization")


class ServiceLineFactory(_PartnershipChild):
    class Meta:
        model = ServiceLine

    kind = ServiceKind.AFTER_HOURS_TRIAGE
    name = factory.Sequence(lambda n: f"After-hours triage {n}")
    hours = "Weeknights 17:00 to 08:00, weekends 24 h"
    monthly_volume = 2400
    internal_notes = "Internal: volumes look understated."


class KpiBaselineFactory(_PartnershipChild):
    class Meta:
        model = KpiBaseline

    service_line = factory.SubFactory(
        ServiceLineFactory, partnership=factory.SelfAttribute("..partnership")
    )
    kpi = factory.SubFactory(
        KpiFactory, organization=factory.SelfAttribute("..partnership.organization")
    )
    value = Decimal("85")
    target = Decimal("90")
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 3, 31)


class ReviewedReportFactory(_PartnershipChild):
    class Meta:
        model = ReviewedReport

    name = factory.Sequence(lambda n: f"ACD monthly report {n}")
    source_system = "Avaya CMS"
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 1, 31)
    file = factory.LazyFunction(
        lambda: ContentFile(b"service,calls\nAfter-hours,2400\n", name="acd.csv")
    )
    original_filename = "acd.csv"
    file_kind = "csv"
    file_size = 31
    findings = "Abandonment spikes on Monday evenings."
    internal_notes = "Internal: data quality is poor."
    uploaded_by = factory.SubFactory(UserFactory)


class CallFlowFactory(_PartnershipChild):
    class Meta:
        model = CallFlow

    service_line = factory.SubFactory(
        ServiceLineFactory, partnership=factory.SelfAttribute("..partnership")
    )
    name = factory.Sequence(lambda n: f"After-hours line {n}")
    state = CallFlowState.CURRENT
    internal_notes = "Internal: IVR vendor contract ends in June."


class CallFlowVersionFactory(factory.django.DjangoModelFactory):
    """A valid, unreviewed version; it becomes the flow's latest."""

    class Meta:
        model = CallFlowVersion

    call_flow = factory.SubFactory(CallFlowFactory)
    partnership = factory.SelfAttribute("call_flow.partnership")
    organization = factory.SelfAttribute("call_flow.organization")
    number = factory.Sequence(lambda n: n + 1)
    graph = factory.LazyFunction(lambda: AFTER_HOURS_TRIAGE_CURRENT)
    created_by = factory.SubFactory(UserFactory)
    is_valid = True
    problems = factory.LazyFunction(list)

    @factory.post_generation
    def make_latest(self, create, extracted, **kwargs):
        if create:
            CallFlow.objects.filter(pk=self.call_flow_id).update(latest_version=self)


class DiscoverySessionFactory(_PartnershipChild):
    class Meta:
        model = DiscoverySession

    held_on = datetime.date(2026, 2, 10)
    title = factory.Sequence(lambda n: f"Desired experience workshop {n}")
    attendees = "Erin Executive (CNO)\nAlice Manager (AM)"
    notes = "Students want detail; parents call too."
    decisions = "Callback within 30 minutes."
    internal_notes = "Internal: the CNO is skeptical."


class ExperienceGoalFactory(_PartnershipChild):
    class Meta:
        model = ExperienceGoal

    statement = factory.Sequence(lambda n: f"Callers reach a nurse quickly ({n})")
    kpi = factory.SubFactory(
        KpiFactory, organization=factory.SelfAttribute("..partnership.organization")
    )
    target = Decimal("90")


class OpportunityFactory(_PartnershipChild):
    class Meta:
        model = Opportunity

    title = factory.Sequence(lambda n: f"Replace overflow voicemail with callbacks {n}")
    description = "Callers keep their place in line."
    expected_effect = "Abandonment from 9 % to 4 %"
    effort = "medium"
    proposed_by = factory.SubFactory(UserFactory)
    internal_notes = "Internal: cheap for us."
