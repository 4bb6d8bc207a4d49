"""Writes of the notifications app: telling agents, and marking what they read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from herodesk.accounts.models import User
from herodesk.conversations.models import Conversation
from herodesk.errors import ActionError
from herodesk.notifications.models import EmailPreference, Notification

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


# --- Notifications by email, batched ---------------------------------------------------------------

# At most one mail per agent within this window; what happens meanwhile goes into the next one.
EMAIL_BATCH = timedelta(minutes=5)
EMAIL_MAX_ITEMS = 30


@transaction.atomic
def do_set_email_notifications(user: User, enabled: bool) -> EmailPreference:
    preference, _ = EmailPreference.objects.get_or_create(user=user)
    if preference.enabled != enabled:
        preference.enabled = enabled
        preference.save(update_fields=["enabled"])
    return preference


def do_send_notification_emails(now: datetime | None = None) -> int:
    """Mail each agent who asked for it their unread, not yet mailed notifications: one mail per batch.

    Run every minute by a job; an agent mailed less than EMAIL_BATCH ago waits for the next run. A mail
    that fails to send leaves its notifications unmarked, so the next run tries again. Returns mails sent.
    """
    now = now or timezone.now()
    sent = 0
    due = EmailPreference.objects.filter(enabled=True, user__is_active=True).exclude(
        last_sent_at__gt=now - EMAIL_BATCH
    )
    for preference in due.select_related("user"):
        with transaction.atomic():
            if _mail_one_batch(preference, now):
                sent += 1
    return sent


def _mail_one_batch(preference: EmailPreference, now: datetime) -> bool:
    from django.conf import settings
    from django.core.mail import send_mail

    user = preference.user
    if not user.email:
        return False
    pending = list(
        Notification.objects.filter(
            recipient=user, read_at__isnull=True, emailed_at__isnull=True, created_at__lte=now
        ).order_by("created_at", "id")[:EMAIL_MAX_ITEMS]
    )
    if not pending:
        return False
    base = settings.BASE_URL
    lines = [f"- {n.get_kind_display()}: {n.text}\n  {base}/notifications/{n.pk}/" for n in pending]
    subject = f"herodesk: {len(pending)} new notification{'s' if len(pending) != 1 else ''}"
    body = (
        f"Hello {user.display_name},\n\n" + "\n".join(lines) + "\n\nAll notifications: "
        f"{settings.BASE_URL}/notifications/\nTurn these mails off on that page.\n"
    )
    send_mail(subject, body, None, [user.email])
    do_mark_emailed([n.pk for n in pending], now)
    preference.last_sent_at = now
    preference.save(update_fields=["last_sent_at"])
    return True
