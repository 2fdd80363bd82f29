"""Helpers for the widest pages: a URL per row from one `reverse()`, and a date formatted once
per value rather than once per cell (a plan of 210 tasks had 700 `reverse()` calls and 1,000
date formats a request)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import reverse
from django.utils import dateformat

_MARKER = 2_147_483_647  # a path segment `<int:...>` is never given this in a page


def url_for_each(viewname: str, *, kwargs: dict, key: str = "pk") -> Callable[[int], str]:
    """`url(pk)` for `reverse(viewname, kwargs={**kwargs, key: pk})`, reversed once."""
    marker = f"/{_MARKER}/"
    head, found, tail = reverse(viewname, kwargs={**kwargs, key: _MARKER}).partition(marker)
    if not found:  # the id is not a whole path segment: reverse each time
        return lambda pk: reverse(viewname, kwargs={**kwargs, key: pk})
    return lambda pk: f"{head}/{int(pk)}/{tail}"


class DateTexts:
    """`texts(value, "M j, Y")`: Django's `date` filter, cached per value and format for one
    request (dates in a plan or a list repeat)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[datetime.date, str], str] = {}

    def __call__(self, value: datetime.date | None, fmt: str, empty: str = "") -> str:
        if value is None:
            return empty
        found = self._seen.get((value, fmt))
        if found is None:
            found = self._seen[(value, fmt)] = dateformat.format(value, fmt)
        return found
