"""Writes for memberships, invitations and API tokens. Keyword-only, atomic, audited."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import signals, twofactor
from accounts.models import ApiToken, Invitation, User
from tenancy import access, rls
from tenancy.access import Action
from tenancy.audit import Actor, audit_record
from tenancy.errors import ApplicationError
from tenancy.models import Membership, Role

logger = logging.getLogger(__name__)


def _require(actor: Actor, action: Action) -> None:
    if not access.can(actor.membership, action):
        raise PermissionDenied("Your role does not allow this.")


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once, in the e-mail (and to the admin); only its hash is stored
    # Whether the e-mail was queued: None until the transaction commits (the task is queued
    # on commit), then True, or False when the broker refused it (the invitation stands).
    outcome: dict = field(default_factory=lambda: {"queued": None})

    @property
    def queued(self) -> bool | None:
        return self.outcome["queued"]


def _queue_invitation_email(issued: IssuedInvitation) -> None:
    """Queue the e-mail once the invitation is committed. When the broker is down the
    invitation still stands: the failure is logged and recorded on `issued`, so the page
    can say so and offer to resend or copy the link, instead of a 500."""
    from accounts.tasks import invitation_send_task

    ids = {
        "organization_id": issued.invitation.organization_id,
        "invitation_id": issued.invitation.pk,
        "token": issued.token,
    }

    def queue() -> None:
        try:
            invitation_send_task.delay(**ids)
        except Exception:  # kombu's OperationalError, a refused connection, a timeout…
            logger.exception("Could not queue the e-mail of invitation %s.", ids["invitation_id"])
            issued.outcome["queued"] = False
        else:
            issued.outcome["queued"] = True

    transaction.on_commit(queue)


@transaction.atomic
def invitation_create(*, actor: Actor, email: str, role: str, client=None) -> IssuedInvitation:
    """Invite someone by e-mail; the e-mail goes out from a task once this commits."""
    _require(actor, Action.INVITE)
    email = email.strip().lower()
    organization = actor.organization
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ApplicationError(f"{email} is already a member of {organization}.", field="email")
    if Invitation.objects.pending().filter(organization=organization, email__iexact=email).exists():
        raise ApplicationError(
            f"{email} already has a pending invitation; revoke it to send a new one.",
            field="email",
        )
    if role not in Role.values:
        raise ApplicationError(f"“{role}” is not a role.", field="role")
    if client is not None and client.organization_id != organization.pk:
        raise ApplicationError("The client belongs to another organization.", field="client")
    if role == Role.CLIENT_EXECUTIVE and client is None:
        raise ApplicationError("A client executive must be invited for a client.", field="client")
    if role != Role.CLIENT_EXECUTIVE:
        client = None
    raw = Invitation.new_token()
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        client=client,
        invited_by_id=actor.membership.user_id,
        token_hash=Invitation.hash_token(raw),
        expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor,
        verb="member.invited",
        target=invitation,
        changes={"email": [None, email], "role": [None, role]},
    )
    issued = IssuedInvitation(invitation=invitation, token=raw)
    _queue_invitation_email(issued)
    return issued


@transaction.atomic
def invitation_resend(*, actor: Actor, invitation: Invitation) -> IssuedInvitation:
    """Send a pending invitation again, with a new link (only a hash of the link is stored,
    so a new one is the only one the admin can be shown); the old link stops working and
    the new one works for the full period again."""
    _require(actor, Action.INVITE)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != "pending":
        raise ApplicationError(
            f"This invitation is already {invitation.state}; invite them again instead.",
            field="invitation",
        )
    raw = Invitation.new_token()
    invitation.token_hash = Invitation.hash_token(raw)
    invitation.sent_at = None
    invitation.expires_at = timezone.now() + datetime.timedelta(
        days=settings.INVITATION_MAX_AGE_DAYS
    )
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "updated_at"])
    audit_record(actor=actor, verb="member.invitation_resent", target=invitation)
    issued = IssuedInvitation(invitation=invitation, token=raw)
    _queue_invitation_email(issued)
    return issued


def invitation_link(raw: str) -> str:
    """The accept link a token opens (what the e-mail carries)."""
    return settings.SITE_URL.rstrip("/") + reverse("accounts:invitation-accept", args=[raw])


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    _require(actor, Action.INVITE)
    if invitation.state != "pending":
        raise ApplicationError(
            f"This invitation is already {invitation.state}.", field="invitation"
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=actor, verb="member.invitation_revoked", target=invitation)
    return invitation


def invitation_for_token(raw: str) -> Invitation | None:
    """The pending invitation a token opens, or None (expired, used, revoked, unknown)."""
    return (
        Invitation.objects.pending()
        .select_related("organization", "client")
        .filter(token_hash=Invitation.hash_token(raw))
        .first()
    )


@transaction.atomic
def invitation_accept(
    *, raw_token: str, full_name: str = "", password: str | None = None, user: User | None = None
) -> Membership:
    """Accept an invitation: set a password for a new user (or use the signed-in one) and
    create the membership. The invitation can be used once."""
    invitation = (
        Invitation.objects.pending()
        .select_for_update()
        .filter(token_hash=Invitation.hash_token(raw_token))
        .first()
    )
    if invitation is None:
        raise ApplicationError(
            "This invitation link is not valid any more (used, revoked or expired). "
            "Ask your administrator for a new one.",
            field="token",
        )
    if user is None:
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            if not password:
                raise ApplicationError("Choose a password.", field="password")
            candidate = User(email=invitation.email, full_name=full_name.strip())
            try:
                validate_password(password, user=candidate)
            except ValidationError as error:
                raise ApplicationError(" ".join(error.messages), field="password") from error
            user = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name.strip()
            )
        elif password:
            raise ApplicationError(
                "An account with this e-mail exists: sign in to accept the invitation.",
                field="email",
            )
    elif user.email.lower() != invitation.email.lower():
        raise ApplicationError(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}.",
            field="email",
        )
    if Membership.objects.filter(organization=invitation.organization, user=user).exists():
        raise ApplicationError("You are already a member of this organization.", field="email")
    membership = Membership(
        organization=invitation.organization,
        user=user,
        role=invitation.role,
        client=invitation.client,
    )
    membership.full_clean()
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    audit_record(
        actor=Actor(membership=membership),
        verb="member.joined",
        target=membership,
        changes={"role": [None, membership.role]},
    )
    # Feature apps act on the new member here (transition assigns a client manager
    # appointed PM from its staff roster to the partnerships that appointed them).
    signals.member_joined.send(sender=Membership, membership=membership)
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor, membership: Membership) -> None:
    _require(actor, Action.MANAGE_MEMBERS)
    if membership.pk == actor.membership.pk:
        raise ApplicationError("You cannot remove yourself.", field="membership")
    # Feature apps refuse (partnerships: a dedicated account manager must be replaced first)
    # or let go of what the member held (their PM assignments).
    let_go = _counts(signals.member_leaving.send(sender=Membership, membership=membership))
    # The member's tokens of this organization die with the membership: a token must not
    # work again if the person is invited back (they would make new ones).
    revoked = ApiToken.objects.filter(
        organization_id=membership.organization_id,
        user_id=membership.user_id,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        verb="member.removed",
        target=membership,
        changes={
            "role": [membership.role, None],
            "user": [membership.user.email, None],
            "api_tokens_revoked": [None, revoked],
            **{what: [None, count] for what, count in let_go.items()},
        },
    )
    membership.delete()


def _counts(answers) -> dict[str, int]:
    """What the receivers of a signal said they let go of: {what: how many}."""
    counts: dict[str, int] = {}
    for _, answer in answers:
        if isinstance(answer, dict):
            for what, count in answer.items():
                counts[what] = counts.get(what, 0) + count
    return counts


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once; only its hash is stored


# How long a new token may live, in days (None: until revoked).
TOKEN_LIFETIMES = (30, 90, 365, None)


@transaction.atomic
def api_token_create(
    *, actor: Actor, name: str, read_only: bool = False, expires_in_days: int | None = None
) -> IssuedToken:
    """A new token for the member. Tokens are for the provider's integrations (telephony and
    ACD systems, scripts): a client executive's portal needs none, so they may not create
    one (a token they already hold stays theirs to see and revoke). A read-only token may
    only read; one with a lifetime stops working at its end."""
    if not actor.membership.is_provider:
        raise PermissionDenied("API tokens are for the provider's integrations.")
    if not name.strip():
        raise ApplicationError("Name the token after what will use it.", field="name")
    if expires_in_days not in TOKEN_LIFETIMES:
        raise ApplicationError("Choose 30, 90 or 365 days, or no expiry.", field="expires_in_days")
    key = ApiToken.new_key()
    token = ApiToken(
        organization_id=actor.membership.organization_id,
        user_id=actor.membership.user_id,
        name=name.strip(),
        prefix=key[: ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
        read_only=read_only,
        expires_at=(
            timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
        ),
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        verb="api_token.created",
        target=token,
        changes={
            "read_only": [None, read_only],
            "expires_at": [None, token.expires_at.isoformat() if token.expires_at else None],
        },
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """The owner revokes their token; an admin revokes any member's (their own included)."""
    owner = token.user_id == actor.membership.user_id
    if not owner and actor.membership.role != Role.ADMIN:
        raise PermissionDenied("Only the token's owner or an admin may revoke it.")
    if token.revoked_at:
        raise ApplicationError("This token is already revoked.", field="token")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    changes = {} if owner else {"owner": [token.user.email, None], "revoked_by": ["", "admin"]}
    audit_record(actor=actor, verb="api_token.revoked", target=token, changes=changes)
    return token


