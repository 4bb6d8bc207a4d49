"""What the desk tells agents about conversation changes, registered with ``conversations.hooks``.

Runs inside the transaction that made the change, so a notification exists exactly when the change
does. Mentions, hand-overs and customer replies; promises coming due are told by insights' job.
"""

from __future__ import annotations

import re

from django.db.models import Q

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Conversation, Event, Message
from herodesk.notifications.actions import do_notify
from herodesk.notifications.models import Notification

Kind = Notification.Kind
MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9][\w.+-]{0,149})")


def _short(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _name(user: User | None) -> str:
    return user.display_name if user is not None else "The desk"


def mentioned_agents(text: str, conversation: Conversation) -> list[User]:
    """Active agents named as ``@username`` in ``text`` who may open the conversation."""
    names = {match.rstrip(".") for match in MENTION_RE.findall(text)}
    if not names:
        return []
    lookup = Q()
    for name in names:
        lookup |= Q(username__iexact=name)
    may_see = Q(role=User.Role.ADMIN) | Q(is_superuser=True) | Q(pk=conversation.owner_id or 0)
    if conversation.team_id:
        may_see |= Q(teams=conversation.team_id)
    return list(User.objects.filter(lookup, is_active=True).filter(may_see).distinct())


def on_event(event: Event) -> None:
    """Transfers and assignments tell whoever now has the conversation."""
    if event.conversation_id is None or event.kind not in (Event.Kind.TRANSFERRED, Event.Kind.ASSIGNED):
        return
    data = event.data or {}
    conversation = Conversation.objects.only("subject", "team_id", "owner_id").get(pk=event.conversation_id)
    subject = _short(conversation.subject, 80)
    if event.kind == Event.Kind.TRANSFERRED:
        note = _short(event.note, 150)
        if data.get("to_owner"):
            text = f"{_name(event.actor)} handed you “{subject}”: {note}"
            do_notify([data["to_owner"]], Kind.TRANSFERRED, text, conversation, actor=event.actor)
        elif data.get("to_team"):
            team = Team.objects.filter(pk=data["to_team"]).first()
            members = team.members.filter(is_active=True, away=False) if team else User.objects.none()
            text = f"{_name(event.actor)} sent “{subject}” to {team}'s queue: {note}"
            do_notify(list(members), Kind.TRANSFERRED, text, conversation, actor=event.actor)
        return
    if data.get("new"):
        if data.get("rule"):
            text = f"“{subject}” was assigned to you ({str(data['rule']).replace('_', ' ')})"
        else:
            text = f"{_name(event.actor)} assigned “{subject}” to you"
        do_notify([data["new"]], Kind.ASSIGNED, text, conversation, actor=event.actor)


def on_change(conversation_id: int, message_id: int | None) -> None:
    """A customer reply tells the owner; an internal note tells the agents it mentions."""
    if message_id is None:
        return
    message = (
        Message.objects.select_related("conversation", "author", "customer")
        .only(
            "kind", "text", "author", "customer__name", "conversation__subject",
            "conversation__owner_id", "conversation__team_id",
        )
        .filter(pk=message_id)
        .first()
    )  # fmt: skip
    if message is None:
        return
    conversation = message.conversation
    if message.kind == Message.Kind.CUSTOMER and conversation.owner_id:
        if not Message.objects.filter(conversation_id=conversation.pk, pk__lt=message.pk).exists():
            return  # a new conversation: its owner is told that it was assigned to them
        who = message.customer.name if message.customer and message.customer.name else "The customer"
        text = f"{who} replied on “{_short(conversation.subject, 60)}”: {_short(message.text, 120)}"
        do_notify([conversation.owner_id], Kind.CUSTOMER_REPLY, text, conversation)
    elif message.kind == Message.Kind.NOTE:
        mentioned = mentioned_agents(message.text, conversation)
        if mentioned:
            text = f"{_name(message.author)} mentioned you: {_short(message.text, 150)}"
            do_notify(
                mentioned, Kind.MENTION, text, conversation, url=f"/c/{conversation.pk}/#m{message.pk}",
                actor=message.author,
            )  # fmt: skip
