"""The base of transition's API: the shared partnership-scoped base (the partnership
resolved once), the HR visibility decided once per request, the view log, and the calendar
feed's key authentication."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, renderers

from partnerships.api.base import PartnershipScopedViewSet
from tenancy import access, rls
from tenancy.access import Action
from transition import services
from transition.models import CalendarFeedKey


class TransitionViewSet(PartnershipScopedViewSet):
    """Every transition route under `partnerships/<partnership_pk>/`."""

    @cached_property
    def hr_visible(self) -> bool:
        """May the member see the HR-sensitive fields of this partnership's staff?"""
        return access.can(self.membership, Action.VIEW_HR, self.partnership)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "partnership"):
            context["hr_visible"] = self.hr_visible
        return context

    def log_hr_views(
        self,
        rows: Iterable,
        *,
        context: str,
        fields: tuple[str, ...],
        person: Callable[[object], tuple[int | None, str]],
    ) -> None:
        """Record who was shown which person's HR-sensitive data: the rows whose sensitive
        fields were in the response and held something. One insert, however many rows."""
        shown = [row for row in rows if any(getattr(row, name) for name in fields)]
        if shown and self.hr_visible:
            services.sensitive_access_record(
                membership=self.membership,
                partnership=self.partnership,
                people=[person(row) for row in shown],
                context=context,
                fields=fields,
            )


# --- The iCalendar feed ----------------------------------------------------------------


class CalendarFeedKeyAuthentication(authentication.BaseAuthentication):
    """`…/my-tasks/calendar/feed/<feed key>/`: calendar applications cannot send headers, so the
    key is in the path, where every log masks it (`tenancy.logmask`); never in a query
    string. Only the feed route lists this class, so a feed key opens nothing else."""

    def authenticate(self, request):
        raw = (request.parser_context or {}).get("kwargs", {}).get("feed_key")
        if not raw:
            return None
        with rls.system():  # the key names its organization: looked up across all of them
            key = (
                CalendarFeedKey.objects.select_related("user")
                .filter(key_hash=CalendarFeedKey.hash_key(raw))
                .first()
            )
        if key is None or key.revoked_at is not None or not key.user.is_active:
            if "HTTP_AUTHORIZATION" in request.META or request._request.user.is_authenticated:
                return None  # a token or a session: it decides (the own feed, or 404)
            raise exceptions.AuthenticationFailed("Invalid or revoked calendar key.")
        rls.narrow(rls.Scope.of([key.organization_id], key.user_id))
        now = timezone.now()
        # Calendar apps poll often: touch at most once an hour.
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 3600:
            CalendarFeedKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return key.user, key

    def authenticate_header(self, request) -> str:
        return 'CalendarFeedKey realm="api"'  # a wrong key is 401, like a wrong token


class CalendarFeedKeyScheme(OpenApiAuthenticationExtension):
    target_class = CalendarFeedKeyAuthentication
    name = "calendarFeedKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Calendar-Feed-Key",
            "description": (
                "Not a header: the secret of a member's calendar feed travels in the path,"
                " my-tasks/calendar/feed/{feed_key}/ (issued by my-tasks/calendar-key/)."
            ),
        }


class ICalendarRenderer(renderers.BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        if isinstance(data, dict) and "detail" in data:
            return str(data["detail"]).encode()  # an error, as plain text
        return str(data).encode()