@transaction.atomic
def user_deactivated(*, user: User) -> dict[str, int]:
    """A person's account was switched off (the Django admin): every token of theirs, in every
    organization, is revoked for good, so that switching the account back on does not bring
    them back; feature apps revoke their own secrets (`signals.user_deactivated`: a calendar
    feed's key). (Their sessions already end: an inactive user is signed out at the next
    request.) What was revoked: {"api_tokens_revoked": n, "calendar_feed_keys_revoked": m}."""
    revoked = ApiToken.objects.filter(user_id=user.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return {
        "api_tokens_revoked": revoked,
        **_counts(signals.user_deactivated.send(sender=User, user=user)),
    }


# --- Two-factor sign-in ----------------------------------------------------------------


@transaction.atomic
def two_factor_requirement_set(*, actor: Actor, required: bool) -> None:
    """Whether the organization's admins and account managers must use a second factor."""
    _require(actor, Action.MANAGE_MEMBERS)
    organization = actor.membership.organization
    before = organization.two_factor_required
    if before == required:
        return
    organization.two_factor_required = required
    organization.save(update_fields=["two_factor_required"])
    audit_record(
        actor=actor,
        verb="organization.two_factor_required",
        target=organization,
        changes={"two_factor_required": [before, required]},
    )


@transaction.atomic
def member_two_factor_reset(*, actor: Actor, membership: Membership) -> None:
    """A member lost their phone and their recovery codes: their app and codes are removed,
    and they set the app up again at their next sign-in (with their password). An admin may
    do it only for someone who belongs to this organization alone: for a person who is also
    in another, it would weaken an account this organization does not own (platform staff
    do it in the Django admin)."""
    _require(actor, Action.MANAGE_MEMBERS)
    if membership.organization_id != actor.membership.organization_id:
        raise PermissionDenied("Not a member of this organization.")
    if membership.pk == actor.membership.pk:
        raise ApplicationError(
            "Reset your own on your security page (you are signed in with it).",
            field="membership",
        )
    if membership.user.is_staff or membership.user.is_superuser:
        raise ApplicationError(
            f"{membership.user} is Switchboard platform staff: ask the platform team to reset"
            " their two-factor sign-in.",
            field="membership",
        )
    # Memberships elsewhere are outside this organization's scope: an explicit cross-tenant
    # read (row-level security, tenancy/rls.py), of whether there is one, nothing more.
    with rls.system():
        elsewhere = (
            Membership.objects.filter(user_id=membership.user_id).exclude(pk=membership.pk).exists()
        )
    if elsewhere:
        raise ApplicationError(
            f"{membership.user} also belongs to another organization: ask Switchboard's"
            " platform staff to reset their two-factor sign-in.",
            field="membership",
        )
    twofactor.turn_off(membership.user)
    audit_record(
        actor=actor,
        verb="member.two_factor_reset",
        target=membership,
        changes={"two_factor": ["on", "off"]},
    )
