"""Browser tests drive a real headless Chromium (Debian's, at /usr/bin/chromium) through
Playwright against pytest-django's live server. Without Chromium they skip and say why;
CI sets SWITCHBOARD_REQUIRE_BROWSER=1 so that a missing browser fails instead."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


@pytest.fixture
def browser_page(live_server, monkeypatch):
    if not _chromium_available():
        if os.environ.get("SWITCHBOARD_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required but not found at {CHROMIUM}.")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # (fixtures, assertions) are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.live_server_url = live_server.url
        page.console_errors = errors
        yield page
        context.close()
        browser.close()


def sign_in(page, email: str, password: str | None = None) -> None:
    """Sign in through the pages as a person does: e-mail and password, then the second
    factor where it is asked for. An admin or account manager of an organization that requires
    it (the default) sets an authenticator app up at the first sign-in: the code is computed
    from the key the set-up page shows, as the app would, and the recovery codes are passed."""
    import base64
    import re
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import PASSWORD

    page.goto(f"{page.live_server_url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password or PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state("load")
    if "/two-factor/setup/" in page.url:
        key = page.get_by_label("Set-up key").inner_text().replace(" ", "")
        totp = TOTP(base64.b32decode(key))
        totp.time = time.time()
        page.get_by_label("Code from the app").fill(f"{totp.token():06d}")
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
        page.get_by_role("button", name="I have saved them, continue").click()
    elif "/two-factor/verify/" in page.url:
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        page.get_by_label("Code").fill(f"{totp.token():06d}")
        page.get_by_role("button", name="Verify and continue").click()
