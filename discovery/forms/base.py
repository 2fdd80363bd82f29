"""The base of the discovery forms.

Forms only read: every choice list comes from the access policy (cut to the partnership of
the page), and the domain rules stay in the models and services; errors those raise go back
on the field they name with `add_service_error`. Internal fields are left out of the forms a
client executive could see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db import models

from partnerships.forms import editable_initial
from tenancy import access

if TYPE_CHECKING:
    from partnerships.models import Partnership
    from tenancy.models import Membership


def textarea(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


def decimal_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(max_digits=12, decimal_places=3, **kwargs)


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class KpiChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        unit = obj.get_unit_display()
        return f"{obj.name} ({unit})"


class DiscoveryForm(forms.Form):
    """A form of a partnership's discovery page: knows who fills it and for which
    partnership, and drops internal fields for those who may not see them."""

    internal_fields: tuple[str, ...] = ("internal_notes",)
    # The model whose `EDITABLE_FIELDS` the form edits: an instance fills them in.
    model: type[models.Model] | None = None

    def __init__(
        self,
        *args,
        membership: Membership,
        partnership: Partnership | None = None,
        instance=None,
        **kwargs,
    ):
        if instance is not None and self.model is not None:
            initial = editable_initial(instance)
            kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.partnership = partnership
        self.instance = instance
        if not access.can_see_internal(membership):
            for name in self.internal_fields:
                self.fields.pop(name, None)

    def visible(self, model):
        """`model`'s rows of this page's partnership that the member sees."""
        return access.visible(self.membership, model).filter(partnership=self.partnership)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the service takes it."""
        return dict(self.cleaned_data)
