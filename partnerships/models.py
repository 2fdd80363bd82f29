from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from tenancy.models import Membership, Role, TenantModel, TenantQuerySet, validate_time_zone
from tenancy.validators import sane_date


class ClientKind(models.TextChoices):
    HOSPITAL = "hospital", "Hospital"
    HEALTH_SYSTEM = "health_system", "Health system"
    PHYSICIAN_PRACTICE = "physician_practice", "Physician practice"
    UNIVERSITY_HEALTH = "university_health", "University health service"
    COMMUNITY_CLINIC = "community_clinic", "Community clinic"
    PAYER = "payer", "Health plan"
    OTHER = "other", "Other"


class ClientOrganization(TenantModel):
    """A hospital, practice or health system that hands its triage line to the provider."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=ClientKind.choices, default=ClientKind.HOSPITAL)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=60, blank=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone], default="UTC")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="client_unique_name_per_org"
            )
        ]

    # What people edit (form, API, service): one list.
    EDITABLE_FIELDS = ("name", "kind", "city", "state", "time_zone")

    def __str__(self) -> str:
        return self.name

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.city, self.state) if part)


class PartnershipStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    DISCOVERY = "discovery", "Discovery"
    TRANSITION = "transition", "Transition"
    LIVE = "live", "Live"
    ENDED = "ended", "Ended"


# The only moves a partnership may make. Ending is possible from any open status.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PartnershipStatus.PROSPECT: (PartnershipStatus.DISCOVERY, PartnershipStatus.ENDED),
    PartnershipStatus.DISCOVERY: (PartnershipStatus.TRANSITION, PartnershipStatus.ENDED),
    PartnershipStatus.TRANSITION: (PartnershipStatus.LIVE, PartnershipStatus.ENDED),
    PartnershipStatus.LIVE: (PartnershipStatus.ENDED,),
    PartnershipStatus.ENDED: (),
}
STATUSES_NEEDING_MANAGER = {
    PartnershipStatus.DISCOVERY,
    PartnershipStatus.TRANSITION,
    PartnershipStatus.LIVE,
}


class PartnershipQuerySet(TenantQuerySet):
    def with_people(self):
        return self.select_related("client", "account_manager").prefetch_related(
            "implementation_pms"
        )


class Partnership(TenantModel):
    """The central object: one client's triage line run by the provider."""

    client = models.ForeignKey(
        ClientOrganization, on_delete=models.PROTECT, related_name="partnerships"
    )
    name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=PartnershipStatus.choices, default=PartnershipStatus.PROSPECT
    )
    contract_start = models.DateField(null=True, blank=True, validators=[sane_date])
    planned_go_live = models.DateField(null=True, blank=True, validators=[sane_date])
    actual_go_live = models.DateField(null=True, blank=True, validators=[sane_date])
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_partnerships",
        help_text="The dedicated account manager; required from discovery on.",
    )
    implementation_pms = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="pm_partnerships"
    )
    description = models.TextField(blank=True)
    internal_notes = models.TextField(
        blank=True, help_text="Internal: provider staff only, never shown to client executives."
    )

    INTERNAL_FIELDS = ("internal_notes",)
    # What people edit (form, API, service): one list. The status moves only by transition.
    EDITABLE_FIELDS = (
        "client",
        "name",
        "contract_start",
        "planned_go_live",
        "actual_go_live",
        "account_manager",
        "description",
        "internal_notes",
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="partnership_unique_name_per_org"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "partnerships:detail", kwargs={"org_slug": self.organization.slug, "pk": self.pk}
        )

    @property
    def allowed_transitions(self) -> tuple[str, ...]:
        return STATUS_TRANSITIONS[self.status]

    def clean(self) -> None:
        """Field rules that hold whatever the path of the write (form, API, admin)."""
        errors: dict[str, str] = {}
        if (
            self.client_id
            and self.organization_id
            and (self.client.organization_id != self.organization_id)
        ):
            errors["client"] = "The client belongs to another organization."
        if self.status in STATUSES_NEEDING_MANAGER and not self.account_manager_id:
            errors["account_manager"] = (
                f"A partnership in {self.get_status_display().lower()} needs a dedicated "
                "account manager."
            )
        if self.account_manager_id and self.organization_id:
            fits = Membership.objects.filter(
                organization_id=self.organization_id,
                user_id=self.account_manager_id,
                role__in=[Role.ACCOUNT_MANAGER, Role.ADMIN],
            ).exists()
            if not fits:
                errors["account_manager"] = (
                    "The account manager must be a member of this organization with the "
                    "account manager or admin role."
                )
        if self.status == PartnershipStatus.LIVE and not self.actual_go_live:
            errors["actual_go_live"] = "A live partnership needs its actual go-live date."
        if (
            self.contract_start
            and self.planned_go_live
            and (self.planned_go_live < self.contract_start)
        ):
            errors["planned_go_live"] = "The planned go-live cannot be before the contract start."
        if (
            self.contract_start
            and self.actual_go_live
            and (self.actual_go_live < self.contract_start)
        ):
            errors["actual_go_live"] = "The actual go-live cannot be before the contract start."
        if errors:
            raise ValidationError(errors)

    def validate_implementation_pms(self, users) -> None:
        """PMs must be members of the same organization with a provider role that fits."""
        user_ids = {user.pk for user in users}
        fitting = set(
            Membership.objects.filter(
                organization_id=self.organization_id,
                user_id__in=user_ids,
                role__in=[Role.IMPLEMENTATION_PM, Role.ADMIN, Role.ACCOUNT_MANAGER],
            ).values_list("user_id", flat=True)
        )
        if user_ids - fitting:
            raise ValidationError(
                {
                    "implementation_pms": (
                        "Implementation PMs must be provider members of this organization "
                        "(implementation PM, account manager or admin)."
                    )
                }
            )


