"""The deadline a customer states in their own words ("my flight is at 6", "the gate closes in 20 minutes",
"I need it before Friday"), as a moment in time, with the words that said it.

Reuses the time phrases of :mod:`herodesk.signals.timeexpr` (written for agent promises) with the
customer's conventions, documented in docs/signals.md:

- durations ("in 40 minutes", "within the hour", "in 2 days") are calendar time from the message's sent time;
- "today" without a clock time is closing time that day (23:59 on a closed day), "tonight" 20:00,
  "tomorrow morning" 09:00 (when the day starts), "this afternoon" 17:00, "evening" 20:00, a named
  day its closing time;
- "before Friday" / "before the 5th" end as the day starts (00:00 that day); "by Friday" at its closing time;
- a clock time without am/pm ("my flight is at 6") is its next occurrence within 12 hours of sending;
- a day word, weekday or date only counts when the sentence says it is needed ("need", "must", "by",
  "before", "urgent") or names an event that will not wait (a flight, a gate, a meeting, a deadline);
  talk about the past ("since this morning", "3 days ago", "you said it would arrive in 3 days") never counts.

When a message has several, the soonest one still after the sent time wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from herodesk.signals import timeexpr
from herodesk.signals.business_hours import BusinessHours

MAX_TEXT = 5000
QUOTE_WORDS = 10

_NEED_RE = re.compile(
    r"\b(need|needs|needed|must|have to|has to|got to|gotta|urgent|urgently|asap|deadline|latest|"
    r"no later than|at the latest|require|required|otherwise|or else|or i|or we|before|by|until|till)\b"
)
_EVENT_RE = re.compile(
    r"\b(flight|flights|plane|boarding|board|gate|train|bus|ferry|departs?|departure|leaves?|leaving|"
    r"takes? off|closes?|closing|starts?|starting|begins?|opens?|appointment|meeting|interview|wedding|"
    r"funeral|exam|surgery|operation|check-?in|check-?out|expires?|expiry|due|cut-?off|event|show|concert|"
    r"match|party|ceremony|court|hearing|presentation|conference|travel|travelling|traveling|trip)\b"
)
# Past or reported time: "since this morning", "three days ago", "you said it would come in 3 days".
_PAST_RE = re.compile(
    r"\b(ago|since|yesterday|last (?:night|week|month|time|[a-z]+day)|was told|were told|you said|you told|"
    r"you promised|promised|supposed to|been waiting|waited|have waited|earlier today|was|were|did|didn't|"
    r"had|said|wanted|went|got|came|happened|stopped|ended|denied|delayed|cancell?ed|missed|"
    r"already left|left)\b"
)
_DURATION_RE = re.compile(
    r"\b(?:in|within|in the next|in less than|in under|less than|under)\s+"
    r"(?:about\s+|around\s+|roughly\s+|only\s+|just\s+)?"
    r"(\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|forty-five|fifty|half an?)\s*"
    r"(minutes?|mins?|hours?|hrs?|h|days?|weeks?)\b"
)
_WITHIN_THE_HOUR_RE = re.compile(r"\b(?:within|in) the (?:next )?hour\b")
_BARE_CLOCK_RE = re.compile(
    r"\b(?:is|at|by|before|until|leaves at|departs at)\s+(\d{1,2})(?:[:.](\d{2}))?\b"
    r"(?!\s*(?:%|am\b|pm\b|a\.m|p\.m|days?\b|hours?\b|h\b|hrs?\b|minutes?\b|mins?\b|weeks?\b|months?\b|"
    r"years?\b|euros?\b|dollars?\b|pounds?\b|items?\b|people\b|times?\b|percent\b))"
)
_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50,
}  # fmt: skip
_SENTENCE_RE = re.compile(r"(?:[^.!?;\n]|(?<=\d)\.(?=\d))+[.!?;]*")
_PART_OF_DAY = {"morning": time(9, 0), "afternoon": time(17, 0), "evening": time(20, 0)}
TONIGHT = time(20, 0)


@dataclass(frozen=True, slots=True)
class Deadline:
    """When the customer needs it, and the customer's sentence that says so (a short quote)."""

    at: datetime
    words: str


def _quote(sentence: str, start: int, end: int) -> str:
    """Whole words around [start, end) of the sentence, at most QUOTE_WORDS, with an ellipsis when cut."""
    words = list(re.finditer(r"\S+", sentence))
    if not words:
        return ""
    hit = [i for i, w in enumerate(words) if w.end() > start and w.start() < end] or [0]
    first, last = hit[0], hit[-1]
    while last - first + 1 < QUOTE_WORDS and (first > 0 or last < len(words) - 1):
        if first > 0:
            first -= 1
        if last - first + 1 < QUOTE_WORDS and last < len(words) - 1:
            last += 1
    text = " ".join(w.group(0) for w in words[first : last + 1]).strip(" ,;:-")
    return ("…" if first > 0 else "") + text + ("…" if last < len(words) - 1 else "")


