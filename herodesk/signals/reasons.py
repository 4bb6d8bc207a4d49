"""Contact reasons: a per-team classifier trained from already-tagged conversations, and clustering of
untagged ones into proposed new reasons named by their distinctive words.

Proposals (`propose`) group sentence embeddings by average-linkage agglomerative clustering with a
cosine-distance cut: two groups merge only while their members are, on average, that close, so a group
never mixes unrelated topics the way k-means must (it puts every text somewhere). Groups below a
minimum size are dropped. Each group is named by the words frequent in it and rare in the other
texts (class-based TF-IDF). `cluster` is the older TF-IDF k-means, kept as the baseline.

TF-IDF word 1-3-grams plus character 1-5-grams and a linear SVM; confidences are a softmax over the
SVM margins. When the optional embedding packages are installed (see `embeddings.py`), training also
appends all-MiniLM-L6-v2 sentence embeddings (weighted by EMBED_WEIGHT) to the features; the model
records that, and predicting with such a model without the packages raises a clear RuntimeError.
Models serialise to a compressed npz (no pickle, so a stored model cannot run code).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.cluster import MiniBatchKMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.svm import LinearSVC

from herodesk.signals import embeddings
from herodesk.signals.text import prepare

SOFTMAX_TEMPERATURE = 0.25
MAX_TEXT_CHARS = 5_000
# scale of the unit-length embedding block against the TF-IDF blocks (chosen by 3-fold CV on train.csv)
EMBED_WEIGHT = 2.0


def _clean(texts: Sequence[str]) -> list[str]:
    return [prepare(t, max_chars=MAX_TEXT_CHARS).text for t in texts]


def _word_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32)


def _char_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 5), sublinear_tf=True, min_df=2, dtype=np.float32
    )


@dataclass
class ReasonModel:
    """A trained contact-reason classifier."""

    labels: list[str]
    word: TfidfVectorizer
    char: TfidfVectorizer
    coef: np.ndarray  # (n_labels, n_features)
    intercept: np.ndarray
    embed_weight: float = 0.0  # > 0: the model uses sentence embeddings

    def _features(self, texts: Sequence[str]) -> sp.csr_matrix:
        cleaned = _clean(texts)
        return _stack(self.word.transform(cleaned), self.char.transform(cleaned), cleaned, self.embed_weight)

    def margins(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._features(texts) @ self.coef.T) + self.intercept

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, confidence 0..1) per text; empty or unusable text gets confidence 0."""
        if not texts:
            return []
        margins = self.margins(texts)
        scaled = (margins - margins.max(axis=1, keepdims=True)) / SOFTMAX_TEMPERATURE
        probs = np.exp(scaled)
        probs /= probs.sum(axis=1, keepdims=True)
        best = probs.argmax(axis=1)
        usable = [prepare(t).usable for t in texts]
        return [
            (self.labels[b], round(float(probs[i, b]), 4) if usable[i] else 0.0) for i, b in enumerate(best)
        ]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        meta = {
            "labels": self.labels,
            "word_vocab": {k: int(v) for k, v in self.word.vocabulary_.items()},
            "char_vocab": {k: int(v) for k, v in self.char.vocabulary_.items()},
            "embed_weight": self.embed_weight,
            "embedding_model": "all-MiniLM-L6-v2" if self.embed_weight else None,
        }
        np.savez_compressed(
            buffer,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            word_idf=self.word.idf_,
            char_idf=self.char.idf_,
            coef=self.coef.astype(np.float16),
            intercept=self.intercept,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> ReasonModel:
        arrays = np.load(io.BytesIO(payload), allow_pickle=False)
        meta = json.loads(arrays["meta"].tobytes().decode())
        word, char = _word_vectorizer(), _char_vectorizer()
        word.vocabulary_, char.vocabulary_ = meta["word_vocab"], meta["char_vocab"]
        word.idf_, char.idf_ = arrays["word_idf"], arrays["char_idf"]
        return cls(
            meta["labels"],
            word,
            char,
            arrays["coef"].astype(np.float32),
            arrays["intercept"],
            float(meta.get("embed_weight", 0.0)),
        )

    def save(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: Path) -> ReasonModel:
        return cls.from_bytes(path.read_bytes())


def _stack(
    word: sp.spmatrix, char: sp.spmatrix, cleaned: Sequence[str], embed_weight: float
) -> sp.csr_matrix:
    blocks = [word, char]
    if embed_weight > 0:
        embeddings.require()
        blocks.append(sp.csr_matrix(embed_weight * embeddings.encode(cleaned)))
    return sp.hstack(blocks).tocsr()


def train(
    examples: Sequence[tuple[str, str]], c: float = 1.0, use_embeddings: bool | None = None
) -> ReasonModel:
    """Train on (text, label) pairs; needs at least two labels.

    use_embeddings: None = when the embedding packages are installed; True requires them.
    """
    texts = _clean([t for t, _ in examples])
    labels = [label for _, label in examples]
    if len(set(labels)) < 2:
        raise ValueError("need at least two different labels to train a reason classifier")
    if use_embeddings is None:
        use_embeddings = embeddings.available()
    embed_weight = EMBED_WEIGHT if use_embeddings else 0.0
    word, char = _word_vectorizer(), _char_vectorizer()
    features = _stack(word.fit_transform(texts), char.fit_transform(texts), texts, embed_weight)
    svm = LinearSVC(C=c, random_state=0).fit(features, labels)
    classes = [str(x) for x in svm.classes_]
    coef, intercept = svm.coef_, svm.intercept_
    if len(classes) == 2:  # binary LinearSVC has one row; make it symmetric
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    return ReasonModel(
        classes, word, char, coef.astype(np.float32), intercept.astype(np.float32), embed_weight
    )


@dataclass(frozen=True, slots=True)
class ProposedReason:
    """A cluster of similar conversations that might deserve its own contact reason."""

    name: str
    top_terms: list[str]
    size: int
    examples: list[int]  # indexes into the clustered texts, closest to the centre first
    members: list[int] = field(default_factory=list)  # every index in the group (`propose` fills it)


def cluster(texts: Sequence[str], n_clusters: int | None = None, top_n: int = 4) -> list[ProposedReason]:
    """Group texts into proposed reasons named by their top terms (largest group first)."""
    cleaned = _clean(texts)
    usable = [i for i, t in enumerate(cleaned) if t.strip()]
    if len(usable) < 2:
        return []
    k = n_clusters or max(2, min(30, int(round(np.sqrt(len(usable) / 2)))))
    k = min(k, len(usable))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=1)
    try:
        matrix = vectorizer.fit_transform([cleaned[i] for i in usable])
    except ValueError:  # nothing but stop words
        return []
    km = MiniBatchKMeans(n_clusters=k, random_state=0, n_init=3, batch_size=1024).fit(matrix)
    terms = vectorizer.get_feature_names_out()
    proposals = [_proposal(km, matrix, terms, usable, label, top_n) for label in range(k)]
    return sorted([p for p in proposals if p.size], key=lambda p: p.size, reverse=True)


