"""Thin task wrappers: ids in, re-fetch with the tenant, call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from tenancy.rls import system_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_send_task(*, organization_id: int, invitation_id: int, token: str) -> bool:
    """Send the invitation e-mail. Idempotent: an invitation is e-mailed at most once."""
    invitation = (
        Invitation.objects.pending()
        .select_related("organization", "invited_by", "client")
        .filter(organization_id=organization_id, pk=invitation_id, sent_at__isnull=True)
        .first()
    )
    if invitation is None:
        logger.info("Invitation %s not pending or already sent; nothing to do.", invitation_id)
        return False
    accept_url = settings.SITE_URL.rstrip("/") + reverse("accounts:invitation-accept", args=[token])
    context = {"invitation": invitation, "accept_url": accept_url}
    send_mail(
        subject=f"You are invited to {invitation.organization.name} on Switchboard",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


@shared_task
@system_task  # across organizations (tenancy/rls.py)
def invitations_expire_task() -> int:
    """Hourly: count invitations that expired unused (they stop working by themselves; this
    keeps the number visible in the worker log)."""
    expired = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now()
    ).count()
    logger.info("%d invitations have expired unused.", expired)
    return expired
