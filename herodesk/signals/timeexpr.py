"""Time phrases in agent replies ("within 48 hours", "by Monday at 4pm", "15 working days") and due times.

Conventions (also in docs/signals.md): N minutes/hours/days/weeks are calendar time from sending;
N business or working hours/days count open time only, and N business days end at closing time of the
N-th open day after the day of sending; a named day without a clock time ends at closing time that day
(23:59 on a closed day); "end of the month" is closing time on its last open day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from herodesk.signals.business_hours import BusinessHours

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "twenty-four": 24, "thirty": 30, "forty-eight": 48, "seventy-two": 72, "few": 3, "couple of": 2,
    "a few": 3, "a couple of": 2,
}  # fmt: skip
_NUM = (
    r"(\d{1,3}|a few|a couple of|couple of|few|a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|fifteen|twenty|"
    r"twenty-four|thirty|forty-eight|seventy-two)"
)
_UNIT = r"(minutes?|mins?|hours?|hrs?|days?|weeks?|months?)"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = tuple(m.lower() for m in calendar.month_name[1:])
_MONTH_RE = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_CLOCK = (
    r"(?:at|by|before|around)?\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|(?:at|by|"
    r"before)\s+(\d{1,2}):(\d{2})|\b(noon|midday)\b|"
    # "at 17 o'clock": a 24-hour clock; 1 to 6 o'clock read as the afternoon, as deadline.py reads "at 6"
    r"(?:at|by|before|around)\s+(\d{1,2}) o'?clock\b"
)

DURATION_RE = re.compile(
    rf"\b(?:within|in|in the next|over the next|during the next|no later than|up to|allow(?: us)?|takes?|"
    rf"take up to)"
    rf"\s+(?:the\s+next\s+|about\s+|around\s+|approximately\s+)?{_NUM}"
    rf"(?:\s*(?:-|–|to|or)\s*{_NUM})?\s+(business\s+|working\s+|work\s+)?{_UNIT}\b"
)
BARE_WORKING_DAYS_RE = re.compile(
    rf"\b{_NUM}(?:\s*(?:-|–|to)\s*{_NUM})?\s+(business|working)\s+(days?|hours?)\b"
)
IMMEDIATE_RE = re.compile(r"\b(right now|right away|straight away|immediately|at once|now)\b")
DAY_WORD_RE = re.compile(
    r"\b(today|tonight|tomorrow|the next day|next day|this (?:morning|afternoon|evening)|"
    r"end of (?:the )?(?:business )?day|eod|"
    r"close of business|cob|end of (?:the |this )?week|this week|next week|end of (?:the |this )?month|"
    r"this month|next month)\b(?:\s+(morning|afternoon|evening))?"
)
WEEKDAY_RE = re.compile(
    r"\b(?:by|before|on|until|next|this|no later than)?\s*(" + "|".join(_WEEKDAYS) + r")\b"
)
DATE_RE = re.compile(
    rf"\b(?:by|before|on|until)?\s*(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}\b|"
    rf"{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b)"
)
CLOCK_RE = re.compile(_CLOCK)
VAGUE_TIME_RE = re.compile(
    r"\b(in (?:a )?few (?:minutes|hours|days|weeks)|within (?:a )?few (?:minutes|hours|days|weeks)|soon|"
    r"shortly|asap|as soon as (?:possible|we can|i can)|at (?:the|our) earliest|in due course|"
    r"in a timely manner|promptly|later|at a later (?:date|time)|as quickly as (?:possible|we can)|"
    r"in time|timely|at some point|when (?:we|i) can|when possible|eventually|in a while|one day)\b"
)


@dataclass(frozen=True, slots=True)
class TimePhrase:
    """A recognised time phrase and how to resolve it."""

    text: str
    kind: str  # duration | business_duration | immediate | day | weekday | date | clock
    amount: float = 0.0
    unit: str = ""
    day_word: str = ""
    part_of_day: str = ""
    weekday: int = -1
    month: int = 0
    day: int = 0
    clock: time | None = None


def _number(word: str | None) -> float:
    if not word:
        return 0.0
    word = word.strip()
    return float(word) if word.isdigit() else float(_NUMBER_WORDS.get(word, 0))


def _clock_from(match: re.Match[str]) -> time | None:
    if match.group(6):
        return time(12, 0)
    if match.group(7):
        hour = int(match.group(7))
        return time(hour + 12 if 1 <= hour < 7 else hour, 0) if hour < 24 else None
    if match.group(4):
        hour, minute = int(match.group(4)), int(match.group(5))
        return time(hour, minute) if hour < 24 and minute < 60 else None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridian = match.group(3).replace(".", "")
    if hour > 12 or minute > 59 or hour == 0:
        return None
    hour = hour % 12 + (12 if meridian == "pm" else 0)
    return time(hour, minute)


def _month_number(token: str) -> int:
    for index, name in enumerate(_MONTHS, start=1):
        if name.startswith(token[:3]):
            return index
    return 0


def find_time(lower: str) -> TimePhrase | None:
    """The first due-time phrase in a lower-cased clause, most specific kinds first."""
    for finder in (
        _find_duration,
        _find_working_days,
        _find_date,
        _find_weekday,
        _find_day_word,
        _find_clock,
        _find_immediate,
    ):
        found = finder(lower)
        if found:
            return found
    return None


def _find_duration(lower: str) -> TimePhrase | None:
    match = DURATION_RE.search(lower)
    if not match:
        return None
    amount = _number(match.group(2)) or _number(match.group(1))
    unit = match.group(4).rstrip("s")
    unit = {"min": "minute", "hr": "hour"}.get(unit, unit)
    kind = "business_duration" if match.group(3) else "duration"
    return TimePhrase(match.group(0), kind, amount=amount, unit=unit, clock=_clock_in(lower))


def _find_working_days(lower: str) -> TimePhrase | None:
    match = BARE_WORKING_DAYS_RE.search(lower)
    if not match:
        return None
    amount = _number(match.group(2)) or _number(match.group(1))
    return TimePhrase(match.group(0), "business_duration", amount=amount, unit=match.group(4).rstrip("s"))


def _find_date(lower: str) -> TimePhrase | None:
    match = DATE_RE.search(lower)
    if not match:
        return None
    if match.group(1):
        day, month = int(match.group(1)), _month_number(match.group(2))
    else:
        day, month = int(match.group(4)), _month_number(match.group(3))
    if not 1 <= day <= 31 or not month:
        return None
    return TimePhrase(match.group(0).strip(), "date", month=month, day=day, clock=_clock_in(lower))


def _find_weekday(lower: str) -> TimePhrase | None:
    match = WEEKDAY_RE.search(lower)
    if not match:
        return None
    weekday = _WEEKDAYS.index(match.group(1))
    next_week = match.group(0).strip().startswith("next")
    return TimePhrase(
        match.group(0).strip(),
        "weekday",
        weekday=weekday,
        clock=_clock_in(lower),
        day_word="next" if next_week else "",
    )


def _find_day_word(lower: str) -> TimePhrase | None:
    match = DAY_WORD_RE.search(lower)
    if not match:
        return None
    word = match.group(1)
    part = match.group(2) or ""
    for name in ("morning", "afternoon", "evening"):
        if word == f"this {name}":
            word, part = "today", name
    return TimePhrase(match.group(0), "day", day_word=word, part_of_day=part, clock=_clock_in(lower))


def _find_clock(lower: str) -> TimePhrase | None:
    match = CLOCK_RE.search(lower)
    if not match:
        return None
    clock = _clock_from(match)
    return TimePhrase(match.group(0).strip(), "clock", clock=clock) if clock else None


# "immediately when there is a response", "right away once it is verified", "immediately the staff has
# checked" (a conjunction): due at an unknown event.
_WAITS_FOR_EVENT_RE = re.compile(
    r"\s+(?:when|once|after|as soon as|upon|if)\b|"
    r"\s+(?:the|your|our|we|they|it)\s+(?:[a-z]+\s+){0,3}?(?:has|have|is|are|gets?|receives?)\b"
)


def _find_immediate(lower: str) -> TimePhrase | None:
    match = IMMEDIATE_RE.search(lower)
    if not match or _WAITS_FOR_EVENT_RE.match(lower, match.end()):
        return None
    return TimePhrase(match.group(0), "immediate")


def _clock_in(lower: str) -> time | None:
    """The due clock time; for a window ("between 9am and 1pm") the end of the window."""
    matches = list(CLOCK_RE.finditer(lower))
    if not matches:
        return None
    chosen = matches[-1] if "between" in lower or "until" in lower else matches[0]
    return _clock_from(chosen)


_PART_OF_DAY = {"morning": time(12, 0), "afternoon": time(17, 0), "evening": time(21, 0)}


def resolve(phrase: TimePhrase, sent_at: datetime, hours: BusinessHours) -> datetime | None:
    """The due datetime for ``phrase`` said at ``sent_at``, in the team's zone and business hours."""
    local = hours.local(sent_at)
    resolver = _RESOLVERS.get(phrase.kind)
    return resolver(phrase, local, hours) if resolver else None


