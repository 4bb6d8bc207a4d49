"""De-escalation help: what helps when the customer's last message is intense, checked on a draft.

Five points, each explained and never a blocker: acknowledge first, one clear next step with a time, closed
questions, no blame, and what you CAN do instead of only what you can't. The checks use the behaviour and
promise detectors of the signals engine (``analyse_message``) plus two plain-text rules (questions, "can't").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from herodesk.signals.business_hours import BusinessHours
from herodesk.signals.message import BEHAVIOURS, PROMISES, analyse_message

INTENSE = 0.6  # the hero-moment threshold (insights.actions.RELIEF_THRESHOLD)

CANT_RE = re.compile(
    r"\b(can(?:'|’)?t|cannot|unable to|not able to|won(?:'|’)t be able|not possible)\b", re.I
)
CAN_RE = re.compile(
    r"\b(what (?:i|we) can do|(?:i|we) can\b(?!['’]t| ?not)|instead|(?:i|we)(?:'|’)ll|(?:i|we) will"
    r"|here(?:'|’)s what)",
    re.I,
)
OPEN_QUESTION_RE = re.compile(
    r"(?:^|[.!?]\s+)(why|how|what|which|when|where|could you (?:explain|describe|tell))\b[^?]*\?", re.I
)


@dataclass
class Point:
    key: str
    label: str
    ok: bool
    explanation: str
    evidence: list[str] = field(default_factory=list)


TIPS = [
    ("acknowledge", "Acknowledge first", "Start by naming what went wrong for them and that it matters."),
    ("next_step", "One clear next step, with a time", "Say exactly what happens next and by when."),
    (
        "closed_questions",
        "Closed questions",
        "If you need something, ask one question they can answer in a word.",
    ),
    ("no_blame", "No blame", "Leave out what the customer did wrong; focus on fixing it."),
    ("can_do", "Say what you CAN do", "For every \u201ccan\u2019t\u201d, offer what you can do instead."),
]


def check_draft(text: str, sent_at: datetime, hours: BusinessHours | None = None) -> list[Point]:
    """Each point with whether the draft already does it, why it matters, and the words that show it."""
    analysis = analyse_message(text, sent_at=sent_at, business_hours=hours, wanted=(BEHAVIOURS, PROMISES))
    behaviours = analysis.behaviours
    assert behaviours is not None
    promises = analysis.promises or []
    first_part = text.strip()[:240]
    empathy = behaviours.apology_or_empathy
    early = [e for e in empathy.evidence if e.lower() in first_part.lower()]
    timed = [p.text for p in promises if p.kind == "specific" and p.due is not None]
    questions = text.count("?")
    open_questions = [m.group(0).lstrip(".!? \n") for m in OPEN_QUESTION_RE.finditer(text)]
    cants = [m.group(0) for m in CANT_RE.finditer(text)]
    cans = [m.group(0) for m in CAN_RE.finditer(text)]
    blame = behaviours.blaming_language.evidence
    return [
        Point(
            "acknowledge", TIPS[0][1], bool(early),
            "Acknowledged at the start." if early else
            ("You acknowledge it, but later: put it in your first sentence." if empathy.present else
             "Nothing acknowledges how they feel yet. An intense customer reads the first line first."),
            early or empathy.evidence,
        ),
        Point(
            "next_step", TIPS[1][1], bool(timed),
            "The next step has a time." if timed else
            ("There is a next step but no time: say by when." if behaviours.clear_next_step.present else
             "No next step yet: say what you will do and by when."),
            timed or behaviours.clear_next_step.evidence,
        ),
        Point(
            "closed_questions", TIPS[2][1], questions <= 1 and not open_questions,
            "Fine: at most one question, easy to answer." if questions <= 1 and not open_questions else
            ("Open questions make an upset customer write an essay: ask for one specific thing."
             if open_questions else f"{questions} questions: ask only the one you need now."),
            open_questions,
        ),
        Point(
            "no_blame", TIPS[3][1], not blame,
            "No blaming language." if not blame else "This reads as blaming the customer: say the fix.",
            blame,
        ),
        Point(
            "can_do", TIPS[4][1], not cants or bool(cans),
            "You say what you can do." if cants and cans else
            ("Nothing you can't do here." if not cants else
             "You say what you can't do; add what you can do instead."),
            (cans or cants) if cants else [],
        ),
    ]  # fmt: skip


def customer_is_intense(intensity: float | None) -> bool:
    return intensity is not None and intensity >= INTENSE
