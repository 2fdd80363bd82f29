"""The one error shape of the API: a value the database refuses is a 400, never a 500."""

from __future__ import annotations

from django.db import DataError

from tenancy.rest import exception_handler


def test_a_value_the_database_refuses_is_a_400():
    response = exception_handler(DataError("integer out of range"), {})
    assert response.status_code == 400
    assert "out of range" in response.data["non_field_errors"][0]
