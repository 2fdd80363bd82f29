"""Forms for the account pages. They check shape only; the rules live in accounts.services."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    PasswordResetForm,
    UserChangeForm,
)

from accounts.models import ApiToken, Invitation, User
from tenancy import access
from tenancy.errors import ApplicationError
from tenancy.models import Role


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with the e-mail address. Addresses are stored lower-case, so any case works."""

    username = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That e-mail address and password do not match an account. "
            "Check both, or reset your password."
        ),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


def apply_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Put a service's error on the field it names, or on the form when it names none here."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class InvitationAcceptForm(forms.Form):
    """A new user's name and password; the service validates the password for the user."""

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
        help_text="As your colleagues know you; shown next to your work.",
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="The same password, to rule out a typing mistake.",
    )

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError("Enter your full name.")
        return name

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ; type the same one twice.")
        return cleaned

    def apply_error(self, error: ApplicationError) -> None:
        # The service names the password "password"; this form calls it password1.
        field = {"password": "password1"}.get(error.field or "", error.field)
        self.add_error(field if field in self.fields else None, error.message)


class InvitationForm(forms.Form):
    """Invite someone to the organization. Client choices come from the access policy."""

    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "name@example.org"}),
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.ACCOUNT_MANAGER)
    client = forms.ModelChoiceField(
        label="Client",
        queryset=None,  # the member's visible clients, set in __init__
        required=False,
        empty_label="— none —",
        help_text="Only for client executives: the client whose partnerships they will see.",
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        # The client model is reached through the invitation's own foreign key, so that
        # identity does not import the partnerships app.
        clients = Invitation._meta.get_field("client").related_model
        self.fields["client"].queryset = access.visible(membership, clients).order_by("name")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        role, client = cleaned.get("role"), cleaned.get("client")
        if role == Role.CLIENT_EXECUTIVE and client is None and "client" not in self.errors:
            self.add_error("client", "Choose the client this executive belongs to.")
        if role and role != Role.CLIENT_EXECUTIVE and client is not None:
            self.add_error("client", "Only client executives belong to a client; leave it empty.")
        return cleaned


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What will use it, e.g. “ACD nightly KPI push”.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires",
        choices=[("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("", "Never")],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
        help_text="After this the token stops working; make a new one before then.",
    )
    read_only = forms.BooleanField(
        label="Read-only",
        required=False,
        help_text="May read, never change anything: for reports and dashboards.",
    )


# --- Django admin ---------------------------------------------------------------------


class UserAdminCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this e-mail address already exists.")
        return email


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("A user with this e-mail address already exists.")
        return email
