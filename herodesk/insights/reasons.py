"""Contact-reason suggestions learned from the team's own tagged conversations.

The model is retrained from conversations that already have a contact reason and kept as a file in
the data directory; new conversations without a reason get a suggestion with a confidence.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import ContactReason, Conversation, Message
from herodesk.signals import reasons as engine

log = logging.getLogger(__name__)
MIN_EXAMPLES_PER_REASON = 5
MAX_TRAINING_CONVERSATIONS = 50_000


def model_path() -> Path:
    return Path(settings.DATA_DIR) / "models" / "contact_reasons.npz"


def conversation_text(conversation: Conversation, messages: list[Message] | None = None) -> str:
    """What the classifier reads: the subject and the first non-note message (loaded if not given)."""
    if messages is not None:
        first = next((m.text for m in messages if m.kind != Message.Kind.NOTE), "")
    else:
        first = (
            Message.objects.filter(conversation=conversation)
            .exclude(kind=Message.Kind.NOTE)
            .order_by("created_at", "id")
            .values_list("text", flat=True)
            .first()
        ) or ""
    return _classifier_text(conversation.subject, first)


def _classifier_text(subject: str, first_message: str) -> str:
    return f"{subject}\n{first_message}"[:4000]


def _first_texts(conversation_ids: list[int], chunk: int = 1000) -> dict[int, str]:
    """The first non-note message of each conversation: one query per ``chunk`` conversations."""
    first: dict[int, str] = {}
    for start in range(0, len(conversation_ids), chunk):
        rows = (
            Message.objects.filter(conversation_id__in=conversation_ids[start : start + chunk])
            .exclude(kind=Message.Kind.NOTE)
            .order_by("conversation_id", "created_at", "id")
            .values_list("conversation_id", "text")
        )
        for conversation_id, text in rows.iterator(chunk_size=2000):
            first.setdefault(conversation_id, text)
    return first


def training_examples() -> list[tuple[str, str]]:
    rows = list(
        Conversation.objects.filter(contact_reason__isnull=False)
        .select_related("contact_reason")
        .order_by("-pk")[:MAX_TRAINING_CONVERSATIONS]
    )
    first_texts = _first_texts([c.pk for c in rows])  # not one query per conversation
    examples = [
        (_classifier_text(c.subject, first_texts.get(c.pk, "")), c.contact_reason.name)  # type: ignore[union-attr]
        for c in rows
    ]
    counts: dict[str, int] = {}
    for _, label in examples:
        counts[label] = counts.get(label, 0) + 1
    return [(t, label) for t, label in examples if counts[label] >= MIN_EXAMPLES_PER_REASON]


def retrain() -> int:
    """Train on the tagged conversations; returns how many examples were used (0: too few to train)."""
    examples = training_examples()
    if len({label for _, label in examples}) < 2:
        return 0
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    engine.train(examples).save(path)
    _load.cache_clear()
    return len(examples)


@lru_cache(maxsize=1)
def _load(mtime: float) -> engine.ReasonModel:
    return engine.ReasonModel.load(model_path())


def current_model() -> engine.ReasonModel | None:
    path = model_path()
    if not path.exists():
        return None
    return _load(path.stat().st_mtime)


def suggest_for(conversation: Conversation, messages: list[Message] | None = None) -> None:
    if conversation.contact_reason_id is not None:
        return
    model = current_model()
    if model is None:
        return
    label, confidence = model.predict([conversation_text(conversation, messages)])[0]
    reason = ContactReason.objects.filter(name=label).first()
    conversation_actions.do_suggest_reason(conversation.pk, reason, confidence if reason else None)


@dataclass(frozen=True)
class ProposedReasonView:
    """A cluster of untagged conversations, with the conversations it is made of."""

    name: str
    top_terms: list[str]
    size: int
    examples: list[Conversation]


@dataclass(frozen=True)
class ModelStatus:
    trained_at: datetime | None
    labels: int
    uses_embeddings: bool
    tagged_examples: int


def propose_new_reasons(conversations: QuerySet[Conversation], limit: int = 2000) -> list[ProposedReasonView]:
    """Cluster the most recent conversations without a reason into proposed reasons, largest first."""
    untagged = list(
        conversations.filter(contact_reason__isnull=True)
        .select_related("suggested_reason")
        .order_by("-pk")[:limit]
    )
    first_texts = _first_texts([c.pk for c in untagged])
    texts = [_classifier_text(c.subject, first_texts.get(c.pk, "")) for c in untagged]
    return [
        ProposedReasonView(p.name, p.top_terms, p.size, [untagged[i] for i in p.examples])
        for p in engine.cluster(texts)
    ]


def model_status() -> ModelStatus:
    model = current_model()
    path = model_path()
    trained_at = (
        datetime.fromtimestamp(path.stat().st_mtime, tz=UTC) if model is not None and path.exists() else None
    )
    return ModelStatus(
        trained_at=trained_at,
        labels=len(model.labels) if model else 0,
        uses_embeddings=bool(model and model.embed_weight > 0),
        tagged_examples=Conversation.objects.filter(contact_reason__isnull=False).count(),
    )
