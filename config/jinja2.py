"""The second template engine: Jinja2, for the row loops of the widest tables only (a page
stays a Django template; the view renders its rows with Jinja2, several times faster per cell,
and passes them in as one safe fragment). Autoescaping is on, as in Django's templates."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, StrictUndefined


class RowEnvironment(Environment):
    """`row.title` on a dict reads its key first, as Django's templates do. Jinja tries the
    attribute first and the key after: the rows are dicts, so every cell raised and caught an
    AttributeError, a quarter of the plan page's time. An object's attribute, and a dict's own
    methods where it has no such key, read as before."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def environment(**options) -> Environment:
    options.pop("autoescape", None)
    options["undefined"] = StrictUndefined  # a misspelt name fails loudly, not as ""
    return RowEnvironment(autoescape=True, **options)
