"""Writes of the presence app: an agent's heartbeat on a conversation, leaving it, and expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.presence.models import Presence

# Rows older than this are gone for good (the screen shows "viewed N min ago" up to RECENT_MINUTES).
KEEP = timedelta(hours=1)


@transaction.atomic
def do_record_presence(
    user: User, conversation_id: int, typing: str = "", at: datetime | None = None
) -> None:
    """The agent has the conversation open (and maybe types): one small write per poll."""
    at = at or timezone.now()
    typing = typing if typing in Presence.Typing.values else ""
    updated = Presence.objects.filter(conversation_id=conversation_id, user=user).update(
        typing=typing, seen_at=at
    )
    if updated:
        return
    try:
        with transaction.atomic():  # two tabs of the same agent may race to create the row
            Presence.objects.create(conversation_id=conversation_id, user=user, typing=typing, seen_at=at)
    except IntegrityError:
        Presence.objects.filter(conversation_id=conversation_id, user=user).update(typing=typing, seen_at=at)


@transaction.atomic
def do_leave(user: User, conversation_id: int) -> None:
    """The agent closed the conversation: they stop showing as viewing it (they still show as recent)."""
    Presence.objects.filter(conversation_id=conversation_id, user=user).update(
        typing="", seen_at=timezone.now() - timedelta(minutes=1)
    )


@transaction.atomic
def do_expire_presence(now: datetime | None = None) -> int:
    """Delete rows nobody refreshed for an hour (a periodic job keeps the table small)."""
    deleted, _ = Presence.objects.filter(seen_at__lt=(now or timezone.now()) - KEEP).delete()
    return deleted
