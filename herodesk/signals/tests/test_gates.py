"""Keyword gates must never change a result: a regex that matches implies its gate is open."""

import re
from pathlib import Path

import pytest

from herodesk.signals import behaviours, intensity, promises
from herodesk.signals.message import analyse_message
from herodesk.signals.text import prepare, word_gate

PATTERNS = [(c.name, c.pattern) for c in intensity.CUES] + list(behaviours._FLAG_PATTERNS.items())
SAMPLES = [
    "This is the THIRD time I write. You charged me twice!! I'm calling my lawyer.",
    "I said the east, not the west. Are you sure? Check again please",
    "wtf, this is bullshit, fucking useless rip-off; I've called 5 times and still haven't heard back",
    "I lost my passport and my flight leaves in 40 minutes!",
    "No, I'd like a cheap one. That's not what I asked for.",
    "Hi Sam, I'm so sorry about this. I will send a replacement today. Is there anything else?",
    "You should have read the terms. Please call us on 0800 123 456 or dm us.",
    "As I already told you, it's the courier's fault. You didn't read it.",
    "Let me check that for you. I’ll get back to you by Monday at 4pm.",
    "I have escalated this; you will receive an email once we have an update. Tracking number 12.",
    "i'm going to be overcharged and injured, never shopping here again!!!",
    "Feel free to contact us any time, don't hesitate to ask. Visit our nearest store.",
]


def _data_texts() -> list[str]:
    root = Path("../shared/data")
    if not (root / "complaints" / "complaints_dev.csv").exists():
        return []
    from herodesk.signals.quality.data import load_complaints, load_stc3, load_uss

    texts = [t.text for d in load_stc3(root) for t in d.turns]
    texts += [r[0] for r in load_complaints(root)]
    texts += [t.text for d in load_uss(root)[:300] for t in d]
    return texts


@pytest.mark.parametrize("name,regex", PATTERNS, ids=[n for n, _ in PATTERNS])
def test_gate_opens_whenever_the_pattern_matches(name, regex):
    gate = word_gate(regex)
    assert not gate.always, f"{name} lost its gate"
    for text in SAMPLES + _data_texts():
        prepared = prepare(text)
        for lower in (prepared.lower, prepared.lower.replace("’", "'")):
            if regex.search(lower):
                assert gate.open(prepared.words, lower, prepared.has_digit), (name, text)


def test_gate_of_simple_patterns():
    gate = word_gate(re.compile(r"(?<![a-z0-9'])(i (?:said|told you)|fuck\w*|\d+ times)\b"))
    assert {"said", "told"} <= gate.words and "fuck" in gate.substrings
    words = prepare("so I said no").words
    assert gate.open(words, "so i said no", False)
    assert not gate.open(prepare("so I went").words, "so i went", False)


def test_analyse_message_equals_separate_calls():
    from datetime import UTC, datetime

    at = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    for text in SAMPLES:
        both = analyse_message(text, at, "Europe/London")
        assert both.intensity == intensity.score(text)
        assert both.behaviours == behaviours.detect(text)
        assert both.promises == promises.detect(text, at, "Europe/London")
        alone = analyse_message(text, at, "Europe/London", wanted={"intensity"})
        assert alone.intensity == both.intensity and alone.behaviours is None and alone.promises is None