def end_of_day(day: date, hours: BusinessHours) -> datetime:
    """Closing time on an open day, else the last minute of the day."""
    span = hours.hours_on(day)
    if span:
        return hours.at(day, span[1])
    return hours.at(day, time(23, 59))


def _on_day(day: date, phrase: TimePhrase, hours: BusinessHours) -> datetime:
    if phrase.clock:
        return hours.at(day, phrase.clock)
    if phrase.part_of_day:
        return hours.at(day, _PART_OF_DAY[phrase.part_of_day])
    return end_of_day(day, hours)


def _resolve_duration(phrase: TimePhrase, local: datetime, hours: BusinessHours) -> datetime:
    amount = phrase.amount
    if phrase.unit == "minute":
        return local + timedelta(minutes=amount)
    if phrase.unit == "hour":
        return local + timedelta(hours=amount)
    if phrase.unit == "week":
        return local + timedelta(days=7 * amount)
    if phrase.unit == "month":
        return _add_months(local, int(amount))
    return local + timedelta(days=amount)


def _resolve_business(phrase: TimePhrase, local: datetime, hours: BusinessHours) -> datetime:
    if phrase.unit in ("hour", "minute"):
        factor = 1.0 if phrase.unit == "hour" else 1 / 60
        return hours.add_business_hours(local, phrase.amount * factor)
    days = int(phrase.amount * (5 if phrase.unit == "week" else 1))
    return hours.add_business_days(local, days)


