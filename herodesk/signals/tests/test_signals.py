"""Intensity, effort, behaviours and contact reasons: key cases and robustness."""

import pytest

from herodesk.signals import behaviours, effort, intensity, promises, reasons
from herodesk.signals.effort import EffortFacts, Turn

BAD_INPUTS = [
    "",
    "   ",
    "x" * 1_100_000,
    "\x00\x01\x02\xff" * 1000,
    "你好，我的订单在哪里？我很生气！",
    None,
    b"\x00bytes",
]


def test_furious_lawyer_message_is_intense_with_reasons():
    result = intensity.score("This is the THIRD time I write. You charged me twice!! I'm calling my lawyer.")
    calm = intensity.score("Hi, could you tell me your opening hours? Thanks")
    assert result.score > 0.8 > calm.score
    assert any(r.startswith("escalation threat") for r in result.reasons)
    assert any(r.startswith("repeated contact") for r in result.reasons)
    assert any(r.startswith("high stakes") for r in result.reasons)


def test_lost_passport_before_flight_today_is_urgent():
    result = intensity.score("I lost my passport and my flight is today, please help")
    assert any(r.startswith("urgency") for r in result.reasons)
    assert any("passport" in r for r in result.reasons)


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_bad_input_never_crashes_and_has_low_confidence(bad):
    result = intensity.score(bad)
    assert 0.0 <= result.score <= 1.0
    assert result.confidence <= 0.5 or bad == "x" * 1_100_000
    assert isinstance(behaviours.detect(bad), behaviours.BehaviourResult)
    assert isinstance(promises.detect(bad), list)
    assert 0 <= effort.score([Turn("customer", bad), Turn("agent", bad)]).score <= 100


def test_non_english_text_has_low_confidence():
    assert intensity.score("Je suis très fâché, ma commande n'est jamais arrivée").confidence < 0.5


def test_repeat_and_channel_switch_raise_effort():
    easy = [
        Turn("customer", "How do I reset my password?"),
        Turn("agent", "Click 'forgot password'."),
        Turn("customer", "Thanks, that worked!"),
    ]
    hard = [
        Turn("customer", "My order 12345678 never arrived."),
        Turn("agent", "Please send us a private message with your order number."),
        Turn(
            "customer", "I already told you, 12345678. This is the third time I'm writing, still not fixed."
        ),
    ]
    easy_result, hard_result = effort.score(easy), effort.score(hard)
    assert hard_result.score > easy_result.score
    names = {d.name for d in hard_result.drivers}
    assert {"said_repeat", "agent_channel_switch"} & names


def test_desk_facts_add_drivers():
    turns = [Turn("customer", "Where is my refund?")]
    base = effort.score(turns)
    more = effort.score(
        turns, EffortFacts(repeat_contacts=3, transfers=2, customer_wait_business_seconds=36000)
    )
    assert more.score > base.score
    assert {"repeat_contacts", "transfers", "waiting"} <= {d.name for d in more.drivers}


def test_customer_effort_is_dominated_by_the_worst_conversation():
    low, high = (
        effort.EffortResult(20, []),
        effort.EffortResult(80, [effort.EffortDriver("transfers", 10, "x")]),
    )
    combined = effort.aggregate([low, high])
    assert combined.score == round(0.6 * 80 + 0.4 * 50)
    assert combined.drivers[0].name == "transfers"
    assert effort.aggregate([]).score == 0


def test_behaviours_find_each_flag_with_evidence():
    good = behaviours.detect(
        "Hi Sam, I'm so sorry about this. I will send a replacement today. "
        "Is there anything else I can help with?"
    )
    assert good.greeting.present and good.apology_or_empathy.present and good.ownership_language.present
    assert good.clear_next_step.present and good.closing_offer_of_help.present
    bad = behaviours.detect("You should have read the terms. Please call us on 0800 123 456.")
    assert bad.blaming_language.present and bad.channel_switch_request.present
    assert "you should have" in bad.blaming_language.evidence


def test_team_commitments_are_ownership_but_questions_and_pledges_are_not():
    assert behaviours.detect("We will verify it and reply to you.").ownership_language.present
    assert behaviours.detect("We have submitted your case to the billing team.").ownership_language.present
    assert not behaviours.detect("Is there anything else I can do for you?").ownership_language.present
    assert not behaviours.detect("We will provide better services.").ownership_language.present
    assert behaviours.detect("Can I assist you further today?").closing_offer_of_help.present
    assert behaviours.detect("Please wait for our reply.").clear_next_step.present


# Two contact reasons, three ways each of saying them (also used by test_embeddings.py).
REASON_EXAMPLES = [
    ("where is my card", "card_arrival"),
    ("my card has not arrived yet", "card_arrival"),
    ("card still not delivered", "card_arrival"),
    ("I want a refund", "refund"),
    ("please refund my money", "refund"),
    ("how do I get my money back", "refund"),
]


def test_reason_classifier_round_trips_through_bytes():
    model = reasons.train(REASON_EXAMPLES)
    restored = reasons.ReasonModel.from_bytes(model.to_bytes())
    assert restored.predict(["has my card arrived"])[0][0] == "card_arrival"
    assert restored.predict(["refund please"])[0][0] == "refund"
    assert restored.predict([""])[0][1] == 0.0


def test_clusters_are_named_by_top_terms():
    texts = ["card not arrived"] * 5 + ["refund my money back"] * 5
    proposals = reasons.cluster(texts, n_clusters=2)
    names = " ".join(p.name for p in proposals)
    assert "card" in names and "refund" in names
    assert reasons.cluster([]) == []


def test_critical_moments_reach_the_hero_threshold_even_when_calm():
    calm_but_critical = [
        "My flight to Zagreb leaves in 40 minutes and the app says my booking does not exist.",
        "Hello, I lost my passport yesterday, what can I do?",
        "You charged me twice for the same order.",
    ]
    for text in calm_but_critical:
        result = intensity.score(text)
        assert result.score >= 0.65 and result.reasons[0].startswith("critical: "), (text, result)
    ordinary = intensity.score("I need a train that leaves after 10:00 on Friday, please.")
    assert ordinary.score < 0.65 and not any(r.startswith("critical") for r in ordinary.reasons)
