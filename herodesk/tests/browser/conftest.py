"""Playwright fixtures for the browser tests: one Chromium per session, a fresh context per test.

Run: ``pytest herodesk/tests/browser -m browser -p no:xdist``. Uses Debian's /usr/bin/chromium
(never ``playwright install``). Without Chromium the tests skip locally and FAIL in CI (``CI`` set).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("HERODESK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAILURE_SHOTS = Path("/tmp/herodesk-browser-failures")
SHOTS = Path("/tmp/herodesk-shots")
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created and log in through the form in every test; PBKDF2 would cost seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (required in CI; scripts/install-system-packages.sh installs it)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # While Playwright's sync API is started, an asyncio loop counts as running in this thread, and
    # Django refuses the ORM calls the tests make ("SynchronousOnlyOperation"). Allow them only while
    # the browser is up: set at import time, this would switch the check off for the whole
    # `-m "not browser"` run too, since pytest imports this conftest there as well.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def page(browser, live_server, request) -> Iterator:
    """A fresh page in a new browser context (own cookies), pointed at the live server."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    # Anything the Content-Security-Policy blocks is a bug in our templates (inline script or style).
    blocked: list[str] = []
    page.on("console", lambda msg: _collect_csp_violation(msg, blocked))
    page.csp_violations = blocked
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.passed and blocked:
        stop_polling(page)
        context.close()
        pytest.fail("The Content-Security-Policy blocked: " + " | ".join(blocked))
    if report is not None and report.failed:
        FAILURE_SHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(FAILURE_SHOTS / f"{name}.png"), full_page=True)
        except Exception as error:  # noqa: BLE001 - a failed screenshot must not hide the real failure
            print(f"could not save failure screenshot: {error}")
    stop_polling(page)
    context.close()


def stop_polling(page) -> None:
    """Leave the desk before the test database is flushed: an open conversation polls its presence every
    few seconds, and a poll still running on the live server would lock the tables the flush empties."""
    try:
        page.goto("about:blank")
        page.wait_for_timeout(300)
    except Exception as error:  # noqa: BLE001 - only a courtesy before closing the context
        print(f"could not leave the page: {error}")


def _collect_csp_violation(message, blocked: list[str]) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        blocked.append(f"{message.location['url']}: {message.text}")


def log_in(page, username: str, password: str, start: str = "/") -> None:
    """Log in through the real login form. Starting from a protected page keeps its ?next=."""
    from playwright.sync_api import expect

    page.goto(start)
    expect(page.locator("#login-form")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header.topbar")).to_be_visible()


@pytest.fixture
def logged_in_page(page, agent):
    """Ada, logged in through the login form (reached by opening the inbox while logged out)."""
    from herodesk.tests.factories import PASSWORD

    log_in(page, agent.username, PASSWORD)
    return page


def shot(page, name: str) -> None:
    """Save a full-page screenshot for people to look at (outside the repository)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
