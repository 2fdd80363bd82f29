"""The base of the transition pages: the partnership resolved once from the URL through the
access policy (404 when it is not visible), the object named by `pk` looked up inside it
(404 likewise), the permission flags the pages read, and the view log of HR-sensitive data.
"""

from __future__ import annotations

import datetime
from functools import cached_property

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView, View

from partnerships.models import Partnership
from tenancy import access
from tenancy.errors import ApplicationError
from tenancy.rest import NOT_FOUND
from tenancy.views import OrgScopedMixin
from transition import access as transition_access
from transition import services
from transition.models import StaffRole

SERVICE_ERRORS = (ApplicationError, ValidationError)
# Roles whose record offers "Appoint as implementation PM": the client's managers.
MANAGER_ROLES = (StaffRole.CALL_CENTER_MANAGER, StaffRole.SUPERVISOR)


def partnership_for(membership, pk) -> Partnership:
    """The partnership the member sees, with what the permission checks read (its PMs and
    account manager) loaded once; 404 with the same message whether it is missing,
    another tenant's or not visible to this member."""
    partnership = (
        access.visible(membership, Partnership)
        .select_related("client", "account_manager")
        .prefetch_related("implementation_pms")
        .filter(pk=pk)
        .first()
    )
    if partnership is None:
        raise Http404(NOT_FOUND)
    partnership.organization = membership.organization  # already resolved from the URL
    return partnership


class PartnershipMixin:
    """Sits after `OrgScopedMixin` in the bases: loads `self.partnership` and, when the URL
    names one, `self.object` (a row of `model` inside that partnership)."""

    section = ""
    object_select: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        self.partnership = partnership_for(self.membership, kwargs["partnership_pk"])
        self.object = self.load_object(kwargs["pk"]) if "pk" in kwargs else None
        return super().dispatch(request, *args, **kwargs)

    def load_object(self, pk):
        obj = (
            self.get_queryset()
            .filter(partnership=self.partnership, pk=pk)
            .select_related(*self.object_select)
            .first()
        )
        if obj is None:
            raise Http404(NOT_FOUND)
        obj.partnership = self.partnership
        return obj

    @cached_property
    def can_change(self) -> bool:
        return transition_access.can_change_work(self.membership, self.partnership)

    @cached_property
    def can_comment(self) -> bool:
        return transition_access.can_comment(self.membership, self.partnership)

    @cached_property
    def hr_visible(self) -> bool:
        return transition_access.can_see_hr(self.membership, self.partnership)

    @cached_property
    def today(self) -> datetime.date:
        return self.organization.local_today()

    def require_change(self) -> None:
        """Visible but not allowed: 403."""
        if not self.can_change:
            raise PermissionDenied("Your role does not allow this.")

    def url(self, name: str, **kwargs) -> str:
        return reverse(
            f"transition:{name}",
            kwargs={
                "org_slug": self.organization.slug,
                "partnership_pk": self.partnership.pk,
                **kwargs,
            },
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            nav="partnerships",
            tab="transition",
            section=self.section,
            partnership=self.partnership,
            can_change=self.can_change,
            can_comment=self.can_comment,
            hr_visible=self.hr_visible,
            can_see_internal=access.can_see_internal(self.membership),
            today=self.today,
        )
        return context

    def log_hr_view(self, people, *, context: str, fields) -> None:
        """Record that HR-sensitive data about these people was on the page."""
        people = list(people)
        if people:
            services.sensitive_access_record(
                membership=self.membership,
                partnership=self.partnership,
                people=people,
                context=context,
                fields=fields,
            )


class TransitionPage(OrgScopedMixin, PartnershipMixin, TemplateView):
    pass


class TransitionAction(OrgScopedMixin, PartnershipMixin, View):
    """POST only: do one thing through a service, then back to a page with the outcome."""

    http_method_names = ["post"]


def errors_as_message(error: ApplicationError | ValidationError) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)
