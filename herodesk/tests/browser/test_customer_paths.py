"""A customer's path in a real browser: the public contact form and the private status page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from herodesk.conversations.models import Attachment, Conversation, Message
from herodesk.tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_submits_web_form_opens_status_link_and_replies(page):
    page.goto("/contact/")
    form = page.locator("#contact-form")
    expect(form).to_be_visible()
    expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
    expect(page.locator(".card.public")).not_to_have_css("display", "inline")

    # The honeypot is not something a person can see: off-screen (or hidden) and out of the a11y tree.
    honeypot = form.locator("input[name=website]")
    assert honeypot.is_hidden() or _off_screen(honeypot), honeypot.bounding_box()
    expect(form.locator(".hp")).to_have_attribute("aria-hidden", "true")
    shot(page, "web-form")

    form.get_by_label("Your name").fill("Wendy Web")
    form.get_by_label("Email").fill("wendy@example.com")
    form.get_by_label("Subject").fill("Wrong size delivered")
    form.get_by_label("Message").fill("I ordered a medium and got a small. Can I swap it?")
    form.locator("input[name=attachment]").set_input_files(
        {"name": "receipt.txt", "mimeType": "text/plain", "buffer": b"Order 1001, size M"}
    )
    form.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your message")
    link = page.locator("#status-link")
    expect(link).to_have_attribute("href", re.compile(r"/status/[^/]+/$"))
    conversation = Conversation.objects.get(subject="Wrong size delivered")
    first = conversation.messages.get(kind=Message.Kind.CUSTOMER)
    assert Attachment.objects.filter(message=first, filename="receipt.txt").exists()

    link.click()
    expect(page).to_have_url(re.compile(r"/status/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wrong size delivered")
    expect(page.locator("#customer-status")).to_have_text("We are working on it")
    expect(page.locator(".thread .msg.customer")).to_contain_text("I ordered a medium and got a small.")

    reply = page.locator("#customer-reply")
    reply.locator("textarea[name=message]").fill("Order number is 1001, by the way.")
    reply.get_by_role("button", name="Send").click()
    expect(page.locator(".flash.success")).to_have_text("Thank you, your message was added.")
    expect(page.locator(".thread .msg.customer")).to_have_count(2)
    expect(page.locator(".thread .msg.customer").nth(1)).to_contain_text("Order number is 1001, by the way.")
    shot(page, "status-page")

    assert conversation.messages.filter(kind=Message.Kind.CUSTOMER).count() == 2
    assert page.js_errors == []


def test_status_link_with_bad_token_is_not_found(page):
    response = page.goto("/status/not-a-real-token/")
    assert response is not None and response.status == 404


def _off_screen(locator) -> bool:
    box = locator.bounding_box()
    if box is None:
        return True
    viewport = locator.page.viewport_size
    return (
        box["x"] + box["width"] <= 0
        or box["y"] + box["height"] <= 0
        or box["x"] >= viewport["width"]
        or box["width"] * box["height"] <= 1
    )
