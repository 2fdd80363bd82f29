"""The API's JSON parser (a module of its own: DRF imports it while reading its settings)."""

from __future__ import annotations

import math
import re

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

# How deep a JSON body may nest: a call-flow graph needs four levels; a thousand is an attack.
MAX_JSON_DEPTH = 32
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# The largest integer a JSON client can state exactly; nothing Switchboard stores is larger.
MAX_JSON_INTEGER = 2**53


def _refuse_unsafe_text(value, path: str = "", depth: int = 0) -> None:
    """Walk a parsed body: refuse nesting past MAX_JSON_DEPTH, and text no database or page can
    hold (a NUL byte, a lone UTF-16 surrogate), naming where it is."""
    where = path or "non_field_errors"
    if depth > MAX_JSON_DEPTH:
        raise exceptions.ValidationError({where: [f"Nested deeper than {MAX_JSON_DEPTH} levels."]})
    if isinstance(value, str):
        if "\x00" in value:
            raise exceptions.ValidationError({where: ["Text may not contain a NUL character."]})
        if _LONE_SURROGATE.search(value):
            raise exceptions.ValidationError(
                {where: ["Text may not contain a lone surrogate (invalid Unicode)."]}
            )
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_JSON_INTEGER:
        raise exceptions.ValidationError({where: ["This number is too large."]})
    elif isinstance(value, float) and (not math.isfinite(value) or abs(value) > MAX_JSON_INTEGER):
        # 1e400 parses as infinity: no field of Switchboard holds it.
        raise exceptions.ValidationError({where: ["This number is too large."]})
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_unsafe_text(key, where, depth + 1)
            _refuse_unsafe_text(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_unsafe_text(item, f"{where}[{index}]", depth + 1)


class SafeJSONParser(JSONParser):
    """JSON bodies as DRF parses them, minus what would only fail later as a 500: nesting
    deep enough to exhaust the parser, NUL bytes and lone surrogates (400 naming the field)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deep.") from None
        # `null`, `true`, a number or a string is no body to read fields from (views would
        # fail on it): refused when the view reads the body, after its own 404s.
        if data is None or isinstance(data, str | int | float | bool):
            raise exceptions.ParseError(
                "Send a JSON object (or a list, where the operation takes one)."
            )
        _refuse_unsafe_text(data)
        return data
