"""What the discovery viewsets share: validated input, service, re-read output."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from partnerships.api.base import PartnershipScopedViewSet

# The shared base already validates input, calls services and answers the output.
ServiceBackedViewSet = PartnershipScopedViewSet


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
