"""Intensity, background path: MiniLM sentence embeddings + a linear head, ensembled with the lexical model.

The fast path (``intensity.score``) is a sparse linear model in pure Python, about 0.1 ms a message.
This path adds the all-MiniLM-L6-v2 sentence embedding (``embeddings.py``, NumPy) of the message and a
linear head over it, and combines them in one logit:

    logit = bias + lexical_weight * lexical_logit + head · embedding

(the head and its weights live in ``models/intensity_head.json``, trained by ``signals train``). The
critical-moment floor, the reasons and the confidence are the fast path's, so the two paths differ
only in the number. It costs a few milliseconds a message (``signals bench``); the desk uses it in the
background analysis job when the embedding packages are installed and falls back to the fast path
otherwise (``message.analyse_message(..., intensity_path=...)`` decides).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from herodesk.signals import embeddings, intensity
from herodesk.signals.text import PreparedText, prepare

HEAD_PATH = Path(__file__).parent / "models" / "intensity_head.json"


@dataclass(frozen=True)
class IntensityHead:
    """A linear head over a MiniLM embedding (pooled after ``layers`` layers), plus the lexical logit."""

    weights: np.ndarray  # (384,) float32
    bias: float
    lexical_weight: float
    layers: int = 6
    max_tokens: int = 128
    meta: dict = field(default_factory=dict)

    def logits(self, vectors: np.ndarray, lexical_logits: Sequence[float] | np.ndarray) -> np.ndarray:
        lexical = np.asarray(lexical_logits, dtype=np.float64)
        return self.bias + self.lexical_weight * lexical + vectors.astype(np.float64) @ self.weights

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return embeddings.encode(texts, layers=self.layers, max_tokens=self.max_tokens)

    def to_json(self) -> dict:
        return {
            "model": embeddings.MODEL_NAME,
            "layers": self.layers,
            "max_tokens": self.max_tokens,
            "bias": round(self.bias, 6),
            "lexical_weight": round(self.lexical_weight, 6),
            "weights": [round(float(w), 6) for w in self.weights],
            "meta": self.meta,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=0, sort_keys=True) + "\n")

    @classmethod
    def from_json(cls, raw: dict) -> IntensityHead:
        if raw.get("model") != embeddings.MODEL_NAME:
            raise ValueError(f"intensity head trained on {raw.get('model')!r}, not {embeddings.MODEL_NAME}")
        weights = np.asarray(raw["weights"], dtype=np.float64)
        if weights.shape != (embeddings.DIM,):
            raise ValueError(f"intensity head has {weights.shape} weights, expected ({embeddings.DIM},)")
        return cls(
            weights,
            float(raw["bias"]),
            float(raw["lexical_weight"]),
            int(raw.get("layers", 6)),
            int(raw.get("max_tokens", 128)),
            dict(raw.get("meta", {})),
        )

    @classmethod
    def load(cls, path: Path = HEAD_PATH) -> IntensityHead:
        return cls.from_json(json.loads(path.read_text()))


def available() -> bool:
    """Whether the background path can run here: embedding packages installed and a head shipped."""
    return embeddings.available() and HEAD_PATH.exists()


@lru_cache(maxsize=1)
def head() -> IntensityHead:
    return IntensityHead.load(HEAD_PATH)


def score_many(
    texts: Sequence[str], prepared: Sequence[PreparedText] | None = None
) -> list[intensity.IntensityResult]:
    """Background-path intensity of several customer messages (one embedding batch for all of them).

    Raises ``RuntimeError`` when the embedding packages are missing: callers that may run without them
    go through ``message.analyse_message`` / ``message.intensities``, which fall back to the fast path.
    """
    embeddings.require()
    preps = list(prepared) if prepared is not None else [prepare(t) for t in texts]
    if len(preps) != len(texts):
        raise ValueError("texts and prepared differ in length")
    out: list[intensity.IntensityResult] = [intensity.IntensityResult(0.0, [], 0.0)] * len(texts)
    usable = [i for i, p in enumerate(preps) if p.usable]
    if not usable:
        return out
    model = head()
    lexical = [intensity.lexical(preps[i]) for i in usable]
    vectors = model.embed([preps[i].text for i in usable])
    raws = model.logits(vectors, [raw for raw, _ in lexical])
    for i, raw, (_, reasons) in zip(usable, raws, lexical, strict=True):
        out[i] = intensity.result_from_logit(float(raw), reasons, preps[i])
    return out


__all__ = ["HEAD_PATH", "IntensityHead", "available", "head", "score_many"]
