"""Writes of saved replies: create, edit, delete, and send one (the reply, its changes, its usage count)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import ContactReason, Conversation, Message
from herodesk.errors import ActionError
from herodesk.macros.models import SavedReply
from herodesk.macros.render import unknown_tokens

STATUSES = ("open", "pending", "resolved", "closed")


@dataclass
class SavedReplyDraft:
    """What a lead or agent types on the saved reply form. ``team`` None means a personal reply."""

    title: str
    body: str
    team: Team | None = None
    set_status: str = ""
    add_tags: str = ""
    contact_reason: ContactReason | None = None
    assign_to: User | None = None
    transfer_to: Team | None = None
    transfer_note: str = ""


def _check(actor: User, draft: SavedReplyDraft) -> None:
    errors: dict[str, str] = {}
    if not " ".join(draft.title.split()):
        errors["title"] = "Give the saved reply a title agents can search for."
    elif len(draft.title) > 100:
        errors["title"] = "At most 100 characters."
    if not draft.body.strip():
        errors["body"] = "Write the text of the reply."
    elif unknown := unknown_tokens(draft.body):
        errors["body"] = f"Unknown variable {{{unknown[0]}}}: use one of the variables listed under the text."
    if draft.team is not None and not (
        actor.is_admin or (actor.is_lead and actor.teams.filter(pk=draft.team.pk).exists())
    ):
        errors["team"] = "Only a lead of that team (or an admin) writes its shared replies."
    if draft.set_status and draft.set_status not in STATUSES:
        errors["set_status"] = f"Choose one of {', '.join(STATUSES)}."
    if draft.transfer_to is not None and not draft.transfer_note.strip():
        errors["transfer_note"] = "A transfer needs a hand-off note for the next team."
    if draft.assign_to is not None and not draft.assign_to.is_active:
        errors["assign_to"] = "Choose an active agent."
    if errors:
        raise ActionError("The saved reply cannot be saved", errors)


def _apply(reply: SavedReply, actor: User, draft: SavedReplyDraft) -> None:
    reply.title = " ".join(draft.title.split())
    reply.body = draft.body.strip()
    reply.team = draft.team
    reply.owner = None if draft.team is not None else actor
    reply.set_status = draft.set_status
    reply.add_tags = ", ".join(name.strip() for name in draft.add_tags.split(",") if name.strip())[:200]
    reply.contact_reason = draft.contact_reason
    reply.assign_to = draft.assign_to
    reply.transfer_to = draft.transfer_to
    reply.transfer_note = draft.transfer_note.strip() if draft.transfer_to else ""
    reply.updated_at = timezone.now()


@transaction.atomic
def do_create_saved_reply(actor: User, draft: SavedReplyDraft) -> SavedReply:
    _check(actor, draft)
    now = timezone.now()
    reply = SavedReply(created_by=actor, created_at=now, updated_at=now)
    _apply(reply, actor, draft)
    reply.save()
    return reply


@transaction.atomic
def do_update_saved_reply(actor: User, reply: SavedReply, draft: SavedReplyDraft) -> SavedReply:
    _check_may_edit(actor, reply)
    _check(actor, draft)
    if reply.owner_id is not None and draft.team is None and reply.owner_id != actor.pk:
        raise ActionError("Only its owner edits a personal saved reply.")
    _apply(reply, actor, draft)
    reply.save()
    return reply


@transaction.atomic
def do_delete_saved_reply(actor: User, reply: SavedReply) -> None:
    _check_may_edit(actor, reply)
    reply.delete()


def _check_may_edit(actor: User, reply: SavedReply) -> None:
    if reply.owner_id is not None:
        allowed = reply.owner_id == actor.pk
    else:
        allowed = actor.is_admin or (actor.is_lead and actor.teams.filter(pk=reply.team_id or 0).exists())
    if not allowed:
        raise ActionError("Only its owner, or a lead of its team, changes this saved reply.")


@dataclass
class SavedReplySend:
    """A reply written from a saved reply: the text as the agent finally edited it."""

    text: str
    attachments: Sequence[conversation_actions.AttachmentUpload] = ()
    then_status: str | None = None
    seen_up_to: int | None = None  # the newest message the agent saw: the send is held if others came after


@transaction.atomic
def do_send_saved_reply(
    conversation: Conversation, author: User, reply: SavedReply, send: SavedReplySend
) -> Message:
    """Send the reply, then make the saved reply's changes, and count the use: all of it or none."""
    message = conversation_actions.do_add_reply(
        conversation,
        author,
        send.text,
        send.attachments,
        send.then_status or None,
        seen_up_to=send.seen_up_to,
    )
    if reply.contact_reason is not None and reply.contact_reason.active:
        conversation_actions.do_set_contact_reason(conversation, author, reply.contact_reason)
    if reply.tag_list:
        current = [tag.name for tag in conversation.tags.all()]
        conversation_actions.do_set_tags(conversation, author, current + reply.tag_list)
    if reply.set_status and not send.then_status:
        conversation_actions.do_change_status(conversation, author, reply.set_status)
    if reply.transfer_to is not None:
        transfer = conversation_actions.Transfer(
            note=reply.transfer_note, to_owner=reply.assign_to, to_team=reply.transfer_to
        )
        conversation_actions.do_transfer(conversation, author, transfer)
    elif reply.assign_to is not None:
        conversation_actions.do_assign(conversation, author, reply.assign_to)
    SavedReply.objects.filter(pk=reply.pk).update(
        usage_count=F("usage_count") + 1, last_used_at=timezone.now()
    )
    return message
