"""Helpers for the widest pages: a URL per row from one `reverse()`, a date formatted once per
value rather than once per cell (a plan of 210 tasks had 700 `reverse()` calls and 1,000 date
formats a request), and the rows rendered by Jinja2 (`config/jinja2.py`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.forms import ModelChoiceField
from django.template import engines
from django.urls import reverse
from django.utils import dateformat
from django.utils.dates import MONTHS_3
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from tenancy.renderers import dumps

_MARKER = 2_147_483_647  # a path segment `<int:...>` is never given this in a page


def url_for_each(viewname: str, *, kwargs: dict, key: str = "pk") -> Callable[[int], str]:
    """`url(pk)` for `reverse(viewname, kwargs={**kwargs, key: pk})`, reversed once."""
    marker = f"/{_MARKER}/"
    head, found, tail = reverse(viewname, kwargs={**kwargs, key: _MARKER}).partition(marker)
    if not found:  # the id is not a whole path segment: reverse each time
        return lambda pk: reverse(viewname, kwargs={**kwargs, key: pk})
    return lambda pk: f"{head}/{int(pk)}/{tail}"


class DateTexts:
    """`texts(value, "M j, Y")`: Django's `date` filter for one request, cached per value and
    format; "M j" and "M j, Y" (the tables' formats) are written directly from the month names
    of the active language, read once."""

    def __init__(self) -> None:
        self._seen: dict[tuple[datetime.date, str], str] = {}
        self._months: dict[int, str] | None = None

    def __call__(self, value: datetime.date | None, fmt: str, empty: str = "") -> str:
        if value is None:
            return empty
        found = self._seen.get((value, fmt))
        if found is None:
            found = self._seen[(value, fmt)] = self._format(value, fmt)
        return found

    def _format(self, value: datetime.date, fmt: str) -> str:
        if fmt in ("M j", "M j, Y"):
            if self._months is None:
                self._months = {n: str(name).title() for n, name in MONTHS_3.items()}
            text = f"{self._months[value.month]} {value.day}"
            return f"{text}, {value.year}" if fmt == "M j, Y" else text
        return dateformat.format(value, fmt)


def render_rows(template_name: str, rows: list, **context) -> SafeString:
    """The rows of a wide table rendered with the Jinja2 engine (autoescaped), as a fragment
    the page's Django template inserts as is."""
    template = engines["jinja2"].get_template(template_name)
    return mark_safe(template.render({"rows": rows, **context}))  # noqa: S308 (autoescaped)


_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def json_script(value, element_id: str) -> SafeString:
    """Django's `json_script` filter, encoded by orjson and escaped with `str.replace` (the
    filter's `str.translate` took 8 ms on a 210-task Gantt's 100 KB)."""
    text = dumps(value).decode()
    for char, escaped in _SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(text),  # noqa: S308 (JSON with <, > and & escaped, as json_script does)
    )


def _choices(field) -> list[tuple]:
    """A field's choices. A model's are read in one plain query: Django's choice iterator
    reads them through a server-side cursor (`iterator()`: DECLARE, FETCH and CLOSE, three
    round trips per select, for a few dozen rows)."""
    if not isinstance(field, ModelChoiceField):
        return list(field.choices)
    iterator = field.iterator(field)
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    return empty + [iterator.choice(obj) for obj in field.queryset]


def form_controls(form) -> list[dict]:
    """A small GET form's fields (search inputs and selects) as plain data for a Jinja2 row
    template: Django renders each `<option>` of a select through a template of its own (a
    filter of 54 clients cost more than the table it filters)."""
    controls = []
    for bound in form:
        widget = bound.field.widget
        value = bound.value()
        control = {"id": bound.id_for_label, "name": bound.html_name, "label": str(bound.label)}
        if hasattr(bound.field, "choices"):
            current = "" if value is None else str(value)
            control["options"] = [
                (str(option), str(label), str(option) == current)
                for option, label in _choices(bound.field)
            ]
        else:
            control["input"] = {
                "type": widget.attrs.get("type", getattr(widget, "input_type", "text")),
                "value": "" if value is None else str(value),
                "placeholder": widget.attrs.get("placeholder", ""),
                "autocomplete": widget.attrs.get("autocomplete", ""),
            }
        controls.append(control)
    return controls
