"""API endpoints for the calling agent's notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Query, Router, Schema

from herodesk.accounts.requests import AuthedRequest
from herodesk.api_schema import WRITE_ERRORS
from herodesk.notifications import actions, queries
from herodesk.params import MAX_ID

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    text: str
    conversation_id: int | None
    url: str = Field(..., alias="target")
    created_at: datetime
    read_at: datetime | None


class NotificationList(Schema):
    unread: int
    items: list[NotificationOut]


class ListFilters(Schema):
    unread_only: bool = False
    limit: int = Field(50, ge=1, le=200)


class MarkRead(Schema):
    # Strict: JSON false or "7" is not an id (lax parsing read false as 0).
    ids: list[Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]] | None = Field(
        None, max_length=500, description="Leave out to mark all read."
    )


class Marked(Schema):
    marked: int


@router.get("", response={200: NotificationList, **WRITE_ERRORS}, summary="My notifications, newest first")
def list_notifications(request: AuthedRequest, filters: Query[ListFilters]):
    rows = list(queries.notifications_for(request.user, filters.unread_only)[: filters.limit])
    return {"unread": queries.unread_count(request.user), "items": rows}


@router.post("/read", response={200: Marked, **WRITE_ERRORS}, summary="Mark notifications read")
def mark_read(request: AuthedRequest, payload: MarkRead):
    ids = None if payload.ids is None else [i for i in payload.ids if 0 < i <= MAX_ID]
    return {"marked": actions.do_mark_read(request.user, ids)}
