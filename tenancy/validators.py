"""Validators every app's models share."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible


@deconstructible
class ChoiceListValidator:
    """A JSON list whose items come from a fixed set of choices, each at most once."""

    def __init__(self, choices):
        self.choices = tuple(choices)

    def __call__(self, value) -> None:
        if not isinstance(value, list):
            raise ValidationError("Must be a list.")
        unknown = [item for item in value if item not in self.choices]
        if unknown:
            raise ValidationError(
                f"“{unknown[0]}” is not one of the choices ({', '.join(self.choices)})."
            )
        if len(set(value)) != len(value):
            raise ValidationError("Each choice may appear only once.")

    def __eq__(self, other) -> bool:
        return isinstance(other, ChoiceListValidator) and self.choices == other.choices

    def __hash__(self) -> int:
        return hash(self.choices)


# The dates a person may enter anywhere: wide enough for any real partnership, narrow enough
# that date arithmetic (a plan laid out around go-live, a schedule) never leaves the calendar.
EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def sane_date(value: datetime.date) -> None:
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise ValidationError(
            f"Enter a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}.", code="date_range"
        )


# The most a free-text field takes (a long incident write-up is a few thousand characters; a
# megabyte pasted into a note is a mistake or an attack).
MAX_TEXT = 20_000


def text_limit(value: str) -> None:
    """A free-text field's limit, with a message that says how long the text is."""
    if value is not None and len(value) > MAX_TEXT:
        raise ValidationError(
            f"Keep it under {MAX_TEXT:,} characters ({len(value):,} now).", code="max_length"
        )


def check_text(value: str, *, field: str) -> str:
    """`text_limit` for a service that writes without `full_clean()`: the text, or a 400
    naming the field."""
    from tenancy.errors import ApplicationError

    try:
        text_limit(value)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], field=field) from None
    return value
