from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the domain was broken; the message is for the user, `field` says where.

    Pages show it on the form (on the field when one is named); the API answers 400 with
    `{"field": ["message"]}` (or a custom status, e.g. 409 for a closed gate).
    """

    def __init__(self, message: str, *, field: str | None = None, status: int = 400, extra=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.extra = extra or {}

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "non_field_errors": [self.message]}
