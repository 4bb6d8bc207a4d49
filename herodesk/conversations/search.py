"""Full-text search over conversations behind one interface.

SQLite uses an FTS5 table (rowid = conversation id); PostgreSQL a tsvector per conversation in
SearchDocument with a GIN index. Both index the subject, every message and the customer's identities.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from herodesk import after_commit
from herodesk.conversations.models import Conversation, Message, SearchDocument

MAX_BODY_CHARS = 200_000
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    conversation_id: int
    rank: float


def _document_text(conversation: Conversation, texts: Iterable[str] | None = None) -> tuple[str, str]:
    if texts is None:
        texts = Message.objects.filter(conversation_id=conversation.pk).values_list("text", flat=True)
    parts: list[str] = []
    customer = conversation.customer
    if customer is not None:
        parts.append(customer.name)
        parts.extend(identity.value for identity in customer.identities.all())
    parts.extend(texts)
    return conversation.subject, "\n".join(parts)[:MAX_BODY_CHARS]


def schedule_index(conversation_id: int) -> None:
    """Re-index a conversation once, right after the current transaction commits; not durable.

    Actions use ``conversations.actions.schedule_index``, which records the work with the change so that
    a crash after the commit cannot lose it.
    """
    after_commit.collect("search-index", conversation_id, index_now)


def index_now(conversation_ids: list[int]) -> None:
    """Rebuild several entries with three queries in all, not two per conversation."""
    ids = set(conversation_ids)
    texts: dict[int, list[str]] = defaultdict(list)
    rows = Message.objects.filter(conversation_id__in=ids).order_by("created_at", "id")
    for conversation_id, text in rows.values_list("conversation_id", "text"):
        texts[conversation_id].append(text)
    conversations = (
        Conversation.objects.filter(pk__in=ids)
        .select_related("customer")
        .prefetch_related("customer__identities")
    )
    with transaction.atomic():
        for conversation in conversations:
            index_text(conversation.pk, *_document_text(conversation, texts[conversation.pk]))


def index_conversation(conversation: Conversation) -> None:
    """(Re)build the search entry of one conversation; call inside the writing transaction."""
    subject, body = _document_text(conversation)
    index_text(conversation.pk, subject, body)


def index_text(conversation_id: int, subject: str, body: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM conversation_fts WHERE rowid = %s", [conversation_id])
            cursor.execute(
                "INSERT INTO conversation_fts(rowid, subject, body) VALUES (%s, %s, %s)",
                [conversation_id, subject, body],
            )
        else:
            cursor.execute(
                "INSERT INTO conversations_searchdocument (conversation_id, vector) "
                "VALUES (%s, setweight(to_tsvector('english', %s), 'A') || to_tsvector('english', %s)) "
                "ON CONFLICT (conversation_id) DO UPDATE SET vector = EXCLUDED.vector",
                [conversation_id, subject, body],
            )


def remove_conversation(conversation_id: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM conversation_fts WHERE rowid = %s", [conversation_id])
    else:
        SearchDocument.objects.filter(conversation_id=conversation_id).delete()


# Relevance ranking looks at the newest RANK_WINDOW matches only (newest = highest id). A common word
# can match a fifth of a million-conversation desk; ranking all of it would cost seconds, while agents
# look for recent conversations. Older matches are found by adding a word.
RANK_WINDOW = 2000
# {access} is the access condition from queries.access_sql (placeholders only, never user input).
SQLITE_SEARCH = (
    "SELECT m.id FROM ("
    "  SELECT rowid AS id, bm25(conversation_fts, 4.0, 1.0) AS rank FROM conversation_fts"
    "  WHERE conversation_fts MATCH %s ORDER BY rowid DESC LIMIT %s"
    ") m JOIN conversations_conversation c ON c.id = m.id "
    "WHERE ({access}) ORDER BY m.rank, m.id DESC LIMIT %s OFFSET %s"
)
POSTGRES_SEARCH = (
    "SELECT m.id FROM ("
    "  SELECT d.conversation_id AS id, ts_rank_cd(d.vector, to_tsquery('english', %s)) AS rank"
    "  FROM conversations_searchdocument d WHERE d.vector @@ to_tsquery('english', %s)"
    "  ORDER BY d.conversation_id DESC LIMIT %s"
    ") m JOIN conversations_conversation c ON c.id = m.id "
    "WHERE ({access}) ORDER BY m.rank DESC, m.id DESC LIMIT %s OFFSET %s"
)


def query_terms(query: str) -> list[str]:
    return _TOKEN.findall(query.lower())[:12]


def search_ids(query: str, access_sql: str, access_params: list[int], limit: int, offset: int) -> list[int]:
    """Ranked conversation ids matching every term of ``query`` that pass the access filter.

    ``access_sql`` is a condition on the conversation table aliased ``c`` (built by queries.py from
    the agent's teams), so ranking never returns conversations the agent may not see.
    """
    terms = query_terms(query)
    if not terms:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Quote each term so FTS5 syntax in user input is never interpreted. Whole words only (the
            # porter stemmer matches "refunds" to "refund"): prefix matching costs 5-10x on big desks.
            match = " ".join(f'"{t}"' for t in terms)
            sql = SQLITE_SEARCH.format(access=access_sql)
            cursor.execute(sql, [match, RANK_WINDOW, *access_params, limit, offset])
        else:
            tsquery = " & ".join(terms)
            sql = POSTGRES_SEARCH.format(access=access_sql)
            cursor.execute(sql, [tsquery, tsquery, RANK_WINDOW, *access_params, limit, offset])
        return [row[0] for row in cursor.fetchall()]
