"""The scoped base of the discovery pages.

Order of checks on every page (as in the API): the organization (OrgScopedMixin), the
partnership and the object, both through the access policy (404, same message, when missing
or not visible), the role (403), then the state (409: the optimization gate, frozen
discovery). Writes go through `discovery.services` only; their errors are shown on the field
they name.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, View

from discovery import selectors
from discovery.models import DiscoverySignOff
from partnerships.forms import add_service_error
from partnerships.models import Partnership
from tenancy import access
from tenancy.access import Action
from tenancy.errors import ApplicationError
from tenancy.models import Role
from tenancy.rest import NOT_FOUND
from tenancy.views import OrgScopedMixin


def int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None


# --- The scoped base -----------------------------------------------------------------------


class _PartnershipStep:
    """Runs after OrgScopedMixin has resolved the membership: the partnership, then the
    object of the page (both 404 when not visible), then the role (403)."""

    action: Action | None = Action.VIEW

    def dispatch(self, request, *args, **kwargs):
        self.partnership = self.get_partnership()
        self.object = self.load_object() if "pk" in kwargs else None
        self.check_role()
        refusal = self.check_state()
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)

    def get_partnership(self) -> Partnership:
        queryset = access.visible(self.membership, Partnership.objects.with_people())
        partnership = queryset.filter(pk=int_or_404(self.kwargs["partnership_pk"])).first()
        if partnership is None:
            raise Http404(NOT_FOUND)
        partnership.organization = self.organization
        return partnership

    def load_object(self):
        queryset = self.get_queryset().filter(partnership=self.partnership)
        try:
            obj = queryset.get(pk=int_or_404(self.kwargs["pk"]))
        except ObjectDoesNotExist:
            raise Http404(NOT_FOUND) from None
        # The policy and the services read `obj.partnership`: reuse the one resolved above.
        obj.partnership = self.partnership
        return obj

    def check_role(self) -> None:
        if self.action is not None:
            self.require(self.action, self.object or self.partnership)

    def check_state(self):
        """A response that refuses the page in the partnership's current state, or None."""
        return None


class DiscoveryMixin(OrgScopedMixin, _PartnershipStep):
    """A page of a partnership's discovery, under /o/<org_slug>/<partnership_pk>/discovery/."""

    section = "overview"  # the discovery section the page belongs to

    def visible(self, model):
        """`model`'s rows of this partnership that the member sees."""
        return access.visible(self.membership, model).filter(partnership=self.partnership)

    @cached_property
    def perms(self) -> dict[str, bool]:
        membership, partnership = self.membership, self.partnership
        signs = access.can(membership, Action.SIGN_OFF, partnership)
        return {
            "work": access.can(membership, Action.CHANGE_WORK, partnership),
            # The discovery sign-off is the dedicated account manager's (or an admin's);
            # goal sign-off, co-signature and decisions are the client executive's.
            "sign_off": signs and membership.is_provider,
            "client": signs and membership.role == Role.CLIENT_EXECUTIVE,
            "reopen": signs,
            "internal": access.can_see_internal(membership),
        }

    @cached_property
    def open_sign_off(self) -> DiscoverySignOff | None:
        return selectors.discovery_open_sign_off(partnership=self.partnership)

    def require_perm(self, name: str, message: str) -> None:
        if not self.perms[name]:
            raise PermissionDenied(message)

    def overview_url(self, anchor: str = "") -> str:
        url = reverse(
            "discovery:overview",
            kwargs={"org_slug": self.organization.slug, "partnership_pk": self.partnership.pk},
        )
        return f"{url}#{anchor}" if anchor else url

    def url(self, name: str, **kwargs) -> str:
        kwargs = {
            "org_slug": self.organization.slug,
            "partnership_pk": self.partnership.pk,
        } | kwargs
        return reverse(f"discovery:{name}", kwargs=kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            nav="partnerships",
            tab="discovery",
            section=self.section,
            partnership=self.partnership,
            perms=self.perms,
            can_see_internal=self.perms["internal"],
        )
        return context


def kpi_choices(membership):
    return selectors.kpi_catalog(membership=membership)


# --- Forms and actions ---------------------------------------------------------------------


class DiscoveryFormView(DiscoveryMixin, FormView):
    """A form page whose valid input goes to one service call."""

    template_name = "discovery/form.html"
    action = Action.CHANGE_WORK
    page_title = ""
    intro = ""
    submit_label = "Save"
    multipart = False
    # Discovery records are frozen while discovery is signed off: say so before the form.
    frozen_record = True
    anchor = ""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(membership=self.membership, partnership=self.partnership)
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_title=self.get_page_title(),
            intro=self.intro,
            submit_label=self.submit_label,
            multipart=self.multipart,
            cancel_url=self.get_cancel_url(),
            frozen=self.open_sign_off if self.frozen_record else None,
        )
        return context

    def get_page_title(self) -> str:
        return self.page_title

    def get_cancel_url(self) -> str:
        return self.overview_url(self.anchor)

    def get_success_url(self) -> str:
        return self.overview_url(self.anchor)

    def perform(self, form) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def form_valid(self, form):
        try:
            message = self.perform(form)
        except (ApplicationError, ValidationError) as error:
            self.put_error(form, error)
            status = getattr(error, "status", 400)
            return self.render_to_response(
                self.get_context_data(form=form), status=409 if status == 409 else 200
            )
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url())

    def put_error(self, form, error) -> None:
        add_service_error(form, error)


class DiscoveryActionView(DiscoveryMixin, View):
    """A POST-only action (delete, review, mark implemented): back to a page with the
    outcome as a message."""

    http_method_names = ["post"]
    action = Action.CHANGE_WORK

    def post(self, request, *args, **kwargs):
        try:
            message = self.perform()
        except ApplicationError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, message)
            return redirect(self.get_success_url())
        return redirect(self.get_failure_url())

    def perform(self) -> str:
        raise NotImplementedError

    def get_success_url(self) -> str:
        return self.overview_url()

    def get_failure_url(self) -> str:
        return self.get_success_url()
