"""Reads of the presence app: who else is on a conversation, for its screen and for inbox rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.presence.models import Presence

POLL_SECONDS = 5
# A row refreshed within this many seconds is live: the agent has the screen open now.
LIVE_SECONDS = 20
# Older rows up to this age show as "viewed N min ago".
RECENT_MINUTES = 15


def initials(user: User) -> str:
    parts = [p for p in (user.first_name, user.last_name) if p]
    letters = "".join(p[0] for p in parts) if parts else user.username[:2]
    return letters.upper()[:2]


@dataclass(frozen=True)
class Viewer:
    user_id: int
    name: str
    initials: str
    typing: str  # "", "reply" or "note"
    seen_at: datetime
    live: bool

    @property
    def minutes_ago(self) -> int:
        return max(int((timezone.now() - self.seen_at).total_seconds() // 60), 1)


def _viewer(row: Presence, now: datetime) -> Viewer:
    live = row.seen_at >= now - timedelta(seconds=LIVE_SECONDS)
    return Viewer(
        user_id=row.user_id,
        name=row.user.display_name,
        initials=initials(row.user),
        typing=row.typing if live else "",
        seen_at=row.seen_at,
        live=live,
    )


# What a viewer shows (the name and initials): loading only these keeps the frequent polls cheap.
VIEWER_FIELDS = ("user", "typing", "seen_at", "user__username", "user__first_name", "user__last_name")


def viewers(conversation_id: int, exclude: User | None = None, now: datetime | None = None) -> list[Viewer]:
    """Other agents on the conversation: live ones first, then those who looked in the last minutes."""
    now = now or timezone.now()
    rows = (
        Presence.objects.filter(conversation_id=conversation_id)
        .filter(seen_at__gte=now - timedelta(minutes=RECENT_MINUTES))
        .select_related("user")
        .only(*VIEWER_FIELDS)
        .order_by("-seen_at")
    )
    if exclude is not None:
        rows = rows.exclude(user_id=exclude.pk)
    found = [_viewer(row, now) for row in rows[:20]]
    return sorted(found, key=lambda v: (not v.live, not v.typing, v.name))


def live_viewers_by_conversation(
    conversation_ids: Iterable[int], exclude: User | None = None, now: datetime | None = None
) -> dict[int, list[Viewer]]:
    """For inbox rows: who else has each of these conversations open now (one query for a page)."""
    ids = list(conversation_ids)
    if not ids:
        return {}
    now = now or timezone.now()
    since = now - timedelta(seconds=LIVE_SECONDS)
    rows = Presence.objects.filter(conversation_id__in=ids, seen_at__gte=since)
    if exclude is not None:
        rows = rows.exclude(user_id=exclude.pk)
    found: dict[int, list[Viewer]] = {}
    fields = ("conversation_id", "typing", "seen_at", "user_id", "user__username", "user__first_name",
              "user__last_name")  # fmt: skip
    for conversation_id, typing, seen_at, user_id, username, first, last in rows.values_list(*fields):
        person = User(pk=user_id, username=username, first_name=first, last_name=last)
        viewer = Viewer(user_id, person.display_name, initials(person), typing, seen_at, live=True)
        found.setdefault(conversation_id, []).append(viewer)
    return found
