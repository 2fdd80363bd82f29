"""The API's JSON renderer: DRF's `JSONRenderer` with the encoding done by orjson (a C
encoder several times faster than the standard library's on the long lists the API returns).

The output is DRF's: compact, UTF-8 (not escaped to ASCII), datetimes as ISO 8601 with a "Z"
for UTC, dates and times in ISO, durations in seconds, decimals as numbers, lazy strings as
text. A request that asks for indentation (`Accept: application/json; indent=4`) is rendered by
DRF itself. `tests/api/test_renderer.py` compares the two on every kind of value."""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import uuid
from typing import Any

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    """What DRF's `JSONEncoder` does for the values orjson leaves to us."""
    if isinstance(value, datetime.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        if value.utcoffset() is not None:
            raise ValueError("JSON can't represent timezone-aware times.")
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value.total_seconds())
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID | Promise | ipaddress._BaseAddress | ipaddress._BaseNetwork):
        return str(value)
    if isinstance(value, bytes):
        return value.decode()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "__getitem__"):  # a mapping that is not a dict (DRF: dict(value))
        try:
            return dict(value)
        except (TypeError, ValueError):
            pass
    if hasattr(value, "__iter__"):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(data: Any) -> bytes:
    """`data` as the API's JSON bytes. U+2028 and U+2029 are escaped, as DRF does: valid in
    JSON, they end a line in older JavaScript."""
    text = orjson.dumps(data, default=_default, option=OPTIONS)
    if b"\xe2\x80" in text:
        text = text.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return text


class Rendered:
    """A response body already rendered by `dumps` (one a view remembers between writes):
    `FastJSONRenderer` sends its bytes as they are, and parses them back for a request that
    asks for indentation."""

    __slots__ = ("content",)

    def __init__(self, content: bytes):
        self.content = content

    def parsed(self) -> Any:
        return orjson.loads(self.content)


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, Rendered):
            if not self.get_indent(accepted_media_type, renderer_context or {}):
                return data.content
            data = data.parsed()
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            return dumps(data)
        except orjson.JSONEncodeError:  # what orjson cannot write (an int past 64 bits): DRF's
            return super().render(data, accepted_media_type, renderer_context)
