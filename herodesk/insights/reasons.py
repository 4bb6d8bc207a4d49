"""Contact-reason suggestions learned from the team's own tagged conversations, and proposed new
reasons from the untagged ones.

The model is retrained from conversations that already have a contact reason and kept as a file in
the data directory; new conversations without a reason get a suggestion with a confidence.

Proposals group the recent untagged conversations that no existing reason fits with confidence
(suggestion confidence >= CONFIDENT_FIT) on their sentence embeddings (`signals.reasons.propose`).
Embeddings are cached per conversation in the data directory, so the page encodes only what is new.
When a lead adopts a proposal, its conversations get the new reason as a suggestion an agent
confirms; a suggestion the model cannot have made (a reason it was not trained on) marks a
conversation as already proposed, and the model does not overwrite it until it learns that reason.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Q, QuerySet

from herodesk.conversations import actions as conversation_actions
from herodesk.conversations.models import ContactReason, Conversation, Message
from herodesk.signals import embeddings
from herodesk.signals import reasons as engine

log = logging.getLogger(__name__)
MIN_EXAMPLES_PER_REASON = 5
MAX_TRAINING_CONVERSATIONS = 50_000
# An existing reason "fits with confidence" when the model suggests it with at least this confidence:
# on BANKING77 the model is right 97.6% of the time at or above it (see docs/signals.md).
CONFIDENT_FIT = 0.8
PROPOSAL_CONVERSATIONS = 2000  # the most recent untagged conversations that proposals look at
EMBEDDING_CACHE_SIZE = 20_000
# A page view encodes at most this many conversations not in the cache (~1 s); a background job reads
# the rest (e.g. the first view on a large desk) and the page says so.
ENCODE_PER_VIEW = 200


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
    if conversation.suggested_reason_id is not None:
        proposed = ContactReason.objects.filter(pk=conversation.suggested_reason_id).values_list(
            "name", flat=True
        )
        if proposed and proposed[0] not in model.labels:
            return  # suggested from an adopted proposal; the model learns that reason once agents confirm
    label, confidence = model.predict([conversation_text(conversation, messages)])[0]
    reason = ContactReason.objects.filter(name=label).first()
    conversation_actions.do_suggest_reason(conversation.pk, reason, confidence if reason else None)


@dataclass(frozen=True)
class ProposedReasonView:
    """A group of untagged conversations, with the conversations it is made of."""

    name: str
    top_terms: list[str]
    size: int
    examples: list[Conversation]
    conversation_ids: list[int]


@dataclass(frozen=True)
class ModelStatus:
    trained_at: datetime | None
    labels: int
    uses_embeddings: bool
    tagged_examples: int


def proposal_candidates(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Untagged conversations that no existing reason fits with confidence and that are not already
    suggested a reason from an adopted proposal."""
    model = current_model()
    known = model.labels if model is not None else []
    return (
        conversations.filter(contact_reason__isnull=True)
        .exclude(suggested_reason_confidence__gte=CONFIDENT_FIT)
        .exclude(Q(suggested_reason__isnull=False) & ~Q(suggested_reason__name__in=known))
    )


def _recent_candidates(
    conversations: QuerySet[Conversation], limit: int
) -> tuple[list[Conversation], list[str]]:
    rows = list(proposal_candidates(conversations).select_related("suggested_reason").order_by("-pk")[:limit])
    first_texts = _first_texts([c.pk for c in rows])
    return rows, [_classifier_text(c.subject, first_texts.get(c.pk, "")) for c in rows]


