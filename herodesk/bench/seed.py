"""Bulk seeding for `herodesk bench`: a million realistic conversations in minutes, by raw SQL.

Rows come from the demo's story planner (so search terms have realistic selectivity) and go in through
``executemany`` on SQLite or ``COPY`` on PostgreSQL, in big transactions with secondary indexes dropped
and rebuilt at the end. Only for fresh benchmark databases: SQLite runs without a journal meanwhile.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from herodesk import demo
from herodesk.accounts.models import ApiToken, Team, User, hash_token
from herodesk.bench.load import BenchCredentials

BENCH_USERNAME = "bench"
BENCH_PASSWORD = "herodesk-bench"  # noqa: S105 - loopback benchmark login, written to the credentials file
DAYS = 365
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Row = tuple[Any, ...]
Progress = Callable[[str], None]

CONVERSATION_COLUMNS = (
    "id", "subject", "channel", "status", "snoozed_until", "priority", "reply_token", "created_at",
    "first_response_at", "resolved_at", "last_activity_at", "last_customer_message_at", "reopen_count",
    "awaiting_relief", "contact_reason_id", "customer_id", "owner_id", "team_id",
)
MESSAGE_COLUMNS = (
    "id", "direction", "kind", "channel", "text", "html", "full_text", "created_at", "external_id",
    "in_reply_to", "references", "send_status", "send_error", "send_attempts", "sent_at", "signals",
    "author_id", "conversation_id", "customer_id",
)
EVENT_COLUMNS = ("id", "kind", "data", "note", "created_at", "actor_id", "conversation_id", "customer_id")
TAG_COLUMNS = ("id", "conversation_id", "tag_id")
CUSTOMER_COLUMNS = ("id", "name", "notes", "value", "created_at", "updated_at", "organization_id")
IDENTITY_COLUMNS = ("id", "kind", "value", "bouncing", "created_at", "customer_id")
BULK_TABLES = (
    "conversations_conversation", "conversations_message", "conversations_event",
    "conversations_conversation_tags", "customers_customer", "customers_identity",
    "conversations_searchdocument",
)


@dataclass
class SeedReport:
    conversations: int
    messages: int
    events: int
    customers: int
    seconds: float
    credentials: BenchCredentials


@dataclass
class _Counters:
    """Next free id per table: ids are assigned here so rows can refer to each other without reads."""

    message: int
    event: int
    tag_link: int
    messages: int = 0
    events: int = 0


def seed_bench(
    n_conversations: int,
    messages_per_conversation: int = 5,
    customers: int | None = None,
    seed: int = 1,
    progress: Progress = print,
    batch: int = 10_000,
) -> SeedReport:
    """Seed ``n_conversations`` conversations (with messages, events and search entries) into the DB."""
    started = time.monotonic()
    n_customers = customers if customers is not None else max(1, n_conversations // 5)
    rng = random.Random(seed)
    with transaction.atomic():
        cast, bench_user = _desk(rng)
    sink = _sink()
    sink.prepare()
    try:
        names = _seed_customers(sink, rng, n_customers, progress)
        cast.customer_ids, cast.customer_names = range(1, n_customers + 1), names.names
        planner = demo.StoryPlanner(cast, seed, messages=messages_per_conversation)
        first_id, counters = _seed_conversations(sink, planner, names, n_conversations, batch, progress)
    finally:
        progress("rebuilding indexes and statistics ...")
        sink.finish()
    credentials = _credentials(bench_user, first_id, first_id + n_conversations - 1)
    seconds = time.monotonic() - started
    progress(f"seeded {n_conversations:,} conversations in {seconds:,.0f} s")
    return SeedReport(n_conversations, counters.messages, counters.events, n_customers, seconds, credentials)


# --- The desk around the data (ORM: a handful of rows) -----------------------------------------------------

def _desk(rng: random.Random) -> tuple[demo.DeskCast, User]:
    teams = demo.ensure_teams()
    users = demo.ensure_agents(teams, demo.DemoSummary())
    reasons, tags = demo.ensure_reasons_and_tags()
    bench_user = _bench_user(teams)
    by_team = demo.agents_by_team(users, teams)
    for members in by_team.values():
        members.append(bench_user.pk)  # the bench agent owns a share of every team's work ("Mine")
    cast = demo.DeskCast(
        team_ids={team.name: team.pk for team in teams},
        agents_by_team=by_team,
        agent_names={user.pk: user.first_name for user in [*users, bench_user]},
        reason_ids=[reasons[r.name].pk for r in demo.REASONS],
        tag_ids={tag.name: tag.pk for tag in tags},
        customer_ids=[],
        customer_names={},
        now=timezone.now().timestamp(),
        days=DAYS,
    )
    return cast, bench_user


def _bench_user(teams: list[Team]) -> User:
    """An agent (not an admin) on every team, so every read goes through the real access filter."""
    user, created = User.objects.get_or_create(
        username=BENCH_USERNAME,
        defaults={"first_name": "Bench", "last_name": "Agent", "role": User.Role.AGENT,
                  "email": "bench@desk.example"},
    )
    if created:
        user.password = make_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
    user.teams.set(teams)
    return user


def _credentials(user: User, first_id: int, last_id: int) -> BenchCredentials:
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name="bench", key_hash=hash_token(raw), hint=raw[:10])
    return BenchCredentials(user.username, BENCH_PASSWORD, raw, first_id, last_id)


# --- Customers ------------------------------------------------------------------------------------------

@dataclass
class _CustomerBook:
    names: dict[int, tuple[str, str]]
    identities: dict[int, list[str]]

    def search_prefix(self, customer_id: int) -> list[str]:
        first, last = self.names[customer_id]
        return [f"{first} {last}", *self.identities[customer_id]]


def _seed_customers(sink: _Sink, rng: random.Random, count: int, progress: Progress) -> _CustomerBook:
    start = sink.next_id("customers_customer")
    if start != 1:
        raise RuntimeError("bench seeding needs an empty database (customers already exist)")
    book = _CustomerBook({}, {})
    now = sink.stamp(time.time())
    identity_id = sink.next_id("customers_identity")
    for offset in range(0, count, 50_000):
        customers: list[Row] = []
        identities: list[Row] = []
        for pk in range(start + offset, start + min(count, offset + 50_000)):
            first, last = rng.choice(demo.FIRST_NAMES), rng.choice(demo.LAST_NAMES)
            customers.append((pk, f"{first} {last}", "", rng.randrange(0, 5000), now, now, None))
            values = [f"{first}.{last}{pk}@{rng.choice(demo.DOMAINS)}".lower()]
            if rng.random() < 0.3:
                values.append(f"49170{pk:08d}")
            for value in values:
                kind = "phone" if value.isdigit() else "email"
                identities.append((identity_id, kind, value, False, now, pk))
                identity_id += 1
            book.names[pk], book.identities[pk] = (first, last), values
        with sink.transaction():
            sink.insert("customers_customer", CUSTOMER_COLUMNS, customers)
            sink.insert("customers_identity", IDENTITY_COLUMNS, identities)
    progress(f"customers: {count:,}")
    return book


# --- Conversations --------------------------------------------------------------------------------------

def _seed_conversations(
    sink: _Sink, planner: demo.StoryPlanner, book: _CustomerBook, count: int, batch: int, progress: Progress
) -> tuple[int, _Counters]:
    first_id = sink.next_id("conversations_conversation")
    counters = _Counters(
        sink.next_id("conversations_message"),
        sink.next_id("conversations_event"),
        sink.next_id("conversations_conversation_tags"),
    )
    started = time.monotonic()
    for offset in range(0, count, batch):
        plans = [planner.plan(first_id + offset + i, at) for i, at in _times(planner, offset, count, batch)]
        with sink.transaction():
            _write_batch(sink, plans, book, counters)
        _report(progress, offset + len(plans), count, started)
    return first_id, counters


def _times(planner: demo.StoryPlanner, offset: int, count: int, batch: int) -> Iterator[tuple[int, float]]:
    """Evenly spread creation times with jitter, in id order, so ids grow with time like a real desk."""
    span = planner.cast.days * 86400
    start = planner.cast.now - span
    step = span / count
    for i in range(offset, min(count, offset + batch)):
        yield i - offset, start + (i + planner.rng.random()) * step


def _write_batch(sink: _Sink, plans: list[demo.PlannedConversation], book: _CustomerBook,
                 counters: _Counters) -> None:
    rows = _BatchRows(sink, counters)
    for plan in plans:
        rows.add(plan, book)
    sink.insert("conversations_conversation", CONVERSATION_COLUMNS, rows.conversations)
    sink.insert("conversations_message", MESSAGE_COLUMNS, rows.messages)
    sink.insert("conversations_event", EVENT_COLUMNS, rows.events)
    sink.insert("conversations_conversation_tags", TAG_COLUMNS, rows.tags)
    sink.index(rows.documents)


def _report(progress: Progress, done: int, total: int, started: float) -> None:
    if done % 100_000 and done != total:
        return
    elapsed = time.monotonic() - started
    rate = done / elapsed if elapsed else 0.0
    eta = (total - done) / rate if rate else 0.0
    progress(f"conversations: {done:,}/{total:,}  {rate:,.0f}/s  elapsed {elapsed:,.0f} s  eta {eta:,.0f} s")


class _BatchRows:
    """Turns planned conversations into table rows for one batch."""

    def __init__(self, sink: _Sink, counters: _Counters) -> None:
        self.stamp = sink.stamp
        self.counters = counters
        self.conversations: list[Row] = []
        self.messages: list[Row] = []
        self.events: list[Row] = []
        self.tags: list[Row] = []
        self.documents: list[Row] = []
        self.rng = random.Random(counters.message)  # reply tokens: unique per row, not security-relevant here

    def add(self, plan: demo.PlannedConversation, book: _CustomerBook) -> None:
        self.conversations.append(self._conversation(plan))
        for message in plan.messages:
            self.messages.append(self._message(plan, message))
        for event in plan.events:
            self.events.append(self._event(plan, event))
        for tag_id in plan.tag_ids:
            self.tags.append((self.counters.tag_link, plan.id, tag_id))
            self.counters.tag_link += 1
        texts = [*book.search_prefix(plan.customer_id), *(m.text for m in plan.messages)]
        self.documents.append((plan.id, plan.subject, "\n".join(texts)))

    def _conversation(self, plan: demo.PlannedConversation) -> Row:
        s = self.stamp
        return (
            plan.id, plan.subject, plan.channel, plan.status, _maybe(s, plan.snoozed_until), plan.priority,
            f"{plan.id:x}{self.rng.getrandbits(48):012x}", s(plan.created_at),
            _maybe(s, plan.first_response_at), _maybe(s, plan.resolved_at), s(plan.last_activity_at),
            _maybe(s, plan.last_customer_message_at), plan.reopen_count, False, plan.reason_id,
            plan.customer_id, plan.owner_id, plan.team_id,
        )

    def _message(self, plan: demo.PlannedConversation, message: demo.PlannedMessage) -> Row:
        at = self.stamp(message.at)
        sent = message.kind == "reply"
        email = message.channel == "email"
        external_id = f"<{self.counters.message}.{plan.id}@mail.example.com>" if email else ""
        row = (
            self.counters.message, message.direction, message.kind, message.channel, message.text, "",
            message.text, at, external_id, "", "", "sent" if sent else "", "", 1 if sent else 0,
            at if sent else None, "{}", message.author_id, plan.id, message.customer_id,
        )
        self.counters.message += 1
        self.counters.messages += 1
        return row

    def _event(self, plan: demo.PlannedConversation, event: demo.PlannedEvent) -> Row:
        customer_id = plan.customer_id if event.kind in ("created", "reopened", "channel_switch") else None
        row = (
            self.counters.event, event.kind, json.dumps(event.data), event.note, self.stamp(event.at),
            event.actor_id, plan.id, customer_id,
        )
        self.counters.event += 1
        self.counters.events += 1
        return row


def _maybe(stamp: Callable[[float], object], epoch: float | None) -> object:
    return None if epoch is None else stamp(epoch)


# --- Storage back ends ----------------------------------------------------------------------------------

class _Sink:
    """Bulk writer for one database vendor."""

    def prepare(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def stamp(self, epoch: float) -> object:
        raise NotImplementedError

    def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        raise NotImplementedError

    def index(self, documents: list[Row]) -> None:
        raise NotImplementedError

    def transaction(self) -> Any:
        return transaction.atomic()

    def next_id(self, table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - fixed names
            return int(cursor.fetchone()[0])


def _sink() -> _Sink:
    return _SqliteSink() if connection.vendor == "sqlite" else _PostgresSink()


class _SqliteSink(_Sink):
    """executemany on the raw sqlite3 connection; no journal, no fsync, indexes rebuilt at the end."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        self.dropped: list[str] = []

    def prepare(self) -> None:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1048576", "temp_store=MEMORY"):
            self.raw.execute(f"PRAGMA {pragma}")
        self.dropped = self._drop_indexes()

    def _drop_indexes(self) -> list[str]:
        marks = ", ".join("?" * len(BULK_TABLES))
        found = self.raw.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
            f"AND tbl_name IN ({marks})",
            BULK_TABLES,
        ).fetchall()
        for name, _sql in found:
            self.raw.execute(f'DROP INDEX "{name}"')
        return [sql for _name, sql in found]

    def finish(self) -> None:
        for sql in self.dropped:
            self.raw.execute(sql)
        # Merge the FTS5 segments into one b-tree: fewer segments make every MATCH cheaper.
        self.raw.execute("INSERT INTO conversation_fts(conversation_fts) VALUES ('optimize')")
        self.raw.execute("PRAGMA analysis_limit=2000")
        self.raw.execute("ANALYZE")
        self.raw.execute("PRAGMA journal_mode=WAL")
        self.raw.execute("PRAGMA synchronous=NORMAL")

    def transaction(self) -> Any:
        return _RawTransaction(self.raw)

    def stamp(self, epoch: float) -> object:
        # Django's SQLite format: naive UTC, "YYYY-MM-DD HH:MM:SS.ffffff".
        return (_EPOCH + timedelta(seconds=epoch)).isoformat(" ", "microseconds")[:26]

    def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if rows:
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608

    def index(self, documents: list[Row]) -> None:
        self.raw.executemany("INSERT INTO conversation_fts(rowid, subject, body) VALUES (?, ?, ?)", documents)


