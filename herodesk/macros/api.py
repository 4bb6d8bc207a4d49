"""API endpoints for saved replies: search the ones the caller may use, render one for a conversation."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from herodesk.accounts.requests import AuthedRequest
from herodesk.api_schema import READ_ERRORS, WRITE_ERRORS
from herodesk.channels.webform.actions import do_issue_link
from herodesk.channels.webform.models import CustomerLink
from herodesk.conversations.models import Conversation
from herodesk.conversations.queries import conversation_for_agent
from herodesk.macros import queries
from herodesk.macros.models import SavedReply
from herodesk.macros.render import render
from herodesk.params import MAX_ID

router = Router(tags=["saved replies"])


class SavedReplyOut(Schema):
    id: int
    title: str
    body: str
    scope: str = Field(..., description="'personal' or the team's name")
    usage_count: int
    actions: list[str] = Field(..., description="What sending it also changes, in words")

    @staticmethod
    def resolve_scope(obj: SavedReply) -> str:
        return "personal" if obj.owner_id else obj.team.name if obj.team else ""

    @staticmethod
    def resolve_actions(obj: SavedReply) -> list[str]:
        return action_words(obj)


class SearchFilters(Schema):
    q: str = Field("", max_length=100, description="Words in the title or text")
    limit: int = Field(queries.PICKER_LIMIT, ge=1, le=100)


class RenderIn(Schema):
    conversation_id: int = Field(..., ge=1, le=MAX_ID)


class RenderedOut(Schema):
    saved_reply_id: int
    text: str
    warnings: list[str]
    due_at: list[datetime]
    actions: list[str]


def action_words(reply: SavedReply) -> list[str]:
    words = []
    if reply.set_status:
        words.append(f"status → {reply.set_status}")
    words.extend(f"tag {name}" for name in reply.tag_list)
    if reply.contact_reason_id and reply.contact_reason:
        words.append(f"contact reason → {reply.contact_reason.name}")
    if reply.transfer_to_id and reply.transfer_to:
        words.append(f"transfer to {reply.transfer_to.name}")
    if reply.assign_to_id and reply.assign_to:
        words.append(f"assign to {reply.assign_to.display_name}")
    return words


def status_link(conversation: Conversation) -> str | None:
    """A fresh private status link when the customer has a status page (raw tokens are never stored)."""
    if not CustomerLink.objects.filter(conversation=conversation).exists():
        return None
    return settings.BASE_URL + reverse("webform:status", args=[do_issue_link(conversation)])


@router.get("", response={200: list[SavedReplyOut], **READ_ERRORS}, summary="Saved replies I may use")
def list_saved_replies(request: AuthedRequest, filters: Query[SearchFilters]):
    return queries.search_saved_replies(request.user, filters.q, filters.limit)


@router.post(
    "/{int:reply_id}/render",
    response={200: RenderedOut, **WRITE_ERRORS},
    summary="A saved reply with its variables filled for one conversation",
)
def render_saved_reply(request: AuthedRequest, reply_id: int, payload: RenderIn):
    reply = queries.saved_reply_for_agent(request.user, min(reply_id, MAX_ID))
    conversation = conversation_for_agent(request.user, payload.conversation_id)
    link = status_link(conversation) if "{status_link}" in reply.body.replace(" ", "") else None
    rendered = render(reply.body, queries.reply_context(conversation, request.user, timezone.now(), link))
    return {
        "saved_reply_id": reply.pk,
        "text": rendered.text,
        "warnings": rendered.warnings,
        "due_at": rendered.due_at,
        "actions": action_words(reply),
    }
