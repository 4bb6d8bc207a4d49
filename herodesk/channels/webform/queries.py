"""Reads of the web-form channel: the rate limit's count, a status link, what the customer may see."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from herodesk.channels.webform.models import AddressClaim, CustomerLink, Submission, hash_link_token
from herodesk.conversations.models import Conversation, Message


def submissions_in_last_hour(email: str) -> int:
    since = timezone.now() - timedelta(hours=1)
    return Submission.objects.filter(email=email.lower(), created_at__gte=since, accepted=True).count()


def link_for(raw_token: str) -> CustomerLink | None:
    """The status link behind a raw token (compared by hash), with its conversation."""
    return (
        CustomerLink.objects.select_related("conversation")
        .filter(token_hash=hash_link_token(raw_token))
        .first()
    )


def status_thread(conversation: Conversation) -> QuerySet[Message]:
    """What the customer sees on the status page: their messages and agents' replies, never notes."""
    return conversation.messages.filter(kind__in=[Message.Kind.CUSTOMER, Message.Kind.REPLY]).order_by(
        "created_at", "id"
    )


def claim_for(raw_token: str) -> AddressClaim | None:
    """An address claim not yet confirmed, by its raw token (compared by hash)."""
    return (
        AddressClaim.objects.select_related("conversation", "customer")
        .filter(token_hash=hash_link_token(raw_token), confirmed_at__isnull=True)
        .first()
    )
