"""Every partnership-owned row stays in its partnership's organization: a row whose
organization differs from its partnership's is refused, whatever the model."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from partnerships.models import Partnership, PartnershipOwnedModel


def partnership_owned_models() -> list[type[PartnershipOwnedModel]]:
    return sorted(
        (
            model
            for model in apps.get_models()
            if issubclass(model, PartnershipOwnedModel) and not model._meta.abstract
        ),
        key=lambda model: model._meta.label,
    )


def test_the_domain_apps_rows_are_partnership_owned():
    labels = {model._meta.label for model in partnership_owned_models()}
    # A few from each app: the walk below covers them all.
    assert {
        "partnerships.PartnershipStatusChange",
        "partnerships.Comment",
        "culture.CallerPopulation",
        "discovery.CallFlow",
        "transition.PlanTask",
        "transition.StaffMember",
    } <= labels


@pytest.mark.parametrize("model", partnership_owned_models(), ids=lambda model: model._meta.label)
def test_a_row_in_another_organization_than_its_partnership_is_refused(model, partnership, org_b):
    field = model._meta.get_field("partnership")
    assert field.related_model is Partnership
    row = model(organization=org_b, partnership=partnership)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "partnership" in error.value.message_dict
    assert "another organization" in " ".join(error.value.message_dict["partnership"])


def test_bulk_inserts_are_checked_too_in_one_query(
    partnership, other_client_partnership, org_b, admin, django_assert_num_queries
):
    """`bulk_create` skips `full_clean()`; the partnership check does not skip it."""
    from partnerships.models import PartnershipStatusChange

    def change(**fields):
        return PartnershipStatusChange(
            from_status="prospect", to_status="discovery", changed_by=admin.user, **fields
        )

    with pytest.raises(ValidationError):
        PartnershipStatusChange.objects.bulk_create(
            [
                change(organization=partnership.organization, partnership=partnership),
                change(organization=org_b, partnership_id=other_client_partnership.pk),
            ]
        )
    assert not PartnershipStatusChange.objects.exists()
    # 1 the partnerships' organizations, 2 the insert
    with django_assert_num_queries(2):
        PartnershipStatusChange.objects.bulk_create(
            [change(organization=partnership.organization, partnership_id=partnership.pk)]
            + [change(partnership_id=other_client_partnership.pk) for _ in range(5)]
        )
    assert (
        PartnershipStatusChange.objects.filter(organization=partnership.organization).count() == 6
    )
