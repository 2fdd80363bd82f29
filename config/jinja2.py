"""The second template engine: Jinja2, for the row loops of the widest tables only (a page
stays a Django template; the view renders its rows with Jinja2, several times faster per cell,
and passes them in as one safe fragment). Autoescaping is on, as in Django's templates."""

from __future__ import annotations

from jinja2 import Environment, StrictUndefined


def environment(**options) -> Environment:
    options.pop("autoescape", None)
    options["undefined"] = StrictUndefined  # a misspelt name fails loudly, not as ""
    return Environment(autoescape=True, **options)
