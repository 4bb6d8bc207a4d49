"""The effort index's bands in words, in ONE place (calibrated in docs/signals.md): 0–29 low,
30–59 moderate, 60–79 high, 80–100 very high. Change the thresholds here only."""

from __future__ import annotations

BANDS = ((80, "very high"), (60, "high"), (30, "moderate"), (0, "low"))


def band(score: float | None) -> str:
    """The band word of an effort score (0–100); "" for no score."""
    if score is None:
        return ""
    for floor, word in BANDS:
        if score >= floor:
            return word
    return "low"


def describe() -> str:
    """ "0–29 low, 30–59 moderate, 60–79 high, 80–100 very high" (for help texts and API descriptions)."""
    parts, top = [], 100
    for floor, word in BANDS:
        parts.append(f"{floor}–{top} {word}")
        top = floor - 1
    return ", ".join(reversed(parts))


def level(score: float | None) -> str:
    """The badge colour of a band: green (low), amber (moderate), red (high and very high)."""
    word = band(score)
    return {"low": "green", "moderate": "amber"}.get(word, "red" if word else "")
