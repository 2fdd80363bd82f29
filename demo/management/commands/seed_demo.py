"""`manage.py seed_demo`: the demo organizations, people and partnerships behind `make run`.

The data is described in demo/data/ (a module per client) and written by demo/loader.py
through the services, so the demo partnerships carry real history and audit rows.
Idempotent: a second run creates and changes nothing (passwords of existing users are not
reset either).
"""

from __future__ import annotations

import textwrap
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from demo.data import DEMO_PASSWORD, ORGANIZATIONS, PLATFORM_OPERATORS
from demo.loader import load_organization, load_platform_operators
from tenancy import rls
from tenancy.models import Role

QUIET_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
HISTORY_DAYS = 13  # daily checks before today's, for the trend lines of the home pages


def _first_health_checks() -> list[tuple[str, str]]:
    """Two weeks of health checks of every demo partnership, one a day and then one now, as
    the scheduled sweep would have written them (each day's check reads the data as it
    stood that morning, so scores move and a worsening band raises its alert): the Health
    tab, the portfolio's trend lines and the alerts inbox have something to show from the
    start (then Celery beat checks every hour). Once only."""
    import datetime

    from django.utils import timezone

    from health.models import HealthCheck
    from health.portfolio_selectors import DAILY_CHECK_HOUR
    from health.services.checks import checks_run
    from tenancy.models import Organization

    created = []
    now = timezone.now()
    for organization in Organization.objects.filter(slug__in=[s.slug for s in ORGANIZATIONS]):
        if HealthCheck.objects.filter(organization=organization).exists():
            continue
        for days_ago in range(HISTORY_DAYS, 0, -1):
            then = (now - datetime.timedelta(days=days_ago)).replace(
                hour=DAILY_CHECK_HOUR, minute=0, second=0, microsecond=0
            )
            result = checks_run(organization=organization, period_start=then, now=then)
            created += [("health check", organization.slug)] * result.checked
        result = checks_run(organization=organization)
        created += [("health check", organization.slug)] * result.checked
    return created


def _settle_notifications() -> None:
    """The demo's history asked the client executives for sign-offs they then gave: those
    notifications are marked read, so that each bell counts what still waits (and the
    updates of the last days)."""
    from django.utils import timezone

    from dashboards import selectors
    from dashboards.models import Notification, NotificationKind
    from tenancy.models import Membership

    for membership in Membership.objects.filter(
        organization__slug__in=[s.slug for s in ORGANIZATIONS], role=Role.CLIENT_EXECUTIVE
    ).select_related("organization", "user", "client"):
        waiting = selectors.awaiting_client(membership=membership)
        keys = {
            f"cosign:{item['object_id']}"
            if item["kind"] == "cosign_discovery"
            else f"opportunity:{item['object_id']}"
            if item["kind"] == "decide_opportunity"
            else f"preference-version:{item['version_id']}"
            if item["kind"] == "approve_preference"
            else ""
            for item in waiting
        }
        settled = Notification.objects.filter(
            organization=membership.organization,
            recipient=membership.user,
            kind=NotificationKind.AWAITING,
            read_at__isnull=True,
        ).exclude(key__in=keys)
        goals_waiting = {i["partnership_id"] for i in waiting if i["kind"] == "sign_off_goals"}
        settled = settled.exclude(key__startswith="goals:", partnership_id__in=goals_waiting)
        settled.update(read_at=timezone.now())


class Command(BaseCommand):
    help = (
        "Load the demo organizations, people and partnerships (idempotent). "
        f"Every demo login uses the password '{DEMO_PASSWORD}'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even with DEBUG off (never on a real deployment).",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a published password, so it only runs with "
                "DEBUG on. Use --force to load the demo data anyway (never on a real "
                "deployment)."
            )
        created: list[tuple[str, str]] = []  # (kind, what)
        # The demo people's addresses are made up: the notifications their activity makes are
        # stored (the bells and the digests show them) but no e-mail leaves.
        # Every organization's demo data: an explicit cross-tenant path (tenancy/rls.py).
        # Outside the transaction, so that its after-commit work keeps the scope too.
        with override_settings(MAILERS=QUIET_MAILERS), rls.system(), transaction.atomic():
            for spec in ORGANIZATIONS:
                created += load_organization(spec, password=DEMO_PASSWORD)
            created += load_platform_operators(PLATFORM_OPERATORS, password=DEMO_PASSWORD)
            created += _first_health_checks()
            if created:
                _settle_notifications()
        if created:
            counts = Counter(kind for kind, _ in created)
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
            self.stdout.write(
                textwrap.fill(f"Created: {summary}.", width=100, subsequent_indent="  ")
            )
            if options.get("verbosity", 1) > 1:
                for kind, what in created:
                    self.stdout.write(f"  + {kind} {what}")
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self._print_logins()

    def _print_logins(self) -> None:
        people = [(spec.slug, person) for spec in ORGANIZATIONS for person in spec.everyone()]
        rows = [(p.email, p.full_name, Role(p.role).label, slug) for slug, p in people]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password '{DEMO_PASSWORD}'):"))
        for email, name, role, slug in rows:
            self.stdout.write(
                f"  {email:<{widths[0]}}  {name:<{widths[1]}}  {role:<{widths[2]}}  /o/{slug}/"
            )
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"Sign in at {site}/login/. The Django admin ({site}/admin/) is for")
        self.stdout.write("platform staff only (no organization's member), the demo operator:")
        for person in PLATFORM_OPERATORS:
            self.stdout.write(f"  {person.email:<{widths[0]}}  {person.full_name}")
