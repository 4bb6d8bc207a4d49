"""API endpoints for conversations and their messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Response

from herodesk.accounts.models import Team, User
from herodesk.accounts.queries import default_team
from herodesk.accounts.requests import AuthedRequest
from herodesk.api_schema import WRITE_ERRORS
from herodesk.conversations import actions, queries
from herodesk.conversations.models import Channel, Conversation, Message
from herodesk.customers.actions import CustomerDetails
from herodesk.params import MAX_ID

router = Router(tags=["conversations"])

StatusName = Literal["new", "open", "pending", "snoozed", "resolved", "closed"]
ChannelName = Literal["email", "webform", "phone", "api"]


class CustomerRef(Schema):
    id: int
    name: str


class ConversationOut(Schema):
    id: int
    subject: str
    status: StatusName
    channel: ChannelName
    priority: int
    owner_id: int | None
    team_id: int | None
    customer: CustomerRef | None
    tags: list[str]
    contact_reason: str | None
    suggested_reason: str | None = Field(
        None, description="Contact reason the model suggests while none is set (learned from tagged history)"
    )
    suggested_reason_confidence: float | None = None
    created_at: datetime
    last_activity_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    snoozed_until: datetime | None
    intensity: float | None
    effort: int | None = Field(
        None,
        description="Effort of this conversation, 0–100 (bands: 0–39 low, 40–59 moderate, 60–79 high, "
        "80–100 very high; signals/effort.py BANDS). The customer's effort over all conversations is on "
        "the customer.",
    )
    awaiting_relief: bool

    @staticmethod
    def resolve_tags(obj: Conversation) -> list[str]:
        return obj.tag_names

    @staticmethod
    def resolve_contact_reason(obj: Conversation) -> str | None:
        return obj.contact_reason.name if obj.contact_reason else None

    @staticmethod
    def resolve_suggested_reason(obj: Conversation) -> str | None:
        if obj.contact_reason_id or obj.suggested_reason is None:
            return None
        return obj.suggested_reason.name

    @staticmethod
    def resolve_suggested_reason_confidence(obj: Conversation) -> float | None:
        return None if obj.contact_reason_id else obj.suggested_reason_confidence

    @staticmethod
    def resolve_customer(obj: Conversation) -> dict | None:
        return {"id": obj.customer.pk, "name": obj.customer.name} if obj.customer else None


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class ConversationCreate(Schema):
    subject: str = Field(..., min_length=1, max_length=300)
    text: str = Field(..., min_length=1, max_length=100_000)
    customer_email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    customer_phone: str | None = Field(None, max_length=40)
    customer_name: str = Field("", max_length=200)
    channel: ChannelName = "api"
    priority: int = Field(2, ge=1, le=4)
    tags: list[str] = []
    team_id: int | None = Field(None, ge=1, le=MAX_ID)


class ConversationUpdate(Schema):
    status: Literal["open", "pending", "resolved", "closed"] | None = None
    owner_id: int | None = Field(None, ge=0, le=MAX_ID, description="Assign to this agent (0 to unassign).")
    team_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Transfer to this team; needs handoff_note."
    )
    handoff_note: str | None = Field(None, max_length=5000)
    tags: list[str] | None = None
    priority: int | None = Field(None, ge=1, le=4)
    snoozed_until: datetime | None = None


class MessageOut(Schema):
    id: int
    kind: Literal["customer", "reply", "note", "phone", "system"]
    direction: Literal["in", "out"]
    channel: ChannelName
    author_id: int | None
    text: str
    html: str
    created_at: datetime
    send_status: str
    intensity: float | None
    signals: dict


class MessageCreate(Schema):
    kind: Literal["reply", "note", "phone"] = "reply"
    text: str = Field(..., min_length=1, max_length=100_000)
    seen_message_id: int | None = Field(
        None,
        ge=0,
        le=MAX_ID,
        description="The newest message id you have read. When the customer or another agent wrote after "
        "it, nothing is saved and the answer is 422 'Not sent: new messages arrived…': read them, then "
        "send again with the newest id.",
    )


class ListFilters(Schema):
    status: StatusName | None = None
    view: Literal["mine", "unassigned", "team", "open", "pending", "snoozed", "resolved"] | None = None
    channel: ChannelName | None = None
    tag: str | None = None
    priority: int | None = Field(None, ge=1, le=4)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=100)


def _list_queryset(user: User, filters: ListFilters):
    qs = queries.visible_conversations(user)
    if filters.view:
        qs = queries.in_view(user, filters.view, qs)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    inbox = queries.InboxFilters(
        tag=filters.tag or "",
        channel=filters.channel or "",
        priority=filters.priority,
        owner_id=filters.owner_id,
    )
    return qs.filter(inbox.as_q())


@router.get(
    "", response={200: ConversationPage, **WRITE_ERRORS}, summary="List conversations (newest activity first)"
)
def list_conversations(request: AuthedRequest, filters: Query[ListFilters]):
    qs = _list_queryset(request.user, filters)
    rows, next_cursor = queries.keyset_rows(qs, filters.cursor, filters.limit)
    # Rendered straight from the rows, in ConversationOut's shape (a test holds the two equal): the
    # page of the busiest endpoint skips building and validating 50 objects.
    page = {"items": [conversation_out(row) for row in rows], "next_cursor": next_cursor}
    return Response(page, content_type="application/json; charset=utf-8")


def conversation_out(row: dict[str, Any]) -> dict[str, Any]:
    """A ``queries.keyset_rows`` row as ConversationOut renders it."""
    reasoned = row["contact_reason_id"] is not None
    customer = {"id": row["customer_id"], "name": row["customer__name"]} if row["customer_id"] else None
    return {
        "id": row["pk"], "subject": row["subject"], "status": row["status"], "channel": row["channel"],
        "priority": row["priority"], "owner_id": row["owner_id"], "team_id": row["team_id"],
        "customer": customer, "tags": row["tags"], "contact_reason": row["contact_reason__name"],
        "suggested_reason": None if reasoned else row["suggested_reason__name"],
        "suggested_reason_confidence": None if reasoned else row["suggested_reason_confidence"],
        "created_at": row["created_at"], "last_activity_at": row["last_activity_at"],
        "first_response_at": row["first_response_at"], "resolved_at": row["resolved_at"],
        "snoozed_until": row["snoozed_until"], "intensity": row["intensity"], "effort": row["effort"],
        "awaiting_relief": row["awaiting_relief"],
    }  # fmt: skip


@router.post(
    "",
    response={201: ConversationOut, **WRITE_ERRORS},
    summary="Create a conversation with its first message",
)
def create_conversation(request: AuthedRequest, payload: ConversationCreate):
    user = request.user
    team = _own_team(user, payload.team_id)  # before anything is written
    conversation = actions.do_create_conversation(_draft(team, payload), actor=user)
    return 201, queries.conversation_for_agent(user, conversation.pk)


def _draft(team: Team | None, payload: ConversationCreate) -> actions.NewConversation:
    return actions.NewConversation(
        subject=payload.subject,
        channel=payload.channel,
        customer_details=CustomerDetails(
            name=payload.customer_name,
            email=payload.customer_email or "",
            phone=payload.customer_phone or "",
        ),
        team=team,
        priority=payload.priority,
        tags=payload.tags,
        first_message=actions.IncomingMessage(text=payload.text, channel=payload.channel or Channel.API),
    )


def _own_team(user: User, team_id: int | None) -> Team | None:
    """The team a new conversation goes to: one of the agent's own (admins: any), so they can open it."""
    if user.is_admin:
        return _team(user, team_id)
    teams = user.teams.order_by("pk")
    team = teams.first() if team_id is None else teams.filter(pk=team_id).first()
    if team is None:
        if team_id is None or Team.objects.filter(pk=team_id).exists():
            raise HttpError(403, "You can only create conversations in your own teams.")
        raise actions.ActionError("Unknown team", {"team_id": "No team with this id."})
    return team