def partnership_key(*, related_name: str = "+", on_delete=models.CASCADE) -> models.ForeignKey:
    """The `partnership` foreign key of a `PartnershipOwnedModel`. A subclass re-declares it
    (with this) only to name its reverse accessor or to protect the partnership."""
    return models.ForeignKey(
        "partnerships.Partnership", on_delete=on_delete, related_name=related_name
    )


class PartnershipOwnedQuerySet(TenantQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Bulk inserts skip `full_clean()`; the partnership check still runs on every row."""
        objs = list(objs)
        # One query for the partnerships not loaded with their rows, however many rows.
        missing = {
            row.partnership_id
            for row in objs
            if row.partnership_id and not row._meta.get_field("partnership").is_cached(row)
        }
        organizations = dict(
            Partnership.objects.filter(pk__in=missing).values_list("pk", "organization_id")
        )
        for row in objs:
            check_partnership_owned(row, organizations=organizations)
        return super().bulk_create(objs, *args, **kwargs)


class PartnershipOwnedModel(TenantModel):
    """A row that belongs to one partnership, and so to the partnership's organization.

    The organization is stored too (scoping needs no join), and must be the partnership's:
    `clean()` refuses a row whose organization differs, and so does `bulk_create` (its
    queryset's), the one write path that skips `full_clean()`.
    """

    partnership = partnership_key()

    objects = PartnershipOwnedQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        check_partnership_owned(self)


def check_partnership_owned(row, *, organizations: dict[int, int] | None = None) -> None:
    """Refuse a row whose organization is not its partnership's (a cross-tenant write); a
    row without an organization takes its partnership's. `organizations` maps partnership
    ids to their organizations when the caller already read them."""
    if not row.partnership_id:
        return
    if row._meta.get_field("partnership").is_cached(row):
        partnership_org = row.partnership.organization_id
    elif organizations is not None and row.partnership_id in organizations:
        partnership_org = organizations[row.partnership_id]
    else:
        partnership_org = (
            Partnership.objects.filter(pk=row.partnership_id)
            .values_list("organization_id", flat=True)
            .first()
        )
    if row.organization_id is None:
        row.organization_id = partnership_org
    elif row.organization_id != partnership_org:
        raise ValidationError({"partnership": "The partnership belongs to another organization."})


class PartnershipStatusChange(PartnershipOwnedModel):
    """One recorded move of a partnership's status: who, when, from, to."""

    partnership = partnership_key(related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=PartnershipStatus.choices)
    to_status = models.CharField(max_length=16, choices=PartnershipStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    # An admin's override of a closed lifecycle gate: why, and the checks that were not met
    # (as the gate reported them). Empty when the gate was open.
    override_reason = models.TextField(blank=True)
    overridden_checks = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "partnership", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.from_status} → {self.to_status}"

    @property
    def overridden(self) -> bool:
        return bool(self.override_reason)


class Comment(PartnershipOwnedModel):
    """A comment on one object of a partnership's discovery or transition work (a call-flow
    version, a report, a goal, an opportunity, a task, a knowledge item…).

    The object is named by its model label and id (`target_type`, `target_id`), which must be
    a registered commentable model (`partnerships.commentable`) of the same partnership.
    Provider staff see every comment; the client's executives see those shared with them,
    and theirs are always shared.
    """

    MAX_BODY = 5000

    partnership = partnership_key(related_name="comments")
    target_type = models.CharField(
        max_length=64, help_text="The commented model, e.g. transition.plantask."
    )
    target_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MAX_BODY)
    shared_with_client = models.BooleanField(
        "shared with the client",
        default=False,
        help_text="Shown to the client's executives too; otherwise provider staff only.",
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["organization", "partnership", "target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"Comment on {self.target_type} {self.target_id} by {self.author_id}"
