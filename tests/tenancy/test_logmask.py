"""A calendar feed's key travels in the path and never reaches a log: gunicorn's access log and
Django's own request log both mask it."""

from __future__ import annotations

import datetime
import io
import logging
import types

import pytest

from config.gunicorn import MaskingLogger
from tenancy.logmask import MaskSecretsFilter, mask, presents_secret

KEY = "s3cr3t-KEY_abcdefghijklmnopqrstuvwxyz0123"
FEED = f"/api/v1/orgs/northstar/my-tasks/calendar/feed/{KEY}/"


def test_mask_replaces_the_segment_after_feed_only():
    assert mask(f"GET {FEED} HTTP/1.1") == (
        "GET /api/v1/orgs/northstar/my-tasks/calendar/feed/[secret]/ HTTP/1.1"
    )
    assert mask("GET /api/v1/me/?page=2 HTTP/1.1") == "GET /api/v1/me/?page=2 HTTP/1.1"
    assert presents_secret(FEED) and not presents_secret("/api/v1/orgs/northstar/my-tasks/")


def test_gunicorns_access_log_never_holds_the_key():
    class Config:  # the few settings gunicorn's Logger reads when built
        errorlog = "-"
        accesslog = "-"
        loglevel = "info"
        syslog = False
        capture_output = False
        logconfig = None
        logconfig_dict = {}
        logconfig_json = None
        disable_redirect_access_to_syslog = False
        access_log_format = '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s'
        user = 0
        group = 0
        umask = 0

    logger = MaskingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": FEED,
        "PATH_INFO": FEED,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://calendar.example{FEED}",
    }
    response = types.SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, [], environ, datetime.timedelta(milliseconds=3))
    line = Config.access_log_format % atoms
    assert KEY not in line
    assert line.count("/feed/[secret]/") == 3


def test_djangos_request_log_never_holds_the_key(client, caplog, db):
    handler = logging.getLogger().handlers[0] if logging.getLogger().handlers else None
    assert handler is not None and any(isinstance(f, MaskSecretsFilter) for f in handler.filters)
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Unauthorized: %s", (FEED,), None
    )
    record.request = types.SimpleNamespace(path=FEED)
    assert MaskSecretsFilter().filter(record) is True
    assert KEY not in record.getMessage() and "/feed/[secret]/" in record.getMessage()
    assert record.request is None


@pytest.mark.django_db
def test_a_refused_feed_is_logged_masked_by_the_configured_handler(client):
    """Through the logging the settings configure: the console handler's own output."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        response = client.get(FEED.replace("northstar", "nowhere"))
    finally:
        handler.setStream(previous)
    assert response.status_code in (401, 404)
    written = stream.getvalue()
    assert "/feed/[secret]/" in written  # the request was logged ...
    assert KEY not in written  # ... without its key
