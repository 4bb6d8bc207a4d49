"""Key behaviours in an agent message (greeting, empathy, ownership, next step, closing offer, channel
switch, blame), each with the evidence that triggered it, for AutoQA suggestions and coaching."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from herodesk.signals.promises import find_commitment
from herodesk.signals.text import confidence_for, prepare, tokens

GREETING_RE = re.compile(
    r"^\W*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening|day)|greetings|welcome|thanks? (?:you )?for "
    r"(?:contacting|reaching out|getting in touch|writing|your (?:message|email|patience|feedback)))\b"
)
APOLOGY_RE = re.compile(
    r"\b(sorry|apologi[sz]e|apologies|i understand (?:how|your|that|why)|we understand (?:how|your|that|why)|"
    r"i can (?:imagine|see how|understand)|must be (?:frustrating|annoying|difficult|stressful)|"
    r"(?:regret|feel bad) (?:for|about|that)|that'?s (?:frustrating|not good enough)|inconvenience caused|"
    r"thank you for your (?:patience|understanding))\b"
)
OWNERSHIP_RE = re.compile(
    r"\b(i(?: will|'ll| am going to|'m going to| have (?:escalated|arranged|asked|sent|raised|booked|refunded|"
    r"processed|updated|fixed|checked|contacted|passed)| can (?:do|fix|sort|arrange|help)| personally)|"
    r"let me (?:check|look|find|fix|sort|arrange|take|get|see|help|handle|make)|leave (?:it|this) with me)\b"
)
DEFLECTION_RE = re.compile(
    r"\b(you (?:need|have|must|will need|will have) to|you should|you must|it is your responsibility|"
    r"you are required to|you'?ll have to|please (?:contact|call|go to|visit) (?:the|another|a different|your)|"
    r"not (?:my|our) (?:department|team|responsibility|problem))\b"
)
NEXT_STEP_RE = re.compile(
    r"\b(next step|what happens next|i(?:'ve| have) (?:escalated|raised|arranged|booked|scheduled|sent)|"
    r"you will (?:receive|get|hear)|please (?:reply|send|provide|reply with|click|go to|check|try|restart|"
    r"confirm|let us know|tell us)|once (?:we|i|you)|the reference (?:number )?is|your reference|tracking number)\b"
)
CLOSING_OFFER_RE = re.compile(
    r"\b(anything else|something else|any other (?:questions?|help|problems?|issues?)|any further (?:questions?|"
    r"help|assistance)|other questions|(?:let|tell) (?:me|us) know if (?:you|there|i)|feel free to (?:contact|reach|ask|"
    r"get back|let)|(?:help|assist) you with (?:anything|something) else|need anything more|further assistance|"
    r"contact us (?:any ?time|again|at any time)|don'?t hesitate to|happy to help (?:further|with anything)|"
    r"is there anything|what else can i|can i help (?:you )?with anything|may i help you with (?:anything|something)|"
    r"help with anything else|do you need (?:anything|help with anything|more))\b"
)
CHANNEL_SWITCH_RE = re.compile(
    r"\b((?:please )?(?:call|phone|ring|dial) (?:us|our|the|\d{3,}|customer service|the hotline|hotline)|"
    r"(?:send|drop) (?:us |me )?(?:a |an )?(?:dm|direct message|private message|pm|email|e-mail|mail)|"
    r"(?:dm|pm|email|e-mail) us|via (?:private|direct) message|by private message|through private message|"
    r"private(?:ly)? message|privately|(?:visit|go to|come to) (?:a |the |our |your |any |nearest )?(?:\w+ )?"
    r"(?:store|branch|business hall|shop|service (?:center|centre|hall|point)|office|counter|website|site)|"
    r"(?:log ?in|login|sign in) (?:to )?(?:our |the )?(?:website|app|online)|(?:contact|reach) us (?:by|via|on|through|at) "
    r"(?:phone|email|e-mail|telephone|our hotline|the hotline|chat|dm|\d)|hotline|qq|wechat|online complaint|"
    r"fill (?:in|out) (?:the|our|a) (?:form|web form))\b"
)
BLAME_RE = re.compile(
    r"\b(you should have|you shouldn'?t have|you didn'?t|you did not|you failed to|your (?:own )?fault|"
    r"you must have|you forgot|you were supposed to|as (?:i|we) (?:already |previously )?(?:said|told you|"
    r"explained|mentioned|stated)|you (?:obviously|clearly)|(?:not|isn'?t) (?:my|our) (?:fault|problem|"
    r"responsibility)|it'?s the (?:courier|carrier|bank|manufacturer)'?s? (?:fault|problem)|"
    r"caused by (?:your|you)|due to your|user error|you (?:misunderstood|misread|ignored))\b"
)


@dataclass(frozen=True, slots=True)
class Behaviour:
    """Whether a behaviour is present, and the words that showed it."""

    present: bool
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BehaviourResult:
    """Behaviour flags for one agent message."""

    greeting: Behaviour
    apology_or_empathy: Behaviour
    ownership_language: Behaviour
    deflecting_language: Behaviour
    clear_next_step: Behaviour
    closing_offer_of_help: Behaviour
    channel_switch_request: Behaviour
    blaming_language: Behaviour
    confidence: float

    def flags(self) -> dict[str, bool]:
        return {name: getattr(self, name).present for name in BEHAVIOUR_NAMES}


BEHAVIOUR_NAMES = (
    "greeting", "apology_or_empathy", "ownership_language", "deflecting_language", "clear_next_step",
    "closing_offer_of_help", "channel_switch_request", "blaming_language",
)  # fmt: skip


def _flag(regex: re.Pattern[str], lower: str) -> Behaviour:
    found = [m.group(0) for m in regex.finditer(lower)][:5]
    return Behaviour(bool(found), found)


def detect(text: str) -> BehaviourResult:
    """Behaviour flags with evidence for one agent message; empty or unusable text flags nothing."""
    prepared = prepare(text)
    lower = prepared.lower.replace("’", "'")
    next_step = _flag(NEXT_STEP_RE, lower)
    if not next_step.present:
        commitment = find_commitment(lower)
        if commitment is not None:
            next_step = Behaviour(True, [commitment.what])
    return BehaviourResult(
        greeting=_flag(GREETING_RE, lower),
        apology_or_empathy=_flag(APOLOGY_RE, lower),
        ownership_language=_flag(OWNERSHIP_RE, lower),
        deflecting_language=_flag(DEFLECTION_RE, lower),
        clear_next_step=next_step,
        closing_offer_of_help=_flag(CLOSING_OFFER_RE, lower),
        channel_switch_request=_flag(CHANNEL_SWITCH_RE, lower),
        blaming_language=_flag(BLAME_RE, lower),
        confidence=confidence_for(prepared, len(tokens(lower))),
    )
