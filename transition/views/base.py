"""The base of the transition pages: `PartnershipPageMixin` resolves the partnership once
from the URL through the access policy (404 when it is not visible) and the object named by
`pk` inside it (404 likewise); this adds the flags the pages read and the view log of
HR-sensitive data.
"""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.functional import SimpleLazyObject
from django.views.generic import TemplateView, View

from partnerships.base import PartnershipPageMixin
from tenancy import access
from tenancy.access import Action
from tenancy.errors import ApplicationError
from transition import services
from transition.models import StaffRole

SERVICE_ERRORS = (ApplicationError, ValidationError)
# Roles whose record offers "Appoint as implementation PM": the client's managers.
MANAGER_ROLES = (StaffRole.CALL_CENTER_MANAGER, StaffRole.SUPERVISOR)


class PartnershipMixin(PartnershipPageMixin):
    """A page of a partnership's transition, under /o/<org_slug>/<partnership_pk>/transition/."""

    url_namespace = "transition"
    tab = "transition"

    @cached_property
    def can_decide(self) -> bool:
        """May the member record the go/no-go decision?"""
        return access.can(self.membership, Action.GO_NO_GO, self.partnership)

    @cached_property
    def hr_visible(self) -> bool:
        """May the member see the HR-sensitive fields of this partnership's staff?"""
        return access.can(self.membership, Action.VIEW_HR, self.partnership)

    def require_change(self) -> None:
        """Visible but not allowed: 403."""
        self.require(Action.CHANGE_WORK)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Read only by the pages that show people (a PM's people access costs a query).
        context.update(hr_visible=SimpleLazyObject(lambda: self.hr_visible), today=self.today)
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


class TransitionPage(PartnershipMixin, TemplateView):
    pass


class TransitionAction(PartnershipMixin, View):
    """POST only: do one thing through a service, then back to a page with the outcome."""

    http_method_names = ["post"]


def errors_as_message(error: ApplicationError | ValidationError) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)