def _resolve_immediate(phrase: TimePhrase, local: datetime, hours: BusinessHours) -> datetime:
    return local


def _resolve_day(phrase: TimePhrase, local: datetime, hours: BusinessHours) -> datetime | None:
    word, today = phrase.day_word, local.date()
    if word in (
        "today",
        "end of day",
        "end of the day",
        "end of business day",
        "end of the business day",
        "eod",
        "close of business",
        "cob",
    ):
        due = _on_day(today, phrase, hours)
        return due if due > local else hours.at(today, time(23, 59))
    if word == "tonight":
        return hours.at(today, phrase.clock or time(23, 59))
    if word in ("tomorrow", "the next day", "next day"):
        return _on_day(today + timedelta(days=1), phrase, hours)
    if "week" in word:
        friday = today + timedelta(days=(4 - today.weekday()) % 7 + (7 if word == "next week" else 0))
        return end_of_day(friday, hours)
    if "month" in word:
        base = _add_months(local, 1) if word == "next month" else local
        last = calendar.monthrange(base.year, base.month)[1]
        return hours.close_of(date(base.year, base.month, last))
    return None


def _resolve_weekday(phrase: TimePhrase, local: datetime, hours: BusinessHours) -> datetime:
    today = local.date()
    ahead = (phrase.weekday - today.weekday()) % 7 or 7
    return _on_day(today + timedelta(days=ahead), phrase, hours)


def _resolve_date(phrase: TimePhrase, local: datetime, hours: BusinessHours) -> datetime | None:
    year = local.year
    try:
        day = date(year, phrase.month, phrase.day)
        if day < local.date():
            day = date(year + 1, phrase.month, phrase.day)
    except ValueError:
        return None
    return _on_day(day, phrase, hours)


