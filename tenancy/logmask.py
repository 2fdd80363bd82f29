"""Secrets that travel in a URL path never reach a log.

A calendar application cannot send a header, so a calendar feed is fetched with its secret
in the address: always as the path segment after `/feed/` (never a query string, which
proxies and analytics keep whole). Every log line the app writes — gunicorn's access log
(`config/gunicorn.py`), Django's request and server logs (`LOGGING`) — goes through `mask`,
which replaces that segment with `[secret]`.
"""

from __future__ import annotations

import logging
import re

SECRET_IN_PATH = re.compile(r"(/feed/)[^/?#\s\"']+")
MASK = r"\1[secret]"


def mask(text: str) -> str:
    return SECRET_IN_PATH.sub(MASK, text) if "/feed/" in text else text


def presents_secret(path: str) -> bool:
    """Does the path carry a secret someone could guess (the throttles count it)?"""
    return SECRET_IN_PATH.search(path) is not None


class MaskSecretsFilter(logging.Filter):
    """A logging filter: the record's message, formatted with its arguments, masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        # A request's path can also ride along as an attribute (django.request's `request`).
        request = getattr(record, "request", None)
        if request is not None and "/feed/" in getattr(request, "path", ""):
            record.request = None
        return True
