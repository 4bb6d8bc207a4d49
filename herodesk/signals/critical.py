"""Critical moments: the high-stakes situations the product brief names ("a lost passport, a flight in
40 minutes, money taken twice"), which must reach the hero-moments list even when the wording is calm.

The intensity model learns anger and complaint language from published data; none of that data has a
calm "my flight leaves in 40 minutes and the booking is gone", so the model alone scores such a message
low. A message that names one of these situations gets at least :data:`FLOOR` as its intensity. The
effect on every measured metric is reported by ``signals eval`` (with and without the floor).
"""

from __future__ import annotations

import math

from herodesk.signals.text import compile_words, word_gate

# At or above the desk's relief threshold (0.6): a critical moment is a hero moment.
FLOOR = 0.65
FLOOR_LOGIT = math.log(FLOOR / (1 - FLOOR))

CRITICAL_RE = compile_words(
    r"\b(lost (?:my |our |his |her )?(?:passport|wallet|purse|credit card|debit card|bank card|luggage|"
    r"baggage|visa)|(?:passport|wallet|card|phone|luggage|bag|car) (?:was |has been |got )?stolen|"
    r"stolen (?:passport|wallet|card|phone|luggage|bag|car)|fraud(?:ulent)? (?:transaction|charge|payment)s?|"
    r"unauthori[sz]ed (?:transaction|charge|payment|withdrawal)s?|"
    r"(?:charged|billed|debited) (?:me )?(?:twice|two times|double)|double[- ]charged|paid twice|"
    r"money (?:was )?taken twice|"
    r"gas leak|carbon monoxide|on fire|(?:is|was|got) injured|in (?:the )?hospital|medical emergency|"
    r"locked out of (?:my|our|the) (?:home|house|flat|apartment|car)|"
    r"no (?:power|heating|electricity|hot water|water) (?:since|for (?:\d+|two|three|several|many) "
    r"(?:hours|days))|"
    r"(?:flight|train|bus|ferry|boarding|gate|check-in)\b[^.!?]{0,60}\bin (?:\d+|a few|twenty|thirty|"
    r"forty|fifty|ten|fifteen) (?:minutes|mins|min)\b|"
    r"(?:leaves|departs|closes|boards|boarding) in (?:\d+|a few|twenty|thirty|forty|fifty|ten|fifteen) "
    r"(?:minutes|mins|min)\b)"
)
CRITICAL_GATE = word_gate(CRITICAL_RE)


def critical_phrase(lower: str, words: frozenset[str], has_digit: bool) -> str | None:
    """The first critical-situation phrase in lower-cased text, if any (gated: most messages skip it)."""
    if not CRITICAL_GATE.open(words, lower, has_digit):
        return None
    match = CRITICAL_RE.search(lower)
    return match.group(0) if match else None
