"""Effort bands in words, kept in one place (signals/effort_bands.py)."""

from __future__ import annotations

from herodesk.signals import effort_bands


def test_bands_and_their_edges() -> None:
    assert [effort_bands.band(s) for s in (0, 29, 30, 59, 60, 79, 80, 100)] == [
        "low", "low", "moderate", "moderate", "high", "high", "very high", "very high",
    ]  # fmt: skip
    assert effort_bands.band(None) == ""
    assert effort_bands.describe() == "0–29 low, 30–59 moderate, 60–79 high, 80–100 very high"
    assert [effort_bands.level(s) for s in (10, 45, 70, 95)] == ["green", "amber", "red", "red"]
