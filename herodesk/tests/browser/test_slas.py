"""SLAs in a real browser: a warning on the inbox row and on the conversation; the lead's pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from herodesk.conversations.models import Conversation, Message
from herodesk.demo import seed_demo
from herodesk.demo.cast import DEMO_PASSWORD
from herodesk.tests.browser.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_demo(conversations=150, customers=70, seed=7)


def test_an_sla_warning_shows_on_the_row_and_on_the_conversation(page, demo):
    now = timezone.now()
    near = (
        Conversation.objects.filter(
            owner__username="agent", sla_due_at__gt=now, sla_due_at__lte=now + timedelta(hours=1)
        )
        .order_by("sla_due_at")
        .first()
    )
    assert near is not None
    log_in(page, "agent", DEMO_PASSWORD, start="/inbox/mine/?sort=due")
    row = page.locator(f'tr[data-href="/c/{near.pk}/"]')
    expect(row.locator(".badge.sla")).to_contain_text("left")
    shot(page, "sla-inbox")
    row.locator("a").first.click()
    expect(page.get_by_test_id("sla-banner")).to_contain_text("is due soon")
    expect(page.get_by_test_id("sla-card")).to_contain_text("due soon")
    shot(page, "sla-conversation")


def test_lead_sees_policies_and_the_report(page, demo):
    log_in(page, "lead", DEMO_PASSWORD, start="/slas/policies/")
    expect(page.get_by_test_id("policies")).to_contain_text("Priority is Urgent")
    shot(page, "sla-policies")
    page.goto("/slas/?group=agent")
    expect(page.get_by_test_id("sla-report")).to_contain_text("Ada")
    shot(page, "sla-report")


def _schedule(page, conversation, text: str, send_at, follow_up: bool = False) -> None:
    page.goto(f"/c/{conversation.pk}/")
    page.locator("#reply-form textarea[name=text]").fill(text)
    page.get_by_test_id("schedule").locator("summary").click()
    page.get_by_label("Send at").first.fill(timezone.localtime(send_at).strftime("%Y-%m-%dT%H:%M"))
    if follow_up:
        page.get_by_label("Follow-up: cancel it if the customer writes first").check()
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator(".flash.success")).to_be_visible()


def test_a_scheduled_reply_is_sent_by_the_worker_at_its_time(logged_in_page, conversation):
    import time_machine

    from herodesk.slas.tasks import send_due_replies

    page = logged_in_page
    send_at = timezone.now() + timedelta(hours=2)
    _schedule(page, conversation, "Your replacement ships tomorrow.", send_at)
    message = Message.objects.get(conversation=conversation, kind="reply")
    expect(page.get_by_test_id(f"scheduled-{message.pk}")).to_contain_text("Scheduled")
    shot(page, "sla-scheduled-reply")
    with time_machine.travel(send_at + timedelta(minutes=1)):
        send_due_replies.call_local()  # the periodic job's body, as the worker runs it
    page.reload()
    expect(page.get_by_test_id(f"scheduled-{message.pk}")).to_have_count(0)
    message.refresh_from_db()
    assert message.send_status != "scheduled"


def test_a_follow_up_is_cancelled_by_a_customer_reply(logged_in_page, conversation):
    from herodesk.conversations import actions as conv

    page = logged_in_page
    _schedule(page, conversation, "Did the new password work?", timezone.now() + timedelta(days=2), True)
    message = Message.objects.get(conversation=conversation, kind="reply")
    expect(page.get_by_test_id(f"scheduled-{message.pk}")).to_contain_text("unless the customer writes first")
    conv.do_add_customer_message(
        conversation, conv.IncomingMessage(text="It works now, thanks!", channel="email")
    )
    page.reload()
    expect(page.locator(f"#m{message.pk}")).to_contain_text("the customer wrote on")
    expect(page.get_by_test_id(f"scheduled-{message.pk}")).to_have_count(0)
    shot(page, "sla-follow-up-cancelled")


def test_deescalation_help_checks_the_draft_as_it_is_written(logged_in_page, conversation):
    Message.objects.filter(conversation=conversation, kind="customer").update(intensity=0.9)
    page = logged_in_page
    page.goto(f"/c/{conversation.pk}/")
    panel = page.get_by_test_id("deescalate")
    expect(panel).to_contain_text("This customer is upset")
    page.locator("#reply-form textarea[name=text]").fill(
        "You should have read the terms. Why did you do that?"
    )
    expect(panel.locator('[data-point="no_blame"]')).to_contain_text("blaming")
    expect(panel.locator('[data-point="no_blame"]')).to_have_class(re.compile("todo"))
    page.locator("#reply-form textarea[name=text]").fill(
        "I'm so sorry about this. I will call you by 3pm today."
    )
    expect(panel.locator('[data-point="acknowledge"]')).to_have_class(re.compile("ok"))
    shot(page, "sla-deescalation")
