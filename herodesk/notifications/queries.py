"""Reads of the notifications app: an agent sees only their own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from herodesk.accounts.models import User
from herodesk.notifications.models import EmailPreference, Notification

PAGE_SIZE = 50


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user: User, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.select_related("conversation").order_by("-created_at", "-id")


def notification_for(user: User, notification_id: int) -> Notification:
    found = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if found is None:
        raise Http404("No such notification")
    return found


def emails_enabled(user: User) -> bool:
    return EmailPreference.objects.filter(user=user, enabled=True).exists()
