"""The effort index's bands in words and colours for the desk. The thresholds live in ONE place,
``effort.BANDS`` (calibrated against STC-3 satisfaction, see docs/signals.md): below 40 low, 40–59
moderate, 60–79 high, 80 and up very high."""

from __future__ import annotations

from herodesk.signals import effort


def band(score: float | None) -> str:
    """The band word of an effort score (0–100); "" for no score."""
    return effort.band(score)


def describe() -> str:
    """ "0–39 low, 40–59 moderate, 60–79 high, 80–100 very high" (for help texts and API descriptions)."""
    parts, lowest = [], 0
    for upper, word in effort.BANDS:
        top = 100 if upper > 100 else int(upper) - 1
        parts.append(f"{lowest}–{top} {word}")
        lowest = top + 1
    return ", ".join(parts)


# Red only where the customer is strongly dissatisfied: a colour on every other row says nothing.
COLOURS = {"low": "green", "moderate": "muted", "high": "amber", "very high": "red"}


def level(score: float | None) -> str:
    """The badge colour of a band: green (low), grey (moderate), amber (high), red (very high)."""
    return COLOURS.get(band(score), "")
