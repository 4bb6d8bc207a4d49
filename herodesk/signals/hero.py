"""Which hero moments need relief now, which are missed, and in what order (documented in docs/signals.md).

A hero moment is a customer at a high intensity whom no agent has answered since. It is **missed** when
the deadline the customer stated has passed, or when they have waited longer than the limit (in business
time) without relief: it cannot be a hero moment any more, only a recovery. Otherwise it **needs relief
now**, ranked by :func:`urgency`, never by raw age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Waiting longer than this in business time without relief makes a moment missed (8 h = one business day).
MISSED_AFTER_BUSINESS_HOURS = 8.0
# A stated deadline this close (or closer) weighs as much as the highest intensity.
DEADLINE_HORIZON = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a hero moment stands now: missed or not, its urgency (higher first) and why, in words."""

    missed: bool
    urgency: float
    why: str


def urgency(
    intensity: float, deadline_in: timedelta | None, waited_business_seconds: float, limit_hours: float
) -> float:
    """How much the customer needs relief now, 0 to 3 (higher first).

    intensity (0–1) + deadline pressure (0–1: 1 within DEADLINE_HORIZON, then horizon / time left, so
    a deadline in 2 h weighs 0.5 and one in 2 days 0.02) + waiting (0–1: the share of the missed limit
    already waited in business time). Age in calendar time never counts: a weekend does not raise it.
    """
    pressure = 0.0
    if deadline_in is not None and deadline_in > timedelta(0):
        pressure = min(1.0, DEADLINE_HORIZON / deadline_in)
    waiting = min(1.0, max(waited_business_seconds, 0.0) / (limit_hours * 3600)) if limit_hours > 0 else 0.0
    return round(max(0.0, min(intensity, 1.0)) + pressure + waiting, 4)


def duration_words(seconds: float) -> str:
    """ "3 h 10 min", "40 min", "2 days 1 h" (a person's words, no zero parts)."""
    minutes = max(int(seconds // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days >= 2:
        return f"{days + (hours >= 12)} days"
    if days:
        return "1 day" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min"


def when(moment: datetime, now: datetime) -> str:
    """ "18:00 today", "tomorrow 09:00", "Fri 4 Dec 17:00" (in the zone of ``moment``)."""
    today = now.astimezone(moment.tzinfo).date() if moment.tzinfo else now.date()
    days = (moment.date() - today).days
    if days == 0:
        return f"{moment:%H:%M} today"
    if days == 1:
        return f"tomorrow {moment:%H:%M}"
    if days == -1:
        return f"yesterday {moment:%H:%M}"
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"


def _mood(intensity: float) -> str:
    if intensity >= 0.85:
        return "Very upset"
    if intensity >= 0.7:
        return "Upset"
    return "Frustrated"


def standing(
    intensity: float,
    deadline_at: datetime | None,
    deadline_words: str,
    waited_business_seconds: float,
    now: datetime,
    limit_hours: float = MISSED_AFTER_BUSINESS_HOURS,
    local_deadline: datetime | None = None,
    waited_seconds: float | None = None,
) -> Standing:
    """Missed or needing relief now, the urgency and the why, for one hero moment at ``now``.

    ``local_deadline`` is the deadline in the team's zone, for the clock time shown ("by 18:00")."""
    shown = local_deadline or deadline_at
    waited = f"waiting {duration_words(waited_business_seconds)} in business hours"
    quote = f" — “{deadline_words}”" if deadline_words else ""
    if deadline_at is not None and deadline_at <= now:
        assert shown is not None
        ago = duration_words((now - deadline_at).total_seconds())
        return Standing(True, 0.0, f"Deadline passed {ago} ago (needed by {when(shown, now)}){quote}")
    if limit_hours > 0 and waited_business_seconds > limit_hours * 3600:
        return Standing(True, 0.0, f"{_mood(intensity)}, no relief after {waited[8:]}{quote}")
    left = deadline_at - now if deadline_at is not None else None
    score = urgency(intensity, left, waited_business_seconds, limit_hours)
    if left is not None and shown is not None:
        left_words = duration_words(left.total_seconds())
        return Standing(False, score, f"Needed by {when(shown, now)} — {left_words} left{quote}")
    if waited_business_seconds < 60 and waited_seconds is not None and waited_seconds >= 60:
        waited = f"waiting {duration_words(waited_seconds)}, outside business hours"
    return Standing(False, score, f"{_mood(intensity)}, {waited}")
