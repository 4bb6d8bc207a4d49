"""Progress of a bulk signals run (the demo's first analysis, an import): a small JSON file in the data
directory that the process doing the work writes and every web worker reads for the desk's notice.

A file rather than a row: the run writes it after every batch, and a row would take the SQLite write
lock that the desk's own writes need while the run is busy.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings

PHASES = {
    "seeding": "Creating the demo data",
    "training": "Training the contact-reason model",
    "analysing": "Computing hero signals",
    "grouping": "Grouping untagged conversations into proposed reasons",
}


@dataclass(frozen=True)
class Progress:
    phase: str  # a key of PHASES, or "done"
    done: int
    total: int
    started_at: float  # epoch seconds
    updated_at: float

    @property
    def running(self) -> bool:
        return self.phase != "done"

    @property
    def label(self) -> str:
        return PHASES.get(self.phase, "Finished")

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    def eta_seconds(self) -> int | None:
        """Seconds left at the pace so far in this phase (None until there is a pace)."""
        elapsed = self.updated_at - self.started_at
        if not self.done or not self.total or elapsed <= 0:
            return None
        return int(elapsed / self.done * (self.total - self.done))


def path() -> Path:
    return Path(settings.DATA_DIR) / "signals-progress.json"


def read() -> Progress | None:
    """The last progress written; None when no run was recorded or the file is unreadable."""
    try:
        raw = json.loads(path().read_text(encoding="utf-8"))
        return Progress(
            str(raw["phase"]), int(raw["done"]), int(raw["total"]),
            float(raw["started_at"]), float(raw["updated_at"]),
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running() -> Progress | None:
    progress = read()
    return progress if progress is not None and progress.running else None


def write(phase: str, done: int, total: int, started_at: float | None = None) -> Progress:
    """Record where the run is (atomically: readers never see half a file)."""
    now = time.time()
    progress = Progress(phase, done, total, now if started_at is None else started_at, now)
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".signals-progress.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(progress), handle)
    os.replace(tmp, target)
    return progress


def finish(total: int) -> Progress:
    return write("done", total, total)
