"""Two-factor login in Chromium: set it up from the page (QR code and key), save the recovery codes, log out,
log in with the password and a code computed from the key the page showed."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import expect

from herodesk.tests.browser.conftest import log_in, shot
from herodesk.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fresh_code(secret: str, after: str = "") -> str:
    """The current code; when it is the one just used, wait for the next step (a code works once)."""
    totp = pyotp.TOTP(secret)
    code = totp.now()
    while code == after:
        time.sleep(1)
        code = totp.now()
    return code


def test_set_up_two_factor_and_log_in_with_a_code(page, agent):
    # The live server's first request imports the whole desk: on a loaded machine that can pass 10 s.
    page.goto("/accounts/login/", timeout=120_000)
    log_in(page, agent.username, PASSWORD)
    page.get_by_role("link", name="Two-factor").click()
    expect(page.get_by_text("Off.")).to_be_visible()
    page.get_by_role("button", name="Set up two-factor").click()

    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    # The QR code is a real image (served by the desk as SVG), not a broken one. Visible comes before
    # loaded (the img has its size set), so wait for the load: a broken image never gets a width.
    loaded = "img => img.complete && img.naturalWidth > 0"
    page.wait_for_function(loaded, arg=qr.element_handle(), timeout=30_000)
    secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    shot(page, "two-factor-setup")

    first = _fresh_code(secret)
    page.get_by_label("Code").fill(first)
    page.get_by_role("button", name="Turn on two-factor").click()
    codes = page.get_by_test_id("recovery-codes").locator("code")
    expect(codes).to_have_count(10)
    shot(page, "two-factor-recovery-codes")
    recovery = codes.first.inner_text()

    page.get_by_role("button", name=f"Log out {agent.display_name}").click()
    expect(page.locator("#login-form")).to_be_visible()
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#code-form")).to_be_visible()
    shot(page, "two-factor-login-code")

    page.get_by_label("Code").fill("000000" if first != "000000" else "111111")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.get_by_label("Code").fill(_fresh_code(secret, after=first))
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header.topbar")).to_be_visible()

    # A recovery code logs in too, once.
    page.get_by_role("button", name=f"Log out {agent.display_name}").click()
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(recovery)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header.topbar")).to_be_visible()
    page.goto("/accounts/two-factor/")
    expect(page.get_by_text("9 unused recovery codes left.")).to_be_visible()
    assert secret.lower() not in page.content().lower().replace(" ", "")
