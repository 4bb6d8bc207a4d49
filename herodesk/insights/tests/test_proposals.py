"""Proposed contact reasons: coherent groups on sentence embeddings, named by their distinctive words,
without conversations an existing reason fits; creating a reason suggests it on the group."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from herodesk.conversations.models import ContactReason, Conversation
from herodesk.conversations.queries import visible_conversations
from herodesk.insights import reasons
from herodesk.signals import embeddings
from herodesk.signals import reasons as engine
from herodesk.tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db

TOPICS = {
    "gift": (
        "Gift card refused",
        "The checkout says my gift card code is invalid, the gift card has money on it",
    ),
    "address": ("Change delivery address", "Please change the delivery address of my order to my new flat"),
    "passport": ("Lost my passport", "I lost my passport at the airport and my flight leaves tonight"),
}


def _fake_vectors(texts: list[str]) -> np.ndarray:
    """Stands in for MiniLM: one direction per topic word, a little noise (fast and deterministic)."""
    rng = np.random.default_rng(len(texts))
    out = np.zeros((len(texts), 8), dtype=np.float32)
    for i, text in enumerate(texts):
        for axis, word in enumerate(("gift", "address", "passport", "password")):
            if word in text.lower():
                out[i, axis] = 1.0
        out[i, 7] = 0.05
        out[i] += rng.normal(0, 0.03, 8)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture(autouse=True)
def fake_embeddings(monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(embeddings, "available", lambda: True)
    monkeypatch.setattr(embeddings, "encode", lambda texts, batch=32: _fake_vectors(list(texts)))


@pytest.fixture
def lead_client(lead):
    client = Client()
    client.force_login(lead)
    return client


def _make(team, topic: str, n: int, **kwargs) -> list[Conversation]:
    subject, text = TOPICS[topic]
    return [
        ConversationFactory(team=team, subject=subject, first_message=f"{text} ({i})", **kwargs)
        for i in range(n)
    ]


def test_groups_do_not_mix_unrelated_topics_and_small_groups_are_dropped():
    gift = [
        "gift card refused",
        "my gift card code fails",
        "gift card balance missing",
        "is my gift card valid",
        "gift card rejected at checkout",
        "gift card does not work",
    ]
    passport = [
        "lost passport at the airport",
        "passport stolen",
        "need a new passport",
        "passport missing",
        "my passport expired",
        "passport left in the hotel",
    ]
    texts = gift + passport + ["change delivery address", "wrong address"]
    found = engine.propose(texts, _fake_vectors(texts))
    assert [p.size for p in found] == [6, 6]
    assert sorted(sorted(p.members) for p in found) == [list(range(6)), list(range(6, 12))]  # one topic each
    assert {p.top_terms[0] for p in found} == {"gift card", "passport"}


def test_names_are_distinctive_words_without_stop_words():
    texts = [
        "Hi, my gift card is refused at checkout, thanks", "Hello, the gift card code fails, please help",
        "Hi, gift card balance not accepted, thanks", "Hello, please change my delivery address, thanks",
        "Hi, the delivery address is wrong, please help", "Hello, new delivery address for my order",
    ]  # fmt: skip
    terms = engine.distinctive_terms(texts, [0, 0, 0, 1, 1, 1])
    assert terms[0][0] == "gift card" and terms[1][0] == "delivery address"
    for words in terms.values():
        assert not {"hi", "hello", "thanks", "please", "help"} & set(words)


def test_proposals_leave_out_what_an_existing_reason_fits_with_confidence(support_team, monkeypatch):
    passport = ContactReason.objects.create(name="travel: lost passport")
    monkeypatch.setattr(reasons, "current_model", lambda: type("Model", (), {"labels": [passport.name]})())
    fits = _make(support_team, "passport", 6)
    Conversation.objects.filter(pk__in=[c.pk for c in fits]).update(
        suggested_reason=passport, suggested_reason_confidence=reasons.CONFIDENT_FIT + 0.2
    )
    unsure = _make(support_team, "address", 5)
    Conversation.objects.filter(pk__in=[c.pk for c in unsure]).update(
        suggested_reason=passport, suggested_reason_confidence=reasons.CONFIDENT_FIT - 0.3
    )
    _make(support_team, "gift", 6)
    found = reasons.propose_new_reasons(Conversation.objects.all())
    assert sorted(p.size for p in found) == [5, 6]
    shown = {c.pk for p in found for c in p.examples}
    assert not shown & {c.pk for c in fits}


def test_creating_a_reason_from_a_proposal_suggests_it_and_drops_the_proposal(
    lead_client, support_team, billing_team
):
    gift = _make(support_team, "gift", 6)
    _make(support_team, "passport", 6)
    hidden = _make(billing_team, "gift", 2)  # the lead cannot see Billing's conversations
    page = lead_client.get(reverse("insights:reasons"))
    proposal = next(p for p in page.context["proposals"] if p.examples[0].subject == "Gift card refused")
    assert set(proposal.conversation_ids) == {c.pk for c in gift}
    response = lead_client.post(
        reverse("insights:create_reason"),
        {"name": "billing: gift card refused", "conversation": [*proposal.conversation_ids, hidden[0].pk]},
        follow=True,
    )
    reason = ContactReason.objects.get(name="billing: gift card refused")
    assert "suggested on 6 conversations" in response.content.decode(), [
        str(m) for m in response.context["messages"]
    ]
    suggested = Conversation.objects.filter(suggested_reason=reason)
    assert {c.pk for c in suggested} == {c.pk for c in gift}
    assert all(0 < (c.suggested_reason_confidence or 0) <= 1 for c in suggested)
    assert not Conversation.objects.filter(pk=hidden[0].pk, suggested_reason=reason).exists()
    assert not Conversation.objects.filter(contact_reason=reason).exists()  # agents confirm
    left = reasons.propose_new_reasons(visible_conversations(lead_client.get("/").wsgi_request.user))
    assert [{c.subject for c in p.examples} for p in left] == [{"Lost my passport"}]


def test_create_reason_refuses_bad_conversation_ids(lead_client, agent_client):
    url = reverse("insights:create_reason")
    assert lead_client.post(url, {"name": "x", "conversation": ["abc"]}).status_code == 400
    assert (
        lead_client.post(url, {"name": "x", "conversation": ["99999999999999999999999"]}).status_code == 400
    )
    assert agent_client.post(url, {"name": "x", "conversation": ["1"]}).status_code == 403
    assert not ContactReason.objects.exists()


def test_the_model_does_not_overwrite_a_suggestion_from_an_adopted_proposal(support_team, monkeypatch):
    adopted = ContactReason.objects.create(name="billing: gift card refused")
    conversation = _make(support_team, "gift", 1, suggested_reason=adopted, suggested_reason_confidence=0.8)[
        0
    ]

    class Model:
        labels = ["delivery: late", "travel: lost passport"]

        def predict(self, texts):
            raise AssertionError("the adopted suggestion stays")

    monkeypatch.setattr(reasons, "current_model", lambda: Model())
    reasons.suggest_for(conversation)
    conversation.refresh_from_db()
    assert conversation.suggested_reason == adopted


def test_embeddings_are_cached_per_conversation_text(support_team, monkeypatch):
    calls: list[int] = []

    def encode(texts, batch=32):
        calls.append(len(texts))
        return _fake_vectors(list(texts))

    monkeypatch.setattr(embeddings, "encode", encode)
    first, _ = reasons.conversation_vectors([1, 2], ["gift card", "passport"])
    again, known = reasons.conversation_vectors([1, 2, 3], ["gift card", "passport", "address"])
    changed, _ = reasons.conversation_vectors([1], ["my passport"])
    assert calls == [2, 1, 1] and known.all()
    assert np.allclose(first, again[:2], atol=1e-3) and changed.shape == (1, 8)
    capped, known = reasons.conversation_vectors([4, 5, 6], ["a gift", "a passport", "an address"], max_new=1)
    assert calls[-1] == 1 and known.tolist() == [True, False, False]


def test_a_page_view_reads_a_bounded_number_of_new_conversations(support_team, monkeypatch):
    _make(support_team, "gift", 6)
    _make(support_team, "passport", 6)
    monkeypatch.setattr(reasons, "ENCODE_PER_VIEW", 7)
    first = reasons.propose_new_reasons(Conversation.objects.all(), read_the_rest=reasons.warm_proposals)
    assert sum(p.size for p in first) <= 7  # jobs run inline in tests: the rest is read right after
    assert sorted(p.size for p in reasons.propose_new_reasons(Conversation.objects.all())) == [6, 6]
