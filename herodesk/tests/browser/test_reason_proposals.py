"""A lead turns a proposed contact reason into a reason; its conversations get it as a suggestion."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from herodesk.conversations.models import Conversation
from herodesk.insights.tests.test_proposals import TOPICS, _fake_vectors
from herodesk.signals import embeddings
from herodesk.tests.browser.conftest import log_in, shot
from herodesk.tests.factories import PASSWORD, ConversationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clear_topics(support_team, settings, tmp_path, monkeypatch):
    """Two clear new topics (the encoder is stood in for: the grouping, naming and pages are real)."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(embeddings, "available", lambda: True)
    monkeypatch.setattr(embeddings, "encode", lambda texts, batch=32: _fake_vectors(list(texts)))
    made: dict[str, list[Conversation]] = {}
    for topic in ("gift", "passport"):
        subject, text = TOPICS[topic]
        made[topic] = [
            ConversationFactory(team=support_team, subject=subject, first_message=f"{text} (order {i})")
            for i in range(6)
        ]
    return made


def test_a_proposal_becomes_a_reason_suggested_on_its_conversations(page, lead, clear_topics):
    log_in(page, lead.username, PASSWORD)
    page.goto("/hero/reasons/")
    gift = page.locator("section.proposal", has_text="Gift card refused")
    expect(gift).to_have_count(1)
    expect(gift.locator("h3")).to_contain_text("6 conversations")
    expect(page.locator("section.proposal", has_text="Lost my passport")).to_have_count(1)
    shot(page, "reason-proposals-before")

    gift.get_by_label("New reason").fill("billing: gift card refused")
    gift.get_by_role("button", name="Create reason").click()
    expect(page.locator(".flash.success")).to_contain_text("suggested on 6 conversations")
    expect(page.locator("section.proposal", has_text="Gift card refused")).to_have_count(0)
    passport = page.locator("section.proposal", has_text="Lost my passport")
    expect(passport).to_have_count(1)
    expect(passport.locator("h3")).to_contain_text("passport")  # named by its words, even when alone
    shot(page, "reason-proposals-after")

    suggested = Conversation.objects.filter(suggested_reason__name="billing: gift card refused")
    assert {c.pk for c in suggested} == {c.pk for c in clear_topics["gift"]}
    assert not suggested.filter(contact_reason__isnull=False).exists()  # an agent confirms it
    page.goto(f"/c/{clear_topics['gift'][0].pk}/")
    expect(page.get_by_text("Suggested: billing: gift card refused")).to_be_visible()
    assert page.js_errors == []
