"""Reads that check access: every page and endpoint gets conversations through these helpers."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import BooleanField, Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from herodesk import memo
from herodesk.accounts import directory
from herodesk.accounts.models import Team, User
from herodesk.conversations import search
from herodesk.conversations.models import ContactReason, Conversation, Event, Message, Tag
from herodesk.customers.models import Customer, Identity
from herodesk.params import MAX_ID

PAGE_SIZE = 50
COUNT_CAP = 999
Status = Conversation.Status


def team_ids(user: User) -> list[int]:
    cached = getattr(user, "_herodesk_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("id", flat=True))
        user._herodesk_team_ids = cached  # type: ignore[attr-defined]
    return cached


def access_filter(user: User) -> Q:
    """Admins see everything; others see their teams' conversations and the ones they own."""
    if user.is_admin:
        return Q()
    return Q(team_id__in=team_ids(user)) | Q(owner_id=user.pk)


def access_sql(user: User) -> tuple[str, list[int]]:
    """The same rule as access_filter, as SQL on the conversation table aliased ``c``."""
    if user.is_admin:
        return "1 = 1", []
    ids = team_ids(user)
    placeholders = ", ".join(["%s"] * len(ids)) or "NULL"
    return f"c.team_id IN ({placeholders}) OR c.owner_id = %s", [*ids, user.pk]


def as_flag(condition: Q) -> Case:
    """A condition as a CASE expression.

    Filtering on it keeps the check but hides it from SQLite's index planner: otherwise SQLite turns
    ``team IN (..) OR owner = ..`` into index lookups plus a sort of every match, instead of reading the
    inbox's activity index in order and stopping after one page. PostgreSQL plans it the same either way.
    """
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def visible_conversations(user: User) -> QuerySet[Conversation]:
    if user.is_admin:
        return Conversation.objects.all()
    return Conversation.objects.alias(visible=as_flag(access_filter(user))).filter(visible=True)


def may_open(user: User, conversation: Conversation) -> bool:
    """The rule of access_filter for one loaded conversation."""
    return user.is_admin or conversation.owner_id == user.pk or conversation.team_id in team_ids(user)


def conversation_for_agent(user: User, conversation_id: int) -> Conversation:
    """The conversation if the agent may see it, else 404 (never a hint that it exists).

    Read by id and checked with ``may_open``: the same rule as the SQL filter, without compiling it
    (a third of this query's cost) on every screen and action."""
    try:
        pk = int(conversation_id)
    except (ValueError, TypeError):
        raise Http404("No such conversation") from None
    found = (
        list(
            Conversation.objects.select_related(
                "customer", "team", "owner", "contact_reason", "suggested_reason"
            ).filter(pk=pk)
        )
        if 0 < pk <= MAX_ID
        else []
    )
    if not found or not may_open(user, found[0]):
        raise Http404("No such conversation")
    return found[0]


def conversation_id_for_agent(user: User, conversation_id: int) -> int:
    """Only the access check of conversation_for_agent (one light query), for frequent polls."""
    found = visible_conversations(user).filter(pk=conversation_id).values_list("pk", flat=True).first()
    if found is None:
        raise Http404("No such conversation")
    return found


# What the conversation screen reads of a message (not the raw HTML or the mail headers) and its author.
THREAD_FIELDS = (
    "conversation", "direction", "kind", "channel", "author", "customer", "text", "full_text", "created_at",
    "send_status", "send_error", "sent_at", "scheduled_for", "intensity", "signals",
    "author__username", "author__first_name", "author__last_name",
)  # fmt: skip