def _proposal(
    km: MiniBatchKMeans, matrix: sp.csr_matrix, terms: np.ndarray, usable: list[int], label: int, top_n: int
) -> ProposedReason:
    members = np.flatnonzero(km.labels_ == label)
    centre = km.cluster_centers_[label]
    top = [str(terms[i]) for i in np.argsort(centre)[::-1][:top_n] if centre[i] > 0]
    closeness = np.asarray(matrix[members] @ centre).ravel()
    ordered = [usable[int(members[i])] for i in np.argsort(closeness)[::-1][:5]]
    return ProposedReason(" / ".join(top[:2]) or "misc", top, int(len(members)), ordered)


# Proposals on sentence embeddings. The cut and the minimum size were chosen on BANKING77's test texts
# and the demo desk (see docs/signals.md, "Proposed reasons").
PROPOSAL_MAX_DISTANCE = 0.45  # mean cosine distance within a group (average linkage)
PROPOSAL_MIN_SIZE = 5
# Words that say nothing about why a customer writes (greetings, politeness, desk words).
NAMING_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    "hi hello hey dear thanks thank thx cheers regards kind best please pls help need want like just "  # noqa: SIM905
    "know let tell asap today yesterday tomorrow im ive dont doesnt didnt cant wont isnt hasnt havent "
    "got get getting make made use using used able really ok okay yes sorry hope wondering".split()
)


