"""Forms for the partnership and client pages.

Forms only read: every choice list comes from the access policy or the selectors, and
validation of the domain rules stays in the models and services. Errors those raise are put
back on the field they name with `add_service_error`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from partnerships import selectors
from partnerships.models import (
    ClientKind,
    ClientOrganization,
    Comment,
    Partnership,
    PartnershipStatus,
)
from tenancy import access
from tenancy.errors import ApplicationError
from tenancy.models import time_zone_choices

if TYPE_CHECKING:
    from tenancy.models import Membership


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker sends ISO dates whatever the locale.
        super().__init__(attrs, format="%Y-%m-%d")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name()


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name()


def add_service_error(
    form: forms.Form, error: ApplicationError | ValidationError, *, unique_field: str = "name"
) -> None:
    """Put an error raised below the view on the form field it names (or on the form).

    A violated per-organization unique constraint names no field; it is about `unique_field`.
    """
    if isinstance(error, ApplicationError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        for item in errors:
            if field == NON_FIELD_ERRORS and item.code in {"unique", "unique_together"}:
                form.add_error(
                    unique_field,
                    f"That {unique_field} is already used in this organization; choose another.",
                )
            else:
                form.add_error(field if field in form.fields else None, item)


def editable_initial(instance) -> dict[str, Any]:
    """A row's `EDITABLE_FIELDS` as a form's initial data (a related row by its key)."""
    return {
        name: getattr(instance, instance._meta.get_field(name).attname)
        for name in type(instance).EDITABLE_FIELDS
    }


# --- Partnerships ------------------------------------------------------------------------


class PartnershipFilterForm(forms.Form):
    """The list page's filters. Invalid values are ignored rather than failing the page."""

    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, client or city", "autocomplete": "off"}
        ),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *PartnershipStatus.choices]
    )
    account_manager = UserChoiceField(
        queryset=None, required=False, empty_label="Any account manager"
    )
    client = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any client")

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        visible = access.visible(membership, Partnership)
        # Offer only the managers of partnerships this member sees: an option must never
        # reveal a colleague's work the member cannot open.
        # The options need a name and an id only (the page draws them from plain data).
        self.fields["account_manager"].queryset = (
            selectors.account_manager_choices(organization=membership.organization)
            .filter(pk__in=visible.values("account_manager_id"))
            .only("pk", "full_name", "email")
        )
        if membership.is_provider:
            self.fields["client"].queryset = access.visible(membership, ClientOrganization).only(
                "pk", "name"
            )
        else:
            # A client executive sees one client's partnerships; a client filter means nothing.
            del self.fields["client"]

    def filters(self) -> dict[str, Any]:
        """The valid filters, as the selector takes them; an invalid one is left out."""
        if not self.is_bound:
            return {"q": "", "status": "", "account_manager": None, "client": None}
        self.is_valid()  # fills cleaned_data with the fields that are valid
        data = self.cleaned_data
        manager, client = data.get("account_manager"), data.get("client")
        return {
            "q": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "account_manager": manager.pk if manager else None,
            "client": client.pk if client else None,
        }


