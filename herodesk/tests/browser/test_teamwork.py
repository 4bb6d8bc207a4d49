"""Working as a team, in two real browser sessions: hand-off, collision hold, mention, bulk transfer."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from herodesk.conversations.models import Conversation, Event, Message
from herodesk.tests.browser.conftest import TIMEOUT_MS, log_in, shot, stop_polling
from herodesk.tests.factories import PASSWORD, ConversationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
POLL_MS = 12_000  # presence polls every 5 s


@pytest.fixture
def second_page(browser, live_server) -> Iterator:
    """Another person: a second browser context with its own cookies."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    stop_polling(page)
    context.close()


def test_a_transfer_note_is_seen_by_the_receiver(page, second_page, agent, other_agent, conversation):
    ada, otto = page, second_page
    log_in(ada, agent.username, PASSWORD)
    ada.goto(f"/c/{conversation.pk}/")
    form = ada.locator("#transfer-form")
    form.get_by_label("or team").select_option(label="Billing")
    form.locator("textarea[name=note]").fill("Charged twice for order 1234; I promised a refund by Friday.")
    form.get_by_role("button", name="Transfer").click()
    expect(ada.locator(".flash.success")).to_contain_text("Transferred")

    log_in(otto, other_agent.username, PASSWORD)
    expect(otto.locator(".bell .count")).to_have_text("1")
    otto.locator(".bell").click()
    otto.locator("ul.notifications a", has_text="Charged twice").click()
    expect(otto).to_have_url(re.compile(rf"/c/{conversation.pk}/$"))
    banner = otto.locator("[data-testid=handoff-note]")
    expect(banner).to_contain_text("Hand-off from Ada")
    expect(banner).to_contain_text("Charged twice for order 1234")
    shot(otto, "teamwork-handoff-banner")
    # The queue shows it: unassigned and open, in Billing.
    otto.goto("/inbox/unassigned/")
    expect(otto.locator("[data-list] tr[data-row]", has_text=conversation.subject)).to_have_count(1)
    assert ada.js_errors == [] and otto.js_errors == []


def test_two_agents_replying_at_once_the_second_is_held(page, second_page, agent, lead, conversation):
    ada, lena = page, second_page
    log_in(ada, agent.username, PASSWORD)
    log_in(lena, lead.username, PASSWORD)
    ada.goto(f"/c/{conversation.pk}/")
    lena.goto(f"/c/{conversation.pk}/")
    # Each sees the other on the conversation; Lena sees Ada typing.
    expect(lena.locator("[data-testid=presence]")).to_contain_text("Ada", timeout=POLL_MS)
    ada.locator("#reply-form textarea[name=text]").fill("Ada here: your refund is on its way.")
    expect(lena.locator("[data-testid=presence]")).to_contain_text("is typing a reply", timeout=POLL_MS)
    shot(lena, "teamwork-presence-typing")

    lena.locator("#reply-form textarea[name=text]").fill("Lena here: refund approved today.")
    lena.locator("#reply-form").get_by_role("button", name="Send reply").click()
    expect(lena.locator(".flash.success")).to_be_visible()

    ada.locator("#reply-form").get_by_role("button", name="Send reply").click()
    expect(ada.locator("[data-testid=send-held]")).to_contain_text("Not sent")
    expect(ada.locator("[data-testid=unseen-message]")).to_have_count(1)
    expect(ada.locator(".msg.unseen")).to_contain_text("Lena here: refund approved today.")
    expect(ada.locator("#reply-form textarea[name=text]")).to_have_value(
        "Ada here: your refund is on its way."
    )
    shot(ada, "teamwork-collision-held")
    replies = Message.objects.filter(conversation=conversation, kind=Message.Kind.REPLY)
    assert replies.count() == 1  # nothing of Ada's went out

    # Ada edits and sends anyway.
    ada.locator("#reply-form textarea[name=text]").fill("Ada here: as Lena said, the refund is approved.")
    ada.get_by_test_id("send-anyway").click()
    expect(ada.locator(".flash.success")).to_be_visible()
    assert replies.count() == 2
    assert ada.js_errors == [] and lena.js_errors == []