def group(
    vectors: np.ndarray, max_distance: float = PROPOSAL_MAX_DISTANCE, n_clusters: int | None = None
) -> np.ndarray:
    """A group label (0..) per unit vector: average-linkage clusters cut at ``max_distance`` (mean
    cosine distance between the members of two groups it merges), or exactly ``n_clusters`` groups.

    Distances come from one matrix product (unit vectors: cosine distance = 1 - dot product); about a
    second for 2,000 conversations on a busy 2-core machine."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    unit = np.asarray(vectors, dtype=np.float64)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    distances = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    if n_clusters:
        labels = fcluster(tree, n_clusters, criterion="maxclust")
    else:
        labels = fcluster(tree, max_distance, criterion="distance")
    return np.asarray(labels, dtype=int) - 1


_WITH_DIGIT = re.compile(r"\S*\d\S*")


def distinctive_terms(
    texts: Sequence[str], labels: Sequence[int] | np.ndarray, top_n: int = 4
) -> dict[int, list[str]]:
    """Per group label, the words and two-word phrases most of its texts use and few others do.

    Score = share of the group's texts containing the term x log(1 + texts / texts containing it anywhere):
    class-based TF-IDF over documents, so one long message cannot name a group. A two-word phrase
    nearly as common as its words replaces them, so names read like "gift card", not "gift, card"."""
    labels = np.asarray(labels)
    vectorizer = CountVectorizer(
        ngram_range=(1, 2), binary=True, lowercase=True, stop_words=sorted(NAMING_STOP_WORDS),
        token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b",  # noqa: S106 - words of two letters or more
    )  # fmt: skip
    try:
        # chunks with a digit are codes, amounts and times ("HD-617495", "£40"): never a name
        counts = vectorizer.fit_transform([_WITH_DIGIT.sub(" ", t) for t in _clean(texts)]).tocsc()
    except ValueError:  # nothing but stop words
        return {int(label): [] for label in np.unique(labels)}
    terms = vectorizer.get_feature_names_out()
    words_in = np.array([term.count(" ") + 1 for term in terms])
    vocabulary = {str(term): i for i, term in enumerate(terms)}
    df = np.asarray(counts.sum(axis=0)).ravel()
    idf = np.log1p(len(texts) / np.maximum(df, 1))  # > 0: a lone group still gets a name
    names: dict[int, list[str]] = {}
    for label in np.unique(labels):
        members = labels == label
        share = np.asarray(counts[members].sum(axis=0)).ravel() / members.sum()
        score = share * idf
        score[share < 0.15] = 0  # a name's words appear in a good part of the group
        chosen: list[str] = []
        for index in np.lexsort((words_in, score))[::-1]:  # on a tie, the phrase first
            if score[index] <= 0 or len(chosen) >= top_n:
                break
            term = str(terms[index])
            words = term.split()
            taken = {w for other in chosen for w in other.split()}
            phrases = {w for other in chosen if " " in other for w in other.split()}
            if (len(words) == 1 and term in taken) or (len(words) > 1 and phrases & set(words)):
                continue
            inside = [c for c in chosen if c in words]
            if any(share[index] < 0.7 * share[vocabulary[c]] for c in inside):
                continue  # a rarer phrase does not replace a word most of the group uses
            chosen = [c for c in chosen if c not in words]  # the phrase replaces its own words
            chosen.append(term)
        names[int(label)] = chosen[:top_n]
    return names


def propose(
    texts: Sequence[str],
    vectors: np.ndarray,
    *,
    max_distance: float = PROPOSAL_MAX_DISTANCE,
    min_size: int = PROPOSAL_MIN_SIZE,
    top_n: int = 4,
) -> list[ProposedReason]:
    """Coherent groups of at least ``min_size`` texts (unit-vector rows of ``vectors``), largest
    first, each named by its distinctive words; examples closest to the group's centre first."""
    if len(texts) < max(2, min_size):
        return []
    labels = group(vectors, max_distance)
    terms = distinctive_terms(texts, labels, top_n)
    proposals = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < min_size:
            continue
        centre = vectors[members].mean(axis=0)
        closeness = vectors[members] @ (centre / (np.linalg.norm(centre) or 1.0))
        order = [int(members[i]) for i in np.argsort(closeness)[::-1]]
        words = terms.get(int(label), [])
        proposals.append(
            ProposedReason(" / ".join(words[:2]) or "misc", words, len(members), order[:5], order)
        )
    return sorted(proposals, key=lambda p: p.size, reverse=True)
