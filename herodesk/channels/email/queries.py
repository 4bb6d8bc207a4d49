"""Reads of the email channel: mailboxes for admins, threading look-ups, intake bookkeeping."""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from herodesk.accounts.models import User
from herodesk.channels.email.models import InboundMail, Mailbox
from herodesk.conversations.models import Conversation, Message
from herodesk.customers.actions import find_by_identity, normalize_email
from herodesk.customers.models import Customer, Identity

State = InboundMail.State
MAX_ATTEMPTS = 3


def bare_message_id(value: str) -> str:
    """Message-IDs are compared and stored without angle brackets."""
    return (value or "").strip().strip("<>").strip()


def _both_forms(message_ids: Iterable[str]) -> list[str]:
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
        Q(state=State.RECEIVED) | Q(state=State.FAILED, attempts__lt=MAX_ATTEMPTS)
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


IN_CHUNK = 500  # values per IN (...) list


@dataclass(frozen=True)
class BatchMail:
    """What the batch look-ups need of one mail: its row and its parsed Message-ID, sender and age."""

    inbound: InboundMail
    message_id: str  # bare, as stored in message_id_header
    from_address: str  # normalized, as stored in from_address
    thread_ids: Sequence[str] = ()  # In-Reply-To and References, bare (see routing.thread_ids)


