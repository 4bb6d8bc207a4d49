"""Writes of the insights app: signals cached on messages and conversations, and promises."""

from __future__ import annotations


def analyse_conversation(conversation_id: int, message_id: int | None = None) -> None:
    """Score a new message and refresh the conversation's cached signals (wired to herodesk.signals)."""
    return None


def analyse_all() -> int:
    """Analyse every conversation (after an import or for the demo)."""
    from herodesk.conversations.models import Conversation

    ids = list(Conversation.objects.values_list("pk", flat=True))
    for pk in ids:
        analyse_conversation(pk)
    return len(ids)
