"""Thin task wrappers: ids in, re-fetch with the tenant, then do the work."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse

from partnerships import selectors
from partnerships.models import PartnershipStatusChange

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def status_change_notify_task(*, organization_id: int, status_change_id: int) -> int:
    """E-mail the partnership's people that it moved (and why, and any override). The e-mail
    names the move and links to the partnership; it never carries staff or HR data."""
    change = (
        PartnershipStatusChange.objects.filter(organization_id=organization_id)
        .select_related("partnership__client", "partnership__organization", "changed_by")
        .filter(pk=status_change_id)
        .first()
    )
    if change is None:
        logger.info("Status change %s not found; nothing to send.", status_change_id)
        return 0
    partnership = change.partnership
    recipients = selectors.status_change_audience(
        partnership=partnership, exclude_user_id=change.changed_by_id
    )
    if not recipients:
        return 0
    url = settings.SITE_URL.rstrip("/") + reverse(
        "partnerships:detail",
        kwargs={"org_slug": partnership.organization.slug, "pk": partnership.pk},
    )
    subject = f"{partnership.name} moved to {change.get_to_status_display().lower()}" + (
        " (gate overridden)" if change.overridden else ""
    )
    body = render_to_string(
        "partnerships/email/status_changed.txt",
        {"change": change, "partnership": partnership, "url": url},
    )
    messages = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]) for person in recipients
    ]
    return send_mass_mail(messages)
