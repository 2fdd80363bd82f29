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