class IntakeLookups:
    """The reads filing needs for a batch of mails, in a few queries per batch instead of a few per mail.

    Load it inside the filing transaction, then ``learn`` each mail once its savepoint is released:
    every later mail of the batch then sees the earlier ones exactly as the per-mail queries would.
    ``remember_*`` is staged and kept only by ``learn`` (a rolled-back mail leaves nothing behind).
    """

    def __init__(self, mails: Sequence[BatchMail]) -> None:
        self._duplicates: dict[str, int] = {}  # message id -> earliest filed inbound mail
        self._same_bytes: dict[str, int] = {}  # sha256 -> earliest filed mail without a Message-ID
        self._received: dict[str, list[datetime]] = defaultdict(list)  # sender -> sorted received_at
        self._senders: dict[str, tuple[Customer, bool]] = {}  # address -> (customer, bouncing)
        self._threads: dict[str, int] = {}  # Message-ID of one of our messages -> its conversation
        self._staged_sender: tuple[str, Customer] | None = None
        self._staged_message: tuple[str, int] | None = None
        if mails:
            self._load(mails)

    def _load(self, mails: Sequence[BatchMail]) -> None:
        # The state is checked in Python, not in SQL: with it, SQLite may prefer the (state, received_at)
        # index and read every mail of the hour instead of the few with these Message-IDs or senders.
        message_ids = sorted({mail.message_id for mail in mails if mail.message_id})
        hashes = sorted({mail.inbound.sha256 for mail in mails if not mail.message_id})
        self._load_filed("message_id_header", message_ids, self._duplicates)
        self._load_filed("sha256", hashes, self._same_bytes)
        senders = sorted({mail.from_address for mail in mails if mail.from_address})
        self._load_received(senders, one_hour_before(min(mail.inbound.received_at for mail in mails)))
        self._load_senders(senders)
        self._load_threads(sorted({mid for mail in mails for mid in mail.thread_ids}))

    @staticmethod
    def _load_filed(key: str, values: Sequence[str], earliest: dict[str, int]) -> None:
        for chunk in _chunks(values):
            rows = (
                InboundMail.objects.filter(**{f"{key}__in": chunk}).order_by().values_list(key, "id", "state")
            )
            for value, pk, state in rows:
                if state == State.PROCESSED and pk < earliest.get(value, pk + 1):
                    earliest[value] = pk

    def _load_received(self, senders: Sequence[str], since: datetime) -> None:
        counted = (State.PROCESSED, State.REJECTED)
        for chunk in _chunks(senders):
            rows = (
                InboundMail.objects.filter(from_address__in=chunk, received_at__gte=since)
                .order_by()
                .values_list("from_address", "received_at", "state")
            )
            for address, received_at, state in rows:
                if state in counted:
                    self._received[address].append(received_at)
        for times in self._received.values():
            times.sort()

    def _load_senders(self, senders: Sequence[str]) -> None:
        for chunk in _chunks(senders):
            identities = Identity.objects.filter(kind=Identity.Kind.EMAIL, value__in=chunk)
            for identity in identities.select_related("customer"):
                self._senders[identity.value] = (identity.customer, identity.bouncing)

    def _load_threads(self, message_ids: Sequence[str]) -> None:
        for chunk in _chunks(message_ids):
            messages = Message.objects.filter(external_id__in=_both_forms(chunk)).order_by()
            for external_id, conversation_id in messages.values_list("external_id", "conversation_id"):
                self._threads[bare_message_id(external_id)] = conversation_id

    def filed_duplicate(self, inbound: InboundMail) -> int | None:
        """The earliest filed mail with the same Message-ID (the same bytes when there is none)."""
        if inbound.message_id_header:
            return self._duplicates.get(inbound.message_id_header)
        return self._same_bytes.get(inbound.sha256)

    def recent_mails_from(self, address: str, since: datetime) -> int:
        """Filed or refused mails from this sender received since then (the mail itself is neither)."""
        times = self._received.get(address, [])
        return len(times) - bisect.bisect_left(times, since)

    def known_sender(self, address: str, name: str) -> Customer | None:
        """The customer behind this address when finding them would change nothing; else None.

        None (ask ``customers.actions``) for a new address, a merged customer, a nameless one that would
        get a name, or an address marked as bouncing (writing from it clears the mark).
        """
        known = self._senders.get(address)
        if known is None:
            return None
        customer, bouncing = known
        if bouncing or customer.merged_into_id is not None or (name.strip() and not customer.name):
            return None
        return customer

    def conversation_by_message_ids(self, message_ids: Sequence[str]) -> Conversation | None:
        """The conversation of the first id (in the given order) that is one of our messages.

        Only its id is read: adding the message locks and reads the conversation again anyway.
        """
        for message_id in message_ids:
            if message_id in self._threads:
                return Conversation.objects.only("id").filter(pk=self._threads[message_id]).first()
        return None

    def remember_sender(self, address: str, customer: Customer) -> None:
        self._staged_sender = (address, customer)

    def remember_message(self, message_id: str, conversation_id: int) -> None:
        if message_id:
            self._staged_message = (message_id, conversation_id)

    def forget_senders(self) -> None:
        """Identities changed in a way the cache cannot follow (a bounce marked some as bouncing)."""
        self._senders.clear()

    def discard(self) -> None:
        """The mail's savepoint was rolled back."""
        self._staged_sender = self._staged_message = None

    def learn(self, inbound: InboundMail) -> None:
        """This mail's savepoint was released: later mails of the batch must see it."""
        if self._staged_sender is not None:
            address, customer = self._staged_sender
            self._senders[address] = (customer, False)
        if self._staged_message is not None:
            self._threads.setdefault(*self._staged_message)
        self._staged_sender = self._staged_message = None
        if inbound.state == State.PROCESSED:
            if inbound.message_id_header:
                self._duplicates.setdefault(inbound.message_id_header, inbound.pk)
            else:
                self._same_bytes.setdefault(inbound.sha256, inbound.pk)
        if inbound.state in (State.PROCESSED, State.REJECTED) and inbound.from_address:
            bisect.insort(self._received[inbound.from_address], inbound.received_at)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    return (values[start : start + IN_CHUNK] for start in range(0, len(values), IN_CHUNK))


def is_our_outgoing_message(message_id: str) -> bool:
    return Message.objects.filter(
        external_id__in=_both_forms([message_id]), direction=Message.Direction.OUT
    ).exists()


def message_by_external_id(message_id: str) -> Message | None:
    return (
        Message.objects.filter(external_id__in=_both_forms([message_id]))
        .select_related("conversation")
        .order_by("id")
        .first()
    )


def conversation_by_reply_token(token: str) -> Conversation | None:
    return Conversation.objects.filter(reply_token=token).first()


def conversation_of_customer(number: int, customer: Customer | None) -> Conversation | None:
    if customer is None:
        return None
    return Conversation.objects.filter(pk=number, customer=customer).first()


def customer_by_email(address: str) -> Customer | None:
    return find_by_identity(Identity.Kind.EMAIL, normalize_email(address))


def is_bouncing(address: str) -> bool:
    return Identity.objects.filter(
        kind=Identity.Kind.EMAIL, value=normalize_email(address), bouncing=True
    ).exists()


# --- Outgoing ---------------------------------------------------------------------------------------


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
