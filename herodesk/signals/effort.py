"""Customer effort index (0..100) for a conversation, from desk events and text cues, with its drivers.

Drivers follow the effort research the product brief cites: repeat contacts, channel switching,
transfers, repeating information, reopens, waiting, plus what the customer writes ("third time",
"I already told you"). Text weights are learned (see train.py); event weights are fixed and documented.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from herodesk.signals import behaviours, intensity
from herodesk.signals.linear import SparseLinearModel, ngrams
from herodesk.signals.promises import find_commitment
from herodesk.signals.text import prepare, tokens

MODEL_PATH = Path(__file__).parent / "models" / "effort.json"
TEXT_MODEL_PATH = Path(__file__).parent / "models" / "effort_text.json.gz"
MAX_TURNS = 200  # longer threads are scored on their last MAX_TURNS turns

# Logit points per unit of each desk event; judgement from the effort literature, not fitted (no data).
FACT_WEIGHTS: dict[str, tuple[float, float, str]] = {
    # name: (weight per unit, cap on units, detail)
    "repeat_contacts": (0.6, 4, "customer contacted us again about the same issue"),
    "channel_switches": (0.4, 4, "customer had to switch channel"),
    "transfers": (0.5, 4, "conversation was transferred between agents or teams"),
    "bounce_backs": (0.3, 4, "sent back to a team or agent it had already left"),
    "reopens": (0.6, 4, "issue was reopened after being marked solved"),
    "customer_touches": (0.15, 10, "customer messages beyond the first"),
}
# Waiting: WAIT_WEIGHT per log2(1 + business hours waited), at most WAIT_CAP (25 index points, reached
# after about 31 business hours). Judgement, not fitted (no public data has times): at 0.35 and uncapped,
# a few days without a reply alone pushed a calm conversation to "very high", and the demo inbox was red.
WAIT_WEIGHT = 0.2
WAIT_CAP = 1.0

_INFO_REQUEST_RE = re.compile(
    r"\b(please (?:provide|tell|send|give|leave|confirm|offer)|could you (?:please )?(?:provide|tell|"
    r"send|give|"
    r"confirm)|can you (?:provide|tell|send|give)|what is your|may i have|we need your|i need your)\b"
)
_INFO_NOUN_RE = re.compile(
    r"\b(number|account|id|name|address|order|phone|email|details|information|info|"
    r"reference|serial|model)\b"
)
_DIGITS_RE = re.compile(r"\d{4,}")
_THANKS_RE = re.compile(r"\b(thanks?|thank you|solved|resolved|works now|ok|okay|great|got it)\b")


@dataclass(frozen=True, slots=True)
class Turn:
    """One message in a conversation."""

    sender: str  # "customer" | "agent"
    text: str
    at: datetime | None = None
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class EffortFacts:
    """Event-derived counts the desk knows and text cannot show; all optional."""

    repeat_contacts: int | None = None
    channel_switches: int | None = None
    transfers: int | None = None
    bounce_backs: int | None = None
    reopens: int | None = None
    customer_wait_business_seconds: float | None = None
    customer_touches: int | None = None


@dataclass(frozen=True, slots=True)
class EffortDriver:
    """One reason effort is high (or low): points on the 0..100 scale around the neutral 50."""

    name: str
    points: float
    detail: str


@dataclass(frozen=True, slots=True)
class EffortResult:
    score: int
    drivers: list[EffortDriver] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CustomerEffort:
    """Effort across a customer's conversations."""

    score: int
    conversations: int
    drivers: list[EffortDriver] = field(default_factory=list)


@dataclass(frozen=True)
class EffortModel:
    bias: float
    weights: dict[str, float]
    details: dict[str, str]
    # Calibration, fitted out of fold (train.py):
    # expected −S = slope × (bias + Σ weight × feature) + intercept.
    slope: float = 1.0
    intercept: float = 0.0


@lru_cache(maxsize=1)
def model() -> EffortModel:
    raw = json.loads(MODEL_PATH.read_text())
    calibration = raw.get("calibration", {})
    return EffortModel(
        raw["bias"],
        raw["weights"],
        raw["details"],
        calibration.get("slope", 1.0),
        calibration.get("intercept", 0.0),
    )


