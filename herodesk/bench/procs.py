"""The server's processes as the bench sees them: which are web workers and which the job worker, their
resident memory and their CPU time, read from /proc (Linux), so CPU per request is measured on the server
and not inferred from latency, whatever else the machine is doing."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(child) for child in task.read_text().split())
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        current = todo.pop()
        seen.append(current)
        todo.extend(children(current))
    return seen


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all its threads), 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15 of stat)


def _is_job_worker(command: str) -> bool:
    return "herodesk.cli worker" in command or "run_huey" in command


def server_roles(roots: Iterable[int]) -> dict[str, list[int]]:
    """The web workers (gunicorn processes that are not the master) and the job workers under ``roots``."""
    pids = sorted({pid for root in roots for pid in descendants(root)})
    roles: dict[str, list[int]] = {"web": [], "job": []}
    for pid in pids:
        command = command_line(pid)
        if "gunicorn" in command and not any("gunicorn" in command_line(c) for c in children(pid)):
            roles["web"].append(pid)
        elif _is_job_worker(command) and not any(_is_job_worker(command_line(c)) for c in children(pid)):
            roles["job"].append(pid)
    return roles


def memory_sample(server_pid: int, extra_roots: Iterable[int] = ()) -> dict[str, float]:
    """RSS in MB of each gunicorn worker and of the job worker(s) under the ``herodesk serve`` process."""
    roles = server_roles([server_pid, *extra_roots])
    sample = {f"web worker {i}": round(rss_mb(pid), 1) for i, pid in enumerate(roles["web"], start=1)}
    jobs = roles["job"]
    for i, pid in enumerate(jobs, start=1):
        sample["job worker" if len(jobs) == 1 else f"job worker {i}"] = round(rss_mb(pid), 1)
    return sample


@dataclass
class Snapshot:
    """CPU seconds summed per role, and each process's RSS, at one moment."""

    cpu: dict[str, float] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)


@dataclass
class ServerProbe:
    """Reads the server's processes before and after each measured operation."""

    server_pid: int
    extra_roots: tuple[int, ...] = ()

    def snapshot(self) -> Snapshot:
        roles = server_roles([self.server_pid, *self.extra_roots])
        cpu = {role: sum(cpu_seconds(pid) for pid in pids) for role, pids in roles.items()}
        return Snapshot(cpu=cpu, rss_mb=memory_sample(self.server_pid, self.extra_roots))


def cpu_ms_per_request(before: Snapshot, after: Snapshot, role: str, requests: int) -> float | None:
    """Server CPU of ``role`` spent between two snapshots, per request (None without requests).

    A worker restarted in between would make the difference negative; that reads as unknown."""
    if not requests:
        return None
    spent = after.cpu.get(role, 0.0) - before.cpu.get(role, 0.0)
    return round(spent / requests * 1000, 2) if spent >= 0 else None
