"""Reads of the email channel: mailboxes for admins, threading look-ups, intake bookkeeping."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from herodesk.accounts.models import User
from herodesk.channels.email.models import InboundMail, Mailbox
from herodesk.conversations.models import Message
from herodesk.customers.actions import find_by_identity, normalize_email
from herodesk.customers.models import Customer, Identity

State = InboundMail.State
FILING_ATTEMPTS = 3  # a stored mail whose filing failed this often waits for ``herodesk mail reprocess``


def bare_message_id(value: str) -> str:
    """Message-IDs are compared and stored without angle brackets."""
    return (value or "").strip().strip("<>").strip()


def both_forms(message_ids: Iterable[str]) -> list[str]:
    bare = [bare_message_id(mid) for mid in message_ids if bare_message_id(mid)]
    return [*bare, *(f"<{mid}>" for mid in bare)]


# --- Admin pages ------------------------------------------------------------------------------------


def require_admin(user: User) -> None:
    if not user.is_authenticated or not user.is_admin:
        raise PermissionDenied("Only admins manage mailboxes.")


def mailboxes_for_admin(user: User) -> QuerySet[Mailbox]:
    require_admin(user)
    return Mailbox.objects.select_related("team").order_by("name", "id")


def mailbox_for_admin(user: User, mailbox_id: int) -> Mailbox:
    require_admin(user)
    try:
        return Mailbox.objects.select_related("team").get(pk=mailbox_id)
    except Mailbox.DoesNotExist:
        raise Http404("No such mailbox") from None


def recent_inbound(mailbox: Mailbox, limit: int = 50) -> list[InboundMail]:
    return list(
        InboundMail.objects.filter(mailbox=mailbox)
        .defer("raw")
        .select_related("conversation")
        .order_by("-received_at", "-id")[:limit]
    )


def state_counts(mailbox: Mailbox) -> dict[str, int]:
    from django.db.models import Count

    rows = InboundMail.objects.filter(mailbox=mailbox).values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


# --- Intake -----------------------------------------------------------------------------------------


def mailbox_by_id(mailbox_id: int) -> Mailbox | None:
    return Mailbox.objects.filter(pk=mailbox_id).first()


def mailbox_for_webhook(mailbox_id: int, token_hash: str) -> Mailbox | None:
    if not token_hash:
        return None
    return Mailbox.objects.filter(pk=mailbox_id, webhook_token_hash=token_hash, active=True).first()


def due_mailboxes(now: datetime) -> QuerySet[Mailbox]:
    return (
        Mailbox.objects.filter(active=True)
        .exclude(imap_host="")
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .order_by("next_poll_at", "id")
    )


def known_uids(mailbox: Mailbox, uidvalidity: int, uids: Sequence[int]) -> dict[int, bool]:
    """UID -> whether intake is done with it, for the UIDs that already have a stored mail."""
    found: dict[int, bool] = {}
    for start in range(0, len(uids), 500):
        rows = InboundMail.objects.filter(
            mailbox=mailbox, uidvalidity=uidvalidity, uid__in=uids[start : start + 500]
        ).values_list("uid", "state")
        found.update(
            {uid: state not in (State.RECEIVED, State.FAILED) for uid, state in rows if uid is not None}
        )
    return found


def pending_inbound(
    mailbox: Mailbox | None = None, older_than: datetime | None = None, source: str = ""
) -> list[int]:
    """Stored mails intake has not finished (a crash, or a failure worth another try)."""
    pending = InboundMail.objects.filter(
        Q(state=State.RECEIVED) | Q(state=State.FAILED, attempts__lt=FILING_ATTEMPTS)
    )
    if mailbox is not None:
        pending = pending.filter(mailbox=mailbox)
    if older_than is not None:
        pending = pending.filter(received_at__lte=older_than)
    if source:
        pending = pending.filter(source=source)
    return list(pending.order_by("received_at", "id").values_list("pk", flat=True)[:1000])


OWN_ADDRESSES_TTL = 30.0  # seconds; a new mailbox's address is known to every worker within that
_own_addresses_cache: tuple[float, tuple[str, ...], frozenset[str]] | None = None


def own_addresses() -> frozenset[str]:
    """The desk's own addresses (plus-tags removed): mail from these is never filed."""
    global _own_addresses_cache
    configured = tuple(filter(None, [settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL]))
    now = time.monotonic()
    cached = _own_addresses_cache
    if cached is not None and cached[1] == configured and now - cached[0] < OWN_ADDRESSES_TTL:
        return cached[2]
    addresses = {*Mailbox.objects.values_list("address", flat=True), *configured}
    result = frozenset(strip_plus_tag(address) for address in addresses)
    _own_addresses_cache = (now, configured, result)
    return result


def forget_own_addresses() -> None:
    global _own_addresses_cache
    _own_addresses_cache = None


def strip_plus_tag(address: str) -> str:
    local, _, host = normalize_email(address).partition("@")
    return f"{local.partition('+')[0]}@{host}" if host else local


def is_our_outgoing_message(message_id: str) -> bool:
    return Message.objects.filter(
        external_id__in=both_forms([message_id]), direction=Message.Direction.OUT
    ).exists()


def message_by_external_id(message_id: str) -> Message | None:
    return (
        Message.objects.filter(external_id__in=both_forms([message_id]))
        .select_related("conversation")
        .order_by("id")
        .first()
    )


def customer_by_email(address: str) -> Customer | None:
    return find_by_identity(Identity.Kind.EMAIL, normalize_email(address))


def is_bouncing(address: str) -> bool:
    return Identity.objects.filter(
        kind=Identity.Kind.EMAIL, value=normalize_email(address), bouncing=True
    ).exists()


# --- Outgoing ---------------------------------------------------------------------------------------


def working_address(customer_id: int) -> str | None:
    """The customer's first email address that is not bouncing: where replies go."""
    return (
        Identity.objects.filter(customer_id=customer_id, kind=Identity.Kind.EMAIL, bouncing=False)
        .order_by("id")
        .values_list("value", flat=True)
        .first()
    )


def reply_to_send(message_id: int) -> Message | None:
    return (
        Message.objects.select_related("conversation", "conversation__customer", "author")
        .filter(pk=message_id)
        .first()
    )


def earlier_message_ids(message: Message) -> list[str]:
    """Message-IDs of the conversation's messages before this one, oldest first (for References)."""
    earlier = (
        Message.objects.filter(conversation_id=message.conversation_id, created_at__lte=message.created_at)
        .exclude(pk=message.pk)
        .exclude(external_id="")
        .order_by("created_at", "id")
        .values_list("external_id", flat=True)
    )
    return list(earlier)


def inbound_to_acknowledge(inbound_id: int) -> InboundMail | None:
    return (
        InboundMail.objects.defer("raw")
        .select_related("mailbox", "conversation")
        .filter(pk=inbound_id)
        .first()
    )


def mailbox_for_conversation(conversation_id: int) -> Mailbox | None:
    """The mailbox the conversation came in through (its first filed mail), if any."""
    first = (
        InboundMail.objects.filter(conversation_id=conversation_id, mailbox__isnull=False)
        .order_by("received_at", "id")
        .values_list("mailbox_id", flat=True)
        .first()
    )
    return Mailbox.objects.filter(pk=first).first() if first else None


def one_hour_before(at: datetime) -> datetime:
    return at - timedelta(hours=1)