def _team(user: User, team_id: int | None) -> Team | None:
    if team_id is None:
        return default_team(user)
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise actions.ActionError("Unknown team", {"team_id": "No team with this id."})
    return team


@router.get(
    "/{conversation_id}", response={200: ConversationOut, **WRITE_ERRORS}, summary="Read one conversation"
)
def get_conversation(request: AuthedRequest, conversation_id: int):
    return queries.conversation_for_agent(request.user, conversation_id)


@router.patch(
    "/{conversation_id}",
    response={200: ConversationOut, **WRITE_ERRORS},
    summary="Change status, owner, team, tags, priority",
)
def update_conversation(request: AuthedRequest, conversation_id: int, payload: ConversationUpdate):
    user = request.user
    conversation = queries.conversation_for_agent(user, conversation_id)
    actions.do_update_conversation(conversation, user, _change(user, payload))
    # Access was checked before the change. A transfer (or handing one's own conversation to someone
    # else) can take it out of the agent's sight; they still get what they just wrote, not a 404.
    return Conversation.objects.select_related("customer", "contact_reason", "suggested_reason").get(
        pk=conversation.pk
    )


def _change(user: User, payload: ConversationUpdate) -> actions.ConversationChange:
    """The PATCH body as one change; ids are looked up here, so the action gets real records."""
    owner = None
    if payload.owner_id:
        owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
        if owner is None:
            raise actions.ActionError("Unknown agent", {"owner_id": "No active agent with this id."})
    return actions.ConversationChange(
        to_team=_team(user, payload.team_id) if payload.team_id is not None else None,
        handoff_note=payload.handoff_note or "",
        change_owner=payload.owner_id is not None,
        owner=owner,
        tags=payload.tags,
        priority=payload.priority,
        status=payload.status,
        snoozed_until=payload.snoozed_until,
    )


