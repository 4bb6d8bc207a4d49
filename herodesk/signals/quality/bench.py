"""Throughput of the signals hot path on real dataset texts, single core.

Per message: intensity + behaviours + promise detection, end to end; per conversation: one effort
recompute. Targets: >= 5,000 messages/s/core and <= 5 ms per effort recompute.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from herodesk.signals import behaviours, effort, intensity, promises
from herodesk.signals.message import analyse_message
from herodesk.signals.quality.data import data_dir, load_complaints, load_stc3
from herodesk.signals.quality.train import stc_turns

SENT_AT = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


def _messages(root: Path) -> list[str]:
    texts = [t.text for d in load_stc3(root) for t in d.turns]
    texts += [r[0] for r in load_complaints(root)]
    return texts


def one_message(text: str) -> None:
    """The three public calls, each preparing the text itself (shared through prepare's cache)."""
    intensity.score(text)
    behaviours.detect(text)
    promises.detect(text, SENT_AT, "Europe/London")


def one_analysis(text: str) -> None:
    """The same work through ``analyse_message``: one prepare shared explicitly."""
    analyse_message(text, SENT_AT, "Europe/London")


def _rate(items: Sequence, work: Callable, seconds: float) -> tuple[float, int]:
    """Items per second of this process's CPU time (stable on a shared machine; wall time is printed too)."""
    done = 0
    started = time.process_time()
    while True:
        for item in items:
            work(item)
            done += 1
        elapsed = time.process_time() - started
        if elapsed >= seconds:
            return done / elapsed, done


def _wall_rate(items: Sequence, work: Callable) -> float:
    started = time.perf_counter()
    for item in items:
        work(item)
    return len(items) / (time.perf_counter() - started)


def main(data: str | None = None, seconds: float = 3.0) -> int:
    root = data_dir(data)
    texts = _messages(root)
    conversations = [stc_turns(d) for d in load_stc3(root)]
    one_message(texts[0])  # load models once, outside the timing
    effort.score(conversations[0])
    mean_chars = sum(len(t) for t in texts) / len(texts)
    rate, done = _rate(texts, one_analysis, seconds)
    print(f"messages: {len(texts)} real texts (mean {mean_chars:.0f} chars), {done} scored; rates are per")
    print("second of this process's CPU time (one core), so other load on the machine does not count")
    print(
        f"intensity + behaviours + promises (analyse_message): {rate:,.0f} messages/s/core (target >= 5,000)"
    )
    separate, _ = _rate(texts, one_message, seconds / 2)
    print(f"  same, three separate public calls: {separate:,.0f} messages/s/core")
    print(f"  wall clock, one pass (includes other load): {_wall_rate(texts, one_analysis):,.0f} messages/s")
    for name, work in (
        ("intensity", intensity.score),
        ("behaviours", behaviours.detect),
        ("promises", lambda t: promises.detect(t, SENT_AT, "Europe/London")),
    ):
        part_rate, _ = _rate(texts, work, seconds / 3)
        print(f"  {name:<11} alone: {part_rate:,.0f} messages/s/core")
    effort_rate, _ = _rate(conversations, effort.score, seconds)
    mean_turns = sum(len(c) for c in conversations) / len(conversations)
    print(
        f"effort recompute: {1000 / effort_rate:.2f} ms per conversation "
        f"(mean {mean_turns:.1f} turns; target <= 5 ms)"
    )
    long_thread = [turn for c in conversations[:10] for turn in c]
    long_rate, _ = _rate([long_thread], effort.score, seconds / 3)
    print(f"effort recompute, {len(long_thread)}-turn thread: {1000 / long_rate:.2f} ms")
    return 0
