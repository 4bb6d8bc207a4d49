"""A tiny sparse linear model (TF-IDF n-grams plus named dense features) scored in pure Python.

Trained with scikit-learn at build time, shipped as JSON, scored here with dict look-ups so the hot
path needs neither numpy nor scikit-learn and takes microseconds per message.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

try:  # the C loop behind Counter.update: called directly, it skips Counter's Python-level set-up per call
    from collections import _count_elements  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a Python without it

    def _count_elements(mapping: dict, iterable: Iterable) -> None:
        for item in iterable:
            mapping[item] = mapping.get(item, 0) + 1


def ngrams(tokens: list[str]) -> list[str]:
    """Word unigrams and bigrams, the analyzer used both in training and in scoring."""
    grams = list(tokens)
    grams += [a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)]
    return grams


@dataclass
class SparseLinearModel:
    """logit = bias + w · l2norm(tf-idf(ngrams)) + Σ dense_w[name] · value."""

    weights: dict[str, float]  # n-gram -> idf * coefficient, folded together at export
    dense_weights: dict[str, float]
    bias: float
    idf: dict[str, float]
    sublinear_tf: bool = True
    extra: dict | None = None  # model-specific tables (e.g. the intensity lexicon)
    _table: dict[str, tuple[float, float]] | None = field(default=None, repr=False, compare=False)
    _token_tables: (
        tuple[dict[str, tuple[float, float]], dict[tuple[str, str], tuple[float, float]]] | None
    ) = field(default=None, repr=False, compare=False)

    def _lookup(self) -> dict[str, tuple[float, float]]:
        """gram -> (idf², weight), built once: one dict probe per gram on the hot path."""
        if self._table is None:
            weights = self.weights
            self._table = {g: (i * i, weights.get(g, 0.0)) for g, i in self.idf.items()}
        return self._table

    def _by_tokens(self) -> tuple[dict[str, tuple[float, float]], dict[tuple[str, str], tuple[float, float]]]:
        """The entries of :meth:`_lookup` split into unigrams and bigrams keyed by token pair: scoring builds
        no "a b" strings, and the unigram probes hit a table a quarter of the size. A pair holds the unigram
        table's own key strings, so comparing it reads memory the unigram probe has just read."""
        if self._token_tables is None:
            table = self._lookup()
            unigrams = {gram: entry for gram, entry in table.items() if " " not in gram}
            words = {gram: gram for gram in unigrams}
            pairs: dict[tuple[str, str], tuple[float, float]] = {}
            for gram, entry in table.items():
                first, space, second = gram.partition(" ")
                if space and " " not in second:
                    pairs[words.get(first, first), words.get(second, second)] = entry
            self._token_tables = (unigrams, pairs)
        return self._token_tables

    def logit(self, grams: Iterable[str], dense: dict[str, float]) -> float:
        table = self._table if self._table is not None else self._lookup()
        return self._combine(((Counter(grams), table.get),), dense)

    def logit_tokens(self, tokens: Sequence[str], dense: dict[str, float]) -> float:
        """``logit(ngrams(tokens), dense)``, bit for bit, without the n-gram list: tokens never contain a
        space, so unigram i and bigram (i, i+1) are looked up directly, in the same order and with the same
        counts as the Counter over ``ngrams`` would visit them (unigrams first, each at its first use)."""
        uni, pairs = self._token_tables if self._token_tables is not None else self._by_tokens()
        unigrams: dict = {}
        bigrams: dict = {}
        _count_elements(unigrams, tokens)
        _count_elements(bigrams, pairwise(tokens))
        return self._combine(((unigrams, uni.get), (bigrams, pairs.get)), dense)

    def _combine(self, sources: Iterable[tuple[dict, Callable]], dense: dict[str, float]) -> float:
        """bias + w · l2norm(tf-idf) + dense part, from (gram -> count, gram -> (idf², weight)) sources."""
        norm_sq = 0.0
        dot = 0.0
        sublinear = self.sublinear_tf
        for counts, get in sources:
            for gram, count in counts.items():
                entry = get(gram)
                if entry is None:
                    continue
                if count == 1:
                    norm_sq += entry[0]
                    dot += entry[1]
                    continue
                tf = 1.0 + math.log(count) if sublinear else float(count)
                norm_sq += tf * tf * entry[0]
                dot += tf * entry[1]
        total = self.bias + (dot / math.sqrt(norm_sq) if norm_sq else 0.0)
        for name, value in dense.items():
            total += self.dense_weights.get(name, 0.0) * value
        return total

    def probability(self, grams: Iterable[str], dense: dict[str, float]) -> float:
        return sigmoid(self.logit(grams, dense))

    def top_grams(self, grams: Iterable[str], k: int = 3) -> list[tuple[str, float]]:
        """The n-grams present that push the logit up most (for explanations)."""
        present = {g: self.weights.get(g, 0.0) for g in set(grams) if g in self.weights}
        ranked = sorted(present.items(), key=lambda item: item[1], reverse=True)
        return [(g, w) for g, w in ranked[:k] if w > 0]

    def to_json(self) -> dict:
        return {
            "weights": {k: round(v, 5) for k, v in self.weights.items()},
            "dense_weights": self.dense_weights,
            "bias": self.bias,
            "idf": {k: round(v, 4) for k, v in self.idf.items()},
            "sublinear_tf": self.sublinear_tf,
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_json(cls, raw: dict) -> SparseLinearModel:
        return cls(
            raw["weights"],
            raw["dense_weights"],
            raw["bias"],
            raw["idf"],
            raw.get("sublinear_tf", True),
            raw.get("extra"),
        )

    def save(self, path: Path) -> None:
        payload = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode()
        path.write_bytes(gzip.compress(payload, mtime=0))

    @classmethod
    def load(cls, path: Path) -> SparseLinearModel:
        return cls.from_json(json.loads(gzip.decompress(path.read_bytes())))


def sigmoid(value: float) -> float:
    if value < -30:
        return 0.0
    if value > 30:
        return 1.0
    return 1.0 / (1.0 + math.exp(-value))
