"""The scoped base for the API: organization resolved once from `org_slug`, querysets from
the access policy, one error shape for application and validation errors."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from rest_framework import exceptions
from rest_framework.viewsets import GenericViewSet

from accounts.audit import Actor
from partnerships import access
from partnerships.access import Action
from partnerships.tenancy.models import TenantModel
from partnerships.tenancy.rest import NOT_FOUND
from partnerships.tenancy.views import membership_for


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


class PartnershipScopedViewSet(OrgScopedViewSet):
    """A partnership's child rows, under `…/partnerships/<partnership_pk>/`.

    The partnership is resolved once, through the access policy, right after the
    organization (404, same message, when it is missing or not visible); every queryset is
    then cut to it here, so subclasses only declare `queryset`. `require(action)` asks about
    the partnership unless given an object. URL kwargs: `partnership_pk`, and `pk` for the
    view's own objects.
    """

    partnership_url_kwarg = "partnership_pk"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.partnership = self.get_partnership()

    def get_partnership(self):
        from partnerships.models import Partnership

        try:
            pk = int(self.kwargs[self.partnership_url_kwarg])
        except (KeyError, TypeError, ValueError):
            raise exceptions.NotFound(NOT_FOUND) from None
        partnership = access.visible(self.membership, Partnership).filter(pk=pk).first()
        if partnership is None:
            raise exceptions.NotFound(NOT_FOUND)
        partnership.organization = self.organization  # loaded with the membership already
        return partnership

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return queryset.filter(partnership=self.partnership)

    def get_object(self):
        obj = super().get_object()
        if getattr(obj, "partnership_id", None) == self.partnership.pk:
            # The policy's checks read `obj.partnership`: reuse the one already resolved.
            obj.partnership = self.partnership
        return obj

    def require(self, action: Action, obj=None) -> None:
        super().require(action, self.partnership if obj is None else obj)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "partnership"):
            context["partnership"] = self.partnership
        return context
