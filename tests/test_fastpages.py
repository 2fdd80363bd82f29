"""tenancy.fastpages: what the wide pages use instead of per-cell filters gives the same text."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import json_script as django_json_script

from tenancy.fastpages import DateTexts, json_script, render_rows, url_for_each


@pytest.mark.parametrize("fmt", ["M j", "M j, Y", "Y-m-d", "N j"])
def test_date_texts_are_djangos_date_filter(fmt):
    texts = DateTexts()
    for month in range(1, 13):
        day = datetime.date(2026, month, 1 + month)
        assert texts(day, fmt) == dateformat.format(day, fmt)
        assert texts(day, fmt) == dateformat.format(day, fmt)  # cached, the same
    assert texts(None, fmt, "—") == "—"


def test_url_for_each_is_reverse():
    url = url_for_each(
        "transition:task", kwargs={"org_slug": "north-2147483647", "partnership_pk": 5}
    )
    for pk in (1, 42, 10**9):
        assert url(pk) == reverse(
            "transition:task",
            kwargs={"org_slug": "north-2147483647", "partnership_pk": 5, "pk": pk},
        )


def test_json_script_escapes_what_djangos_escapes():
    value = {"name": "</script><script>alert('x')</script> & <b>", "n": [1, 2], "u": "é\u2028"}
    ours = str(json_script(value, "data"))
    theirs = str(django_json_script(value, "data"))
    assert "</script><script>" not in ours.removesuffix("</script>")
    body = re.search(r'<script id="data" type="application/json">(.*)</script>$', ours).group(1)
    assert json.loads(body) == value
    assert ours.startswith('<script id="data" type="application/json">')
    assert "<" not in body and ">" not in body and "&" not in body
    assert theirs.startswith('<script id="data" type="application/json">')


def test_rows_are_autoescaped():
    html = str(
        render_rows(
            "partnerships/_list_rows.html",
            [
                {
                    "url": "/o/x/1/",
                    "name": "<img src=x onerror=alert(1)>",
                    "client": "A & B",
                    "location": "",
                    "status": "live",
                    "status_label": "Live",
                    "manager": "",
                    "go_live": "",
                    "go_live_text": "",
                    "pms": "",
                }
            ],
        )
    )
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "A &amp; B" in html


@pytest.mark.parametrize(
    "text",
    ["", "Short", "x" * 40, "y" * 41, "Go-live readiness review with the client's executives"],
)
def test_the_plans_cut_is_truncatechars(text):
    from django.template.defaultfilters import truncatechars

    from transition.views.plan import _cut

    assert _cut(text, 40) == truncatechars(text, 40)


@pytest.mark.django_db
def test_form_controls_offer_a_model_selects_choices_in_one_plain_query(
    admin, partnership, other_client_partnership
):
    """The filter form's selects, as the list page draws them: the same options as Django's
    own choices (the empty label first, the chosen one marked), each model select read by one
    query rather than through a server-side cursor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnerships.forms import PartnershipFilterForm
    from tenancy.fastpages import form_controls

    chosen = str(other_client_partnership.client_id)
    form = PartnershipFilterForm({"client": chosen}, membership=admin)
    with CaptureQueriesContext(connection) as queries:
        controls = {control["name"]: control for control in form_controls(form)}
    expected = PartnershipFilterForm({"client": chosen}, membership=admin)
    for name in ("status", "account_manager", "client"):
        assert controls[name]["options"] == [
            (str(value), str(label), str(value) == (chosen if name == "client" else ""))
            for value, label in expected.fields[name].choices
        ]
    assert controls["client"]["options"][0] == ("", "Any client", False)
    assert [o for o in controls["client"]["options"] if o[2]] == [
        (chosen, str(other_client_partnership.client), True)
    ]
    assert len(queries) == 2  # the managers and the clients
    assert not any("DECLARE" in q["sql"] for q in queries.captured_queries)
