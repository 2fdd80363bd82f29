"""Two-factor pages: the code asked for after the password, setting an authenticator app up
(with recovery codes shown once), and the person's security page."""

from __future__ import annotations

import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security, twofactor

SETUP_DEVICE = "_sb_2fa_setup"  # the session's device being set up (not yet confirmed)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.",
    )


class AppCodeForm(CodeForm):
    code = forms.RegexField(
        label="Code from the app",
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=8,
        error_messages={"invalid": "Enter the 6 digits the app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="The 6 digits the app shows for Switchboard now.",
    )


def next_url(request, default: str | None = None) -> str:
    """Where to go once the second factor is given: `next` if it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse("accounts:org-picker")


def waited(check) -> str:
    when = formats.time_format(timezone.localtime(check.wait_until), "H:i:s")
    return f"Too many wrong codes. Wait until {when}, then try again."


class TwoFactorVerifyView(LoginRequiredMixin, View):
    """/two-factor/verify/: the code after the password."""

    template_name = "accounts/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.device = twofactor.device_of(request.user)
            if self.device is None:  # nothing to verify: set up, or go on
                return HttpResponseRedirect(
                    reverse("accounts:two-factor-setup") + f"?next={next_url(request)}"
                    if twofactor.required_for(request.user)
                    else next_url(request)
                )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            check = twofactor.check_code(request.user, self.device, form.cleaned_data["code"])
            if check.ok:
                twofactor.mark_verified(request, check.how)
                if check.how == "recovery":
                    left = twofactor.recovery_codes_left(request.user)
                    security.record(
                        request.user,
                        "user.recovery_code_used",
                        request,
                        {"recovery_codes_left": [left + 1, left]},
                    )
                    messages.warning(
                        request,
                        f"You signed in with a recovery code; {left} left. If your phone is"
                        " lost, set up the app again on your security page.",
                    )
                return HttpResponseRedirect(next_url(request))
            security.record(request.user, "user.two_factor_failed", request)
            form.add_error(
                "code",
                waited(check)
                if check.wait_until
                else "That code is not right. Check the app's entry for Switchboard and try again.",
            )
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = {"form": form, "next": next_url(self.request)}
        return render(self.request, self.template_name, context, status=status)


class TwoFactorSetupView(LoginRequiredMixin, View):
    """/two-factor/setup/: scan the QR code (or type the key), confirm with a code, then the
    recovery codes, shown once."""

    template_name = "accounts/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and twofactor.device_of(request.user) is not None
            and not request.session.get(twofactor.VERIFIED)
        ):
            # Someone with an app set up proves it before replacing it.
            return HttpResponseRedirect(
                reverse("accounts:two-factor-verify") + f"?next={request.path}"
            )
        return super().dispatch(request, *args, **kwargs)

    def pending_device(self) -> TOTPDevice:
        """The unconfirmed device of this set-up (one per session, so a reload shows the same
        QR code), made on the first visit."""
        user = self.request.user
        pk = self.request.session.get(SETUP_DEVICE)
        device = (
            TOTPDevice.objects.filter(pk=pk, user_id=user.pk, confirmed=False).first()
            if pk
            else None
        )
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
            self.request.session[SETUP_DEVICE] = device.pk
        return device

    def get(self, request):
        return self.render(AppCodeForm(), self.pending_device())

    def post(self, request):
        device = self.pending_device()
        form = AppCodeForm(request.POST)
        if form.is_valid():
            code = form.cleaned_data["code"].replace(" ", "").strip()
            check = twofactor.check_code(request.user, device, code)
            if check.ok:
                codes = twofactor.turn_on(request, request.user, device)
                request.session.pop(SETUP_DEVICE, None)
                twofactor.mark_verified(request, "app")
                security.record(request.user, "user.two_factor_enabled", request)
                return recovery_codes_page(request, codes, next_url(request))
            form.add_error(
                "code",
                waited(check)
                if check.wait_until
                else "That code is not right. Check the phone's clock is set automatically,"
                " and that you scanned this page's code.",
            )
        return self.render(form, device, status=400)

    def render(self, form, device, status=200):
        qr = segno.make(device.config_url, error="m")
        secret = base64.b32encode(device.bin_key).decode()
        context = {
            "form": form,
            "next": next_url(self.request),
            # segno writes the SVG from the key alone: no text of anyone's in it.
            "qr_svg": mark_safe(qr.svg_inline(scale=5, dark="#111", title="QR code"))  # noqa: S308
            if qr
            else "",
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": twofactor.required_for(self.request.user),
        }
        response = render(self.request, self.template_name, context, status=status)
        add_never_cache_headers(response)  # the key is on it
        return response


def recovery_codes_page(request, codes: list[str], continue_url: str):
    response = render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "continue_url": continue_url},
    )
    add_never_cache_headers(response)
    return response


class SecurityView(LoginRequiredMixin, View):
    """/account/security/: two-factor sign-in on or off, recovery codes."""

    template_name = "accounts/security.html"

    def get(self, request):
        return self.render(CodeForm())

    def post(self, request):
        action = request.POST.get("action")
        user = request.user
        device = twofactor.device_of(user)
        if device is None:
            raise PermissionDenied("Set two-factor sign-in up first.")
        if action == "new-codes":
            codes = twofactor.new_recovery_codes(user)
            security.record(user, "user.recovery_codes_replaced", request)
            return recovery_codes_page(request, codes, reverse("accounts:security"))
        if action == "turn-off":
            if twofactor.required_for(user):
                raise PermissionDenied("Your role requires two-factor sign-in.")
            form = CodeForm(request.POST)
            if form.is_valid():
                check = twofactor.check_code(user, device, form.cleaned_data["code"])
                if check.ok:
                    twofactor.turn_off(user)
                    update_session_auth_hash(request, user)  # this session goes on
                    request.session[twofactor.NOT_ENROLLED] = True
                    security.record(user, "user.two_factor_disabled", request)
                    messages.success(request, "Two-factor sign-in is off for your account.")
                    return HttpResponseRedirect(reverse("accounts:security"))
                form.add_error(
                    "code", waited(check) if check.wait_until else "That code is not right."
                )
            return self.render(form, status=400)
        return self.render(CodeForm(), status=400)

    def render(self, form, status=200):
        user = self.request.user
        device = twofactor.device_of(user)
        context = {
            "form": form,
            "device": device,
            "required": twofactor.required_for(user),
            "codes_left": twofactor.recovery_codes_left(user) if device else 0,
        }
        return render(self.request, self.template_name, context, status=status)