class PartnershipForm(forms.Form):
    """Create and edit a partnership. The status moves only through a transition."""

    client = forms.ModelChoiceField(queryset=None, empty_label="Choose a client")
    name = forms.CharField(max_length=200)
    contract_start = forms.DateField(required=False, widget=DateInput())
    planned_go_live = forms.DateField(required=False, label="Planned go-live", widget=DateInput())
    actual_go_live = forms.DateField(
        required=False,
        label="Actual go-live",
        widget=DateInput(),
        help_text="Set when the partnership goes live (the transition to live asks for it).",
    )
    account_manager = UserChoiceField(
        queryset=None,
        required=False,
        label="Dedicated account manager",
        empty_label="Not assigned yet",
        help_text="Required from discovery on.",
    )
    implementation_pms = UserMultipleChoiceField(
        queryset=None,
        required=False,
        label="Implementation PMs",
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    internal_notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Provider staff only; never shown to client executives.",
    )

    def __init__(
        self, *args, membership: Membership, instance: Partnership | None = None, **kwargs
    ):
        if instance is not None:
            kwargs["initial"] = {**partnership_initial(instance), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.instance = instance
        organization = membership.organization
        self.fields["client"].queryset = access.visible(membership, ClientOrganization)
        self.fields["account_manager"].queryset = selectors.account_manager_choices(
            organization=organization
        )
        self.fields["implementation_pms"].queryset = selectors.pm_choices(organization=organization)
        if instance is None:
            # A new partnership starts as a prospect; it has not gone live.
            del self.fields["actual_go_live"]
        if not access.can_see_internal(membership):
            del self.fields["internal_notes"]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it (PMs apart)."""
        return {
            name: value for name, value in self.cleaned_data.items() if name != "implementation_pms"
        }


def partnership_initial(partnership: Partnership) -> dict[str, Any]:
    return {
        "client": partnership.client_id,
        "name": partnership.name,
        "contract_start": partnership.contract_start,
        "planned_go_live": partnership.planned_go_live,
        "actual_go_live": partnership.actual_go_live,
        "account_manager": partnership.account_manager_id,
        "implementation_pms": [user.pk for user in partnership.implementation_pms.all()],
        "description": partnership.description,
        "internal_notes": partnership.internal_notes,
    }


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=PartnershipStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Why now? (kept in the history)"}),
    )
    actual_go_live = forms.DateField(
        required=False, label="Actual go-live date", widget=DateInput()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        to_status = self.initial.get("to_status") or self.data.get(self.add_prefix("to_status"))
        if to_status != PartnershipStatus.LIVE:
            del self.fields["actual_go_live"]
        else:
            self.fields["actual_go_live"].required = True


class MoveForm(forms.Form):
    """The confirmation of a status move: a note, the go-live date when going live, and an
    admin's reason when overriding a closed gate."""

    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Why now? (kept in the history)"}),
    )
    actual_go_live = forms.DateField(label="Actual go-live date", widget=DateInput())
    override_reason = forms.CharField(
        label="Reason for overriding the gate",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Recorded in the status history and the audit trail, and shown to the client's "
            "executives."
        ),
    )

    def __init__(self, *args, to_status: str, overriding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if to_status != PartnershipStatus.LIVE:
            del self.fields["actual_go_live"]
        if not overriding:
            del self.fields["override_reason"]
        if to_status == PartnershipStatus.ENDED:
            self.fields["note"].required = True
            self.fields["note"].label = "Why is it ending?"
            self.fields["note"].widget.attrs["placeholder"] = "Kept in the history."


# --- Clients -----------------------------------------------------------------------------


def grouped_time_zones() -> list[tuple[str, Any]]:
    """Time zones grouped by region for the select, UTC first."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for value, label in time_zone_choices():
        region, _, rest = label.partition("/")
        groups.setdefault(region, []).append((value, rest.replace("_", " ")))
    return [("UTC", "UTC"), *groups.items()]


class ClientForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ClientKind.choices)
    city = forms.CharField(max_length=120, required=False)
    state = forms.CharField(max_length=60, required=False, label="State or region")
    time_zone = forms.ChoiceField(
        choices=grouped_time_zones,
        help_text="Where the client's callers are; used for hours and schedules.",
    )

    def __init__(self, *args, instance: ClientOrganization | None = None, **kwargs):
        if instance is not None:
            kwargs["initial"] = {
                **{name: getattr(instance, name) for name in ClientOrganization.EDITABLE_FIELDS},
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        known = {value for value, _ in time_zone_choices()} | {"UTC"}
        if instance is not None and instance.time_zone not in known:
            # A valid zone outside the list (e.g. "EST") must survive an edit of other fields.
            self.fields["time_zone"].choices = [
                (instance.time_zone, instance.time_zone),
                *grouped_time_zones(),
            ]


class CommentForm(forms.Form):
    """A comment on one object's thread; the object is named by hidden fields."""

    target_type = forms.CharField(max_length=64, widget=forms.HiddenInput)
    target_id = forms.IntegerField(min_value=1, max_value=2**53, widget=forms.HiddenInput)
    body = forms.CharField(
        label="Comment",
        max_length=Comment.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared_with_client = forms.BooleanField(
        label="Share with the client's executives",
        required=False,
        help_text="Unticked, only provider staff see it.",
    )

    def __init__(self, *args, membership, **kwargs):
        # Its own ids: the thread shares its page with the object's own forms.
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)
        if not membership.is_provider:
            # The client's own comments are always shared with the client.
            del self.fields["shared_with_client"]
