"""Promises in agent replies: commitments to do something for the customer later, specific or vague.

A promise is *specific* when it carries a time we can resolve to a due datetime ("by Monday at 4pm",
"within 48 hours", "15 working days"), and *vague* otherwise ("we'll get back to you soon"). Vague
promises get a suggested specific rewrite. Instructions to the customer and general pledges are not
promises. Rules only: this runs on every keystroke-debounced draft, so it must take microseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from herodesk.signals.business_hours import BusinessHours
from herodesk.signals.text import PreparedText, compile_words, prepare, sentences
from herodesk.signals.timeexpr import (
    VAGUE_TIME_RE,
    TimePhrase,
    find_time,
    find_vague_time,
    resolve,
    resolve_vague,
)

_MODAL = r"(?:will|shall|'ll|’ll|am going to|are going to|'m going to|’m going to|'re going to|’re going to)"
_ADVERBS = (
    r"(?:\s+(?:also|then|now|definitely|certainly|personally|surely|immediately|promptly|further|"
    r"gladly|happily|quickly|actively|try to|be sure to|make sure to|aim to|endeavou?r to|arrange to|"
    r"go ahead and))*"
)
_THIRD_PARTY = (
    r"someone|somebody|one of (?:our|my) \w+(?: \w+)?|a (?:member of (?:our|the) \w+(?: \w+)?|"
    r"representative|technician|engineer|specialist|colleague|courier|manager|supervisor)|"
    r"(?:our|the|my) (?:\w+ ){0,2}(?:team|staff|department|dept|engineers?|technicians?|colleagues?|"
    r"specialists?|agents?|courier|manager|supervisor|director|officer|personnel|service personnel|"
    r"repairman|workers?|"
    r"customer service|support)"
)
# The agent writing about themself by a desk persona ("Xiao Wo will check it", "Little U will help you",
# "the editor will transfer your problem"): the agent, not a third party.
_PERSONA = r"(?<! a )(?<!^a )(?:xiao|little|teacher) (?:[a-z]+|@)|xiaowo|xiaobian|xiaou|the editor"
_PERSONA_RE = re.compile(_PERSONA)
COMMIT_RE = compile_words(
    rf"\b(i|we|{_PERSONA}|{_THIRD_PARTY})\s*{_MODAL}{_ADVERBS}\s+(?!not\b|never\b)([a-z]+(?:\s+[a-z']+){{0,5}})"
)
CONTACT_VERB_RE = compile_words(
    r"\b(?!you\b|it\b|this\b|which\b|that\b)([a-z]+)\s+(?:will|'ll|’ll)\s+(?:then\s+|also\s+)?(contact|"
    r"call|get back|reach|follow up|visit|reply|respond|"
    r"send|deal|handle|fix|repair|come(?! from)|be in touch|report|verify|arrange|inform|notify|solve|"
    r"resolve|refund|"
    r"deliver|process|check|investigate|escalate|assist|help you|record|transfer|forward|pass|feed back)\b"
)
YOU_WILL_RE = compile_words(
    r"\byou(?:\s+will|'ll|’ll|\s+should)\s+(?:also\s+|then\s+|soon\s+|shortly\s+)?(receive|get|hear|"
    r"be contacted|be called|be notified|"
    r"be refunded|be credited|be reimbursed|be informed|be updated|be sent|see (?:the|your) (?:refund|money|"
    r"credit)|have (?:an? |the |your )?(?:answer|reply|response|update|refund|replacement))\b"
    # "you can expect a call from one of our advisers"
    r"|\byou (?:can|may|should|will) expect (?:an? |to |the |your )?(call|email|e-mail|reply|response|update|"
    r"refund|visit|letter|answer|confirmation|hear|receive|be contacted)\b"
)
PASSIVE_RE = compile_words(
    r"\b(?:(?!you\b)[a-z]+\s+(?:will|shall|'ll)\s+(?:then\s+|also\s+)?be\s+(sent|delivered|refunded|credited|"
    r"processed|dispatched|arranged|fixed|resolved|repaired|handled|replaced|shipped|returned|reimbursed|"
    r"restored|reconnected|reactivated|updated|cancelled|canceled|issued|followed up|investigated|escalated|"
    r"looked into|added|received|transferred|compensated|forwarded|passed on|passed to|submitted|"
    r"reported|recorded|fed back|announced|reviewed|contacted|called|emailed|informed|notified)|"
    r"(?:your (?:\w+ )?|the (?:\w+ )?)(?:refund|"
    r"replacement|parcel|package|order|item|card|money|goods|technician|engineer|delivery|credit)s?\s+"
    r"(?:will|shall|'ll|should)\s+(arrive|reach you|be with you|get to you))\b"
)
# The elided subject is the first person of the clause before: "we have recorded it and will handle it".
ELIDED_SUBJECT_RE = compile_words(
    r"\b(?:we|i)(?: have|'ve| are|'re| am|'m| do)?\s+(?:(?!that\b|which\b|who\b)[a-z0-9']+\s+){1,10}?"
    r"(?:and|then)\s+will\s+(?:also\s+|then\s+|try to\s+)?(?!not\b|never\b|be\b|need\b|have\b)([a-z]+)"
)
# "we have arranged the staff to contact you": the action is still to come.
ARRANGED_RE = compile_words(
    r"\b(?:i|we)(?: have|'ve)? arranged (?:for )?(?:the |a |an |our )?(?:\w+ )?(?:staff|engineers?|"
    r"technicians?|colleagues?|someone|specialists?|person|personnel|team|courier|workers?) to "
    r"([a-z]+(?: [a-z']+){0,4})"
)
# "it is expected to take about one week": an estimate the team stands behind.
EXPECTED_RE = compile_words(
    r"\b(?:it|this|that|the (?:\w+ )?(?:refund|repair|replacement|delivery|process|processing|check|review))"
    r"(?:'s| is| will be| should be)? expected to (take|arrive|be (?:done|completed|processed|fixed|resolved|"
    r"restored|repaired|delivered|ready))\b"
)
# "we have asked someone to process it as soon as possible": another person's action still to come.
ASKED_RE = compile_words(
    r"\b(?:i|we)(?: have|'ve)?(?: \w+ and)? (?:asked|told|instructed|reminded|urged) "
    r"(?:the |a |an |our |relevant )?(?:\w+ )?"
    r"(?:staff|engineers?|technicians?|colleagues?|someone|somebody|specialists?|personnel|team|"
    r"department|courier|workers?|them|him|her) to (?!you\b)([a-z]+(?: [a-z']+){0,4})"
)
ALLOW_RE = re.compile(r"\b(?:please\s+)?allow(?: us)?\s+(?:up to\s+)?\d")
GET_BACK_RE = re.compile(
    r"\blet me\s+(?:\w+\s+){0,6}?(?:and\s+)?(get back to you|call you back|contact you|"
    r"follow up|update you)\b"
)
# An in-chat action for the customer: "let me get that for you", "let me look that up for you".
LET_ME_FOR_YOU_RE = re.compile(
    r"\blet me\s+(?!know\b)((?:get|book|check|find|look|arrange|sort|reserve|make|put|send|pull|fix)\b"
    r"[^.?!]{0,40}?\bfor you)\b"
    # "let me look for a hotel with wifi", "let me check into that"
    r"|\blet me\s+((?:look|search|check|hunt) (?:for|into|on)\b|look (?:up|into)\b|"
    r"find (?:a|an|the|you|out)\b)"
)
# Recurring schedules are policy statements, not promises ("we will send a reminder on the 13th of each
# month").
_RECURRING_RE = re.compile(r"\b(?:each|every) (?:day|week|month|year|quarter)\b")
# A trailing closing offer ("..., is there anything else I can do for you?") does not make the sentence
# an offer.
_TRAILING_OFFER_RE = re.compile(
    r"[,;]\s*(?:is there|anything else|can i|may i|what else|do you need|would you like)[^,;]*\?\s*$"
)
# After the modal: verbs that make a pledge, a capability or a description rather than a commitment.
_NOT_COMMITMENT_VERBS = frozenset(
    [
        "continue",
        "keep",
        "always",
        "strive",
        "work",
        "do",
        "try",
        "improve",
        "never",
        "not",
        "be",
        "need",
        "require",
        "have",
        "want",
        "like",
        "love",
        "hope",
        "value",
        "appreciate",
        "remember",
        "learn",
        "make",
        "take",
        "bear",
        "surely",
        "also",
        "seek",
        "ensure",
        "endeavour",
        "endeavor",
        "aim",
        "miss",
        "regret",
        "find",
        "notice",
        "recommend",
        "suggest",
        "advise",
        "see",
        "wait",
    ]
)
# "will be ..." is a commitment only in these forms.
_BE_COMMITMENTS = re.compile(
    r"^be\s+(?:in touch|back in touch|in contact|(?:right )?back (?:with|to) you|right back|with you\b|"
    r"(?:sending|calling|contacting|processing|refunding|issuing|"
    r"arranging|checking|looking|following|getting|replying|responding|escalating|investigating|reviewing|"
    r"passing|forwarding|handling|visiting|updating|reaching)\b)"
)
_DO_COMMITMENTS = re.compile(
    r"^(?:(?:try to )?(?:improve|optimi[sz]e|perfect) (?:it|this|that|the (?:issue|problem|bug|function))"
    r"(?: \w+)? (?:in (?:the |our )?(?:next|[\d.]+)|as soon as possible|asap)|do (?:that|this|it|so)|"
    r"make (?:sure|the|a|an|it|arrangements|records?|reservations?|bookings?|"
    r"notes?)|"
    r"take (?:care|a look|it|this|that|the)|have (?:someone|somebody|it|this|that|your|"
    # "we will have a checkup", but "we will have a sales activity on August 25" announces an event
    r"(?:a|an|the|our) (?!(?:\w+ )?(?:activity|activities|event|events|sale|sales|promotion|campaign|"
    r"conference|festival|lottery|holiday|celebration|party|launch)\b))|"
    r"see (?:what|if|whether)|try (?:again|to)|keep you|"
    r"work on (?:that|this|it|your|getting|sorting|finding|booking)|"
    r"keep (?:following|tracking|monitoring|checking|looking)|"
    r"find (?:out|a|the|you)|ensure (?:that|the|your|it))"
)
_PLEDGE_RE = compile_words(
    r"\b(?:continue|keep (?:improving|working|trying|getting better)|always|strive|do (?:our|my) (?:best|"
    r"utmost)|spare no effort|"
    r"try (?:our|my) (?:best|hardest)|improve (?:our|the) (?:service|quality|products?)|make every effort|"
    r"work hard|serve you|be (?:happy|glad|pleased|delighted) to|"
    r"take (?:your |this |the )?(?:feedback|suggestions?|"
    r"comments?|opinions?) (?:into|seriously)|in the future|from now on|be more careful|"
    # service-wide improvement, not an action for this customer
    r"(?:further |constantly |continuously )?(?:optimi[sz]e|improve|perfect|upgrade|speed up|accelerate|"
    r"strengthen|enhance) (?:it|our|the) (?:\w+ )?(?:network|coverage|construction|service|services|system|"
    r"product|products|quality|experience|process|according|deficienc(?:y|ies)|shortcomings?|work)|"
    r"(?:provide|offer) (?:you )?(?:a )?better (?:service|services|experience)|"
    r"(?:improve|enhance|optimi[sz]e) service|strengthen (?:training|management|supervision)|"
    r"(?:issue|launch|introduce|provide) more|meet (?:customer|user|your) (?:requirements|needs|demands)|"
    r"(?:study|consider|research) (?:your|the|this|these|them|it)(?: \w+)? ?(?:opinions?|suggestions?|"
    r"feedback|comments?|advice|ideas?)?\b(?! (?:and|then) (?:reply|get back|contact))|"
    # for users or customers at large, not this customer: "we will give headsets to some lucky users"
    r"(?:to|for) (?:all |some |our |the |other |those |these |more |selected )?(?:\w+ ){0,2}"
    r"(?:users|customers|members|subscribers|guys|winners|fans|consumers)|"
    # information, not an action: "I shall remind you that ..."
    r"remind you (?:that|of))\b"
)
_OFFER_RE = re.compile(r"^(?:shall i|should i|would you like|do you want|will you|can i|may i)\b|\?\s*$")
_CONDITION_RE = re.compile(r"\b(?:if|unless|in case|should you|whether)\b[^,;]*[,;]?")
# An option offered to the customer before the team's action: "you can fill in the feedback form and our
# staff will contact you", "if you are still in doubt, you can send the order to Xiao U and I will help
# you". The action waits on a choice the customer may never make: a conditional offer, not a promise.
# ("You can expect a call" and "you can rest assured" are not options.)
_OPTION_RE = re.compile(r"\byou (?:can|may|could)(?: also| directly| just)? (?!expect\b|rest\b|be\b)")
# A condition on the customer's side after the commitment: "the money will be returned to you if your
# transaction fails" is a policy, not a commitment now.
_TRAILING_CONDITION_RE = re.compile(r"\b(?:if|unless|in case) (?:you|your)\b")
# "if the same problem occurs again": an instruction for a possible future event, not a promise now.
_RECURRENCE_CONDITION_RE = re.compile(
    r"\bif (?:the same|this|that|it|such)\b[^,.;]{0,40}?\b(?:again|recurs)\b"
)
_BOOKING_VERB_RE = re.compile(r"\b(book|reserve|booked|reserved|booking)\b")
_SUBJECT_ROLE = {"i": "agent", "we": "team"}
# Every commitment pattern above needs one of these; most messages have none, so skip them early.
_GATE_RE = re.compile(r"will|'ll|’ll|shall|going to|let me|allow|arranged|should|expect|asked|told|urged")
_GATE_WORDS = (
    "will",
    "'ll",
    "’ll",
    "shall",
    "going to",
    "let me",
    "allow",
    "arranged",
    "should",
    "expect",
    "asked",
    "told",
    "instructed",
    "reminded",
    "urged",
)


def has_commitment_keyword(lower: str) -> bool:
    """Cheap necessary condition for :func:`find_commitment` (plain substring tests, no regex)."""
    for word in _GATE_WORDS:  # noqa: SIM110 - a plain loop beats any() with a generator here
        if word in lower:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Promise:
    """One commitment found in an agent reply."""

    text: str
    kind: str  # "specific" | "vague"
    due: datetime | None
    who: str
    what: str
    suggestion: str | None = None
    # A vague promise with a vague time ("in a few days", "shortly", "soon") gets a conventional due time,
    # documented in timeexpr: kind stays "vague" and ``due`` stays None.
    estimated_due: datetime | None = None
    estimate_basis: str = ""


@dataclass(frozen=True, slots=True)
class _Commitment:
    start: int
    who: str
    what: str
    owned: bool = False  # the agent or the team speaks in the first person ("I will", "we'll", "let me")


def detect(
    text: str,
    sent_at: datetime | None = None,
    tz: str | None = None,
    business_hours: BusinessHours | None = None,
    prepared: PreparedText | None = None,
    urgent_within: timedelta | None = None,
) -> list[Promise]:
    """Promises in an agent reply, with due times resolved against ``sent_at`` in the team's hours.

    Pass ``prepared`` to share one :func:`prepare` across signals."""
    prepared = prepared or prepare(text)
    if not prepared.usable or not has_commitment_keyword(prepared.lower):
        return []
    hours = business_hours or BusinessHours(tz=tz or "UTC")
    if sent_at is not None and (sent_at.tzinfo is None or sent_at.utcoffset() is None):
        raise ValueError("sent_at must be timezone-aware")
    found: list[Promise] = []
    for sentence in sentences(prepared.text):
        promise = _promise_in(sentence, sent_at, hours, urgent_within)
        if promise is not None:
            found.append(promise)
    return found


def _promise_in(
    sentence: str, sent_at: datetime | None, hours: BusinessHours, urgent_within: timedelta | None = None
) -> Promise | None:
    lower = sentence.lower().replace("’", "'")
    if not has_commitment_keyword(lower):
        return None
    lower = _TRAILING_OFFER_RE.sub(".", lower)
    if _OFFER_RE.search(lower):
        return None
    commitment = find_commitment(lower)
    if commitment is None or _RECURRING_RE.search(lower, commitment.start):
        return None
    recurrence = _RECURRENCE_CONDITION_RE.search(lower)
    if recurrence is not None and recurrence.start() < commitment.start:
        return None  # "please request a repair if it happens again and we will send workers": an instruction
    if _is_conditional_offer(lower, commitment):
        return None
    phrase = _due_phrase(lower, commitment)
    due = resolve(phrase, sent_at, hours) if phrase is not None and sent_at is not None else None
    if phrase is None:
        estimate = _estimate(lower, sent_at, hours)
        urgent = urgent_within is not None and urgent_within < URGENT
        if estimate is not None and not urgent:
            suggestion = _suggest_by(sentence, estimate[0], hours)  # the same day the estimate names
        else:
            suggestion = suggest_specific(sentence, sent_at, hours, urgent_within)
        return Promise(
            sentence,
            "vague",
            None,
            commitment.who,
            commitment.what,
            suggestion,
            estimate[0] if estimate else None,
            estimate[1] if estimate else "",
        )
    return Promise(sentence, "specific", due, commitment.who, commitment.what)


def _is_conditional_offer(lower: str, commitment: _Commitment) -> bool:
    option = _OPTION_RE.search(lower, 0, commitment.start)
    if option is not None and ";" not in lower[option.end() : commitment.start]:
        return True
    return _TRAILING_CONDITION_RE.search(lower, commitment.start) is not None


def _estimate(lower: str, sent_at: datetime | None, hours: BusinessHours) -> tuple[datetime, str] | None:
    if sent_at is None:
        return None
    phrase = find_vague_time(_CONDITION_RE.sub(" ", lower))
    return resolve_vague(phrase, sent_at, hours) if phrase is not None else None


def find_commitment(lower: str) -> _Commitment | None:
    """The first commitment to a future action in a lower-cased sentence, if any."""
    if not has_commitment_keyword(lower) or _PLEDGE_RE.search(lower):
        return None
    for match in COMMIT_RE.finditer(lower):
        if _is_commitment_verb(lower[match.start(2) :]):
            subject = match.group(1)
            persona = _PERSONA_RE.fullmatch(subject) is not None
            role = "agent" if persona else _SUBJECT_ROLE.get(subject, subject)
            owned = persona or subject in _SUBJECT_ROLE
            return _Commitment(match.start(), role, _action(match.group(2)), owned)
    for regex, who in (
        (CONTACT_VERB_RE, "third party"),
        (YOU_WILL_RE, "team"),
        (PASSIVE_RE, "team"),
        (GET_BACK_RE, "agent"),
        (LET_ME_FOR_YOU_RE, "agent"),
        (ARRANGED_RE, "team"),
        (ASKED_RE, "third party"),
        (EXPECTED_RE, "team"),
        (ALLOW_RE, "team"),
    ):
        found = regex.search(lower)
        if found:
            owned = regex in (GET_BACK_RE, LET_ME_FOR_YOU_RE, ARRANGED_RE, ASKED_RE)
            return _Commitment(found.start(), who, found.group(found.lastindex or 0), owned)
    # "we have recorded your issue and will handle it soon": the subject is elided after "and".
    elided = ELIDED_SUBJECT_RE.search(lower)
    if elided and _is_commitment_verb(lower[elided.start(1) :]):
        return _Commitment(elided.start(), "team", _action(lower[elided.start(1) :]), True)
    return None


_ACTION_STOP_RE = re.compile(
    r"\s+(?:soon|shortly|as|asap|within|by|before|in|on|at|today|tomorrow|when|once|"
    r"after|if|and|but|so|later|promptly|until|no)\b.*$"
)


def _action(phrase: str) -> str:
    return _ACTION_STOP_RE.sub("", phrase)


def _is_commitment_verb(phrase: str) -> bool:
    verb = phrase.split()[0]
    if phrase.startswith("come from"):
        return False  # "emails from our billing team will come from billing@...": a description
    if verb == "be":
        return bool(_BE_COMMITMENTS.match(phrase)) or phrase.startswith("be in")
    if verb in _NOT_COMMITMENT_VERBS:
        return bool(_DO_COMMITMENTS.match(phrase))
    return len(verb) > 1


def _due_phrase(lower: str, commitment: _Commitment) -> TimePhrase | None:
    """The time phrase that belongs to the commitment, ignoring conditions and booking slots."""
    # The commitment's own clause first: in "our staff is handling it now and we'll contact you soon" the
    # "now" is the handling's, not the contact's.
    phrase = find_time(_CONDITION_RE.sub(" ", lower[commitment.start :]))
    if phrase is None:
        phrase = find_time(_CONDITION_RE.sub(" ", lower))
        if phrase is not None and phrase.kind == "immediate":
            return None
    if phrase is None:
        return None
    if "few" in phrase.text or "couple" in phrase.text or "several" in phrase.text:
        return None
    if _BOOKING_VERB_RE.search(lower) and phrase.kind in ("clock", "weekday", "date", "day"):
        return None  # "I will book a table at 18:00 on Friday": the time is the booking's, not a due time
    return phrase


def _has_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


_VAGUE_ANY_CASE_RE = re.compile(VAGUE_TIME_RE.pattern, re.I)  # "ASAP" as well as "asap"
# The customer's own deadline: "my flight leaves in 40 minutes", "within 2 hours", "in an hour".
_CUSTOMER_DEADLINE_RE = re.compile(
    r"\b(?:in|within|only|next|leaves? in|starts? in|closes? in)\s+(an?|\d{1,3})\s*"
    r"(min(?:ute)?s?|hours?|hrs?|h)\b",
    re.I,
)
URGENT = timedelta(hours=4)  # a customer deadline sooner than this makes the suggestion a number of minutes


def customer_deadline(text: str) -> timedelta | None:
    """How soon the customer says they need it ("flight leaves in 40 minutes" -> 40 min); the soonest one."""
    found = []
    for match in _CUSTOMER_DEADLINE_RE.finditer(text[:5000]):
        amount = 1 if match.group(1).lower() in ("a", "an") else int(match.group(1))
        unit = match.group(2).lower()
        found.append(timedelta(minutes=amount) if unit.startswith("min") else timedelta(hours=amount))
    return min(found) if found else None


def suggest_specific(
    sentence: str, sent_at: datetime | None, hours: BusinessHours, urgent_within: timedelta | None = None
) -> str:
    """A specific rewrite of a vague promise: the same sentence, bound to a named business day and time.

    When the customer needs it sooner (``urgent_within``, see :func:`customer_deadline`), the rewrite is a
    number of minutes well inside their deadline, with the clock time in the team's zone, not a day.
    """
    base = _TRAILING_RE.sub("", _VAGUE_ANY_CASE_RE.sub("", sentence)).strip()
    base = re.sub(r"\s{2,}", " ", base)
    base = re.sub(r"\s+([,.;:!?])", r"\1", base)
    if sent_at is None:
        return f"{base} by <day> at <time>."
    if urgent_within is not None and urgent_within < URGENT:
        minutes = int(urgent_within.total_seconds() // 60 // 2)  # half their time: room to act on it
        minutes = max(5, minutes - minutes % 5) if minutes >= 10 else max(minutes, 2)
        due = hours.local(sent_at + timedelta(minutes=minutes))
        return f"{base} within {minutes} minutes (by {due:%H:%M} {hours.tz} time)."
    due = hours.add_business_days(sent_at, 1)
    if due - sent_at < timedelta(hours=4):
        due = hours.add_business_days(sent_at, 2)
    return f"{base} by {due.strftime('%A')} at {due.strftime('%H:%M')}."


_TRAILING_RE = re.compile(r"[\s.!,;:]+$")
_VAGUE_DURATION_ANY_CASE_RE = re.compile(
    r"\b(?:in|within|over|during)?\s*(?:the next\s+)?(?:a few|a couple of|couple of|a couple|few|several)\s+"
    r"(?:more\s+)?(?:business\s+|working\s+)?(?:minutes?|mins?|hours?|hrs?|days?|weeks?)\b",
    re.I,
)


def _suggest_by(sentence: str, due: datetime, hours: BusinessHours) -> str:
    """The vague promise bound to its estimated due time: "… in touch by Monday at 17:00."."""
    base = _VAGUE_DURATION_ANY_CASE_RE.sub("", sentence)
    base = _TRAILING_RE.sub("", _VAGUE_ANY_CASE_RE.sub("", base)).strip()
    base = re.sub(r"\s{2,}", " ", base)
    base = re.sub(r"\s+([,.;:!?])", r"\1", base)
    local = hours.local(due)
    return f"{base} by {local.strftime('%A')} at {local.strftime('%H:%M')}."
