"""Sign-in events in the audit trail, and the pieces django-axes is configured with.

Signing in, signing out, a refused password, a lockout, a password reset asked for and one
completed are written to the audit trail of every organization the person belongs to, with
the client's address and browser: an admin sees them on the audit trail page like any other
event. A refused password for an address nobody has is in no organization's trail (axes
keeps it in its own access-failure log).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Q, Sum, Value
from django.db.models.functions import Least
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

from accounts.models import User
from tenancy import rls
from tenancy.audit import audit_event
from tenancy.clientip import client_ip
from tenancy.models import AuditEvent, Membership

if TYPE_CHECKING:
    from django.http import HttpRequest


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a sign-in names, as stored (e-mail addresses are kept lower-case), so that
    `Ada@…` and `ada@…` count as the same account's attempts."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    return raw.strip().lower() if isinstance(raw, str) else None


def account_failures(username: str | None) -> int:
    """Wrong passwords for this account from every address within the cool-off time, each
    address counted up to its own limit: one address, however many tries it makes (refused
    ones included), weighs no more than a locked-out address, so pausing the account
    everywhere takes several addresses."""
    if not username:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    found = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum(Least("failures_since_start", Value(settings.AXES_FAILURE_LIMIT)))
    )
    return found["n"] or 0


def attempts_forget(user: User) -> int:
    """The person proved they hold their mailbox (a password reset completed): the wrong
    passwords counted against their account are forgotten, so that a pause someone else caused
    does not keep them out. How many address records went."""
    return AccessAttempt.objects.filter(username=user.email).delete()[0]


class AccountCeilingHandler(AxesDatabaseHandler):
    """django-axes' database handler with a second, wider limit. Axes locks one account from
    one address after `AXES_FAILURE_LIMIT` wrong passwords; someone guessing from many
    addresses (a botnet) would never reach it, so the account itself is paused after
    `AXES_ACCOUNT_FAILURE_LIMIT` wrong passwords from all addresses together within the
    cool-off time, each address counted up to its own limit (`account_failures`). That limit is
    much higher: anyone can type wrong passwords for any address, and the owner must not be
    locked out by a handful of them or by one persistent address; a completed password reset
    clears the count (`attempts_forget`)."""

    def get_failures(self, request, credentials=None) -> int:
        """The failures axes weighs against its limit (both when a sign-in arrives and after a
        wrong password): this address's for the account, or the limit itself once the account
        reached its ceiling from all addresses."""
        failures = super().get_failures(request, credentials)
        if failures < settings.AXES_FAILURE_LIMIT and (
            account_failures(username_of(request, credentials))
            >= settings.AXES_ACCOUNT_FAILURE_LIMIT
        ):
            return settings.AXES_FAILURE_LIMIT
        return failures


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (429): why, for how long, and what to do."""
    username = username_of(request, credentials)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "username": username or "",
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        # The whole account is paused (every address), not only this address's tries.
        "account_wide": account_failures(username) >= settings.AXES_ACCOUNT_FAILURE_LIMIT,
        "account_limit": settings.AXES_ACCOUNT_FAILURE_LIMIT,
    }
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def record(
    user: User | None,
    verb: str,
    request: HttpRequest | None,
    changes: dict[str, list[Any]] | None = None,
) -> int:
    """One audit event per organization the person belongs to; how many were written."""
    if user is None or user.pk is None:
        return 0
    address = client_ip(request) if request is not None else None
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    written = 0
    # In the person's own organizations (row-level security): before signing in, or after a
    # wrong password, the request has nobody's scope.
    with rls.scoped(rls.Scope.person_of(user.pk)):
        organization_ids = Membership.objects.filter(user_id=user.pk).values_list(
            "organization_id", flat=True
        )
        for organization_id in organization_ids:
            audit_event(
                organization_id=organization_id,
                actor_id=user.pk,
                verb=verb,
                target=user,
                changes=changes,
                ip_address=address,
                user_agent=agent,
            )
            written += 1
    return written


def _named(credentials: dict[str, Any] | None, request) -> User | None:
    email = username_of(request, credentials)
    return User.objects.filter(email=email).first() if email else None


@receiver(user_logged_in, dispatch_uid="accounts.security.signed_in")
def signed_in(sender, request, user, **kwargs):
    record(user, "user.signed_in", request)


@receiver(user_logged_out, dispatch_uid="accounts.security.signed_out")
def signed_out(sender, request, user, **kwargs):
    record(user, "user.signed_out", request)


@receiver(user_login_failed, dispatch_uid="accounts.security.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # A try refused by the lockout is not another wrong password: the lockout itself was
    # recorded once (user.locked_out), and anyone could otherwise fill the trail.
    if request is not None and getattr(request, "axes_locked_out", False):
        return
    record(_named(credentials, request), "user.sign_in_failed", request)


@receiver(user_locked_out, dispatch_uid="accounts.security.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    """Once per lockout: axes says it again at every refused try, which anyone could repeat.
    An account paused everywhere (`AccountCeilingHandler`) is its own event,
    `user.account_locked`, once whatever address tries next; an address's lockout is
    `user.locked_out`, once per address."""
    user = _named({"username": username}, request)
    if user is None:
        return
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    if account_failures(user.email) >= settings.AXES_ACCOUNT_FAILURE_LIMIT:
        verb, same = "user.account_locked", Q()
    else:
        verb, same = "user.locked_out", Q(ip_address=ip_address)
    with rls.scoped(rls.Scope.person_of(user.pk)):  # the trail of their organizations
        if AuditEvent.objects.filter(
            same, verb=verb, actor_id=user.pk, created_at__gte=since
        ).exists():
            return
    record(user, verb, request)
