"""Reasons in words a person would write (signals/explain.py): a plain name and the customer's own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from herodesk.signals import intensity
from herodesk.signals.explain import explain, explain_all, explain_driver, quote

PUNCT = ",;:-.!?\"'()…"
TEXT = (
    "Hello. This is the THIRD time I'm writing!!! I already sent you the receipt twice and nobody "
    "reads it. My flight leaves today."
)


def test_the_gibberish_reason_becomes_a_readable_quote() -> None:
    assert explain("not understood: i already", TEXT) == (
        "Feels not understood: “I already sent you the receipt twice and nobody reads…”"
    )
    assert explain("urgency: flight", TEXT) == "In a hurry: “My flight leaves today.”"
    assert (
        explain("anger: shouting", TEXT)
        == "Shouting (capitals or !!!): “This is the THIRD time I'm writing!!!”"
    )
    assert explain("critical: charged me twice", TEXT) == "Critical situation"  # not in the text: name only
    assert explain("anger: swearing: damn", "Damn this app.") == "Swearing: “Damn this app.”"


def test_quotes_are_whole_words_with_an_ellipsis_where_cut() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
    start = text.index("eight")
    assert quote(text, start, start + 5, words=5) == "…six seven eight nine ten…"
    assert explain_all(["anger: x", "anger: x"], "x") == ["Angry: “x”"]


def test_effort_drivers_quote_the_customer_or_name_the_driver() -> None:
    texts = ["My order 12345 never arrived.", "I already told you, it is 12345. Third time I write."]
    assert explain_driver("said_repeat", "", texts) == (
        "The customer says they are repeating themselves: “I already told you, it is 12345.”"
    )
    assert explain_driver("repeated_info", "", texts) == "The customer had to give “12345” again"
    assert explain_driver("ends_on_customer", "", texts) == "The customer's last message has no answer yet"
    assert explain_driver("transfers", "conversation was transferred (2)", texts) == (
        "Conversation was transferred (2)"
    )


def _real_texts() -> list[str]:
    root = Path("../shared/data")
    if not (root / "complaints" / "complaints_dev.csv").exists():
        return []
    from herodesk.signals.quality.data import load_complaints, load_stc3

    texts = [t.text for d in load_stc3(root) for t in d.turns if t.sender == "customer"]
    return texts + [r[0] for r in load_complaints(root)]


def test_on_real_texts_every_reason_quotes_whole_words_of_the_message() -> None:
    texts = _real_texts()
    if not texts:
        pytest.skip("shared data not found")
    explained = 0
    for text in texts:
        for reason in intensity.score(text).reasons:
            line = explain(reason, text)
            match = re.search(r"“(.*)”", line)
            assert match, (reason, line)
            words = match.group(1).strip("…").split()
            assert words and len(words) <= 14
            whole = {w.strip(PUNCT) for w in text.split()}
            assert all(w.strip(PUNCT) in whole for w in words), (reason, line)
            explained += 1
    assert explained > 500
