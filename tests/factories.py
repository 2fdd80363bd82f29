"""factory_boy factories for every tenant model.

Factories build rows directly (they are test scaffolding, not a write path); the services are
exercised by the tests themselves. Related rows always stay inside one organization.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from accounts.models import ApiToken, Invitation, User
from partnerships.models import (
    ClientOrganization,
    Comment,
    Partnership,
    PartnershipStatus,
    PartnershipStatusChange,
)
from tenancy.models import AuditEvent, Membership, Organization, Role

PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")
    time_zone = "America/Chicago"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)


class ClientOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientOrganization

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Client Hospital {n}")
    city = "Springfield"
    state = "IL"
    time_zone = "America/Chicago"


class MembershipFactory(factory.django.DjangoModelFactory):
    """`role=Role.CLIENT_EXECUTIVE` gets a client of the same organization unless one is given."""

    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ADMIN
    client = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.CLIENT_EXECUTIVE),
        yes_declaration=factory.SubFactory(
            ClientOrganizationFactory, organization=factory.SelfAttribute("..organization")
        ),
        no_declaration=None,
    )


class PartnershipFactory(factory.django.DjangoModelFactory):
    """Organization and client always agree: a given client decides the organization, a given
    organization gets a new client of its own."""

    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    client = factory.SubFactory(
        ClientOrganizationFactory, organization=factory.SelfAttribute("..organization")
    )
    name = factory.Sequence(lambda n: f"Nurse line {n}")
    status = PartnershipStatus.PROSPECT
    contract_start = datetime.date(2026, 1, 1)
    planned_go_live = datetime.date(2026, 6, 1)
    description = "After-hours nurse triage for the client's patients."
    internal_notes = "Internal: margin is thin on this one."

    @classmethod
    def _generate(cls, strategy, params):
        if params.get("client") is not None and "organization" not in params:
            params = {**params, "organization": params["client"].organization}
        return super()._generate(strategy, params)

    @factory.post_generation
    def implementation_pms(self, create, extracted, **kwargs):
        if create and extracted:
            self.implementation_pms.set(extracted)


class PartnershipStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipStatusChange

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SelfAttribute("partnership.organization")
    from_status = PartnershipStatus.PROSPECT
    to_status = PartnershipStatus.DISCOVERY
    changed_by = factory.SubFactory(UserFactory)
    note = "Kick-off held."


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on `target` (any commentable row), in the target's partnership."""

    class Meta:
        model = Comment
        exclude = ("target",)

    target = None
    partnership = factory.LazyAttribute(lambda o: o.target.partnership)
    organization = factory.LazyAttribute(lambda o: o.target.organization)
    target_type = factory.LazyAttribute(lambda o: o.target._meta.label_lower)
    target_id = factory.LazyAttribute(lambda o: o.target.pk)
    author = factory.SubFactory(UserFactory)
    body = "Looks good."
    shared_with_client = False


class InvitationFactory(factory.django.DjangoModelFactory):
    """The raw token is kept on the built object as `raw_token` (only its hash is stored)."""

    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.IMPLEMENTATION_PM
    invited_by = factory.SubFactory(UserFactory)
    raw_token = factory.LazyFunction(Invitation.new_token)
    token_hash = factory.LazyAttribute(lambda o: Invitation.hash_token(o.raw_token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        raw = kwargs.pop("raw_token", None)
        obj = super()._create(model_class, *args, **kwargs)
        obj.raw_token = raw
        return obj


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """The raw key is kept on the created object as `raw_key` (only its hash is stored)."""

    class Meta:
        model = ApiToken

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"ACD push {n}")
    raw_key = factory.LazyFunction(ApiToken.new_key)
    prefix = factory.LazyAttribute(lambda o: o.raw_key[: ApiToken.PREFIX_LENGTH])
    key_hash = factory.LazyAttribute(lambda o: ApiToken.hash_key(o.raw_key))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        raw = kwargs.pop("raw_key", None)
        obj = super()._create(model_class, *args, **kwargs)
        obj.raw_key = raw
        return obj


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    organization = factory.SubFactory(OrganizationFactory)
    actor = factory.SubFactory(UserFactory)
    verb = "partnership.updated"
    target_type = "partnerships.partnership"
    target_id = "0"
    target_repr = "Nurse line"
    changes = factory.LazyFunction(dict)
