"""The Jinja2 engine of the row fragments (config/jinja2.py): a dict's keys are read before
its attributes, as in Django's templates; objects, escaping and misspelt names as before."""

from __future__ import annotations

import types

import jinja2
import pytest
from django.template import engines


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_a_dicts_key_is_read_before_its_attribute():
    row = {"title": "Go-live", "items": "the key", "values": 3}  # keys named like methods
    assert render("{{ row.title }} / {{ row.items }} / {{ row['values'] }}", row=row) == (
        "Go-live / the key / 3"
    )
    # Without such a key, a dict's own method is still there.
    assert render("{% for k, v in row.items() %}{{ k }}={{ v }}{% endfor %}", row={"a": 1}) == (
        "a=1"
    )


def test_objects_escaping_and_misspelt_names_behave_as_before():
    task = types.SimpleNamespace(title="<script>alert(1)</script>")
    assert render("{{ task.title }}", task=task) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert render("{{ row.title }}", row={"title": "<b>bold</b>"}) == "&lt;b&gt;bold&lt;/b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        render("{{ row.titel }}", row={"title": "Go-live"})
