"""Reasons shown to people, in words a person would write: the signal named plainly, with the customer's
own words that caused it (a short quote of whole words, trimmed with an ellipsis).

The engine's reasons stay as they are ("not understood: i already", the cue and the lower-cased words it
matched, used by the scoring and the evaluation); this module turns one into "Feels not understood:
“…I already sent you the receipt twice…”" at display time, given the message text. It never changes a
score.
"""

from __future__ import annotations

import re

QUOTE_WORDS = 10
MAX_TEXT = 20_000

# The engine's reason labels (intensity cues, critical moments) in plain language, longest first.
PLAIN = (
    ("anger: swearing", "Swearing"),
    ("anger: shouting", "Shouting (capitals or !!!)"),
    ("escalation threat", "Threatens to escalate"),
    ("repeated contact", "Has had to write again"),
    ("not understood", "Feels not understood"),
    ("high stakes", "A lot at stake"),
    ("critical", "Critical situation"),
    ("urgency", "In a hurry"),
    ("anger", "Angry"),
)
_WORD_RE = re.compile(r"\S+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_SHOUT_RE = re.compile(r"\b[A-Z]{3,}(?:\s+[A-Z]{2,})*\b|[!?]{2,}")


def quote(text: str, start: int, end: int, words: int = QUOTE_WORDS) -> str:
    """About ``words`` whole words of ``text`` around [start, end), within its sentence, with an ellipsis
    where the sentence was cut; no quote marks."""
    sentence_start, sentence_end = 0, len(text)
    for match in _SENTENCE_END_RE.finditer(text):
        if match.end() <= start:
            sentence_start = match.end()
        elif match.start() >= end:
            sentence_end = match.start()
            break
    sentence = text[sentence_start:sentence_end]
    found = list(_WORD_RE.finditer(sentence))
    if not found:
        return ""
    lo, hi = start - sentence_start, end - sentence_start
    hit = [i for i, w in enumerate(found) if w.end() > lo and w.start() < hi] or [0]
    first, last = hit[0], hit[-1]
    while last - first + 1 < words and (first > 0 or last < len(found) - 1):
        if first > 0:
            first -= 1
        if last - first + 1 < words and last < len(found) - 1:
            last += 1
    body = " ".join(w.group(0) for w in found[first : last + 1]).strip(" ,;:-")
    before = "…" if first > 0 and not body.startswith("…") else ""
    after = "…" if last < len(found) - 1 and not body.endswith(("…", "...")) else ""
    return before + body + after


def _find(text: str, phrase: str) -> tuple[int, int] | None:
    """Where the engine's lower-cased, space-normalised phrase occurs in the original text."""
    words = phrase.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, text, re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def split_reason(reason: str) -> tuple[str, str]:
    """("not understood", "i already") from "not understood: i already"; the plain name's label first."""
    for label, _ in PLAIN:
        if reason == label:
            return label, ""
        if reason.startswith(label + ": "):
            return label, reason[len(label) + 2 :]
    label, _, phrase = reason.partition(": ")
    return label, phrase


def explain(reason: str, text: str) -> str:
    """One reason in plain words with the customer's words that caused it, when they can be found."""
    label, phrase = split_reason(reason)
    name = dict(PLAIN).get(label, label.capitalize())
    text = (text or "")[:MAX_TEXT]
    where = None
    if label == "anger: shouting":
        match = _SHOUT_RE.search(text)
        where = (match.start(), match.end()) if match else None
    elif phrase:
        where = _find(text, phrase)
    if where is None:
        return name
    words = quote(text, *where)
    return f"{name}: “{words}”" if words else name


def explain_all(reasons: list[str], text: str, limit: int = 3) -> list[str]:
    """The reasons of one message in plain words, at most ``limit``, without repeating the same quote."""
    shown: list[str] = []
    for reason in reasons:
        line = explain(reason, text)
        if line not in shown:
            shown.append(line)
        if len(shown) == limit:
            break
    return shown


_REPEAT_RE = re.compile(
    r"\b(?:again|already|once more|still waiting|still no|still not|told you|repeat(?:ing)?|"
    r"(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time)\b",
    re.IGNORECASE,
)
_NUMBER_RE = re.compile(r"\b\d{4,}\b")


def explain_driver(name: str, detail: str, customer_texts: list[str]) -> str:
    """An effort driver in plain words, quoting the customer where their words drove it.

    ``customer_texts`` are the conversation's customer messages in order. Drivers that come from desk
    events (transfers, waiting, reopens) are named as the engine describes them."""
    plain = (detail or name.replace("_", " ")).strip()
    plain = plain[:1].upper() + plain[1:]
    if name == "said_repeat":
        for text in customer_texts:
            match = _REPEAT_RE.search(text or "")
            if match:
                return f"The customer says they are repeating themselves: “{quote(text, *match.span())}”"
    elif name == "repeated_info":
        seen: set[str] = set()
        for text in customer_texts:
            numbers = set(_NUMBER_RE.findall(text or ""))
            again = sorted(numbers & seen)
            if again:
                return f"The customer had to give “{again[0]}” again"
            seen |= numbers
    elif name in ("tone_first", "tone_last") and customer_texts:
        text = customer_texts[0 if name == "tone_first" else -1] or ""
        which = "first" if name == "tone_first" else "last"
        if text.strip():
            return f"Tone of the customer's {which} message: “{quote(text, 0, 0)}”"
    elif name == "ends_on_customer":
        return "The customer's last message has no answer yet"
    return plain
