"""SLAs in a real browser: a warning on the inbox row and on the conversation; the lead's pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from herodesk.conversations.models import Conversation
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