def thread(conversation: Conversation) -> list[Message]:
    """The messages in time order, with authors and attachments; customers other than the conversation's
    (after a merge) in one more query, only when there are any."""
    messages = list(
        conversation.messages.select_related("author")
        .only(*THREAD_FIELDS)
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    others = {m.customer_id for m in messages} - {conversation.customer_id, None}
    customers = Customer.objects.in_bulk(others) if others else {}
    for message in messages:
        if message.customer_id is not None and message.customer_id == conversation.customer_id:
            message.customer = conversation.customer
        elif message.customer_id in customers:
            message.customer = customers[message.customer_id]
    return messages


def unseen_messages(conversation_id: int, user: User, seen_up_to: int) -> QuerySet[Message]:
    """Messages after ``seen_up_to`` that a sender must read before sending: the customer's, and other
    agents' replies and phone notes (the collision check; their own and internal notes do not count)."""
    return (
        Message.objects.filter(conversation_id=conversation_id, pk__gt=seen_up_to)
        .filter(
            Q(kind=Message.Kind.CUSTOMER)
            | (Q(kind__in=[Message.Kind.REPLY, Message.Kind.PHONE]) & ~Q(author_id=user.pk))
        )
        .order_by("pk")
    )


# --- Inbox views --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxView:
    slug: str
    title: str


VIEWS = [
    InboxView("mine", "Mine"),
    InboxView("unassigned", "Unassigned"),
    InboxView("team", "My teams"),
    InboxView("open", "All open"),
    InboxView("pending", "Pending"),
    InboxView("snoozed", "Snoozed"),
    InboxView("resolved", "Resolved"),
]
VIEW_SLUGS = {view.slug for view in VIEWS}
ACTIVE = [Status.NEW, Status.OPEN]
OPEN = [Status.NEW, Status.OPEN, Status.PENDING]


def in_view(user: User, slug: str, qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Conversations of ``qs`` that belong in an inbox view."""
    if slug == "team":
        qs = qs.alias(in_my_teams=as_flag(Q(team_id__in=team_ids(user))))
    return qs.filter(view_filter(user, slug))


def view_filter(user: User, slug: str) -> Q:
    """Each view is an equality on an indexed column, so the inbox reads rows in activity order."""
    filters = {
        "mine": Q(owner_id=user.pk, is_open=1),
        "unassigned": Q(owner__isnull=True, is_open=1) & ~Q(status=Status.PENDING),
        "team": Q(is_open=1, in_my_teams=True),
        "open": Q(is_open=1),
        "pending": Q(status=Status.PENDING),
        "snoozed": Q(status=Status.SNOOZED),
        "resolved": Q(is_open=0) & ~Q(status=Status.SNOOZED),
    }
    if slug not in filters:
        raise Http404("No such view")
    return filters[slug]


@dataclass
class InboxFilters:
    tag: str = ""
    channel: str = ""
    priority: int | None = None
    owner_id: int | None = None
    sort: str = "recent"  # recent | oldest | intensity | effort

    def as_q(self) -> Q:
        q = Q()
        if self.tag:
            q &= Q(tags__name=self.tag)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.priority:
            q &= Q(priority=self.priority)
        if self.owner_id:
            q &= Q(owner_id=self.owner_id)
        return q


NULLABLE_SORT_FIELDS = {"intensity", "effort", "sla_due_at"}
SORTS: dict[str, tuple[str, bool]] = {
    # sort name -> (field, descending)
    "recent": ("last_activity_at", True),
    "oldest": ("last_activity_at", False),
    "intensity": ("intensity", True),
    "effort": ("effort", True),
    "due": ("sla_due_at", False),  # next SLA deadline first (herodesk.slas keeps it cached)
}


@dataclass
class InboxPage:
    conversations: list[Conversation]
    next_cursor: str | None
    filters: InboxFilters = field(default_factory=InboxFilters)


def encode_cursor(value: object, pk: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, field_name: str) -> tuple[object, int]:
    """The (sort value, id) a cursor carries; a cursor that encode_cursor could not have made is a 404."""
    try:
        padded = cursor[:200] + "=" * (-len(cursor[:200]) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if field_name in ("last_activity_at", "sla_due_at") and value is not None:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("naive time")
        elif value is not None and not _in_range(value, float if field_name == "intensity" else int):
            raise ValueError("sort value out of range")
        if not _in_range(pk, int) or pk < 1:
            raise ValueError("id out of range")
        return value, pk
    except (ValueError, TypeError, OverflowError, json.JSONDecodeError) as exc:
        raise Http404("Bad page cursor") from exc


def _in_range(value: object, kind: type) -> bool:
    """A JSON number the database can compare: no bool, NaN, infinity or more than 64 bits."""
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        return False
    return -MAX_ID <= value <= MAX_ID  # NaN fails every comparison


def _keyset_after(field_name: str, descending: bool, value: object, pk: int) -> Q:
    if value is None:  # nulls sort last; continue within the nulls by id
        return Q(**{f"{field_name}__isnull": True, "pk__lt" if descending else "pk__gt": pk})
    op = "lt" if descending else "gt"
    after = Q(**{f"{field_name}__{op}": value}) | Q(**{field_name: value, f"pk__{op}": pk})
    if descending:
        after |= Q(**{f"{field_name}__isnull": True})
    return after


# What a list row shows; loading only these keeps building 50 rows cheap.
LIST_FIELDS = (
    "subject", "channel", "status", "priority", "snoozed_until", "last_activity_at",
    "last_customer_message_at", "created_at", "intensity", "effort", "awaiting_relief",
    "team_id", "contact_reason_id", "sla_due_at", "bounce_back_count",
    "customer__name", "owner__username", "owner__first_name", "owner__last_name",
)  # fmt: skip


LIST_PREFETCH = (
    # to_attr keeps Django from building a related manager per row (a third of a page's CPU time).
    Prefetch("tags", queryset=Tag.objects.only("name"), to_attr="tag_list"),
    Prefetch(
        "customer__identities",
        queryset=Identity.objects.only("customer_id", "value"),
        to_attr="identity_list",
    ),
)


def _order(field_name: str, descending: bool):
    # NULLS LAST only where a column can be null: it stops SQLite from reading an index in order.
    if field_name not in NULLABLE_SORT_FIELDS:
        return F(field_name).desc() if descending else F(field_name).asc()
    return F(field_name).desc(nulls_last=True) if descending else F(field_name).asc(nulls_last=True)


def inbox_page(
    user: User, slug: str, filters: InboxFilters, cursor: str | None = None, limit: int = PAGE_SIZE
) -> InboxPage:
    field_name, descending = SORTS.get(filters.sort, SORTS["recent"])
    qs = in_view(user, slug, visible_conversations(user)).filter(filters.as_q())
    if cursor:
        value, pk = decode_cursor(cursor, field_name)
        qs = qs.filter(_keyset_after(field_name, descending, value, pk))

    order = _order(field_name, descending)
    rows: list[Conversation] = list(
        qs.select_related("customer", "owner")
        .only(*LIST_FIELDS)
        .order_by(order, "-pk" if descending else "pk")[: limit + 1]
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(getattr(last, field_name), last.pk)
    return InboxPage(conversations=with_row_extras(rows), next_cursor=next_cursor, filters=filters)


def with_row_extras(rows: list[Conversation]) -> list[Conversation]:
    """What a list row shows beyond the conversation's own columns, in two small queries: tag names, and
    the first address of customers without a name (the row shows it instead). Django's prefetch
    machinery did the same in about a sixth of the inbox page's CPU time."""
    tags = tag_names_by_conversation([row.pk for row in rows])
    nameless = {row.customer.pk: row.customer for row in rows if row.customer and not row.customer.name}
    addresses: dict[int, list[Identity]] = {}
    if nameless:
        found = Identity.objects.filter(customer_id__in=list(nameless)).only("customer_id", "value")
        for identity in found.order_by("kind", "id"):
            addresses.setdefault(identity.customer_id, []).append(identity)
    for row in rows:
        row.listed_tag_names = tags.get(row.pk, [])  # type: ignore[attr-defined]
    for customer_id, customer in nameless.items():
        customer.identity_list = addresses.get(customer_id, [])  # type: ignore[attr-defined]
    return rows


COUNTS_CACHE_SECONDS = 60
COUNTS_VERSION_KEY = "herodesk:view-counts-version"


def counts_changed() -> None:
    """Called on every recorded change: cached view counts of every agent become stale."""
    try:
        cache.incr(COUNTS_VERSION_KEY)
    except ValueError:
        cache.set(COUNTS_VERSION_KEY, 1, None)


def view_counts(user: User) -> dict[str, int]:
    """Counts per view, capped at COUNT_CAP+1 and cached per agent until the next change."""
    key = f"herodesk:view-counts:{user.pk}:{cache.get(COUNTS_VERSION_KEY, 0)}"
    counts = cache.get(key)
    if counts is None:
        base = visible_conversations(user)
        counts = {}
        for view in VIEWS:
            ids = in_view(user, view.slug, base).values("pk")[: COUNT_CAP + 1]
            counts[view.slug] = Conversation.objects.filter(pk__in=ids).count()
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts


def search_conversations(user: User, query: str, page: int = 1, limit: int = PAGE_SIZE) -> list[Conversation]:
    sql, params = access_sql(user)
    offset = (max(page, 1) - 1) * limit
    ids = search.search_ids(query, sql, params, limit, offset)
    by_id = Conversation.objects.select_related("customer", "owner").only(*LIST_FIELDS).in_bulk(ids)
    return with_row_extras([by_id[i] for i in ids if i in by_id])


@dataclass
class CustomerHistory:
    """The customer's earlier conversations the agent may open, and how many others exist."""

    conversations: list[Conversation] = field(default_factory=list)
    hidden: int = 0


def customer_history(user: User, conversation: Conversation, limit: int = 20) -> CustomerHistory:
    if conversation.customer_id is None:
        return CustomerHistory()
    others = Conversation.objects.filter(customer_id=conversation.customer_id).exclude(pk=conversation.pk)
    visible = others.filter(access_filter(user))
    shown = list(
        visible.select_related("contact_reason")
        .only("subject", "status", "created_at", "merged_into", "contact_reason__name")
        .order_by("-created_at")[:limit]
    )
    if len(shown) < limit:  # every visible one is shown: one count of all of them is enough
        hidden = others.count() - len(shown)
    else:
        counts = others.aggregate(total=Count("pk"), visible=Count("pk", filter=access_filter(user)))
        hidden = counts["total"] - counts["visible"]
    return CustomerHistory(conversations=shown, hidden=hidden)


@dataclass(frozen=True)
class Handoff:
    """The latest transfer's note, shown above the thread until someone who received it acts."""

    event: Event
    to_owner: User | None
    to_team: Team | None


ACTING_MESSAGES = (Message.Kind.REPLY, Message.Kind.NOTE, Message.Kind.PHONE)


def pending_handoff(events: list[Event], thread: list[Message]) -> Handoff | None:
    """The hand-off note nobody has acted on yet: no reply, note or change by anyone but its writer since
    (the desk's own automatic assignment does not count)."""
    transfer = next((e for e in reversed(events) if e.kind == Event.Kind.TRANSFERRED), None)
    if transfer is None or not transfer.note:
        return None
    writer = transfer.actor_id
    after = events[events.index(transfer) + 1 :]
    if any(e.actor_id is not None and e.actor_id != writer for e in after):
        return None
    if any(
        m.kind in ACTING_MESSAGES
        and m.author_id not in (None, writer)
        and m.created_at >= transfer.created_at
        for m in thread
    ):
        return None
    data = transfer.data or {}
    owner = User.objects.filter(pk=data.get("to_owner") or 0).first()
    team = Team.objects.filter(pk=data.get("to_team") or 0).first()
    return Handoff(event=transfer, to_owner=owner, to_team=team)


def mentionable_agents(conversation: Conversation) -> list[dict[str, str]]:
    """Agents an internal note can @mention here (those who may open it), for the note box's suggestions."""
    return [
        {"username": a.username, "name": a.display_name}
        for a in directory.agents()
        if a.sees_everything or a.pk == conversation.owner_id or conversation.team_id in a.team_ids
    ][:200]


def merge_candidates(user: User, conversation: Conversation, limit: int = 20) -> list[Conversation]:
    """Other conversations of the same customer this agent may open, to merge this one into."""
    if conversation.customer_id is None or conversation.merged_into_id:
        return []
    return list(
        visible_conversations(user)
        .filter(customer_id=conversation.customer_id, merged_into__isnull=True)
        .exclude(pk=conversation.pk)
        .only("subject", "status", "created_at")
        .order_by("-created_at")[:limit]
    )


def agents_for_filter() -> list[directory.Agent]:
    return directory.agents()


def teams_for_transfer() -> list[Team]:
    return directory.teams()


REASONS_KEY = "conversations.reasons"
TAGS_KEY = "conversations.tags"


def tag_names_for_filter(limit: int = 200) -> list[str]:
    """Tag names for the inbox's tag filter, kept per process like the agent picker (``herodesk.memo``)."""
    return memo.remembered(
        TAGS_KEY,
        directory.KEEP_SECONDS,
        lambda: list(Tag.objects.order_by("name").values_list("name", flat=True)[:limit]),
    )


def active_reasons() -> list[ContactReason]:
    """Active contact reasons by name, kept per process like the agent picker (``herodesk.memo``)."""
    return memo.remembered(
        REASONS_KEY,
        directory.KEEP_SECONDS,
        lambda: list(ContactReason.objects.filter(active=True).order_by("name")),
    )


# What the API's conversation list shows, read as plain rows: building model instances and validating
# them through the response schema cost about three quarters of the endpoint's CPU.
API_LIST_VALUES = (
    "pk", "subject", "status", "channel", "priority", "owner_id", "team_id", "customer_id", "customer__name",
    "contact_reason_id", "contact_reason__name", "suggested_reason__name", "suggested_reason_confidence",
    "created_at", "last_activity_at", "first_response_at", "resolved_at", "snoozed_until", "intensity",
    "effort", "awaiting_relief",
)  # fmt: skip


def keyset_rows(
    qs: QuerySet[Conversation], cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest activity first, continuing after ``cursor``, as ``API_LIST_VALUES`` rows with their
    ``tags`` (names, sorted); two queries whatever the page size."""
    if cursor:
        value, pk = decode_cursor(cursor, "last_activity_at")
        qs = qs.filter(_keyset_after("last_activity_at", True, value, pk))
    rows = list(qs.order_by("-last_activity_at", "-pk").values(*API_LIST_VALUES)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1]["last_activity_at"], rows[-1]["pk"])
    tags = tag_names_by_conversation([row["pk"] for row in rows])
    for row in rows:
        row["tags"] = tags.get(row["pk"], [])
    return rows, next_cursor


def tag_names_by_conversation(ids: list[int]) -> dict[int, list[str]]:
    through = Conversation.tags.through
    pairs = through.objects.filter(conversation_id__in=ids).values_list("conversation_id", "tag__name")
    names: dict[int, list[str]] = {}
    for conversation_id, name in pairs.order_by("tag__name"):
        names.setdefault(conversation_id, []).append(name)
    return names


# --- A customer's conversations --------------------------------------------------------------------


def customer_conversations(user: User, customer: Customer, limit: int = 50) -> list[Conversation]:
    return list(
        Conversation.objects.filter(customer=customer)
        .filter(access_filter(user))
        .select_related("owner", "contact_reason")
        .order_by("-created_at")[:limit]
    )


@dataclass(frozen=True)
class MergeSide:
    """One customer as the merge preview shows it."""

    customer: Customer
    identities: list[Identity]
    conversations: int


def merge_side(customer: Customer) -> MergeSide:
    # The count covers every team: a merge moves all of them, and a lead must see what it will touch.
    return MergeSide(
        customer=customer,
        identities=list(customer.identities.all()),
        conversations=Conversation.objects.filter(customer=customer).count(),
    )


def export_customer(user: User, customer: Customer) -> dict[str, Any]:
    """What the agent may see of a customer, for a data-access request; an admin's export is complete.

    Conversations of teams the agent is not in are left out and only counted, so an export never
    shows more than the agent could open in the desk.
    """
    everything = Conversation.objects.filter(customer=customer)
    conversations = everything.filter(access_filter(user)).prefetch_related("messages").order_by("pk")
    exported = list(conversations)
    return {
        "id": customer.pk,
        "name": customer.name,
        "notes": customer.notes,
        "identities": [{"kind": i.kind, "value": i.value} for i in customer.identities.all()],
        "conversations_not_included": everything.count() - len(exported),
        "conversations": [
            {
                "id": c.pk,
                "subject": c.subject,
                "status": c.status,
                "created_at": c.created_at.isoformat(),
                "messages": [
                    {"kind": m.kind, "created_at": m.created_at.isoformat(), "text": m.text}
                    for m in c.messages.all()
                    if m.kind != Message.Kind.NOTE
                ],
            }
            for c in exported
        ],
    }
