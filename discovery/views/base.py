"""The scoped base of the discovery pages.

Order of checks on every page (as in the API): the organization, the partnership and the
object, both through the access policy (404, same message, when missing or not visible),
the role (403; `PartnershipPageMixin`), then the state (409: the optimization gate, frozen
discovery). Writes go through `discovery.services` only; their errors are shown on the field
they name.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView, View

from discovery import selectors, services
from discovery.models import DiscoverySignOff
from partnerships.base import PartnershipPageMixin
from partnerships.forms import add_service_error
from tenancy import access
from tenancy.access import Action
from tenancy.errors import ApplicationError

# --- The scoped base -----------------------------------------------------------------------


class DiscoveryMixin(PartnershipPageMixin):
    """A page of a partnership's discovery, under /o/<org_slug>/<partnership_pk>/discovery/."""

    url_namespace = "discovery"
    tab = "discovery"
    section = "overview"  # the discovery section the page belongs to

    @cached_property
    def perms(self) -> dict[str, bool]:
        """What the templates offer besides changing the work (`can_change`)."""
        membership, partnership = self.membership, self.partnership
        return {
            # The discovery sign-off is the dedicated account manager's (or an admin's);
            # goal sign-off, co-signature and decisions are the client executive's.
            "sign_off": access.can(membership, Action.PROVIDER_SIGN_OFF, partnership),
            "client": access.can(membership, Action.CLIENT_SIGN_OFF, partnership),
            # Reopening is the account manager's; the client executive asks for it.
            "reopen": access.can(membership, Action.PROVIDER_SIGN_OFF, partnership),
        }

    @cached_property
    def open_sign_off(self) -> DiscoverySignOff | None:
        return selectors.discovery_open_sign_off(partnership=self.partnership)

    def overview_url(self, anchor: str = "") -> str:
        url = self.url("overview")
        return f"{url}#{anchor}" if anchor else url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["perms"] = self.perms
        return context


def kpi_choices(membership):
    """The KPIs a form offers: the organization's catalog, the default one on first use."""
    services.kpi_catalog_ready(organization=membership.organization)
    return selectors.kpi_catalog(membership=membership)


# --- Forms and actions ---------------------------------------------------------------------


class DiscoveryFormView(DiscoveryMixin, FormView):
    """A form page whose valid input goes to one service call."""

    template_name = "discovery/form.html"
    object_action = Action.CHANGE_WORK
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
    object_action = Action.CHANGE_WORK

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
