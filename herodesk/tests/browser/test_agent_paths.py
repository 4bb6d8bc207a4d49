"""An agent's main paths in a real browser: log in, reply, transfer, log a call, keyboard shortcuts."""

from __future__ import annotations

import re
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from playwright.sync_api import expect

from herodesk.conversations.models import ContactReason, Conversation, Event, Message
from herodesk.tests.browser.conftest import log_in, shot
from herodesk.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QUEUED = "Reply queued for email to the customer; it shows “Sent” once delivered."


def assert_styled(page) -> None:
    """app.css and htmx are loaded: the top bar is laid out as a flex row and htmx is defined."""
    expect(page.locator("header.topbar")).to_have_css("display", "flex")
    assert page.evaluate("typeof window.htmx") == "object"


def test_app_css_and_keys_js_are_served(live_server):
    """The stylesheet and the shortcuts script every page links to must be found by staticfiles.

    Without this, collectstatic leaves them out in production and every page is unstyled, with no
    keyboard shortcuts.
    """
    for path in ("herodesk/app.css", "herodesk/keys.js"):
        assert finders.find(path), f"{path} is not found by any staticfiles finder (STATICFILES_DIRS?)"
        url = f"{live_server.url}{settings.STATIC_URL}{path}"
        try:
            with urlopen(url) as response:  # noqa: S310 - our own live server
                assert response.status == 200
        except HTTPError as error:
            pytest.fail(f"GET {url} -> {error.code}")