def _number(token: str) -> float:
    if token.startswith("half"):
        return 0.5
    return float(token) if token.isdigit() else float(_WORDS.get(token, 0))


def _duration(lower: str, sent: datetime) -> tuple[datetime, re.Match[str]] | None:
    match = _WITHIN_THE_HOUR_RE.search(lower)
    if match:
        return sent + timedelta(hours=1), match
    match = _DURATION_RE.search(lower)
    if not match:
        return None
    amount, unit = _number(match.group(1)), match.group(2)
    if amount <= 0:
        return None
    if unit.startswith("m"):
        delta = timedelta(minutes=amount)
    elif unit.startswith("h"):
        delta = timedelta(hours=amount)
    elif unit.startswith("w"):
        delta = timedelta(weeks=amount)
    else:
        delta = timedelta(days=amount)
    return sent + delta, match


def _bare_clock(lower: str, local: datetime, hours: BusinessHours) -> tuple[datetime, re.Match[str]] | None:
    """ "my flight is at 6", "it leaves at 7.30": the next such time within 12 hours."""
    match = _BARE_CLOCK_RE.search(lower)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if not 1 <= hour <= 23 or minute > 59:
        return None
    candidates = [hour] if hour > 12 else [hour % 12, hour % 12 + 12]
    best = None
    for h in candidates:
        due = hours.at(local.date(), time(h, minute))
        if due <= local:
            due = hours.at(local.date() + timedelta(days=1), time(h, minute))
        if best is None or due < best:
            best = due
    assert best is not None
    return best, match


def _phrase(lower: str, local: datetime, hours: BusinessHours) -> tuple[datetime, re.Match[str]] | None:
    """A date, weekday, day word or clock time in the sentence, resolved with the customer's conventions."""
    for regex, finder in (
        (timeexpr.DATE_RE, timeexpr._find_date),
        (timeexpr.WEEKDAY_RE, timeexpr._find_weekday),
        (timeexpr.DAY_WORD_RE, timeexpr._find_day_word),
        (timeexpr.CLOCK_RE, timeexpr._find_clock),
    ):
        match = regex.search(lower)
        found = finder(lower) if match else None
        if not found or not match:
            continue
        before = (
            found.text.startswith("before")
            or lower[max(match.start() - 7, 0) : match.start()].strip() == "before"
        )
        bare = _BARE_CLOCK_RE.search(lower) if found.clock is None and found.kind != "clock" else None
        if bare and int(bare.group(1)) < 24 and int(bare.group(2) or 0) < 60:
            hour = int(bare.group(1))
            hour = hour + 12 if 1 <= hour < 7 else hour  # "at 6 on Friday": people mean 18:00, not 06:00
            found = replace(found, clock=time(hour % 24, int(bare.group(2) or 0)))
        if found.kind == "day" and found.clock is None:
            if found.day_word == "tonight":
                found = replace(found, clock=TONIGHT)
            elif found.part_of_day:
                found = replace(found, clock=_PART_OF_DAY[found.part_of_day])
        due = timeexpr.resolve(found, local, hours)
        if due is None:
            continue
        if before and found.clock is None and found.kind in ("weekday", "date"):
            due = hours.at(hours.local(due).date(), time(0, 0))
        return due, match
    return None


def find_deadline(text: str, sent_at: datetime, hours: BusinessHours | None = None) -> Deadline | None:
    """The soonest deadline the customer states in ``text`` (sent at ``sent_at``), or None."""
    hours = hours or BusinessHours()
    local = hours.local(sent_at)
    found: list[Deadline] = []
    for sentence_match in _SENTENCE_RE.finditer(text[:MAX_TEXT]):
        sentence = sentence_match.group(0)
        lower = sentence.lower()
        if _PAST_RE.search(lower):
            continue
        asks = bool(_NEED_RE.search(lower) or _EVENT_RE.search(lower))
        hit = _duration(lower, local)
        if hit is None and asks:
            hit = _phrase(lower, local, hours)
        if hit is None and _EVENT_RE.search(lower):
            hit = _bare_clock(lower, local, hours)
        if hit is None:
            continue
        due, match = hit
        if due <= local:
            continue
        found.append(Deadline(due, _quote(sentence.strip(), *_strip_offsets(sentence, match))))
    return min(found, key=lambda d: d.at) if found else None


def _strip_offsets(sentence: str, match: re.Match[str]) -> tuple[int, int]:
    shift = len(sentence) - len(sentence.lstrip())
    return match.start() - shift, match.end() - shift
