"""Key behaviours in an agent message (greeting, empathy, ownership, next step, closing offer, channel
switch, blame), each with the evidence that triggered it, for AutoQA suggestions and coaching."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from herodesk.signals.promises import find_commitment
from herodesk.signals.text import GateSet, PreparedText, compile_words, confidence_for, prepare, word_gate

GREETING_RE = re.compile(
    r"^\W*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening|day)|greetings|welcome|thanks? (?:you )?for "
    r"(?:contacting|reaching out|getting in touch|writing|your (?:message|email|patience|feedback)))\b"
)
APOLOGY_RE = compile_words(
    r"\b(sorry|apologi[sz]e|apologies|i understand (?:how|your|that|why)|we understand (?:how|your|that|why)|"
    r"i can (?:imagine|see how|understand)|must be (?:frustrating|annoying|difficult|stressful)|"
    r"(?:regret|feel bad) (?:for|about|that)|that'?s (?:frustrating|not good enough)|inconvenience caused|"
    r"thank you for your (?:patience|understanding))\b"
)
OWNERSHIP_RE = compile_words(
    r"\b(i(?: will|'ll| am going to|'m going to| personally)|"
    r"(?:i|we)(?: have|'ve) (?:already )?(?:escalated|arranged|asked|sent|raised|booked|refunded|processed|"
    r"updated|fixed|checked|contacted|passed|submitted|reported|urged|forwarded|reserved|cancelled|canceled)|"
    r"(?<!anything else )(?<!what else )(?:i|we) can (?:do|fix|sort|arrange|help|refund|replace|send)|"
    r"let me (?:check|look|find|fix|sort|arrange|take|get|see|help|handle|make)|leave (?:it|this) with me)\b"
)
DEFLECTION_RE = compile_words(
    r"\b(you (?:need|have|must|will need|will have) to|you should|you must|it is your responsibility|"
    r"you are required to|you'?ll have to|please (?:contact|call|go to|visit) (?:the|another|a different|"
    r"your)|"
    r"not (?:my|our) (?:department|team|responsibility|problem))\b"
)
NEXT_STEP_RE = compile_words(
    r"\b(next step|what happens next|i(?:'ve| have) (?:escalated|raised|arranged|booked|scheduled|sent)|"
    r"you will (?:receive|get|hear)|please (?:reply|send|provide|reply with|click|go to|check|try|restart|"
    r"confirm|let us know|tell us|wait)|once (?:we|i|you)|the reference (?:number )?is|your reference|"
    r"tracking number|(?:could|can|would) you (?:please )?(?:tell|provide|send|give|disconnect|restart|try|"
    r"check|confirm|reply)|you can (?:first )?try|try to (?:restart|reinstall|reconnect|update|log))\b"
)
CLOSING_OFFER_RE = compile_words(
    r"\b(anything else|something else|any other (?:questions?|help|problems?|issues?)|"
    r"any further (?:questions?|"
    r"help|assistance)|other questions|(?:let|tell) (?:me|us) know if (?:you|there|i)|"
    r"feel free to (?:contact|reach|ask|"
    r"get back|let)|(?:help|assist) you with (?:anything|something) else|need anything more|"
    r"further assistance|"
    r"contact us (?:any ?time|again|at any time)|don'?t hesitate to|happy to help (?:further|with anything)|"
    r"is there anything|what else can i|can i help (?:you )?with anything|"
    r"may i help you with (?:anything|something)|"
    r"help with anything else|do you need (?:anything|help with anything|more)|"
    r"(?:help|assist) you (?:any )?further|if you (?:have|encounter|meet) any (?:other |more |further )?"
    r"(?:problems?|questions?|issues?))\b"
)
CHANNEL_SWITCH_RE = compile_words(
    r"\b((?:please )?(?:call|phone|ring|dial) (?:us|our|the|\d{3,}|customer service|the hotline|hotline)|"
    r"(?:send|drop) (?:us |me )?(?:a |an )?(?:dm|direct message|private message|pm|email|e-mail|mail)|"
    r"(?:dm|pm|email|e-mail) us|via (?:private|direct) message|by private message|through private message|"
    r"private(?:ly)? message|privately|(?:visit|go to|come to) (?:a |the |our |your |any |nearest )?(?:\w+ )?"
    r"(?:store|branch|business hall|shop|service (?:center|centre|hall|point)|office|counter|website|site)|"
    r"(?:log ?in|login|sign in) (?:to )?(?:our |the )?(?:website|app|online)|(?:contact|reach) us (?:by|"
    r"via|on|through|at) "
    r"(?:phone|email|e-mail|telephone|our hotline|the hotline|chat|dm|\d)|hotline|qq|wechat|online complaint|"
    r"fill (?:in|out) (?:the|our|a) (?:form|web form))\b"
)
BLAME_RE = compile_words(
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


_FLAG_PATTERNS = {
    "apology_or_empathy": APOLOGY_RE, "ownership_language": OWNERSHIP_RE,
    "deflecting_language": DEFLECTION_RE,
    "clear_next_step": NEXT_STEP_RE, "closing_offer_of_help": CLOSING_OFFER_RE,
    "channel_switch_request": CHANNEL_SWITCH_RE, "blaming_language": BLAME_RE,
}  # fmt: skip


_GATED = tuple((name, regex, word_gate(regex)) for name, regex in _FLAG_PATTERNS.items())
_GATES = GateSet([gate for _, _, gate in _GATED])  # all seven gates in one check per message
_BITS = tuple((1 << i, name, regex) for i, (name, regex, _) in enumerate(_GATED))


def _evidence(lower: str, prepared: PreparedText) -> dict[str, list[str]]:
    """Evidence per behaviour (at most five phrases each); a regex runs only when its keyword gate opens.

    The gates read ``prepared.lower``: they test [a-z0-9] words and substrings only, which the ’ -> '
    replacement in ``lower`` does not change."""
    found: dict[str, list[str]] = {}
    mask = _GATES.open_mask(prepared.words, prepared.lower, prepared.has_digit)
    if not mask:
        return found
    for bit, name, regex in _BITS:
        if not mask & bit:
            continue
        hits = [m.group(0) for m in regex.finditer(lower)]
        if hits:
            found[name] = hits[:5]
    return found


def _flag(hits: list[str] | None) -> Behaviour:
    return Behaviour(True, hits) if hits else Behaviour(False, [])


def detect(text: str, prepared: PreparedText | None = None) -> BehaviourResult:
    """Behaviour flags with evidence for one agent message; empty or unusable text flags nothing.

    Pass ``prepared`` to share one :func:`prepare` across signals."""
    prepared = prepared or prepare(text)
    lower = prepared.lower.replace("’", "'") if "’" in prepared.lower else prepared.lower
    evidence = _evidence(lower, prepared).get
    greeting = GREETING_RE.match(lower[:200])
    next_step = evidence("clear_next_step")
    ownership = evidence("ownership_language")
    if not (next_step and ownership):
        # A commitment is a next step; one the agent or team makes in the first person ("we will verify
        # it and reply", not a pledge or "you will receive") is also ownership.
        commitment = find_commitment(lower)
        if commitment is not None and not next_step:
            next_step = [commitment.what]
        if commitment is not None and commitment.owned and not ownership:
            ownership = [commitment.what]
    return BehaviourResult(  # positional, in field order: keyword arguments cost more on this hot path
        _flag([greeting.group(0).strip()] if greeting else None),
        _flag(evidence("apology_or_empathy")),
        _flag(ownership),
        _flag(evidence("deflecting_language")),
        _flag(next_step),
        _flag(evidence("closing_offer_of_help")),
        _flag(evidence("channel_switch_request")),
        _flag(evidence("blaming_language")),
        confidence_for(prepared, len(prepared.toks)),
    )