def _resolve_clock(phrase: TimePhrase, local: datetime, hours: BusinessHours) -> datetime | None:
    if phrase.clock is None:
        return None
    due = hours.at(local.date(), phrase.clock)
    return due if due > local else due + timedelta(days=1)


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


_RESOLVERS = {
    "duration": _resolve_duration,
    "business_duration": _resolve_business,
    "immediate": _resolve_immediate,
    "day": _resolve_day,
    "weekday": _resolve_weekday,
    "date": _resolve_date,
    "clock": _resolve_clock,
}


# ---------------------------------------------------------------- vague times, read by convention
# A vague time still gets a documented estimate, so a desk can remind someone; the promise stays "vague".
#   a few / several = 3, a couple (of) = 2; days are business days (closing time of the N-th open day
#   after sending), hours are business hours, minutes and weeks calendar time from sending;
#   shortly / in a moment / right back = 1 business hour;
#   soon / as soon as possible / asap / promptly / at the earliest = closing time of the next business day
#   (the day after that when less than 4 hours remain), the same day the rewrite suggestion names;
#   a vague time followed by an event ("soon after receiving your message", "as soon as we hear") and
#   "later", "in due course", "in time" get no estimate.
VAGUE_DURATION_RE = re.compile(
    r"\b(a few|a couple of|couple of|a couple|few|several)\s+(?:more\s+)?(business\s+|working\s+)?"
    r"(minutes?|mins?|hours?|hrs?|days?|weeks?)\b"
)
SHORTLY_RE = re.compile(r"\b(shortly|in a (?:moment|minute|bit|little while|short while)|right back)\b")
SOON_RE = re.compile(
    # the bare "soon" of "as soon as I receive your information" waits for that event
    r"\b((?<!as )soon(?! as\b)|as soon as (?:possible|we can|i can)|asap|as quickly as (?:possible|we can)|"
    r"at (?:the|our) earliest(?: convenience| opportunity)?|promptly)\b"
)
_VAGUE_AMOUNTS = {"a few": 3, "few": 3, "several": 3, "a couple of": 2, "couple of": 2, "a couple": 2}


def find_vague_time(lower: str) -> TimePhrase | None:
    """A vague time phrase with a conventional reading (see above), or None; kind is "vague_duration",
    "shortly" or "soon"."""
    for regex, kind in ((VAGUE_DURATION_RE, "vague_duration"), (SHORTLY_RE, "shortly"), (SOON_RE, "soon")):
        for match in regex.finditer(lower):
            if _WAITS_FOR_EVENT_RE.match(lower, match.end()):
                continue
            if kind != "vague_duration":
                return TimePhrase(match.group(0), kind)
            unit = match.group(3).rstrip("s")
            unit = {"min": "minute", "hr": "hour"}.get(unit, unit)
            return TimePhrase(match.group(0), kind, amount=float(_VAGUE_AMOUNTS[match.group(1)]), unit=unit)
    return None


def resolve_vague(phrase: TimePhrase, sent_at: datetime, hours: BusinessHours) -> tuple[datetime, str] | None:
    """The conventional due time of a vague phrase and how it was read ("a few days = 3 business days")."""
    local = hours.local(sent_at)
    if phrase.kind == "shortly":
        return hours.add_business_hours(local, 1.0), f"“{phrase.text}” read as 1 business hour"
    if phrase.kind == "soon":
        due = hours.add_business_days(local, 1)
        if due - local < timedelta(hours=4):
            due = hours.add_business_days(local, 2)
        return due, f"“{phrase.text}” read as the close of the next business day"
    if phrase.kind != "vague_duration":
        return None
    amount = int(phrase.amount)
    if phrase.unit == "day":
        return hours.add_business_days(local, amount), f"“{phrase.text}” read as {amount} business days"
    if phrase.unit == "hour":
        due = hours.add_business_hours(local, float(amount))
        return due, f"“{phrase.text}” read as {amount} business hours"
    if phrase.unit == "minute":
        return local + timedelta(minutes=amount), f"“{phrase.text}” read as {amount} minutes"
    return local + timedelta(days=7 * amount), f"“{phrase.text}” read as {amount} weeks"
