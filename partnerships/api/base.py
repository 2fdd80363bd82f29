"""The partnership-scoped API base: every route under
`/api/v1/orgs/<org_slug>/partnerships/<partnership_pk>/` builds on `PartnershipScopedViewSet`.

It shares how the partnership is resolved with the page base (`partnerships.base`), cuts
every queryset to that partnership, and offers the input → service → output helpers.
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from partnerships.base import partnership_for
from tenancy.access import Action
from tenancy.api import OrgScopedViewSet
from tenancy.rest import NOT_FOUND


class PartnershipScopedViewSet(OrgScopedViewSet):
    """A partnership's child rows, under `…/partnerships/<partnership_pk>/`.

    The partnership is resolved once, through the access policy, right after the
    organization (404, same message, when it is missing or not visible); every queryset is
    then cut to it here, so subclasses only declare `queryset`. `require(action)` asks about
    the partnership unless given an object. URL kwargs: `partnership_pk`, and `pk` for the
    view's own objects. The serializers' context carries the membership, the partnership and
    the organization's `today`.
    """

    partnership_url_kwarg = "partnership_pk"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.partnership = self.get_partnership()
        self.today = self.organization.local_today()

    def get_partnership(self):
        try:
            return partnership_for(self.membership, self.kwargs.get(self.partnership_url_kwarg))
        except Http404:
            raise exceptions.NotFound(NOT_FOUND) from None

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

    def require_work(self) -> None:
        """The partnership's discovery, culture and transition work (else 403)."""
        self.require(Action.CHANGE_WORK)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "partnership"):
            context["partnership"] = self.partnership
            context["today"] = self.today
        return context

    def validated(self, serializer_class, *, partial: bool = False) -> dict:
        """The request's input, checked by `serializer_class` (400 naming the field)."""
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def output(self, obj, *, code: int = status.HTTP_200_OK) -> Response:
        """The stored object as the list shows it (re-read with the list's joins)."""
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)
