from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models

if TYPE_CHECKING:
    from partnerships.models import Organization


class TenantQuerySet(models.QuerySet):
    def for_organization(self, organization: Organization) -> Self:
        return self.filter(organization=organization)


class TenantModel(models.Model):
    """A row owned by exactly one provider organization (the tenant).

    The organization is stored even where a parent implies it, so scoping needs no joins and
    every index can lead with it.
    """

    organization = models.ForeignKey(
        "partnerships.Organization", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
