"""The API's orjson renderer writes what DRF's JSONRenderer writes."""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import json
import uuid
from collections import OrderedDict
from types import MappingProxyType

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from tenancy.renderers import FastJSONRenderer, Rendered, dumps

UTC = datetime.UTC
EST = datetime.timezone(datetime.timedelta(hours=-5))

VALUES = [
    {"id": 1, "name": "Lakeshore — “triage” <b>line</b> 😀", "ok": True, "none": None},
    [1, 2.5, -3, 10**15, "a\u2028b\u2029c", "NUL\x00"],
    {"when": datetime.datetime(2026, 11, 30, 8, 5, 3, tzinfo=UTC)},
    {"when": datetime.datetime(2026, 11, 30, 8, 5, 3, 123456, tzinfo=UTC)},
    {"when": datetime.datetime(2026, 11, 30, 8, 5, 3, tzinfo=EST)},
    {"naive": datetime.datetime(2026, 11, 30, 8, 5, 3)},
    {"day": datetime.date(2026, 2, 28), "time": datetime.time(7, 30, 1, 5)},
    {"span": datetime.timedelta(hours=1, seconds=3)},
    {"amount": decimal.Decimal("12.50"), "id": uuid.UUID(int=7)},
    {"address": ipaddress.ip_address("10.0.0.1"), "label": gettext_lazy("Open")},
    ReturnDict(OrderedDict(b=1, a=[ReturnDict(c=2, serializer=None)]), serializer=None),
    ReturnList([{"x": 1}], serializer=None),
    {"nested": {"deep": [{"deeper": [1, {"k": "v"}]}]}},
    {"tuple": (1, 2), "set_like": frozenset()},
    {"huge": 2**70},
    {"mapping": MappingProxyType({"a": 1, "b": [2]})},
]


@pytest.mark.parametrize("value", VALUES)
def test_the_fast_renderer_writes_what_drf_writes(value):
    assert FastJSONRenderer().render(value) == JSONRenderer().render(value)


def test_indented_output_is_drfs():
    value = {"a": [1, 2]}
    media = "application/json; indent=2"
    assert FastJSONRenderer().render(value, media) == JSONRenderer().render(value, media)
    assert b"\n" in FastJSONRenderer().render(value, media)


def test_nothing_renders_as_empty():
    assert FastJSONRenderer().render(None) == b""


def test_an_aware_time_is_refused_as_drf_refuses_it():
    value = {"t": datetime.time(7, 30, tzinfo=UTC)}
    with pytest.raises(ValueError):
        JSONRenderer().render(value)
    with pytest.raises((ValueError, TypeError)):
        FastJSONRenderer().render(value)


def test_an_api_response_is_rendered_by_the_fast_renderer(api, admin):
    api.force_authenticate(admin.user)
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, FastJSONRenderer)
    assert json.loads(response.content)["email"] == admin.user.email


@pytest.mark.parametrize("value", VALUES[:10], ids=range(10))
def test_a_body_rendered_once_is_sent_as_drf_would_write_it(value):
    """A remembered body (`Rendered`) goes out as its bytes, and indented when asked."""
    rendered = Rendered(dumps(value))
    assert FastJSONRenderer().render(rendered) == JSONRenderer().render(value)
    media = "application/json; indent=2"
    assert FastJSONRenderer().render(rendered, media) == JSONRenderer().render(
        json.loads(JSONRenderer().render(value)), media
    )