def test_a_mention_notifies_the_colleague(page, second_page, agent, lead, conversation):
    ada, lena = page, second_page
    log_in(ada, agent.username, PASSWORD)
    ada.goto(f"/c/{conversation.pk}/")
    ada.keyboard.press("n")
    box = ada.locator("#note-form textarea[name=text]")
    box.press_sequentially("Can you approve this refund @Le")
    options = ada.locator(".mention-list li")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Lena")
    box.press("Enter")
    expect(box).to_have_value("Can you approve this refund @lena ")
    box.press_sequentially("please?")
    ada.locator("#note-form").get_by_role("button", name="Add note").click()
    expect(ada.locator(".flash.success")).to_have_text("Note added.")

    log_in(lena, lead.username, PASSWORD)
    expect(lena.locator(".bell .count")).to_have_text("1")
    lena.goto("/notifications/")
    item = lena.locator("ul.notifications li", has_text="Ada mentioned you")
    expect(item).to_contain_text("@lena please?")
    item.get_by_role("link").click()
    expect(lena).to_have_url(re.compile(rf"/c/{conversation.pk}/"))
    expect(lena.locator(".bell .count")).to_have_count(0)
    assert ada.js_errors == [] and lena.js_errors == []


def test_bulk_transfer_of_selected_rows(page, second_page, agent, other_agent, customer, support_team):
    first = ConversationFactory(customer=customer, team=support_team, subject="Invoice copy needed")
    second = ConversationFactory(customer=customer, team=support_team, subject="VAT number missing")
    untouched = ConversationFactory(customer=customer, team=support_team, subject="Where is my parcel")
    ada, otto = page, second_page
    log_in(ada, agent.username, PASSWORD)
    ada.goto("/inbox/team/")
    ada.locator("[data-list] tr[data-row]", has_text="Invoice copy needed").locator(
        "input[data-pick]"
    ).check()
    # Keyboard: j/k move the selection, x ticks the selected row.
    rows = ada.locator("[data-list] tr[data-row]")
    index = [rows.nth(i).inner_text() for i in range(rows.count())].index(
        next(t for t in (rows.nth(i).inner_text() for i in range(rows.count())) if "VAT number missing" in t)
    )
    ada.locator("body").click(position={"x": 5, "y": 400})
    for _ in range(index + 1):
        ada.keyboard.press("j")
    ada.keyboard.press("x")
    expect(ada.locator("[data-bulk-count]")).to_have_text("2 selected")
    bar = ada.get_by_test_id("bulk-bar")
    bar.get_by_label("Action").select_option("transfer")
    bar.get_by_label("Transfer to team").select_option(label="Billing")
    bar.get_by_label("Hand-off note").fill("Both are invoice questions for Billing.")
    shot(ada, "teamwork-bulk-bar")
    bar.get_by_role("button", name="Apply to selected").click()
    expect(ada.locator(".flash.success")).to_contain_text("Done for 2 conversations")

    for conversation in (first, second):
        conversation.refresh_from_db()
        assert conversation.team.name == "Billing"
        assert conversation.events.get(kind=Event.Kind.TRANSFERRED).note.startswith("Both are invoice")
    untouched.refresh_from_db()
    assert untouched.team == support_team

    log_in(otto, other_agent.username, PASSWORD)
    otto.goto("/inbox/unassigned/")
    expect(otto.locator("[data-list] tr[data-row]")).to_have_count(2)
    otto.locator("[data-list] a", has_text="VAT number missing").click()
    expect(otto.locator("[data-testid=handoff-note]")).to_contain_text("Both are invoice questions")
    assert Conversation.objects.filter(team__name="Billing").count() == 2
    assert ada.js_errors == [] and otto.js_errors == []


def test_split_off_one_message_from_the_thread(page, agent, conversation):
    """Each message's "Split off" button submits the page's one split form (with that message)."""
    from herodesk.conversations import actions

    incoming = actions.IncomingMessage(text="Also: my address changed to 5 Elm Road.", channel="email")
    second = actions.do_add_customer_message(conversation, incoming)
    log_in(page, agent.username, PASSWORD)
    page.goto(f"/c/{conversation.pk}/")
    page.locator(f"#m{second.pk}").get_by_role("button", name="Split off").click()
    expect(page.locator(".flash.success")).to_be_visible()
    moved = Message.objects.get(pk=second.pk)
    assert moved.conversation_id != conversation.pk
    assert Conversation.objects.filter(pk=moved.conversation_id, customer=conversation.customer).exists()
    assert page.js_errors == []