class _RawTransaction:
    """BEGIN/COMMIT on the raw sqlite3 connection (Django keeps it in autocommit mode)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def __enter__(self) -> None:
        self.raw.execute("BEGIN")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.raw.execute("ROLLBACK" if exc_type else "COMMIT")


class _PostgresSink(_Sink):
    """COPY into the tables; search text goes to a staging table and becomes tsvectors in one statement."""

    STAGING = "bench_search_staging"
    FILL_SEARCH = (
        "INSERT INTO conversations_searchdocument (conversation_id, vector) "
        "SELECT id, setweight(to_tsvector('english', subject), 'A') || to_tsvector('english', body) "
        "FROM bench_search_staging ON CONFLICT (conversation_id) DO NOTHING"
    )

    def __init__(self) -> None:
        self.dropped: list[str] = []

    def prepare(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [list(BULK_TABLES)],
            )
            found = cursor.fetchall()
            for name, _sql in found:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute(f"CREATE UNLOGGED TABLE {self.STAGING} (id bigint, subject text, body text)")
        self.dropped = [sql for _name, sql in found]

    def finish(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(self.FILL_SEARCH)
            cursor.execute(f"DROP TABLE {self.STAGING}")
            for sql in self.dropped:
                cursor.execute(sql)
            for table in BULK_TABLES[:-1]:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            cursor.execute("ANALYZE")

    def stamp(self, epoch: float) -> object:
        return _EPOCH + timedelta(seconds=epoch)

    def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def index(self, documents: list[Row]) -> None:
        self.insert(self.STAGING, ("id", "subject", "body"), documents)
