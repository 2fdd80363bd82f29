"""What the discovery viewsets share: validated input, service, re-read output."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from partnerships.access import Action
from partnerships.tenancy.api import PartnershipScopedViewSet


class ServiceBackedViewSet(PartnershipScopedViewSet):
    """Helpers for handlers that validate input, call a service and answer the output."""

    def validated(self, serializer_class, *, partial: bool = False) -> dict:
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def output(self, obj, *, code: int = status.HTTP_200_OK) -> Response:
        """The stored object as the list shows it (re-read with the list's joins)."""
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def require_work(self) -> None:
        self.require(Action.CHANGE_WORK)


def crud_schema(input_serializer, output_serializer, *, create=True, update=True, destroy=True):
    """The schema of the create / partial_update / destroy handlers, which take an input
    serializer and answer with the output serializer."""
    views = {}
    if create:
        views["create"] = extend_schema(
            request=input_serializer, responses={201: output_serializer}
        )
    if update:
        views["partial_update"] = extend_schema(
            request=input_serializer, responses=output_serializer
        )
    if destroy:
        views["destroy"] = extend_schema(responses={204: None})
    return extend_schema_view(**views)


class ListRetrieve(mixins.ListModelMixin, mixins.RetrieveModelMixin):
    pass
