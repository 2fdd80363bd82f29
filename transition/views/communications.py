"""The stakeholder communications plan."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.http import HttpResponseRedirect

from partnerships.forms import add_service_error
from transition import services
from transition.forms import CommunicationForm
from transition.models import (
    CommunicationItem,
    StakeholderGroup,
)
from transition.views.base import (
    SERVICE_ERRORS,
    TransitionAction,
    TransitionPage,
    errors_as_message,
)

# --- Communications plan ---------------------------------------------------------------


class CommunicationFormMixin:
    @cached_property
    def groups(self) -> list[StakeholderGroup]:
        return list(self.visible(StakeholderGroup))

    def communication_form(self, data=None, instance=None) -> CommunicationForm:
        return CommunicationForm(
            data,
            organization=self.organization,
            groups=self.groups,
            instance=instance,
            initial=None if instance else {"planned_on": self.today},
        )


class CommunicationsView(CommunicationFormMixin, TransitionPage):
    """The stakeholder communications plan: who hears what, how, when, from whom."""

    model = CommunicationItem
    template_name = "transition/communications.html"
    section = "communications"

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = self.communication_form(request.POST)
        if form.is_valid():
            try:
                services.communication_create(
                    actor=self.actor, partnership=self.partnership, **form.service_fields()
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Message added to the communications plan.")
                return HttpResponseRedirect(self.url("communications"))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = list(
            self.visible(CommunicationItem)
            .select_related("owner", "group")
            .order_by("planned_on", "id")
        )
        for item in items:
            item.overdue = item.is_overdue(self.today)
        context.update(
            items=items,
            sent_count=sum(1 for item in items if item.sent_at),
            overdue_count=sum(1 for item in items if item.overdue),
        )
        if self.can_change:
            context.setdefault("form", self.communication_form())
        return context


class CommunicationUpdateView(CommunicationFormMixin, TransitionPage):
    model = CommunicationItem
    template_name = "transition/communication_form.html"
    section = "communications"

    def get(self, request, *args, **kwargs):
        self.require_change()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = self.communication_form(request.POST, instance=self.object)
        if form.is_valid():
            try:
                services.communication_update(
                    actor=self.actor, item=self.object, **form.service_fields()
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Communication saved.")
                return HttpResponseRedirect(self.url("communications"))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.communication_form(instance=self.object))
        context["item"] = self.object
        return context


class CommunicationSentView(TransitionAction):
    model = CommunicationItem

    def post(self, request, *args, **kwargs):
        self.require_change()
        try:
            services.communication_mark_sent(actor=self.actor, item=self.object)
        except SERVICE_ERRORS as error:
            messages.error(request, errors_as_message(error))
        else:
            messages.success(request, f"Marked sent: {self.object.audience}.")
        return HttpResponseRedirect(self.url("communications"))
