"""One call for the per-message hot path: intensity, behaviours and promises on a single prepared text.

``analyse_message(text, sent_at=..., business_hours=...)`` prepares the text once (truncation, binary
and language checks, tokens, keyword-gate words) and hands it to the signals asked for (all three by
default); the results are the same as calling ``intensity.score``, ``behaviours.detect`` and
``promises.detect`` separately. This is the engine's front door for the desk: a customer's message needs
only intensity, an agent's reply behaviours and promises.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from herodesk.signals import behaviours, intensity, promises
from herodesk.signals.business_hours import BusinessHours
from herodesk.signals.text import prepare_uncached

INTENSITY, BEHAVIOURS, PROMISES = "intensity", "behaviours", "promises"
ALL_SIGNALS = frozenset({INTENSITY, BEHAVIOURS, PROMISES})


@dataclass(frozen=True, slots=True)
class MessageAnalysis:
    """Each signal's result, or None when it was not asked for."""

    intensity: intensity.IntensityResult | None
    behaviours: behaviours.BehaviourResult | None
    promises: list[promises.Promise] | None


def analyse_message(
    text: str,
    sent_at: datetime | None = None,
    tz: str | None = None,
    business_hours: BusinessHours | None = None,
    *,
    wanted: Collection[str] = ALL_SIGNALS,
) -> MessageAnalysis:
    """Intensity, behaviour flags and promises of one message (those ``wanted``), sharing one prepare."""
    unknown = set(wanted) - ALL_SIGNALS
    if unknown:
        raise ValueError(f"unknown signals: {', '.join(sorted(unknown))}")
    prepared = prepare_uncached(text)  # shared below, so prepare's cache would only cost
    return MessageAnalysis(
        intensity.score(text, prepared=prepared) if INTENSITY in wanted else None,
        behaviours.detect(text, prepared=prepared) if BEHAVIOURS in wanted else None,
        promises.detect(text, sent_at, tz, business_hours or _default_hours(tz), prepared=prepared)
        if PROMISES in wanted
        else None,
    )


def _default_hours(tz: str | None) -> BusinessHours | None:
    """The hours ``promises.detect`` builds when none are given, built once per zone instead of per message
    (BusinessHours is frozen and nothing mutates its week)."""
    return _hours_for(tz or "UTC") if isinstance(tz, str | None) else None


@lru_cache(maxsize=64)
def _hours_for(tz: str) -> BusinessHours:
    return BusinessHours(tz=tz)


__all__ = ["ALL_SIGNALS", "BEHAVIOURS", "INTENSITY", "PROMISES", "MessageAnalysis", "analyse_message"]