def test_login_form_without_next_lands_on_inbox(page, agent):
    """Opening /accounts/login/ directly (a bookmark) and logging in must land on the inbox."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(
        lambda r: r.url.endswith("/accounts/login/") and r.request.method == "POST"
    ) as posted:
        page.get_by_role("button", name="Log in").click()
    assert posted.value.status < 400, f"login POST answered {posted.value.status}"
    expect(page).to_have_url(re.compile(r"/inbox/[-\w]+/$"))
    expect(page.locator("header.topbar")).to_be_visible()


def test_wrong_password_is_refused(page, agent):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-form .flash.error")).to_be_visible()
    expect(page.locator("header.topbar")).to_have_count(0)


def test_agent_logs_in_opens_conversation_replies_and_transfers_with_handoff_note(
    logged_in_page, conversation, other_agent, billing_team
):
    page = logged_in_page
    assert_styled(page)

    # The inbox: Unassigned lists the new conversation.
    page.locator("aside.sidebar a[data-view='unassigned']").click()
    expect(page).to_have_url(re.compile(r"/inbox/unassigned/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Unassigned")
    expect(page.locator("aside.sidebar a[data-view='unassigned'] .count")).to_have_text("1")
    row = page.locator("[data-list] tr[data-row]", has_text="My order never arrived")
    expect(row).to_have_count(1)
    shot(page, "inbox")

    # Open it.
    row.get_by_role("link", name="My order never arrived").click()
    expect(page).to_have_url(re.compile(rf"/c/{conversation.pk}/$"))
    expect(page.locator(".thread .msg.customer")).to_contain_text("Hello, about My order never arrived.")

    # Reply.
    reply_text = "Sorry about that, Carla. I have asked the warehouse and will write again by Friday."
    page.locator("#reply-form textarea[name=text]").fill(reply_text)
    page.locator("#reply-form").get_by_role("button", name="Send reply").click()
    expect(page.locator(".flash.success")).to_have_text(QUEUED)
    expect(page.locator(".thread .msg.reply")).to_contain_text(reply_text)
    replies = Message.objects.filter(conversation=conversation, kind=Message.Kind.REPLY)
    assert list(replies.values_list("text", flat=True)) == [reply_text]
    shot(page, "conversation-after-reply")

    form = page.locator("#transfer-form")
    note = form.locator("textarea[name=note]")
    form.get_by_label("or team").select_option(label="Billing")

    # An empty hand-off note is refused by the browser (required) ...
    form.get_by_role("button", name="Transfer").click()
    assert note.evaluate("el => el.validity.valueMissing") is True
    # ... and by the server when the browser check is bypassed.
    note.evaluate("el => el.removeAttribute('required')")
    note.fill("   ")
    form.get_by_role("button", name="Transfer").click()
    expect(page.locator(".flash.error")).to_contain_text("note")
    assert not Event.objects.filter(conversation=conversation, kind=Event.Kind.TRANSFERRED).exists()
    conversation.refresh_from_db()
    assert conversation.team.name == "Support"

    # A real hand-off note: transferred.
    handoff = "Parcel lost in transit; customer wants a refund, not a resend. Promised an answer by Friday."
    form = page.locator("#transfer-form")
    form.get_by_label("or team").select_option(label="Billing")
    form.locator("textarea[name=note]").fill(handoff)
    with page.expect_response(lambda r: r.url.endswith("/transfer/") and r.request.method == "POST"):
        form.get_by_role("button", name="Transfer").click()
    event = Event.objects.get(conversation=conversation, kind=Event.Kind.TRANSFERRED)
    assert event.note == handoff
    conversation.refresh_from_db()
    assert conversation.team_id == billing_team.pk
    # Ada is not on Billing: after handing the conversation away she must land somewhere she can see
    # (not a 404 that htmx silently drops), with the confirmation.
    expect(page.locator(".flash.success")).to_have_text("Transferred with your hand-off note.")
    expect(page.locator(".flash.error")).to_have_count(0)
    assert page.js_errors == []


def test_agent_logs_a_phone_call_notes_first(logged_in_page, agent):
    page = logged_in_page
    reason = ContactReason.objects.create(name="Delivery: parcel late")

    page.locator("nav.toplinks").get_by_role("link", name="Log a call").click()
    expect(page).to_have_url(re.compile(r"/calls/new/$"))
    notes = page.locator("#call-form textarea[name=notes]")
    expect(notes).to_be_visible()
    shot(page, "log-a-call")

    notes.fill("Caller says the parcel is two weeks late.\nTracking number 12345 shows no movement.")
    page.locator("#call-form").get_by_role("button", name="Save call").click()
    expect(page).to_have_url(re.compile(r"/c/\d+/$"))
    expect(page.locator(".flash.success")).to_have_text("Call logged.")
    expect(page.locator(".thread .msg.phone")).to_contain_text("Tracking number 12345 shows no movement.")
    conversation = Conversation.objects.get(channel="phone")
    assert conversation.customer is None and conversation.owner == agent
    assert page.url.endswith(f"/c/{conversation.pk}/")

    # Resolving without customer and reason is refused with what is missing.
    page.locator("#status-form").get_by_role("button", name="Resolve").click()
    error = page.locator(".flash.error")
    expect(error).to_contain_text("Set the customer before resolving.")
    expect(error).to_contain_text("Choose a contact reason before resolving.")
    conversation.refresh_from_db()
    assert conversation.status != Conversation.Status.RESOLVED

    # Fill them in from the sidebar, then resolve.
    customer_panel = page.get_by_test_id("customer-panel")
    customer_panel.get_by_placeholder("Name").fill("Paul Phone")
    customer_panel.get_by_placeholder("Phone").fill("+44 20 7946 0958")
    customer_panel.get_by_role("button", name="Set customer").click()
    expect(page.locator(".flash.success")).to_have_text("Customer set.")
    expect(customer_panel).to_contain_text("Paul Phone")

    page.get_by_label("Contact reason").select_option(label=reason.name)
    page.locator("form[action$='/reason/']").get_by_role("button", name="Save").click()
    expect(page.locator(".flash.success")).to_have_text("Contact reason saved.")

    page.locator("#status-form").get_by_role("button", name="Resolve").click()
    expect(page.locator(".flash.success")).to_have_text("Status changed.")
    expect(page.locator(".page-head .status")).to_have_text("Resolved")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED
    assert conversation.contact_reason == reason
    assert conversation.customer is not None and conversation.customer.name == "Paul Phone"


def test_log_a_call_shortcut_c(logged_in_page):
    page = logged_in_page
    page.locator("body").press("c")
    expect(page).to_have_url(re.compile(r"/calls/new/$"))
    expect(page.locator("#call-form textarea[name=notes]")).to_be_focused()


def test_keyboard_help_overlay_and_shortcuts(logged_in_page, conversation):
    page = logged_in_page
    page.goto("/inbox/unassigned/")
    overlay = page.locator("#shortcuts")
    expect(overlay).to_be_hidden()

    page.keyboard.press("?")
    expect(overlay).to_be_visible()
    expect(overlay.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()

    page.keyboard.press("j")
    expect(page.locator("[data-list] tr.selected")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/c/{conversation.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("My order never arrived")


def test_other_team_agent_cannot_open_the_conversation(page, conversation, other_agent):
    log_in(page, other_agent.username, PASSWORD)
    page.goto("/inbox/team/")
    expect(page.locator("[data-list]")).not_to_contain_text("My order never arrived")
    response = page.goto(f"/c/{conversation.pk}/")
    assert response is not None and response.status == 404


def test_vague_promise_is_flagged_while_writing_and_the_rewrite_can_be_used(
    logged_in_page, conversation
):
    page = logged_in_page
    page.goto(f"/c/{conversation.pk}/")
    box = page.locator("#reply-form textarea[name=text]")
    box.fill("Thanks Carla. We'll check and get back to you soon.")
    hint = page.locator("[data-promise-hint]")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Vague promise")
    expect(hint).to_contain_text("Suggested:")
    shot(page, "compose-vague-promise")
    hint.get_by_role("button", name="Use this wording").click()
    specific = re.compile(r"^Thanks Carla\. We'll check and get back to you by \w+day at \d\d:\d\d\.$")
    expect(box).to_have_value(specific)
    # The new wording is specific: the warning goes away before the reply is sent.
    expect(hint).to_be_hidden()
    page.locator("#reply-form").get_by_role("button", name="Send reply").click()
    expect(page.locator(".flash.success")).to_have_text(QUEUED)
    promise = conversation.promises.get()
    assert promise.kind == "specific" and promise.due_at is not None
    assert page.js_errors == []
