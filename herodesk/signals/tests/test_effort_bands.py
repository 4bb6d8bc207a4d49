"""Effort bands in words, kept in one place (signals/effort.py BANDS; effort_bands.py words and colours)."""

from __future__ import annotations

from herodesk.signals import effort, effort_bands


def test_bands_words_and_colours():
    assert [effort_bands.band(s) for s in (0, 39, 40, 59, 60, 79, 80, 100)] == [
        "low", "low", "moderate", "moderate", "high", "high", "very high", "very high",
    ]  # fmt: skip
    assert effort_bands.band(None) == ""
    assert effort_bands.describe() == "0–39 low, 40–59 moderate, 60–79 high, 80–100 very high"
    assert [effort_bands.level(s) for s in (10, 45, 70, 95)] == ["green", "muted", "amber", "red"]
    assert effort_bands.band(72) == effort.band(72)