# The one place the effort bands live. The index is 50 + 25 × expected −S (STC-3 satisfaction, −2..2),
# so each band is a range of expected satisfaction; docs/signals.md gives the shares on STC-3.
BANDS: tuple[tuple[float, str], ...] = (
    (40.0, "low"),
    (60.0, "moderate"),
    (80.0, "high"),
    (math.inf, "very high"),
)
POINTS_PER_UNIT = 25.0  # index points per unit of expected −S (and per unit of a desk-event weight)


def band(score: float | None) -> str:
    """ "low" (< 40), "moderate" (40–59), "high" (60–79) or "very high" (≥ 80); "" for no score.

    low: the customer would rate satisfaction about +0.4 or better on STC-3's −2..2 scale; moderate: about
    neutral; high: dissatisfied (−0.4 to −1.2); very high: strongly dissatisfied, or desk events (waiting,
    transfers, reopens, repeat contacts) on top of a dissatisfied thread.
    """
    if score is None:
        return ""
    for upper, name in BANDS:
        if score < upper:
            return name
    return BANDS[-1][1]


@lru_cache(maxsize=1)
def text_model() -> SparseLinearModel:
    return SparseLinearModel.load(TEXT_MODEL_PATH)


def text_features(turns: Sequence[Turn], text_scorer: SparseLinearModel | None = None) -> dict[str, float]:
    """Numeric text drivers of effort for one conversation (used by scoring and by training)."""
    return _trailing_features(turns, text_scorer)[-1]


@dataclass(frozen=True, slots=True)
class _CustomerPiece:
    """What one customer message contributes, computed once however many prefixes are scored."""

    usable: bool
    logit: float
    said: dict[str, float]
    grams: list[str]
    tail: str  # the last 200 lower-cased characters, for "ends with thanks"


def _customer_piece(text: str) -> _CustomerPiece:
    message = prepare(text)
    grams = ngrams(tokens(message.lower))
    if not message.usable:
        return _CustomerPiece(False, 0.0, {}, grams, message.lower[-200:])
    dense, _ = intensity.cue_features(message.text, message.lower)
    said = {name: dense.get(name, 0.0) for name in ("repeat", "correction", "escalation")}
    return _CustomerPiece(True, intensity.model().logit(grams, dense), said, grams, message.lower[-200:])


def _trailing_features(
    turns: Sequence[Turn], text_scorer: SparseLinearModel | None
) -> list[dict[str, float]]:
    """Text drivers of every prefix that ends at or after the last agent turn, the whole thread last.

    A customer who writes again before anyone answers must never lower effort: :func:`score` takes the
    highest of these prefixes, so appending an unanswered customer message can only add a candidate.
    """
    turns = list(turns)[-MAX_TURNS:]
    scorer = text_scorer if text_scorer is not None else text_model()
    last_agent = max((i for i, t in enumerate(turns) if t.sender != "customer"), default=-1)
    agent_features: dict[str, float] = {}
    _agent_features([prepare(t.text) for t in turns if t.sender != "customer"], agent_features)
    repeats = _repeat_info_counts(turns)
    pieces: list[_CustomerPiece] = []
    by_length: list[dict[str, float]] = []
    first_length = max(last_agent + 1, min(1, len(turns)))
    for length in range(0, len(turns) + 1):
        if length > 0 and turns[length - 1].sender == "customer":
            pieces.append(_customer_piece(turns[length - 1].text))
        if length < first_length:
            continue
        features = dict(agent_features)
        _tone_and_cue_features(pieces, features)
        features["repeated_info"] = float(repeats[length])
        features["customer_turns"] = max(len(pieces) - 1, 0)
        last_customer = pieces[-1].tail if pieces else ""
        features["ends_with_thanks"] = 1.0 if _THANKS_RE.search(last_customer) else 0.0
        features["ends_on_customer"] = 1.0 if length and turns[length - 1].sender == "customer" else 0.0
        grams = [g for piece in pieces for g in piece.grams]
        features["customer_wording"] = scorer.logit(grams, {}) if grams else 0.0
        by_length.append(features)
    return by_length


def _tone_and_cue_features(pieces: list[_CustomerPiece], features: dict[str, float]) -> None:
    logits = [p.logit for p in pieces if p.usable]
    features["tone_max"] = max(logits) if logits else 0.0
    features["tone_last"] = logits[-1] if logits else 0.0
    features["tone_first"] = logits[0] if logits else 0.0
    for name in ("repeat", "correction", "escalation"):
        features[f"said_{name}"] = sum(p.said.get(name, 0.0) for p in pieces)


