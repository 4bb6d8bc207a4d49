"""`herodesk bench burst`: N new customer messages arrive at once; how long until every one is analysed.

The messages are filed through the same action as mail and the web form (`do_add_customer_message`) on
random conversations of a seeded bench desk, with texts taken from the desk's own customer messages, while
no job worker runs: the backlog is then N analysis jobs. Then the job workers start (the embedded queue's
`herodesk worker`, or Redis workers with REDIS_URL) and the backlog is read every second until it is empty.
A message's analysis is done when it has its intensity score (the analysis job writes it last of the
message's signals; its `PendingWork` row is cleared later by the sweep).
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from herodesk.bench.load import BenchCredentials
from herodesk.bench.procs import ServerProbe

SAMPLE_TEXTS = 2_000


@dataclass
class BurstReport:
    messages: int
    filed_seconds: float
    drained_seconds: float | None
    left: int
    workers: int
    worker_cpu_seconds: float
    worker_rss_mb: dict[str, float] = field(default_factory=dict)
    # (seconds since the workers started, analyses left)
    backlog: list[tuple[float, int]] = field(default_factory=list)

    def lines(self) -> list[str]:
        rate = self.messages / self.filed_seconds if self.filed_seconds else 0.0
        out = [f"filed {self.messages:,} customer messages in {self.filed_seconds:.1f} s ({rate:.0f}/s), "
               f"worker stopped"]
        if self.drained_seconds is None:
            out.append(f"NOT drained: {self.left:,} analyses still pending when the bench gave up")
        else:
            per_second = self.messages / self.drained_seconds if self.drained_seconds else 0.0
            cpu = self.worker_cpu_seconds / self.messages * 1000
            out.append(f"backlog drained by {self.workers} job worker process(es) in "
                       f"{self.drained_seconds:.1f} s ({per_second:.0f} messages/s; "
                       f"{cpu:.1f} ms of worker CPU per message)")
        if self.worker_rss_mb:
            out.append("job worker memory at the end, MB: "
                       + ", ".join(f"{k} {v:.0f}" for k, v in self.worker_rss_mb.items()))
        return out


def customer_texts(limit: int, rng: random.Random) -> list[str]:
    """Real-looking texts: a sample of the desk's own customer messages."""
    from herodesk.conversations.models import Message

    last = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = [rng.randint(1, last) for _ in range(limit * 3)]
    texts = list(
        Message.objects.filter(id__in=ids, kind=Message.Kind.CUSTOMER).values_list("text", flat=True)[:limit]
    )
    return texts or ["Hello, my parcel has still not arrived and I need it by Friday. Can you check?"]


def file_burst(count: int, credentials: BenchCredentials, seed: int,
               progress: Callable[[str], None] = print) -> tuple[float, list[int]]:
    """File ``count`` customer messages on random bench conversations; returns (seconds, message ids)."""
    from herodesk.conversations.actions import IncomingMessage, do_add_customer_message
    from herodesk.conversations.models import Conversation

    rng = random.Random(seed)
    texts = customer_texts(SAMPLE_TEXTS, rng)
    first, last = credentials.first_conversation_id, credentials.last_conversation_id
    ids: list[int] = []
    started = time.perf_counter()
    for done in range(count):
        conversation = Conversation.objects.only("id", "status", "channel").get(pk=rng.randint(first, last))
        incoming = IncomingMessage(text=rng.choice(texts), channel=conversation.channel)
        ids.append(do_add_customer_message(conversation, incoming).pk)
        if (done + 1) % 1000 == 0:
            progress(f"  filed {done + 1:,} of {count:,}")
    return time.perf_counter() - started, ids


def unscored(message_ids: list[int]) -> int:
    from herodesk.conversations.models import Message

    left = 0
    for start in range(0, len(message_ids), 500):  # SQLite's variable limit
        chunk = message_ids[start : start + 500]
        left += Message.objects.filter(pk__in=chunk, intensity__isnull=True).count()
    return left


def _queued_jobs() -> int:
    """Jobs still waiting in the queue (the burst's messages may be scored before their last job ends)."""
    from huey.contrib.djhuey import HUEY

    return int(HUEY.pending_count())


def drain(message_ids: list[int], env: dict[str, str], workers: int, timeout: float,
          progress: Callable[[str], None] = print) -> BurstReport:
    """Start ``workers`` job worker processes and wait until the burst's analyses are done."""
    command = [sys.executable, "-m", "herodesk.cli", "worker"]
    procs = [subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(workers)]
    probes = [ServerProbe(proc.pid) for proc in procs]
    backlog: list[tuple[float, int]] = []
    started = time.perf_counter()
    drained: float | None = None
    messages = left = len(message_ids)
    try:
        while time.perf_counter() - started < timeout:
            left = unscored(message_ids) or _queued_jobs()
            elapsed = time.perf_counter() - started
            backlog.append((round(elapsed, 1), left))
            if left == 0:
                drained = elapsed
                break
            if len(backlog) % 10 == 0:
                progress(f"  {elapsed:.0f} s: {left:,} analyses pending")
            time.sleep(1.0)
        snapshots = [probe.snapshot() for probe in probes]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
    cpu = sum(snap.cpu.get("job", 0.0) for snap in snapshots)
    rss = {f"{name} (process {i})": mb for i, snap in enumerate(snapshots, start=1)
           for name, mb in snap.rss_mb.items()}
    return BurstReport(messages=messages, filed_seconds=0.0, drained_seconds=drained, left=left,
                       workers=workers, worker_cpu_seconds=cpu, worker_rss_mb=rss, backlog=backlog)
