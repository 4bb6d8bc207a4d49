"""Saved replies in a real browser: a lead builds one, an agent inserts it with the name filled in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from herodesk.conversations.models import Message
from herodesk.macros.models import SavedReply
from herodesk.tests.browser.conftest import log_in, shot
from herodesk.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_builds_a_saved_reply_and_an_agent_sends_it(
    browser, live_server, page, lead, agent, conversation
):
    log_in(page, lead.username, PASSWORD)
    page.goto("/saved-replies/new/")
    page.get_by_label("Title").fill("Tracking number")
    page.get_by_label("Text").fill("Hi {first_name}, your parcel is on its way. {agent_name}")
    page.get_by_label("Shared with").select_option(label="Support")
    page.get_by_label("Add tags").fill("shipping")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("saved-reply-row")).to_contain_text("Tracking number")
    shot(page, "saved-replies-list")

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    other = context.new_page()
    log_in(other, agent.username, PASSWORD)
    other.goto(f"/c/{conversation.pk}/")
    other.locator("#reply-form textarea").click()
    other.keyboard.press("Control+/")
    picker = other.locator("[data-saved-replies-filter]")
    expect(picker).to_be_focused()
    picker.fill("track")
    expect(other.locator("[data-saved-replies-results] li")).to_have_count(1)
    shot(other, "saved-replies-picker")
    picker.press("Enter")
    textarea = other.locator("#reply-form textarea")
    expect(textarea).to_have_value("Hi Carla, your parcel is on its way. Ada")
    expect(other.locator("[data-saved-reply-used]")).to_contain_text("tag shipping")
    other.get_by_role("button", name="Send reply").click()
    expect(other.locator(".flash.success")).to_contain_text("Tracking number")
    context.close()

    reply = Message.objects.get(conversation=conversation, kind=Message.Kind.REPLY)
    assert reply.text == "Hi Carla, your parcel is on its way. Ada"
    assert conversation.tags.filter(name="shipping").exists()
    assert SavedReply.objects.get(title="Tracking number").usage_count == 1
