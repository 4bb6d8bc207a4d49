"""API shapes of insights records that other apps' endpoints return too (a tracked promise)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema


class TrackedPromiseOut(Schema):
    id: int
    text: str
    kind: Literal["specific", "vague"]
    due_at: datetime | None
    state: Literal["open", "kept", "broken"]
    owner_id: int | None
