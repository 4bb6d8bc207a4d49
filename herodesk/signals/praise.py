"""Customer praise in an incoming message ("thank you so much, Maria sorted it in minutes"), with the words
that showed it, for kudos-style hero stories and the monthly smile report.

Praise is appreciation of the help, the agent or the service beyond a bare closing "thanks": intensified
thanks, thanks for the help, or a compliment. Declines ("no thanks"), thanks in advance and sarcasm ("thanks
for nothing") are not praise. Plain Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_THANKS = r"(?:thank\s*(?:you|u|ya)|thanks|thx|ty)"
_GOOD = (
    r"(?:helpful|great|amazing|awesome|excellent|fantastic|wonderful|brilliant|superb|outstanding|quick|fast|"
    r"speedy|prompt|patient|kind|friendly|professional|efficient|perfect|lovely|the best|"
    r"a (?:huge|great|big|real) help|a lifesaver|a life saver|so helpful)"
)
PRAISE_PATTERNS = (
    # Intensified thanks.
    re.compile(
        rf"\b{_THANKS}\s*(?:you\s*)?(?:so\s+(?:very\s+)?much|very\s+much|a\s+(?:lot|million|ton|bunch)|"
        rf"heaps|loads|so\s+so\s+much|ever\s+so\s+much)\b"
    ),
    re.compile(r"\b(?:many|huge|big|massive|special)\s+thanks\b"),
    # Thanks for the help (not for one transactional act).
    re.compile(
        rf"\b{_THANKS}\s+(?:again\s+)?(?:for|4)\s+(?:all\s+)?(?:of\s+)?(?:your|the|ur|you(?:r)?)\s*"
        r"(?:kind\s+|great\s+|quick\s+|prompt\s+|patient\s+|wonderful\s+)?"
        r"(?:help|assistance|support|patience|hard\s+work|effort|efforts|kindness|time|quick\s+(?:reply|response|"
        r"answer))\b"
    ),
    re.compile(rf"\b{_THANKS}\s+(?:again\s+)?for\s+(?:assisting|helping|sorting|fixing|resolving)\b"),
    re.compile(
        r"\b(?:i|we)\s+(?:really\s+|truly\s+|do\s+|greatly\s+|so\s+)?appreciate\s+(?:your|the|all|it|this|that|you)\b"
    ),
    re.compile(r"\bmuch\s+appreciated\b|\bappreciate\s+(?:your|the)\s+help\b"),
    # Compliments on the agent, the reply or the service.
    re.compile(
        rf"\b(?:you(?:'ve|\s+have)\s+been|you\s+(?:are|were)|you're|you\s+guys\s+(?:are|were)|"
        rf"(?:your|the)\s+(?:service|reply|answer|response|team|staff|agent|support|help)\s+(?:is|was|has\s+been))"
        rf"\s+(?:so\s+|very\s+|really\s+|extremely\s+|super\s+|incredibly\s+|truly\s+|such\s+)?{_GOOD}"
    ),
    re.compile(
        r"\b(?:great|excellent|amazing|fantastic|brilliant|outstanding|superb|wonderful|awesome|top)\s+"
        r"(?:job|service|work|support|help|customer\s+service)\b"
    ),
    re.compile(
        r"\b(?:worth\s+prais|well\s+done\b|kudos\b|hats\s+off|you\s+(?:guys\s+)?rock\b|five\s+stars?\b|"
        r"lifesaver\b|life\s+saver\b)"
    ),
    re.compile(
        r"\b[A-Z][a-z]+\s+(?:sorted|fixed|solved|resolved)\s+(?:it|this|everything)\s+(?:in|within)\s+"
        r"(?:minutes|no\s+time|seconds|an\s+hour)",
        re.IGNORECASE,
    ),
)
NOT_PRAISE = re.compile(
    rf"\b{_THANKS}\s+(?:for\s+nothing|in\s+advance|anyway)\b|\bno\s*,?\s*{_THANKS}\b(?!\s+(?:so|very|for))|"
    r"\b(?:not|never|isn'?t|wasn'?t|weren'?t)\s+(?:very\s+|so\s+|that\s+)?(?:helpful|great|quick|fast)\b"
)


@dataclass(frozen=True, slots=True)
class Praise:
    present: bool
    evidence: list[str] = field(default_factory=list)


def detect(text: str) -> Praise:
    """Praise in one customer message, with the phrases that showed it (at most three)."""
    if not text or not text.strip():
        return Praise(False)
    lower = text.replace("’", "'").lower()
    evidence = []
    for pattern in PRAISE_PATTERNS:
        source = (
            text.replace("’", "'") if pattern.flags & re.IGNORECASE and "A-Z" in pattern.pattern else lower
        )
        for match in pattern.finditer(source):
            evidence.append(match.group(0).strip())
    if not evidence:
        return Praise(False)
    if NOT_PRAISE.search(lower) and not any(len(e.split()) >= 3 for e in evidence):
        return Praise(False)
    return Praise(True, list(dict.fromkeys(evidence))[:3])
