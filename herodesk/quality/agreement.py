"""Agreement between raters: Krippendorff's alpha (nominal, ordinal, interval) and Cohen's kappa.

Plain NumPy, no Django. Alpha follows Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011):
a coincidence matrix of the values paired within each unit, then 1 - observed / expected disagreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Level = Literal["nominal", "ordinal", "interval"]
Value = float | int | None


def krippendorff_alpha(units: Sequence[Sequence[Value]], level: Level = "nominal") -> float | None:
    """Alpha for units (each the values the raters gave it; None where a rater gave none).

    Units with fewer than two values are not pairable and are left out. Returns None when nothing is
    pairable or every value is the same (no variation: alpha is undefined)."""
    pairable = [[v for v in unit if v is not None] for unit in units]
    pairable = [unit for unit in pairable if len(unit) >= 2]
    if not pairable:
        return None
    values = sorted({v for unit in pairable for v in unit})
    if len(values) < 2:
        return None
    index = {v: i for i, v in enumerate(values)}
    size = len(values)
    coincidence = np.zeros((size, size))
    for unit in pairable:
        counts = np.zeros(size)
        for v in unit:
            counts[index[v]] += 1
        # Every ordered pair of values from different raters in the unit, weighted by 1 / (m_u - 1).
        coincidence += (np.outer(counts, counts) - np.diag(counts)) / (len(unit) - 1)
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    delta = _distances(np.array(values, dtype=float), totals, level)
    observed = (coincidence * delta).sum()
    expected = (np.outer(totals, totals) * delta).sum() / (n - 1)
    if expected == 0:
        return None
    return float(1 - observed / expected)


def _distances(values: np.ndarray, totals: np.ndarray, level: Level) -> np.ndarray:
    size = len(values)
    if level == "nominal":
        return 1 - np.eye(size)
    if level == "interval":
        return np.subtract.outer(values, values) ** 2
    # Ordinal: the squared count of values between c and k, the ends counted half.
    cumulative = np.cumsum(totals)
    delta = np.zeros((size, size))
    for c in range(size):
        for k in range(c + 1, size):
            between = cumulative[k] - (cumulative[c - 1] if c else 0) - (totals[c] + totals[k]) / 2
            delta[c, k] = delta[k, c] = between**2
    return delta


@dataclass(frozen=True, slots=True)
class BinaryAgreement:
    """How well a judge (AutoQA) agrees with the truth (people), on yes (1) / no (0)."""

    pairs: int
    precision: float | None
    recall: float | None
    kappa: float | None


def binary_agreement(pairs: Sequence[tuple[int, int]]) -> BinaryAgreement:
    """Precision and recall of "yes" from the judge, and Cohen's kappa; pairs are (judge, truth)."""
    tp = sum(1 for j, t in pairs if j and t)
    fp = sum(1 for j, t in pairs if j and not t)
    fn = sum(1 for j, t in pairs if not j and t)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return BinaryAgreement(len(pairs), precision, recall, cohen_kappa(pairs))


def cohen_kappa(pairs: Sequence[tuple[object, object]]) -> float | None:
    """Cohen's kappa of two raters over the same items; None for no items or no chance of disagreement."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    labels = {a for a, _ in pairs} | {b for _, b in pairs}
    expected = sum(
        (sum(1 for a, _ in pairs if a == label) / n) * (sum(1 for _, b in pairs if b == label) / n)
        for label in labels
    )
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)
