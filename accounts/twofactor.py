"""Two-factor sign-in: a time-based code from an authenticator app (django-otp's TOTP device),
with one-time recovery codes for a lost phone.

Who must use it: an admin or account manager of an organization that requires it (the
organization's `two_factor_required`, on by default), and platform staff in the Django admin.
Anyone else may set it up on their security page; once they have, they are asked for a code
at every sign-in too.

A session is verified once a code was given after the password (`VERIFIED` in the session;
signing in again starts unverified). Until then `TwoFactorMiddleware` sends every page to the
code page (or, for someone who must use it and has not set it up, to the set-up page); an API
call made with that session answers 403. API tokens and calendar feed keys are not sessions:
they are made by a verified person and carry their own limits.

Cost per request: none for a verified session; a person who needs no second factor and has
none costs one query at their first request, then none (`NOT_ENROLLED` in the session).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.backends import loaded_memberships
from accounts.models import RecoveryCode, User
from tenancy.models import Membership, Role

VERIFIED = "_sb_2fa"
NOT_ENROLLED = "_sb_2fa_none"
RECOVERY_CODES = 10
# The roles an organization's requirement applies to.
REQUIRED_ROLES = frozenset({Role.ADMIN, Role.ACCOUNT_MANAGER})
# Pages a signed-in person reaches before the second factor: finishing it, leaving.
OPEN_PREFIXES = ("/two-factor/", "/logout/", "/static/", "/healthz", "/favicon")


@receiver(user_logged_in, dispatch_uid="accounts.twofactor.unverified")
def start_unverified(sender, request, user, **kwargs):
    """A new sign-in starts without the second factor, whatever the session held before."""
    request.session.pop(VERIFIED, None)
    request.session.pop(NOT_ENROLLED, None)


def required_for(user: User, *, admin_site: bool = False) -> bool:
    """Must this person use a second factor (here: the Django admin counts for staff)?"""
    if admin_site and user.is_staff:
        return True
    memberships = loaded_memberships(user)
    if memberships is None:
        memberships = Membership.objects.filter(user_id=user.pk).select_related("organization")
    return any(m.role in REQUIRED_ROLES and m.organization.two_factor_required for m in memberships)


def device_of(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=confirmed).order_by("-id").first()


def needed(request, user: User) -> str | None:
    """ "verify", "setup", or None (nothing to do) for this signed-in, unverified session."""
    session = request.session
    required = required_for(user, admin_site=request.path.startswith("/admin/"))
    if not required and session.get(NOT_ENROLLED):
        return None
    if device_of(user) is not None:
        return "verify"
    if required:
        return "setup"
    session[NOT_ENROLLED] = True
    return None


class TwoFactorMiddleware:
    """After the session limits: a signed-in session without its second factor reaches only
    the two-factor pages and sign-out until it has given one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if (
            session.session_key
            and session.get("_auth_user_id") is not None
            and not session.get(VERIFIED)
            and not request.path.startswith(OPEN_PREFIXES)
            and request.user.is_authenticated
        ):
            step = needed(request, request.user)
            if step is not None:
                return self.elsewhere(request, step)
        return self.get_response(request)

    @staticmethod
    def elsewhere(request, step: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "Finish signing in with your second factor first"
                    f" ({reverse(f'accounts:two-factor-{step}')}).",
                    "code": "two_factor_required",
                },
                status=403,
            )
        url = reverse(f"accounts:two-factor-{step}")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


def mark_verified(request, how: str) -> None:
    """The second factor was given: a new session key (nothing learned of the old one opens
    the verified session), then the mark."""
    request.session.cycle_key()
    request.session[VERIFIED] = how
    request.session.pop(NOT_ENROLLED, None)


# --- Codes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    ok: bool
    how: str = ""  # "app" or "recovery"
    wait_until: object = None  # a datetime: too many wrong codes, try after it


def check_code(user: User, device: TOTPDevice, code: str) -> Check:
    """A code from the app (6 digits) or a recovery code (xxxxx-xxxxx). Wrong codes of either
    kind slow the next try down (django-otp's back-off: 1, 2, 4, 8 … seconds, on the device)."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return Check(ok=False, wait_until=(details or {}).get("locked_until"))
    code = code.strip().replace(" ", "")
    if code.isdigit() and len(code) == device.digits:
        return Check(ok=True, how="app") if device.verify_token(code) else Check(ok=False)
    with transaction.atomic():
        match = (
            RecoveryCode.objects.select_for_update()
            .filter(user_id=user.pk, code_hash=RecoveryCode.hash_code(code), used_at=None)
            .first()
        )
        if match is not None:
            match.used_at = timezone.now()
            match.save(update_fields=["used_at"])
            device.throttle_reset()
            return Check(ok=True, how="recovery")
    device.throttle_increment()
    return Check(ok=False)


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes; any earlier ones stop working. Returned once, stored as hashes."""
    codes = [RecoveryCode.new_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user_id=user.pk, code_hash=RecoveryCode.hash_code(code)) for code in codes
    )
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at=None).count()


@transaction.atomic
def turn_on(request, user: User, device: TOTPDevice) -> list[str]:
    """Confirm the device being set up (any other goes), make the recovery codes, and end
    the person's other sessions: one opened with the password alone must not go on. This
    session goes on, verified."""
    TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(user)
    _changed(user)
    update_session_auth_hash(request, user)
    return codes


@transaction.atomic
def turn_off(user: User) -> None:
    """No app, no codes; the person's sessions end (an admin's reset of a lost phone)."""
    TOTPDevice.objects.filter(user_id=user.pk).delete()
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    _changed(user)


def _changed(user: User) -> None:
    User.objects.filter(pk=user.pk).update(two_factor_generation=F("two_factor_generation") + 1)
    user.two_factor_generation = (
        User.objects.filter(pk=user.pk).values_list("two_factor_generation", flat=True).get()
    )
