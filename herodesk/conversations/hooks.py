"""Where apps above ``conversations`` plug into it, so that it never imports them.

A channel registers the function that delivers an agent's reply (in its ``AppConfig.ready()``); the
insights app registers what runs after a conversation changed (analysis). Conversations calls whatever is
registered and knows nothing else about them. Both are looked up at call time, so tests may swap them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from herodesk.conversations.models import Message

# Given a reply inside the transaction that wrote it: None when the channel does not deliver it, else the
# function that sends it, which conversations calls after the commit.
ReplyDelivery = Callable[["Message"], "Callable[[], None] | None"]
# Called inside the writing transaction with (conversation id, new message id or None).
ChangeListener = Callable[[int, "int | None"], None]

_reply_deliveries: list[ReplyDelivery] = []
_change_listeners: list[ChangeListener] = []


def register_reply_delivery(deliver: ReplyDelivery) -> None:
    """A channel that can deliver agent replies. The first one that takes a reply delivers it."""
    if deliver not in _reply_deliveries:
        _reply_deliveries.append(deliver)


def register_change_listener(listener: ChangeListener) -> None:
    if listener not in _change_listeners:
        _change_listeners.append(listener)


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