def _agent_features(agent: list, features: dict[str, float]) -> None:
    switch = requests = vague = apologies = 0
    for message in agent:
        result = behaviours.detect(message.text)
        switch += result.channel_switch_request.present
        apologies += result.apology_or_empathy.present
        if _INFO_REQUEST_RE.search(message.lower) and _INFO_NOUN_RE.search(message.lower):
            requests += 1
        if find_commitment(message.lower) is not None:
            vague += 1
    features["agent_channel_switch"] = float(switch)
    features["agent_info_requests"] = float(requests)
    features["agent_commitments"] = float(vague)
    features["agent_apologies"] = float(apologies)


def _repeat_info_counts(turns: Sequence[Turn]) -> list[int]:
    """Information the customer gave and then had to give again (or was asked for again), after each
    prefix length (index 0 is the empty prefix)."""
    given: set[str] = set()
    repeats = 0
    counts = [0]
    for turn in turns:
        lower = prepare(turn.text).lower
        numbers = set(_DIGITS_RE.findall(lower))
        if turn.sender == "customer":
            repeats += len(numbers & given)
            given |= numbers
        elif given and _INFO_REQUEST_RE.search(lower) and _INFO_NOUN_RE.search(lower):
            repeats += 1
        counts.append(repeats)
    return counts


def score(turns: Sequence[Turn], facts: EffortFacts | None = None) -> EffortResult:
    """Effort index 0..100 for one conversation, with its drivers (largest first).

    The index is 50 + 25 × the expected dissatisfaction (−S on STC-3's −2..2 scale, calibrated out of
    fold, see :func:`band`) plus the desk events. It never falls when the customer writes again without
    an agent reply, nor with more transfers, reopens, repeat contacts, channel switches or waiting.
    """
    effort_model = model()
    best: list[tuple[str, float, str]] = []
    best_total = -math.inf
    for features in _trailing_features(turns, None):
        contributions = [
            (name, effort_model.weights.get(name, 0.0) * value, effort_model.details.get(name, name))
            for name, value in features.items()
        ]
        total = sum(c[1] for c in contributions)
        if total > best_total:
            best, best_total = contributions, total
    slope = effort_model.slope
    text_points = [(n, POINTS_PER_UNIT * slope * v, d) for n, v, d in best]
    fact_points = [(n, POINTS_PER_UNIT * v, d) for n, v, d in _fact_contributions(facts)]
    expected = slope * (effort_model.bias + best_total) + effort_model.intercept
    points = 50.0 + POINTS_PER_UNIT * expected + sum(p for _, p, _ in fact_points)
    drivers = [
        EffortDriver(name, round(value, 1), detail)
        for name, value, detail in text_points + fact_points
        if abs(value) >= 0.5
    ]
    drivers.sort(key=lambda d: d.points, reverse=True)
    return EffortResult(int(round(min(max(points, 0.0), 100.0))), drivers)


def _fact_contributions(facts: EffortFacts | None) -> list[tuple[str, float, str]]:
    if facts is None:
        return []
    found: list[tuple[str, float, str]] = []
    for name, (weight, cap, detail) in FACT_WEIGHTS.items():
        value = getattr(facts, name)
        if value:
            units = min(float(value), cap) - (1 if name == "customer_touches" else 0)
            if units > 0:
                found.append((name, weight * units, f"{detail} ({value})"))
    wait = facts.customer_wait_business_seconds
    if wait:
        hours = max(wait, 0.0) / 3600.0
        found.append(
            (
                "waiting",
                min(WAIT_WEIGHT * math.log2(1.0 + hours), WAIT_CAP),
                f"customer waited {hours:.1f} business hours",
            )
        )
    return found


def aggregate(results: Sequence[EffortResult]) -> CustomerEffort:
    """A customer's effort: mostly their worst conversation, partly their typical one; drivers summed."""
    if not results:
        return CustomerEffort(0, 0, [])
    scores = [r.score for r in results]
    combined = 0.6 * max(scores) + 0.4 * (sum(scores) / len(scores))
    totals: dict[str, float] = {}
    details: dict[str, str] = {}
    for result in results:
        for driver in result.drivers:
            totals[driver.name] = totals.get(driver.name, 0.0) + driver.points
            details.setdefault(driver.name, driver.detail)
    drivers = [EffortDriver(n, round(p, 1), details[n]) for n, p in totals.items()]
    drivers.sort(key=lambda d: d.points, reverse=True)
    return CustomerEffort(int(round(combined)), len(results), drivers)
