"""Filling a saved reply's variables for one conversation: names, number, status link and due times.

A due expression becomes a date and clock time in words the promise detector recognises ("by {next
business day 16:00}" reads "by Tuesday 3 December at 16:00"), so the sent reply is tracked as a specific
promise with exactly that due time. A variable without a value renders empty with a warning, never a token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from herodesk.signals.business_hours import BusinessHours

VARIABLES = {
    "first_name": "the customer's first name",
    "customer_name": "the customer's full name",
    "agent_name": "your name",
    "agent_first_name": "your first name",
    "conversation_number": "the conversation number, e.g. #1234",
    "status_link": "the customer's private status page (web form conversations)",
}
DUE_EXAMPLES = ("{today 17:00}", "{tomorrow 12:00}", "{next business day 16:00}", "{in 3 business days}")

_TOKEN_RE = re.compile(r"\{([^{}\n]{1,60})\}")
_DUE_RE = re.compile(
    r"^(today|tomorrow|next business day|in (\d{1,2}) business days?)(?:\s+(?:at\s+)?(\d{1,2}):(\d{2}))?$"
)


@dataclass(frozen=True)
class ReplyContext:
    """What the variables of one saved reply are filled with."""

    customer_name: str
    agent_name: str
    agent_first_name: str
    conversation_number: int | None
    status_link: str | None
    hours: BusinessHours
    now: datetime


@dataclass
class Rendered:
    text: str
    warnings: list[str] = field(default_factory=list)
    due_at: list[datetime] = field(default_factory=list)


def unknown_tokens(body: str) -> list[str]:
    """Tokens in braces that are neither a variable nor a due expression (checked when saving)."""
    return [
        token
        for token in _TOKEN_RE.findall(body)
        if token.strip() not in VARIABLES and not _DUE_RE.match(" ".join(token.lower().split()))
    ]


def render(body: str, context: ReplyContext) -> Rendered:
    result = Rendered(text="")

    def fill(match: re.Match[str]) -> str:
        token = match.group(1).strip()
        if token in VARIABLES:
            return _variable(token, context, result)
        due = due_time(" ".join(token.lower().split()), context.hours, context.now)
        if due is None:
            result.warnings.append(f"{{{token}}} is not a variable this desk knows; it was left out.")
            return ""
        result.due_at.append(due)
        return in_words(due, context.hours)

    result.text = _TOKEN_RE.sub(fill, body)
    return result


def _variable(name: str, context: ReplyContext, result: Rendered) -> str:
    if name in ("first_name", "customer_name"):
        full = context.customer_name.strip()
        if not full:
            result.warnings.append("The customer has no name on file: the greeting was left without one.")
            return ""
        return full.split()[0] if name == "first_name" else full
    simple = {
        "agent_name": context.agent_name,
        "agent_first_name": context.agent_first_name,
        "conversation_number": f"#{context.conversation_number}" if context.conversation_number else "",
    }
    if name in simple:
        return simple[name]
    if context.status_link is None:
        result.warnings.append(
            "This conversation has no status page (it did not come from the web form): "
            "the status link was left out. Check the sentence around it."
        )
        return ""
    return context.status_link


def due_time(expression: str, hours: BusinessHours, now: datetime) -> datetime | None:
    """The moment a due expression names, in the team's zone and business days; None if not one."""
    match = _DUE_RE.match(expression)
    if match is None:
        return None
    word, days, hour, minute = match.groups()
    clock = time(int(hour), int(minute)) if hour is not None and int(hour) < 24 and int(minute) < 60 else None
    if hour is not None and clock is None:
        return None
    today = hours.local(now).date()
    if word == "today":
        day = today
    elif word == "tomorrow":
        day = today + timedelta(days=1)
    else:
        day = today
        for _ in range(int(days or 1)):
            day = hours.next_open_day(day)
    if clock is None:
        return hours.close_of(day)
    return hours.at(day, clock)


def in_words(moment: datetime, hours: BusinessHours) -> str:
    """ "Tuesday 3 December at 16:00": a date and a clock the promise detector resolves exactly."""
    local = hours.local(moment)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"
