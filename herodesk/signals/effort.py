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
WAIT_WEIGHT = 0.35  # per log2(1 + business hours waited)

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


@lru_cache(maxsize=1)
def model() -> EffortModel:
    raw = json.loads(MODEL_PATH.read_text())
    return EffortModel(raw["bias"], raw["weights"], raw["details"])


@lru_cache(maxsize=1)
def text_model() -> SparseLinearModel:
    return SparseLinearModel.load(TEXT_MODEL_PATH)


def text_features(turns: Sequence[Turn], text_scorer: SparseLinearModel | None = None) -> dict[str, float]:
    """Numeric text drivers of effort for one conversation (used by scoring and by training)."""
    turns = list(turns)[-MAX_TURNS:]
    customer = [prepare(t.text) for t in turns if t.sender == "customer"]
    agent = [prepare(t.text) for t in turns if t.sender != "customer"]
    features: dict[str, float] = {}
    _tone_and_cue_features(customer, features)
    _agent_features(agent, features)
    _repeat_info_features(turns, features)
    features["customer_turns"] = max(len(customer) - 1, 0)
    last_customer = customer[-1].lower if customer else ""
    features["ends_with_thanks"] = 1.0 if _THANKS_RE.search(last_customer[-200:]) else 0.0
    features["ends_on_customer"] = 1.0 if turns and turns[-1].sender == "customer" else 0.0
    scorer = text_scorer if text_scorer is not None else text_model()
    grams = [g for p in customer for g in ngrams(tokens(p.lower))]
    features["customer_wording"] = scorer.logit(grams, {}) if grams else 0.0
    return features


def _tone_and_cue_features(customer: list, features: dict[str, float]) -> None:
    logits: list[float] = []
    said = {"repeat": 0.0, "correction": 0.0, "escalation": 0.0}
    for message in customer:
        if not message.usable:
            continue
        dense, _ = intensity.cue_features(message.text, message.lower)
        logits.append(intensity.model().logit(ngrams(tokens(message.lower)), dense))
        for name in said:
            said[name] += dense.get(name, 0.0)
    features["tone_max"] = max(logits) if logits else 0.0
    features["tone_last"] = logits[-1] if logits else 0.0
    features["tone_first"] = logits[0] if logits else 0.0
    for name, count in said.items():
        features[f"said_{name}"] = count


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


def _repeat_info_features(turns: Sequence[Turn], features: dict[str, float]) -> None:
    """Information the customer gave and then had to give again (or was asked for again)."""
    given: set[str] = set()
    repeats = 0
    for turn in turns:
        lower = prepare(turn.text).lower
        numbers = set(_DIGITS_RE.findall(lower))
        if turn.sender == "customer":
            repeats += len(numbers & given)
            given |= numbers
        elif given and _INFO_REQUEST_RE.search(lower) and _INFO_NOUN_RE.search(lower):
            repeats += 1
    features["repeated_info"] = float(repeats)


def score(turns: Sequence[Turn], facts: EffortFacts | None = None) -> EffortResult:
    """Effort index 0..100 for one conversation, with its drivers (largest first)."""
    effort_model = model()
    features = text_features(turns)
    contributions = [
        (name, effort_model.weights.get(name, 0.0) * value, effort_model.details.get(name, name))
        for name, value in features.items()
    ]
    contributions.extend(_fact_contributions(facts))
    total = effort_model.bias + sum(c[1] for c in contributions)
    points = 100.0 / (1.0 + math.exp(-max(min(total, 30.0), -30.0)))
    drivers = [
        EffortDriver(name, round(25.0 * value, 1), detail)
        for name, value, detail in contributions
        if abs(25.0 * value) >= 0.5
    ]
    drivers.sort(key=lambda d: d.points, reverse=True)
    return EffortResult(int(round(points)), drivers)


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
            ("waiting", WAIT_WEIGHT * math.log2(1.0 + hours), f"customer waited {hours:.1f} business hours")
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
