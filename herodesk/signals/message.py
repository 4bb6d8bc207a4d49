"""One call for the per-message hot path: intensity, behaviours and promises on a single prepared text.

``analyse_message(text, sent_at=..., business_hours=...)`` prepares the text once (truncation, binary
and language checks, tokens, keyword-gate words) and hands it to the signals asked for (all three by
default); the results are the same as calling ``intensity.score``, ``behaviours.detect`` and
``promises.detect`` separately. This is the engine's front door for the desk: a customer's message needs
only intensity, an agent's reply behaviours and promises.

Intensity has two paths, and ``intensity_path`` picks one: ``"fast"`` (the default: the lexical model,
pure Python, ~0.1 ms, for hot paths such as drafts and request handlers), ``"embedding"`` (MiniLM
embeddings + a linear head ensembled with the lexical model, ``intensity_embed``; a few ms; raises when
the packages are missing) and ``"auto"`` (the embedding path when ``intensity_embed.available()``, else
the fast path; what the desk's background analysis job uses). ``intensities(texts)`` scores several
customer messages in one embedding batch.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from herodesk.signals import behaviours, intensity, promises
from herodesk.signals.business_hours import BusinessHours
from herodesk.signals.text import PreparedText, prepare_uncached

INTENSITY, BEHAVIOURS, PROMISES = "intensity", "behaviours", "promises"
ALL_SIGNALS = frozenset({INTENSITY, BEHAVIOURS, PROMISES})
FAST, EMBEDDING, AUTO = "fast", "embedding", "auto"
INTENSITY_PATHS = (FAST, EMBEDDING, AUTO)


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
    intensity_path: str = FAST,
) -> MessageAnalysis:
    """Intensity, behaviour flags and promises of one message (those ``wanted``), sharing one prepare."""
    unknown = set(wanted) - ALL_SIGNALS
    if unknown:
        raise ValueError(f"unknown signals: {', '.join(sorted(unknown))}")
    prepared = prepare_uncached(text)  # shared below, so prepare's cache would only cost
    return MessageAnalysis(
        _intensities([text], [prepared], intensity_path)[0] if INTENSITY in wanted else None,
        behaviours.detect(text, prepared=prepared) if BEHAVIOURS in wanted else None,
        promises.detect(text, sent_at, tz, business_hours or _default_hours(tz), prepared=prepared)
        if PROMISES in wanted
        else None,
    )


def intensities(texts: Sequence[str], intensity_path: str = AUTO) -> list[intensity.IntensityResult]:
    """Intensity of several customer messages; the embedding path encodes them in one batch."""
    return _intensities(texts, [prepare_uncached(t) for t in texts], intensity_path)


def resolve_path(intensity_path: str) -> str:
    """``"auto"`` becomes the path that will run here; an unknown name raises ``ValueError``."""
    if intensity_path not in INTENSITY_PATHS:
        raise ValueError(f"unknown intensity path {intensity_path!r} (use {', '.join(INTENSITY_PATHS)})")
    if intensity_path == AUTO:
        from herodesk.signals import intensity_embed  # numpy and the encoder only when asked for

        return EMBEDDING if intensity_embed.available() else FAST
    return intensity_path


def _intensities(
    texts: Sequence[str], prepared: list[PreparedText], intensity_path: str
) -> list[intensity.IntensityResult]:
    if resolve_path(intensity_path) == EMBEDDING:
        from herodesk.signals import intensity_embed

        return intensity_embed.score_many(texts, prepared)
    return [intensity.score(t, prepared=p) for t, p in zip(texts, prepared, strict=True)]


def _default_hours(tz: str | None) -> BusinessHours | None:
    """The hours ``promises.detect`` builds when none are given, built once per zone instead of per message
    (BusinessHours is frozen and nothing mutates its week)."""
    return _hours_for(tz or "UTC") if isinstance(tz, str | None) else None


@lru_cache(maxsize=64)
def _hours_for(tz: str) -> BusinessHours:
    return BusinessHours(tz=tz)


__all__ = [
    "ALL_SIGNALS",
    "AUTO",
    "BEHAVIOURS",
    "EMBEDDING",
    "FAST",
    "INTENSITY",
    "INTENSITY_PATHS",
    "PROMISES",
    "MessageAnalysis",
    "analyse_message",
    "intensities",
    "resolve_path",
]
