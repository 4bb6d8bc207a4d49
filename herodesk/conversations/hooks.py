"""Where apps above ``conversations`` plug into it, so that it never imports them.

A channel registers the function that delivers an agent's reply (in its ``AppConfig.ready()``); the
insights app registers what runs after a conversation changed (analysis) and moves its promises
when messages move (merge, split); notifications listens to changes and events to tell people.
Conversations calls whatever is registered and knows nothing else about them. All are looked up at
call time, so tests may swap them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from herodesk.conversations.models import Event, Message

# Given a reply inside the transaction that wrote it: None when the channel does not deliver it, else the
# function that sends it, which conversations calls after the commit.
ReplyDelivery = Callable[["Message"], "Callable[[], None] | None"]
# Called inside the writing transaction with (conversation id, new message id or None).
ChangeListener = Callable[[int, "int | None"], None]
# Called inside the writing transaction with each recorded event (notifications tells the people concerned).
EventListener = Callable[["Event"], None]
# Called inside the writing transaction when messages move to another conversation (merge, split): the
# apps that keep rows per message (insights' promises) move theirs along. (message ids, to conversation id)
MoveListener = Callable[[list[int], int], None]

_reply_deliveries: list[ReplyDelivery] = []
_change_listeners: list[ChangeListener] = []
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
