"""Phone width (390×844): the sidebar folds behind a Menu button, the reply box is near the top, nothing
overflows sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from herodesk.conversations import actions
from herodesk.conversations.models import Channel
from herodesk.tests.browser.conftest import log_in, shot
from herodesk.tests.factories import PASSWORD, ConversationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
LONG = (
    "I ordered the blue jacket three weeks ago and it still has not arrived. The tracking page says "
    "'in transit' since the 3rd and nobody answers the phone. "
) * 6


def no_sideways_overflow(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at a {PHONE['width']}px screen"


@pytest.fixture
def phone(browser, live_server, agent):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, agent.username, PASSWORD)
    yield page
    context.close()


def test_inbox_and_a_long_conversation_work_at_phone_width(phone, agent, customer, support_team):
    conversation = ConversationFactory(
        customer=customer, team=support_team, subject="Where is my blue jacket?"
    )
    for n in range(15):
        incoming = actions.IncomingMessage(text=f"({n}) {LONG}", channel=Channel.EMAIL)
        actions.do_add_customer_message(conversation, incoming)
        actions.do_add_reply(conversation, agent, f"({n}) Thanks, I am checking with the carrier. " * 5)
    ConversationFactory(customer=customer, team=support_team, subject="A" * 120)  # a subject without spaces

    phone.goto("/inbox/open/")
    expect(phone.locator("aside.sidebar")).to_be_hidden()
    no_sideways_overflow(phone)
    shot(phone, "phone-inbox")
    phone.get_by_text("Menu").click()
    expect(phone.locator("aside.sidebar")).to_be_visible()
    shot(phone, "phone-menu")
    phone.get_by_text("Menu").click()

    phone.goto(f"/c/{conversation.pk}/")
    reply_box = phone.locator("#reply-form textarea")
    box = reply_box.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 2 * PHONE["height"], f"reply box at {box}"
    no_sideways_overflow(phone)
    shot(phone, "phone-conversation")
    reply_box.fill("We found it: the parcel arrives tomorrow.")
    phone.get_by_role("button", name="Send reply").click()
    expect(phone.locator(".flash")).to_be_visible()
    no_sideways_overflow(phone)


@pytest.mark.parametrize("path", ["/saved-replies/", "/notifications/", "/hero/promises/", "/customers/"])
def test_other_agent_pages_fit_the_width(phone, path, conversation):
    phone.goto(path)
    no_sideways_overflow(phone)


def test_settings_fit_the_width(browser, live_server, lead):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    log_in(page, lead.username, PASSWORD)
    for path in (
        "/settings/",
        "/settings/agents/",
        "/settings/teams/",
        "/settings/reasons/",
        "/settings/tags/",
    ):
        page.goto(path)
        no_sideways_overflow(page)
    shot(page, "phone-settings-tags")
    context.close()
