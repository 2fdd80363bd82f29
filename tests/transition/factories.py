"""factory_boy factories for transition rows (test scaffolding, not a write path), and
`build_transition_rows()`, which gives a partnership one row of every transition model (the
isolation walker can call it: the generic auto-builder cannot satisfy the check-in's
person-xor-group rule or a dependency's two distinct tasks)."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from partnerships.models import Comment
from tests.factories import CommentFactory, PartnershipFactory, UserFactory
from transition.models import (
    CalendarFeedKey,
    Channel,
    CommunicationItem,
    Decision,
    GoNoGoDecision,
    KnowledgeCategory,
    KnowledgeItem,
    Outcome,
    Phase,
    PlanTask,
    PlanTemplate,
    SensitiveAccessLog,
    SentimentCheckIn,
    StaffMember,
    StakeholderGroup,
    TaskDependency,
    TransitionPlan,
)

GO_LIVE = datetime.date(2026, 6, 1)


class TransitionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransitionPlan

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SelfAttribute("partnership.organization")
    template_name = "Hand-made"
    go_live = GO_LIVE


class PlanTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTask

    plan = factory.SubFactory(TransitionPlanFactory)
    partnership = factory.SelfAttribute("plan.partnership")
    organization = factory.SelfAttribute("plan.organization")
    phase = Phase.BUILD
    title = factory.Sequence(lambda n: f"Task {n}")
    start = datetime.date(2026, 3, 2)
    due = factory.SelfAttribute("start")
    is_milestone = False


class TaskDependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskDependency

    predecessor = factory.SubFactory(PlanTaskFactory)
    successor = factory.SubFactory(
        PlanTaskFactory, plan=factory.SelfAttribute("..predecessor.plan")
    )
    partnership = factory.SelfAttribute("predecessor.partnership")
    organization = factory.SelfAttribute("predecessor.organization")
    lag_days = 0


class PlanTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTemplate

    organization = factory.SubFactory("tests.factories.OrganizationFactory")
    name = factory.Sequence(lambda n: f"Template {n}")
    tasks = factory.LazyFunction(
        lambda: [
            {"key": "start", "phase": "build", "title": "Start", "duration": 2, "offset": -3},
            {
                "key": "go-live",
                "phase": "go_live",
                "title": "Go-live",
                "duration": 0,
                "offset": 0,
                "milestone": True,
                "go_live": True,
                "depends_on": [{"key": "start", "lag": 1}],
            },
        ]
    )


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SelfAttribute("partnership.organization")
    full_name = factory.Sequence(lambda n: f"Nurse {n}")
    work_email = factory.Sequence(lambda n: f"nurse{n}@client.example")
    site = "Main campus"
    outcome = Outcome.UNDECIDED


class StakeholderGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StakeholderGroup

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SelfAttribute("partnership.organization")
    name = factory.Sequence(lambda n: f"Group {n}")


class SentimentCheckInFactory(factory.django.DjangoModelFactory):
    """About a person by default; pass `staff_member=None, group=…` for a group."""

    class Meta:
        model = SentimentCheckIn

    staff_member = factory.SubFactory(StaffMemberFactory)
    group = None
    partnership = factory.LazyAttribute(lambda o: (o.staff_member or o.group).partnership)
    organization = factory.LazyAttribute(lambda o: o.partnership.organization)
    score = 3
    note = "Worried about the commute to the new role."
    checked_on = datetime.date(2026, 3, 1)
    recorded_by = factory.SubFactory(UserFactory)


class KnowledgeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgeItem

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SelfAttribute("partnership.organization")
    source = None
    category = KnowledgeCategory.PHYSICIAN_PREFERENCE
    title = factory.Sequence(lambda n: f"Preference {n}")
    content = "Page Dr. Patel for any pediatric fever over 104°F, day or night."
    captured_on = datetime.date(2026, 3, 1)
    captured_by = factory.SubFactory(UserFactory)


class CommunicationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunicationItem

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SelfAttribute("partnership.organization")
    audience = "All triage nurses"
    message = "What changes, when, and what it means for you."
    channel = Channel.TOWN_HALL
    planned_on = datetime.date(2026, 3, 10)


def build_transition_rows(*, partnership, user, label: str) -> dict[type, object]:
    """One row of every transition model for `partnership`, strings carrying `label`."""
    organization = partnership.organization
    plan = TransitionPlanFactory(partnership=partnership, template_name=f"{label} template")
    first = PlanTaskFactory(plan=plan, title=f"{label} telephony build", owner=user)
    second = PlanTaskFactory(
        plan=plan,
        title=f"{label} go-live",
        start=datetime.date(2026, 3, 3),
        is_milestone=True,
    )
    staff = StaffMemberFactory(
        partnership=partnership,
        full_name=f"{label} Nurse",
        work_email=f"nurse@{label.lower()}.example",
        support_details=f"{label} support details",
        hr_notes=f"{label} HR notes",
    )
    group = StakeholderGroupFactory(partnership=partnership, name=f"{label} triage nurses")
    rows = {
        PlanTemplate: PlanTemplateFactory(organization=organization, name=f"{label} template"),
        TransitionPlan: plan,
        PlanTask: first,
        TaskDependency: TaskDependencyFactory(predecessor=first, successor=second),
        Comment: CommentFactory(target=first, author=user, body=f"{label} comment"),
        GoNoGoDecision: GoNoGoDecision.objects.create(
            organization=organization,
            partnership=partnership,
            decision=Decision.GO,
            rationale=f"{label} rationale",
            decided_by=user,
        ),
        StaffMember: staff,
        StakeholderGroup: group,
        SentimentCheckIn: SentimentCheckInFactory(
            staff_member=staff, recorded_by=user, note=f"{label} note"
        ),
        KnowledgeItem: KnowledgeItemFactory(
            partnership=partnership, source=staff, captured_by=user, title=f"{label} knowledge"
        ),
        CommunicationItem: CommunicationItemFactory(
            partnership=partnership, audience=f"{label} audience", owner=user
        ),
        SensitiveAccessLog: SensitiveAccessLog.objects.create(
            organization=organization,
            partnership=partnership,
            viewer=user,
            viewer_role="admin",
            staff_member=staff,
            staff_name=staff.full_name,
            context="test",
            fields=["hr_notes"],
        ),
        CalendarFeedKey: CalendarFeedKey.objects.create(
            organization=organization,
            user=user,
            prefix=f"{label[:4]}feed",
            key_hash=CalendarFeedKey.hash_key(f"{label}-feed-key-{timezone.now().timestamp()}"),
        ),
    }
    SentimentCheckInFactory(
        staff_member=None, group=group, recorded_by=user, note=f"{label} group note"
    )
    return rows
