"""The KPI catalog form: the key never changes; shipped KPIs keep their unit and direction."""

from __future__ import annotations

from django import forms

from discovery.forms.base import decimal_field, textarea
from discovery.models import KpiDefinition, KpiDirection, KpiUnit
from partnerships.forms import editable_initial

# --- KPI catalog ---------------------------------------------------------------------------


class KpiForm(forms.Form):
    key = forms.SlugField(
        max_length=60,
        help_text="A stable identifier for imports and integrations, e.g. “first_call_"
        "resolution”. It cannot change later.",
    )
    name = forms.CharField(max_length=120)
    unit = forms.ChoiceField(choices=KpiUnit.choices)
    direction = forms.ChoiceField(choices=KpiDirection.choices, label="Which way is better")
    target = decimal_field(
        required=False,
        help_text="Lower is better: the most allowed. Higher is better: the least allowed. "
        "Neutral: the expected value.",
    )
    target_low = decimal_field(
        required=False, label="Expected range from", help_text="Neutral KPIs only."
    )
    target_high = decimal_field(
        required=False, label="Expected range to", help_text="Neutral KPIs only."
    )
    description = forms.CharField(required=False, widget=textarea(2))
    source = forms.CharField(
        max_length=200, required=False, help_text="Where the figure or its target comes from."
    )
    position = forms.IntegerField(
        min_value=0,
        max_value=32767,
        required=False,
        initial=100,
        help_text="Lower comes first in lists.",
    )

    def __init__(self, *args, instance: KpiDefinition | None = None, **kwargs):
        if instance is not None:
            initial = editable_initial(instance)
            kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            # The key never changes; the unit and direction of shipped KPIs neither
            # (measurements and integrations rely on them).
            self.fields["key"].disabled = True
            self.fields["key"].help_text = "The key never changes."
            if instance.is_builtin:
                for name in KpiDefinition.FIXED_ON_BUILTIN:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Fixed for the KPIs shipped with Switchboard."
