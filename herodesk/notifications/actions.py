"""Writes of the notifications app: telling agents, and marking what they read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.conversations.models import Conversation
from herodesk.errors import ActionError
from herodesk.notifications.models import Notification

# The same news about the same conversation, still unread, is not repeated within this window.
REPEAT_WINDOW = timedelta(minutes=30)


@transaction.atomic
def do_notify(
    recipients: Iterable[User | int | None],
    kind: str,
    text: str,
    conversation: Conversation | int | None = None,
    url: str = "",
    actor: User | None = None,
    at: datetime | None = None,
    once: bool = False,
) -> list[Notification]:
    """Tell each recipient once (never the actor who caused it). Returns the notifications created.

    ``once``: never tell a recipient this kind of news for this ``url`` again, read or not (a periodic
    job that finds the same due promise every few minutes calls it with ``once=True``)."""
    if kind not in Notification.Kind.values:
        raise ActionError(
            "Unknown kind of notification", {"kind": f"Choose one of {Notification.Kind.values}."}
        )
    at = at or timezone.now()
    conversation_id = conversation.pk if isinstance(conversation, Conversation) else conversation
    ids: set[int] = {r.pk if isinstance(r, User) else r for r in recipients if r is not None}
    if actor is not None:
        ids.discard(actor.pk)
    if not ids:
        return []
    same_news = Notification.objects.filter(
        recipient_id__in=ids, kind=kind, read_at__isnull=True, created_at__gte=at - REPEAT_WINDOW
    )
    if conversation_id is None:
        same_news = same_news.filter(conversation__isnull=True, text=" ".join(text.split())[:300])
    else:
        same_news = same_news.filter(conversation_id=conversation_id)
    repeated = set(same_news.values_list("recipient_id", flat=True))
    if once:
        told = Notification.objects.filter(recipient_id__in=ids, kind=kind, url=url[:300])
        repeated |= set(told.values_list("recipient_id", flat=True))
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            text=" ".join(text.split())[:300],
            conversation_id=conversation_id,
            url=url[:300],
            created_at=at,
        )
        for pk in sorted(ids - repeated)
    ]
    return Notification.objects.bulk_create(rows)


@transaction.atomic
def do_mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read: these ids, or all of them. Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def do_mark_emailed(notification_ids: Iterable[int], at: datetime | None = None) -> int:
    return Notification.objects.filter(pk__in=list(notification_ids)).update(emailed_at=at or timezone.now())
