"""Settings in a real browser: an admin deactivates an agent, who then cannot log in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from herodesk.tests.browser.conftest import log_in, shot
from herodesk.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_deactivates_an_agent_who_then_cannot_log_in(browser, live_server, page, admin_user, agent):
    log_in(page, admin_user.username, PASSWORD)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Agents", exact=True).click()
    row = page.get_by_test_id("agent-row").filter(has_text=agent.username)
    expect(row).to_contain_text("Active")
    shot(page, "settings-agents")
    row.get_by_role("link", name="Manage").click()
    asked: list[str] = []

    def accept(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.get_by_role("button", name="Deactivate Ada").click()
    expect(page.locator(".flash.success")).to_contain_text("Ada deactivated")
    assert asked and "cannot log in" in asked[0]
    page.get_by_role("link", name="Overview & changes").click()
    expect(page.locator("table.audit")).to_contain_text("Ada deactivated")
    shot(page, "settings-overview")

    context = browser.new_context(base_url=live_server.url)
    other = context.new_page()
    other.goto("/accounts/login/")
    other.get_by_label("Username").fill(agent.username)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Log in").click()
    expect(other.locator("#login-form")).to_be_visible()
    expect(other.locator("header.topbar")).to_have_count(0)
    context.close()