@router.get(
    "/{conversation_id}/messages",
    response={200: list[MessageOut], **WRITE_ERRORS},
    summary="The conversation's messages",
)
def list_messages(request: AuthedRequest, conversation_id: int):
    conversation = queries.conversation_for_agent(request.user, conversation_id)
    return list(conversation.messages.order_by("created_at", "id")[:1000])


@router.post(
    "/{conversation_id}/messages",
    response={201: MessageOut, **WRITE_ERRORS},
    summary="Add a reply or an internal note",
)
def add_message(request: AuthedRequest, conversation_id: int, payload: MessageCreate):
    user = request.user
    conversation = queries.conversation_for_agent(user, conversation_id)
    seen = payload.seen_message_id
    if payload.kind == "reply":
        message = actions.do_add_reply(conversation, user, payload.text, seen_up_to=seen)
    else:
        message = actions.do_add_note(conversation, user, payload.text, payload.kind, seen_up_to=seen)
    return 201, Message.objects.get(pk=message.pk)


class MergeIn(Schema):
    into_id: int = Field(..., ge=1, le=MAX_ID, description="The same customer's conversation that stays.")


@router.post(
    "/{conversation_id}/merge",
    response={200: ConversationOut, **WRITE_ERRORS},
    summary="Merge this conversation into another one of the same customer",
)
def merge_conversation(request: AuthedRequest, conversation_id: int, payload: MergeIn):
    user = request.user
    merged = queries.conversation_for_agent(user, conversation_id)
    survivor = queries.conversation_for_agent(user, payload.into_id)
    actions.do_merge_conversations(survivor, merged, user)
    return queries.conversation_for_agent(user, survivor.pk)


class SplitIn(Schema):
    message_id: int = Field(..., ge=1, le=MAX_ID, description="The message that becomes a new conversation.")


@router.post(
    "/{conversation_id}/split",
    response={201: ConversationOut, **WRITE_ERRORS},
    summary="Split one message off into a new conversation of the same customer",
)
def split_message(request: AuthedRequest, conversation_id: int, payload: SplitIn):
    user = request.user
    conversation = queries.conversation_for_agent(user, conversation_id)
    message = conversation.messages.filter(pk=payload.message_id).first()
    if message is None:
        raise actions.ActionError("No such message", {"message_id": "Not a message of this conversation."})
    new = actions.do_split_message(message, user)
    return 201, queries.conversation_for_agent(user, new.pk)
