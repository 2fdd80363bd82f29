"""The scoped base for the API: organization resolved once from `org_slug`, querysets from
the access policy, one error shape for application and validation errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tenancy import access, generation, renderers
from tenancy.access import Action
from tenancy.audit import Actor
from tenancy.models import TenantModel
from tenancy.rest import NOT_FOUND
from tenancy.views import membership_for


class OrgScopedViewSet(GenericViewSet):
    """Every tenant route's base. Subclasses declare `queryset`; scoping happens here."""

    lookup_value_regex = r"[0-9]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication first
        self.membership = membership_for(request.user, kwargs["org_slug"])
        self.organization = self.membership.organization
        token = getattr(request, "auth", None)
        # A token works in the one organization it was issued for, nowhere else.
        if token is not None and getattr(token, "organization_id", None) != self.organization.pk:
            raise exceptions.NotFound(NOT_FOUND)

    @property
    def actor(self) -> Actor:
        return Actor.from_request(self.request, self.membership)

    def get_queryset(self):
        queryset = super().get_queryset()
        if not issubclass(queryset.model, TenantModel):
            raise ImproperlyConfigured(
                f"{queryset.model.__name__} is not tenant-owned; it cannot be served scoped."
            )
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return access.visible(self.membership, queryset)

    def require(self, action: Action, obj=None) -> None:
        if not access.can(self.membership, action, obj):
            raise PermissionDenied("Your role does not allow this.")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "membership"):
            context["membership"] = self.membership
        return context

    def remembered(self, parts: tuple, compute: Callable[[], Any]) -> Response:
        """`compute()`'s data as the response, rendered once and remembered for this member
        until the next write to the organization's data, within the minute
        (`tenancy.generation`). `parts` name what else the data depends on (the object,
        the filters). The browsable API gets the data parsed back."""
        content = generation.remember(
            self.organization.pk,
            (
                *parts,
                self.membership.pk,
                self.membership.role,
                self.membership.user_id,
                generation.this_minute(),
            ),
            lambda: renderers.dumps(compute()),
        )
        body = renderers.Rendered(content)
        if not isinstance(self.request.accepted_renderer, renderers.FastJSONRenderer):
            return Response(body.parsed())
        return Response(body)


class SingletonSchema(AutoSchema):
    """For a viewset whose collection route returns one object, not a list (the plan, the
    checklist, the member's task buckets, the health settings, the discovery status, the
    portfolio page): its `list` is documented as that object."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)
