"""Planned conversations: plain values (epoch seconds for times) that any writer can store, bench included."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class PlannedMessage:
    kind: str
    direction: str
    channel: str
    text: str
    at: float
    author_id: int | None = None
    customer_id: int | None = None


@dataclass(slots=True)
class PlannedEvent:
    kind: str
    at: float
    actor_id: int | None = None
    data: dict[str, object] = field(default_factory=dict)
    note: str = ""


@dataclass(slots=True)
class PlannedConversation:
    """One conversation as plain values (epoch seconds for times) that any writer can store."""

    id: int
    subject: str
    customer_id: int
    team_id: int
    reason_id: int
    channel: str
    created_at: float
    owner_id: int | None = None
    status: str = "new"
    priority: int = 2
    snoozed_until: float | None = None
    first_response_at: float | None = None
    resolved_at: float | None = None
    last_customer_message_at: float | None = None
    reopen_count: int = 0
    tag_ids: list[int] = field(default_factory=list)
    messages: list[PlannedMessage] = field(default_factory=list)
    events: list[PlannedEvent] = field(default_factory=list)

    @property
    def last_activity_at(self) -> float:
        last = self.created_at
        if self.messages:
            last = max(last, self.messages[-1].at)
        if self.events:
            last = max(last, self.events[-1].at)
        return last


@dataclass
class DeskCast:
    """The ids a story can point at: teams, their agents, reasons, tags, customers and names."""

    team_ids: dict[str, int]
    agents_by_team: dict[int, list[int]]
    agent_names: dict[int, str]
    reason_ids: list[int]  # parallel to REASONS
    tag_ids: dict[str, int]
    customer_ids: Sequence[int]
    customer_names: dict[int, tuple[str, str]]
    now: float
    days: int = 90


def iso(epoch: float) -> str:
    return (_EPOCH + timedelta(seconds=epoch)).isoformat()


def moment(epoch: float) -> datetime:
    return _EPOCH + timedelta(seconds=epoch)


def aware(epoch: float | None) -> datetime | None:
    return None if epoch is None else moment(epoch)