def propose_new_reasons(
    conversations: QuerySet[Conversation],
    limit: int = PROPOSAL_CONVERSATIONS,
    read_the_rest: Callable[[], object] | None = None,
) -> list[ProposedReasonView]:
    """Group the most recent candidates (see `proposal_candidates`) into proposed reasons, largest first."""
    rows, texts = _recent_candidates(conversations, limit)
    if not rows:
        return []
    if embeddings.available():
        vectors, known = conversation_vectors([c.pk for c in rows], texts, max_new=ENCODE_PER_VIEW)
        if not known.all() and read_the_rest is not None:
            read_the_rest()  # e.g. tasks.warm_reason_proposals: the next view has them all
        if not known.all():
            rows = [row for row, k in zip(rows, known, strict=True) if k]
            texts = [text for text, k in zip(texts, known, strict=True) if k]
            vectors = vectors[known]
        found = engine.propose(texts, vectors)
    else:  # without the embedding packages: the TF-IDF k-means grouping
        found = engine.cluster(texts)
    return [
        ProposedReasonView(
            p.name,
            p.top_terms,
            p.size,
            [rows[i] for i in p.examples],
            [rows[i].pk for i in (p.members or p.examples)],
        )  # fmt: skip
        for p in found
    ]


def warm_proposals() -> int:
    """Encode the recent candidates ahead of the first page view (after a bulk analysis)."""
    if not embeddings.available():
        return 0
    rows, texts = _recent_candidates(Conversation.objects.all(), PROPOSAL_CONVERSATIONS)
    conversation_vectors([c.pk for c in rows], texts)
    return len(rows)


def closeness(conversation_ids: list[int]) -> dict[int, float]:
    """How close each conversation is to the centre of the group they form (cosine, 0..1): the
    confidence of the suggestion an adopted proposal gives them."""
    if not conversation_ids:
        return {}
    first_texts = _first_texts(conversation_ids)
    subjects = dict(Conversation.objects.filter(pk__in=conversation_ids).values_list("pk", "subject"))
    ids = [pk for pk in conversation_ids if pk in subjects]
    if not embeddings.available() or not ids:
        return dict.fromkeys(ids, 0.5)
    vectors, _ = conversation_vectors(
        ids, [_classifier_text(subjects[pk], first_texts.get(pk, "")) for pk in ids]
    )
    centre = vectors.mean(axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    return {pk: round(float(np.clip(v @ centre, 0.0, 1.0)), 4) for pk, v in zip(ids, vectors, strict=True)}


def _embedding_cache_path() -> Path:
    return Path(settings.DATA_DIR) / "models" / "conversation_embeddings.npz"


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


def conversation_vectors(
    ids: list[int], texts: list[str], max_new: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Unit sentence embeddings of the conversations' texts, from the cache where the text is unchanged,
    and which rows have one (all, unless more than ``max_new`` were missing: those rows are zeros)."""
    path = _embedding_cache_path()
    cached: dict[tuple[int, int], np.ndarray] = {}
    try:
        with np.load(path, allow_pickle=False) as stored:
            cached = {
                (int(i), int(d)): v
                for i, d, v in zip(stored["ids"], stored["digests"], stored["vectors"], strict=True)
            }
    except (OSError, ValueError, KeyError):
        pass
    keys = [(pk, _digest(text)) for pk, text in zip(ids, texts, strict=True)]
    missing = [i for i, key in enumerate(keys) if key not in cached]
    if max_new is not None:
        missing = missing[:max_new]
    if missing:
        fresh = embeddings.encode([texts[i] for i in missing])
        for i, vector in zip(missing, fresh, strict=True):
            cached[keys[i]] = vector.astype(np.float16)
        _save_cache(path, cached)
    known = np.array([key in cached for key in keys], dtype=bool)
    dim = next(iter(cached.values())).shape[0] if cached else embeddings.DIM
    out = np.zeros((len(keys), dim), dtype=np.float32)
    for i, key in enumerate(keys):
        if known[i]:
            out[i] = cached[key]
    unit = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
    return np.asarray(unit, dtype=np.float32), known


def _save_cache(path: Path, cached: dict[tuple[int, int], np.ndarray]) -> None:
    keep = sorted(cached, reverse=True)[:EMBEDDING_CACHE_SIZE]  # the most recent conversations
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".conversation_embeddings.", suffix=".npz")
    with os.fdopen(fd, "wb") as handle:
        np.savez(
            handle,
            ids=np.array([k[0] for k in keep], dtype=np.int64),
            digests=np.array([k[1] for k in keep], dtype=np.int64),
            vectors=np.stack([cached[k] for k in keep]).astype(np.float16),
        )
    os.replace(tmp, path)  # web workers may read and write it at once: never half a file


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
