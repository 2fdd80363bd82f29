"""The API's OPTIONS answers (DRF's `DEFAULT_METADATA_CLASS`), in a module of its own: DRF
imports it while it is itself being imported, so it must not import DRF's views."""

from __future__ import annotations

from rest_framework.metadata import SimpleMetadata


class Metadata(SimpleMetadata):
    """OPTIONS says what a route is (name, description, what it renders and parses), not the
    fields of what it accepts: the OpenAPI schema (/api/schema/) describes those, for every
    route alike. DRF's field listing had to build the object a PUT would change, and answered
    500 on routes that keep one object at a collection's address (the health settings, a
    plan) or take no serializer (bulk actions), as contract fuzzing found."""

    def determine_actions(self, request, view):
        return {}
