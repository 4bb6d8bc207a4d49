"""The default rubric: eight key behaviours drawn from the brief, created for a team on first use."""

from __future__ import annotations

from dataclasses import dataclass

from herodesk.quality.models import Behaviour

A, S = Behaviour.AutoQA, Behaviour.Scale

DEFAULT_VISION = (
    "Every customer leaves knowing what happens next and who is on it; when it matters most, we relieve "
    "first and explain second."
)


@dataclass(frozen=True, slots=True)
class BehaviourDraft:
    name: str
    description: str = ""
    weight: int = 1
    scale: str = S.YES_NO
    allow_na: bool = True
    critical: bool = False
    autoqa: str = ""


DEFAULT_BEHAVIOURS = (
    BehaviourDraft(
        "Relief in a high-intensity moment",
        "When the customer is upset or stuck, the first reply acknowledges it and takes the weight off "
        "before explaining anything.",
        weight=3, autoqa=A.RELIEF,
    ),
    BehaviourDraft(
        "Ownership",
        "“I will…”, not “you need to contact…”: the agent takes the problem on instead of passing it around.",
        weight=2, allow_na=False, autoqa=A.OWNERSHIP,
    ),
    BehaviourDraft(
        "A specific promise, kept",
        "Any promise says what and by when, and it is kept. A broken promise fails the review.",
        weight=2, critical=True, autoqa=A.PROMISE,
    ),
    BehaviourDraft(
        "No repeated questions",
        "Nothing the customer already told us, or that we can look up, is asked again.",
        weight=1,
    ),
    BehaviourDraft(
        "Clear next step",
        "The last reply says what happens next, who does it and when.",
        weight=2, allow_na=False, autoqa=A.NEXT_STEP,
    ),
    BehaviourDraft(
        "Tone and empathy",
        "Warm, human, never blaming: 1 cold or blaming, 3 polite, 5 the customer feels heard.",
        weight=2, scale=S.FIVE, allow_na=False, autoqa=A.TONE,
    ),
    BehaviourDraft(
        "Correct resolution",
        "The answer is right and complete: 1 wrong, 3 right but partial, 5 fully solved.",
        weight=3, scale=S.FIVE, allow_na=False,
    ),
    BehaviourDraft(
        "Plain language",
        "Short sentences, no jargon or internal terms, easy to act on.",
        weight=1, scale=S.FIVE, allow_na=False,
    ),
)  # fmt: skip
