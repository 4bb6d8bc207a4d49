"""Where apps above ``conversations`` plug into it, so that it never imports them.

A channel registers the function that delivers an agent's reply (in its ``AppConfig.ready()``); the
insights app registers what runs after a conversation changed (analysis) and moves its promises when
messages move (merge, split); notifications listens to changes and events to tell people; every app that
keeps rows about a person registers what erases them (a channel's raw mails, form submissions).
Conversations calls whatever is registered and knows nothing else about them. All are looked up at call
time, so tests may swap them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from herodesk.conversations.models import Event, Message

# Given a reply inside the transaction that wrote it: None when the channel does not deliver it, else the
# function that sends it, which conversations calls after the commit.
ReplyDelivery = Callable[["Message"], "Callable[[], None] | None"]
# Called inside the writing transaction with (conversation id, new message id or None).
ChangeListener = Callable[[int, "int | None"], None]
# Called after the commit with every (conversation id, message id or None) a transaction changed, and
# again by the sweep for changes whose after-commit step a crash cut off: must be safe to repeat.
AfterChange = Callable[[list[tuple[int, "int | None"]]], None]


@dataclass(frozen=True)
class ErasedCustomer:
    """Who is being erased: the customer (and the records merged into them), as apps find them."""

    customer_ids: tuple[int, ...]
    conversation_ids: tuple[int, ...]
    emails: tuple[str, ...]  # normalized as identities are: lower case
    phones: tuple[str, ...]  # digits only


# Called inside the erasure transaction, before the conversations are deleted: deletes what the app keeps
# about the person.
CustomerEraser = Callable[[ErasedCustomer], object]

# Called inside the writing transaction with each recorded event (notifications tells the people concerned).
EventListener = Callable[["Event"], None]
# Called inside the writing transaction when messages move to another conversation (merge, split): the
# apps that keep rows per message (insights' promises) move theirs along. (message ids, to conversation id)
MoveListener = Callable[[list[int], int], None]

_reply_deliveries: list[ReplyDelivery] = []
_change_listeners: list[ChangeListener] = []
_customer_erasers: list[CustomerEraser] = []
_after_changes: list[AfterChange] = []
# Sends a short notice to an address (to, subject, text), e.g. "confirm your address"; queued, not sent
# inside the caller's transaction. The email channel registers one.
NoticeSender = Callable[[str, str, str], None]
_notice_senders: list[NoticeSender] = []
_event_listeners: list[EventListener] = []
_move_listeners: list[MoveListener] = []


def register_reply_delivery(deliver: ReplyDelivery) -> None:
    """A channel that can deliver agent replies. The first one that takes a reply delivers it."""
    if deliver not in _reply_deliveries:
        _reply_deliveries.append(deliver)


def register_change_listener(listener: ChangeListener) -> None:
    if listener not in _change_listeners:
        _change_listeners.append(listener)


def register_event_listener(listener: EventListener) -> None:
    if listener not in _event_listeners:
        _event_listeners.append(listener)


def register_move_listener(listener: MoveListener) -> None:
    if listener not in _move_listeners:
        _move_listeners.append(listener)


def register_after_change(work: AfterChange) -> None:
    """Durable work after a change (analysis): conversations records it with the change and calls this
    after the commit, or from the sweep when a crash came between the commit and the call."""
    if work not in _after_changes:
        _after_changes.append(work)


def register_notice_sender(sender: NoticeSender) -> None:
    if sender not in _notice_senders:
        _notice_senders.append(sender)


def send_notice(to: str, subject: str, text: str) -> bool:
    """Queue a notice through the first registered sender; False when no channel can send it."""
    for sender in _notice_senders:
        sender(to, subject, text)
        return True
    return False


def register_customer_eraser(eraser: CustomerEraser) -> None:
    """An app that keeps rows about a person outside conversations (raw mails, form submissions)."""
    if eraser not in _customer_erasers:
        _customer_erasers.append(eraser)


def reply_sender(message: Message) -> Callable[[], None] | None:
    """How the first channel that takes this reply sends it; None when none does (read in the desk)."""
    for deliver in _reply_deliveries:
        send = deliver(message)
        if send is not None:
            return send
    return None


def conversation_changed(conversation_id: int, message_id: int | None = None) -> None:
    for listener in _change_listeners:
        listener(conversation_id, message_id)


def event_recorded(event: Event) -> None:
    for listener in _event_listeners:
        listener(event)


def messages_moved(message_ids: list[int], to_conversation_id: int) -> None:
    for listener in _move_listeners:
        listener(message_ids, to_conversation_id)


def customer_erased(erased: ErasedCustomer) -> None:
    for eraser in _customer_erasers:
        eraser(erased)


def after_change(changes: list[tuple[int, int | None]]) -> None:
    for work in _after_changes:
        work(changes)
