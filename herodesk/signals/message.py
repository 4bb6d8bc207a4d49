"""One call for the per-message hot path: intensity, behaviours and promises on a single prepared text.

``analyse_message(text, sent_at=..., business_hours=...)`` prepares the text once (truncation, binary
and language checks, tokens, keyword-gate words) and hands it to all three signals; the results are the
same as calling ``intensity.score``, ``behaviours.detect`` and ``promises.detect`` separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from herodesk.signals import behaviours, intensity, promises
from herodesk.signals.business_hours import BusinessHours
from herodesk.signals.text import prepare_uncached


@dataclass(frozen=True, slots=True)
class MessageAnalysis:
    intensity: intensity.IntensityResult
    behaviours: behaviours.BehaviourResult
    promises: list[promises.Promise]


def analyse_message(
    text: str,
    sent_at: datetime | None = None,
    tz: str | None = None,
    business_hours: BusinessHours | None = None,
) -> MessageAnalysis:
    """Intensity, behaviour flags and promises of one message, sharing one :func:`prepare`."""
    prepared = prepare_uncached(text)  # shared below, so prepare's cache would only cost
    return MessageAnalysis(
        intensity.score(text, prepared=prepared),
        behaviours.detect(text, prepared=prepared),
        promises.detect(text, sent_at, tz, business_hours or _default_hours(tz), prepared=prepared),
    )


def _default_hours(tz: str | None) -> BusinessHours | None:
    """The hours ``promises.detect`` builds when none are given, built once per zone instead of per message
    (BusinessHours is frozen and nothing mutates its week)."""
    return _hours_for(tz or "UTC") if isinstance(tz, str | None) else None


@lru_cache(maxsize=64)
def _hours_for(tz: str) -> BusinessHours:
    return BusinessHours(tz=tz)


__all__ = ["MessageAnalysis", "analyse_message"]
