"""`model_update`: the one way services write a row's editable fields."""

from __future__ import annotations

import pytest

from partnerships.models import Partnership
from tenancy.errors import ApplicationError
from tenancy.services import model_update


def test_changes_are_saved_and_returned_for_the_audit(partnership):
    changes = model_update(
        instance=partnership,
        fields={"name": "  Renamed line  ", "description": partnership.description},
        allowed=("name", "description"),
    )
    assert changes["name"][1] == "Renamed line"
    assert set(changes) == {"name"}
    assert Partnership.objects.get(pk=partnership.pk).name == "Renamed line"


def test_nothing_changed_writes_nothing(partnership, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert (
            model_update(instance=partnership, fields={"name": partnership.name}, allowed=["name"])
            == {}
        )


def test_a_field_outside_the_list_is_refused_by_name(partnership):
    with pytest.raises(ApplicationError) as error:
        model_update(instance=partnership, fields={"internal_notes": "x"}, allowed=("name",))
    assert error.value.field == "internal_notes"
    assert Partnership.objects.get(pk=partnership.pk).internal_notes == partnership.internal_notes


def test_the_whole_row_is_checked_before_saving(partnership):
    from django.core.exceptions import ValidationError

    original = partnership.name
    with pytest.raises(ValidationError) as error:
        model_update(instance=partnership, fields={"name": "x" * 300}, allowed=("name",))
    assert "name" in error.value.message_dict
    assert Partnership.objects.get(pk=partnership.pk).name == original
