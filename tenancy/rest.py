"""API settings hooks (pagination, exception handler); kept apart from the viewset base so
that DRF can import them while it is itself being imported."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tenancy.errors import ApplicationError

NOT_FOUND = "Nothing matches this address, or you do not have access to it."


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """Application and model errors become 400 with field names; everything else as DRF."""
    if isinstance(exc, ApplicationError):
        return Response({**exc.as_dict(), **exc.extra}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = exc.message_dict
        else:
            detail = {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DataError | OverflowError):
        # OverflowError: SQLite's driver refuses an integer past 64 bits before the query.
        # The database refused a value its column cannot hold (a number past an integer
        # column's range): the write was rolled back with its transaction.
        return Response(
            {"non_field_errors": ["A value is out of range for what it describes."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    return drf_exception_handler(exc, context)
