"""Account pages: sign-in, the organization picker, invitations, members and API tokens.

Pages read through the access policy (OrgScopedMixin) and write through accounts.services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security, services, twofactor
from accounts.forms import (
    ApiTokenForm,
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    InvitationAcceptForm,
    InvitationForm,
    apply_application_error,
)
from accounts.models import ApiToken, Invitation, User
from accounts.selectors import has_active_token
from tenancy import access, rls
from tenancy.access import Action
from tenancy.cache import count
from tenancy.clientip import client_ip
from tenancy.errors import ApplicationError
from tenancy.models import Membership, Role
from tenancy.rest import NOT_FOUND
from tenancy.views import OrgScopedMixin

# --- Signing in -----------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """/: the organization picker for members, the sign-in page for everyone else."""
    if request.user.is_authenticated:
        return redirect("accounts:org-picker")
    return redirect("accounts:login")


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link is throttled per client address (a 429 page saying so) and per
    address asked about (past the limit the page says "sent" as always and nothing is sent,
    so the answer never tells whether an account exists). An account that gets a link has
    the request in its organizations' audit trails."""

    form_class = EmailPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    WINDOW = 3600

    def form_valid(self, form):
        address = client_ip(self.request) or "unknown"
        if count(cache, f"pw-reset:ip:{address}", self.WINDOW) > (
            settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        ):
            form.add_error(
                None,
                "Too many reset links were asked for from this address. Try again in an hour,"
                " or ask your organization's administrator for help.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(self.WINDOW)
            return response
        email = form.cleaned_data["email"].strip().lower()
        if count(cache, f"pw-reset:email:{email}", self.WINDOW) > (
            settings.PASSWORD_RESET_LIMIT_PER_EMAIL
        ):
            return HttpResponseRedirect(self.get_success_url())
        for user in form.get_users(email):
            security.record(user, "user.password_reset_requested", self.request)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The password changed: every other session of the person ends (Django checks the
        # session's password hash), and their organizations' trails say so.
        security.record(form.user, "user.password_reset", self.request)
        security.attempts_forget(form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


# --- Organization picker --------------------------------------------------------------


def landing_url(membership: Membership) -> str:
    """Where a member starts in an organization: their role's home page (the account
    manager's portfolio, the client executive's partnerships, the PM's transitions, the
    admin's overview); the partnership list is one click away."""
    return reverse("dashboards:home", kwargs={"org_slug": membership.organization.slug})


class OrgPickerView(LoginRequiredMixin, TemplateView):
    """The user's organizations. With exactly one, there is nothing to pick: go straight in."""

    template_name = "accounts/org_picker.html"

    def get(self, request, *args, **kwargs):
        # The user's own memberships across tenants: the one read that is not scoped to
        # an organization, because choosing the organization is what this page is for.
        self.memberships = list(
            Membership.objects.filter(user=request.user)
            .select_related("organization", "client")
            .order_by("organization__name")
        )
        if len(self.memberships) == 1:
            return redirect(landing_url(self.memberships[0]))
        for membership in self.memberships:
            membership.landing_url = landing_url(membership)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = self.memberships
        context["current_org"] = self.request.session.get("current_org")
        return context


# --- Invitations ----------------------------------------------------------------------


@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class InvitationAcceptView(View):
    """/invitations/<token>/: the link from the invitation e-mail.

    - unknown, expired, used or revoked token: 404 with an explanation;
    - nobody has the invited address yet: name and password, then signed in;
    - the invited address has an account: sign in (as that address), then accept.
    """

    template_name = "accounts/invitation_accept.html"

    def dispatch(self, request, *args, **kwargs):
        self.token = kwargs["token"]
        with rls.system():  # the token names its organization: looked up across all of them
            self.invitation = services.invitation_for_token(self.token)
        if self.invitation is None:
            response = render(request, "accounts/invitation_invalid.html", status=404)
            add_never_cache_headers(response)
            return response
        # The rest of the request works in the invitation's organization only.
        rls.narrow(rls.Scope.of([self.invitation.organization_id], request.user.pk))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render(InvitationAcceptForm() if self.needs_password else None)

    def post(self, request, *args, **kwargs):
        form = None
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(raw_token=self.token, user=request.user)
            elif self.needs_password:
                form = InvitationAcceptForm(request.POST)
                if not form.is_valid():
                    return self.render(form)
                membership = services.invitation_accept(
                    raw_token=self.token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, membership.user, backend="accounts.backends.MembershipBackend")
            else:
                # An account exists: only its owner, signed in, may accept.
                return self.render(None)
        except ApplicationError as error:
            if form is not None:
                form.apply_error(error)
                return self.render(form)
            messages.error(request, error.message)
            return self.render(None)
        messages.success(
            request,
            f"Welcome to {membership.organization.name}. You joined as "
            f"{membership.get_role_display()}.",
        )
        request.session["current_org"] = membership.organization.slug
        return redirect(landing_url(membership))

    @property
    def existing_user(self) -> User | None:
        if not hasattr(self, "_existing_user"):
            self._existing_user = User.objects.filter(email__iexact=self.invitation.email).first()
        return self._existing_user

    @property
    def needs_password(self) -> bool:
        return not self.request.user.is_authenticated and self.existing_user is None

    def render(self, form: InvitationAcceptForm | None) -> HttpResponse:
        user = self.request.user
        signed_in_as_invited = (
            user.is_authenticated and user.email.lower() == self.invitation.email.lower()
        )
        context = {
            "invitation": self.invitation,
            "form": form,
            "needs_password": self.needs_password,
            "needs_login": not user.is_authenticated and self.existing_user is not None,
            "signed_in_as_invited": signed_in_as_invited,
            "signed_in_as_other": user.is_authenticated and not signed_in_as_invited,
            "login_url": f"{reverse('accounts:login')}?{urlencode({'next': self.request.path})}",
        }
        response = render(self.request, self.template_name, context)
        # The URL carries a secret: keep the page out of caches. (The site-wide
        # Referrer-Policy "same-origin" already keeps it from other sites; "no-referrer"
        # would make browsers send `Origin: null` and fail the CSRF check.)
        add_never_cache_headers(response)
        return response


# --- Members (admins) -----------------------------------------------------------------


class MembersView(OrgScopedMixin, View):
    """Members, invitations and the invite form. Admins only."""

    model = Membership
    required_action = Action.MANAGE_MEMBERS
    template_name = "accounts/members.html"

    def get(self, request, *args, **kwargs):
        return self.render(InvitationForm(membership=self.membership))

    def post(self, request, *args, **kwargs):
        form = InvitationForm(request.POST, membership=self.membership)
        if form.is_valid():
            try:
                issued = services.invitation_create(
                    actor=self.actor,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    client=form.cleaned_data["client"],
                )
            except ApplicationError as error:
                apply_application_error(form, error)
            else:
                if issued.queued is False:
                    return self.not_queued(issued)
                messages.success(
                    request,
                    f"Invitation sent to {issued.invitation.email}. "
                    "The link in it works once, for "
                    f"{_days_left(issued.invitation)} days.",
                )
                return redirect("org:members", org_slug=self.organization.slug)
        return self.render(form, status=400)

    def not_queued(self, issued) -> HttpResponse:
        """The invitation stands but its e-mail could not be queued: say so, and show the
        admin the link (only now: a hash is stored) to copy, with Resend next to it."""
        return self.render(
            InvitationForm(membership=self.membership),
            link={
                "invitation": issued.invitation,
                "url": services.invitation_link(issued.token),
                "queued": False,
                "days": _days_left(issued.invitation),
            },
        )

    def render(
        self, form: InvitationForm, status: int = 200, link: dict | None = None
    ) -> HttpResponse:
        members = (
            self.get_queryset()
            .select_related("user", "client")
            .order_by("user__full_name", "user__email")
        )
        invitations = (
            self.invitation_queryset()
            .select_related("client", "invited_by")
            .order_by("-created_at")[:50]
        )
        members = list(members)
        with_app = set(
            TOTPDevice.objects.filter(
                user_id__in=[m.user_id for m in members], confirmed=True
            ).values_list("user_id", flat=True)
        )
        for member in members:
            member.has_two_factor = member.user_id in with_app
            member.must_two_factor = (
                self.organization.two_factor_required and member.role in twofactor.REQUIRED_ROLES
            )
        context = {
            "organization": self.organization,
            "membership": self.membership,
            "nav": "members",
            "members": members,
            "invitations": invitations,
            "form": form,
            "client_executive_role": Role.CLIENT_EXECUTIVE,
            "link": link,
        }
        response = render(self.request, self.template_name, context, status=status)
        if link is not None:
            add_never_cache_headers(response)  # the link is a secret, shown once
        return response

    def invitation_queryset(self):
        return access.visible(self.membership, Invitation)


def _days_left(invitation: Invitation) -> int:
    return max(1, round((invitation.expires_at - timezone.now()).total_seconds() / 86400))


class MemberRemoveView(OrgScopedMixin, View):
    model = Membership
    required_action = Action.MANAGE_MEMBERS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        member = self.get_object(self.get_queryset().select_related("user"))
        name = str(member.user)
        try:
            services.membership_remove(actor=self.actor, membership=member)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{name} no longer belongs to {self.organization.name}.")
        return redirect("org:members", org_slug=self.organization.slug)


class MemberTwoFactorResetView(OrgScopedMixin, View):
    """POST: remove a member's authenticator app and recovery codes (a lost phone)."""

    model = Membership
    required_action = Action.MANAGE_MEMBERS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        member = self.get_object(self.get_queryset().select_related("user"))
        try:
            services.member_two_factor_reset(actor=self.actor, membership=member)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"{member.user}'s two-factor sign-in is reset: they set the app up again at"
                " their next sign-in.",
            )
        return redirect("org:members", org_slug=self.organization.slug)


class TwoFactorRequirementView(OrgScopedMixin, View):
    """POST `required=on|off`: the organization's two-factor requirement for admins and
    account managers."""

    model = Membership
    required_action = Action.MANAGE_MEMBERS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        value = request.POST.get("required")
        if value not in ("on", "off"):
            messages.error(request, "Choose whether two-factor sign-in is required (on or off).")
            return redirect("org:members", org_slug=self.organization.slug)
        services.two_factor_requirement_set(actor=self.actor, required=value == "on")
        messages.success(
            request,
            "Admins and account managers now sign in with a second factor."
            if value == "on"
            else "Two-factor sign-in is now optional for everyone here.",
        )
        return redirect("org:members", org_slug=self.organization.slug)


class InvitationResendView(MembersView):
    """POST: send a pending invitation again with a new link, shown to the admin (with a
    copy button) on the members page whether or not the e-mail could be queued."""

    model = Invitation
    required_action = Action.INVITE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        invitation = self.get_object()
        try:
            issued = services.invitation_resend(actor=self.actor, invitation=invitation)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("org:members", org_slug=self.organization.slug)
        self.model = Membership  # the page lists members again
        return self.render(
            InvitationForm(membership=self.membership),
            link={
                "invitation": issued.invitation,
                "url": services.invitation_link(issued.token),
                "queued": issued.queued,
                "days": _days_left(issued.invitation),
            },
        )


class InvitationRevokeView(OrgScopedMixin, View):
    model = Invitation
    required_action = Action.INVITE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        invitation = self.get_object()
        try:
            services.invitation_revoke(actor=self.actor, invitation=invitation)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"The invitation to {invitation.email} is revoked; its link stops working."
            )
        return redirect("org:members", org_slug=self.organization.slug)


# --- API tokens (every member, their own) ---------------------------------------------


class TokensView(OrgScopedMixin, View):
    """The member's own API tokens here (and, for an admin, every member's). A new key is
    shown once, in the POST's response."""

    model = ApiToken
    template_name = "accounts/tokens.html"

    @cached_property
    def can_create(self) -> bool:
        # Tokens are for the provider's integrations: a client executive creates none.
        return self.membership.is_provider

    def setup_scope(self) -> None:
        super().setup_scope()
        # A client executive without an active token has no use for this page: it answers
        # 404 like any other page they may not see (and is not in their navigation).
        if not self.can_create and not has_active_token(self.membership):
            raise Http404(NOT_FOUND)

    def get(self, request, *args, **kwargs):
        return self.render(ApiTokenForm())

    def post(self, request, *args, **kwargs):
        if not self.can_create:
            raise PermissionDenied("API tokens are for the provider's integrations.")
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            issued = services.api_token_create(
                actor=self.actor,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ApplicationError as error:
            apply_application_error(form, error)
            return self.render(form, status=400)
        # Rendered, not redirected: the key is never stored, so this response is the only
        # place it exists. no-store keeps it out of the browser's and proxies' caches.
        return self.render(ApiTokenForm(), issued=issued)

    def render(self, form, *, issued=None, status: int = 200) -> HttpResponse:
        visible = self.get_queryset().select_related("user").order_by("revoked_at", "-created_at")
        tokens = [t for t in visible if t.user_id == self.membership.user_id]
        # An admin sees every member's tokens too, to revoke one that should not work.
        members_tokens = [t for t in visible if t.user_id != self.membership.user_id]
        example_url = self.request.build_absolute_uri(
            reverse("api:partnership-list", kwargs={"org_slug": self.organization.slug})
        )
        context = {
            "organization": self.organization,
            "membership": self.membership,
            "nav": "tokens",
            "tokens": tokens,
            "members_tokens": members_tokens,
            "is_admin": self.membership.role == Role.ADMIN,
            "form": form,
            "issued": issued,
            "example_url": example_url,
            "can_create": self.can_create,
        }
        response = render(self.request, self.template_name, context, status=status)
        if issued is not None:
            add_never_cache_headers(response)
        return response


class TokenRevokeView(OrgScopedMixin, View):
    model = ApiToken
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        token = self.get_object()
        try:
            services.api_token_revoke(actor=self.actor, token=token)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"Token “{token.name}” is revoked; requests that use it now fail."
            )
        return HttpResponseRedirect(
            reverse("org:tokens", kwargs={"org_slug": self.organization.slug})
        )
