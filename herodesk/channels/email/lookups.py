"""The reads that filing needs for a batch of mails, in a few queries per batch instead of a few per mail.

Duplicates, the sender rate limit, known senders and every threading rule (Message-IDs, reply tokens,
``[#1234]`` subject tags) are answered from what ``IntakeLookups`` loaded for the whole batch.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from herodesk.channels.email.models import InboundMail
from herodesk.channels.email.queries import bare_message_id, both_forms, customer_by_email, one_hour_before
from herodesk.conversations.models import Conversation, Message
from herodesk.customers.models import Customer, Identity

State = InboundMail.State

IN_CHUNK = 500  # values per IN (...) list


@dataclass(frozen=True)
class BatchMail:
    """What the batch look-ups need of one mail: its row and its parsed Message-ID, sender and age."""

    inbound: InboundMail
    message_id: str  # bare, as stored in message_id_header
    from_address: str  # normalized, as stored in from_address
    thread_ids: Sequence[str] = ()  # In-Reply-To and References, bare (see routing.thread_ids)
    reply_token: str = ""  # from one of our Message-IDs or the Reply-To plus-address
    ticket_number: int | None = None  # a [#1234] tag in the subject


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
        self._tokens: dict[str, int] = {}  # reply token -> its conversation
        self._numbered: dict[int, int | None] = {}  # conversation number in a subject -> its customer
        self._senders_complete = True  # False once a bounce made the sender cache unreliable
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
        self._load_tokens(sorted({mail.reply_token for mail in mails if mail.reply_token}))
        self._load_numbers(sorted({mail.ticket_number for mail in mails if mail.ticket_number is not None}))

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
            messages = Message.objects.filter(external_id__in=both_forms(chunk)).order_by()
            for external_id, conversation_id in messages.values_list("external_id", "conversation_id"):
                self._threads[bare_message_id(external_id)] = conversation_id

    def _load_tokens(self, tokens: Sequence[str]) -> None:
        for chunk in _chunks(tokens):
            rows = (
                Conversation.objects.filter(reply_token__in=chunk).order_by().values_list("reply_token", "pk")
            )
            self._tokens.update(rows)

    def _load_numbers(self, numbers: Sequence[int]) -> None:
        for chunk in _chunks(numbers):
            rows = Conversation.objects.filter(pk__in=chunk).order_by().values_list("pk", "customer_id")
            self._numbered.update(rows)

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

    def conversation_by_reply_token(self, token: str) -> Conversation | None:
        pk = self._tokens.get(token)
        return Conversation.objects.only("id").filter(pk=pk).first() if pk is not None else None

    def conversation_of_sender(self, number: int, address: str) -> Conversation | None:
        """Conversation ``number`` when this sender is its customer (a subject tag alone proves nothing)."""
        customer_id = self._numbered.get(number)
        if customer_id is None:
            return None
        customer = self._sender_customer(address)
        if customer is None or customer.pk != customer_id:
            return None
        return Conversation.objects.only("id").filter(pk=number).first()

    def _sender_customer(self, address: str) -> Customer | None:
        """The customer behind an address, following merges to the survivor (as find_by_identity does)."""
        known = self._senders.get(address)
        if known is None:
            return None if self._senders_complete else customer_by_email(address)
        customer = known[0]
        while customer.merged_into_id is not None:
            customer = customer.merged_into  # type: ignore[assignment]
        return customer

    def remember_sender(self, address: str, customer: Customer) -> None:
        self._staged_sender = (address, customer)

    def remember_message(self, message_id: str, conversation_id: int) -> None:
        if message_id:
            self._staged_message = (message_id, conversation_id)

    def forget_senders(self) -> None:
        """Identities changed in a way the cache cannot follow (a bounce marked some as bouncing)."""
        self._senders.clear()
        self._senders_complete = False

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


def _chunks(values: Sequence) -> Iterable[Sequence]:
    return (values[start : start + IN_CHUNK] for start in range(0, len(values), IN_CHUNK))
