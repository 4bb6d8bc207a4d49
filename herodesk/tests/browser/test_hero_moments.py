"""Hero moments in a real browser, on the demo: both sections, the "mine" filter, paging, time to relief."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from herodesk.conversations.models import Conversation
from herodesk.demo import seed_demo
from herodesk.demo.cast import DEMO_PASSWORD
from herodesk.insights import actions as insight_actions
from herodesk.insights import queries
from herodesk.tests.browser.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_demo(conversations=120, customers=60, seed=7)
    # The demo's hero moments are its last conversations; analyse them (the rest of Support is analysed
    # by the quality demo).
    for pk in Conversation.objects.order_by("-pk").values_list("pk", flat=True)[:12]:
        insight_actions.analyse_conversation(pk)


def test_the_split_page_with_filters_and_paging(page, demo, monkeypatch):
    monkeypatch.setattr(queries, "HERO_PAGE_SIZE", 3)
    log_in(page, "lead", DEMO_PASSWORD, start="/hero/")
    now, missed = page.get_by_test_id("hero-now"), page.get_by_test_id("hero-missed")
    expect(now).to_contain_text("Needs relief now")
    expect(now.locator("tr.hero-row").first).to_contain_text("left")
    expect(missed).to_contain_text("Missed")
    expect(missed.locator("tr.hero-row").first).to_be_visible()
    expect(missed).to_contain_text("Deadline passed")
    expect(page.get_by_test_id("hero-relief")).to_contain_text("Time to relief")
    shot(page, "hero-moments-lead")

    page.get_by_test_id("hero-now-next").click()
    expect(now).to_contain_text("Page 2 of")
    page.get_by_text("← Previous").first.click()
    expect(now).to_contain_text("Page 1 of")

    page.get_by_label("Mine only").check()
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"mine=1"))
    expect(page.get_by_label("Mine only")).to_be_checked()
    for owner in page.locator("tr.hero-row td:nth-child(5)").all_inner_texts():
        assert owner.startswith("Lena")

    page.context.clear_cookies()
    log_in(page, "agent", DEMO_PASSWORD, start="/hero/?mine=1")
    rows = page.locator("tr.hero-row")
    expect(rows.first).to_be_visible()
    for owner in page.locator("tr.hero-row td:nth-child(5)").all_inner_texts():
        assert owner.startswith("Ada")
    shot(page, "hero-moments-mine")


def test_a_hero_moment_opens_with_plain_reasons_and_labelled_effort(page, demo):
    log_in(page, "agent", DEMO_PASSWORD, start="/hero/?mine=1")
    first = page.get_by_test_id("hero-now").locator("tr.hero-row a").first
    first.click()
    expect(page).to_have_url(re.compile(r"/c/\d+/"))
    expect(page.get_by_test_id("conversation-effort")).to_contain_text("Effort of this conversation")
    customer_effort = page.get_by_test_id("customer-effort")
    expect(customer_effort).to_contain_text("This customer's effort, all conversations")
    reasons = page.locator("ul.reasons li")
    expect(reasons.first).to_contain_text("“")
    shot(page, "hero-moment-conversation")
