"""`herodesk bench soak`: many agents working at once for minutes; errors must stay 0 and memory flat.

Each simulated agent logs in through the login form, then loops with a think time between steps: open the
inbox, open a conversation, reply, add an internal note, and now and then transfer the conversation to
another team with a hand-off note. Latency is recorded per operation; every 4xx/5xx, connection error or
redirect to the login form is an error. The resident memory (RSS) of the gunicorn web workers and of the job
worker is sampled during the run, so growth that never stops shows as a rising line.

The agents are created on the bench desk through ``accounts.actions`` (an invitation each, on every team)
by a child process that has Django set up for the data dir.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from herodesk.bench.load import CONNECTION_ERRORS, PATHS, BenchCredentials, Client, percentile
from herodesk.bench.procs import memory_sample

OPERATIONS = ("inbox", "conversation", "reply", "note", "transfer")
AGENTS_FILE = "soak-agents.json"
SOAK_PREFIX = "soak"
_MESSAGE_ID = re.compile(rb'name="seen_message" value="(\d+)"')


# --- Agents on the bench desk (child process with Django) ----------------------------------------------


def create_agents(count: int) -> dict[str, object]:
    """``count`` agents on every team, created through the invitation action; returns their logins."""
    from herodesk.accounts.actions import Invitation, do_create_admin, do_invite_agent
    from herodesk.accounts.models import Team, User

    teams = list(Team.objects.order_by("pk"))
    admin = do_create_admin(f"{SOAK_PREFIX}-admin", "soak-admin@bench.example", os.urandom(16).hex())
    run = 1 + User.objects.filter(username__startswith=SOAK_PREFIX, username__endswith="-001").count()
    logins = []
    for number in range(1, count + 1):
        username = f"{SOAK_PREFIX}{run}-{number:03d}"  # each run its own agents: a fresh start, same desk
        _, password = do_invite_agent(
            admin,
            Invitation(username=username, first_name=f"Soak {number}", last_name="Agent",
                       email=f"{username}@bench.example", role=User.Role.AGENT, teams=teams),
        )  # fmt: skip
        logins.append({"username": username, "password": password})
    return {"agents": logins, "team_ids": [team.pk for team in teams]}


# --- One simulated agent -------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, operation: str, seconds: float, status: str) -> None:
        with self.lock:
            self.latencies[operation].append(seconds)
            if status != "ok":
                self.errors[operation][status] += 1


@dataclass
class SoakConfig:
    url: str
    agents: int = 50
    seconds: float = 600.0
    think_seconds: tuple[float, float] = (1.0, 4.0)
    transfer_share: float = 0.1
    seed: int = 1


def _agent_loop(
    config: SoakConfig,
    login: dict[str, str],
    team_ids: list[int],
    credentials: BenchCredentials,
    tally: Tally,
    deadline: float,
    seed: int,
) -> None:
    rng = random.Random(seed)
    client = Client(config.url)
    try:
        started = time.perf_counter()
        client.login(login["username"], login["password"])
        tally.record("login", time.perf_counter() - started, "ok")
    except (RuntimeError, *CONNECTION_ERRORS) as error:
        tally.record("login", time.perf_counter() - started, type(error).__name__)
        return
    try:
        while time.perf_counter() < deadline:
            _work_one_conversation(config, client, rng, team_ids, credentials, tally)
    finally:
        client.close()


def _work_one_conversation(
    config: SoakConfig,
    client: Client,
    rng: random.Random,
    team_ids: list[int],
    credentials: BenchCredentials,
    tally: Tally,
) -> None:
    def think() -> None:
        time.sleep(rng.uniform(*config.think_seconds))

    _step(client, tally, "inbox", "GET", PATHS["inbox"])
    think()
    conversation = rng.randint(credentials.first_conversation_id, credentials.last_conversation_id)
    page = _step(client, tally, "conversation", "GET", PATHS["conversation"].format(id=conversation))
    seen = _MESSAGE_ID.search(page or b"")
    think()
    text = f"Thanks for waiting, I have checked your order ({rng.randrange(10**6)})."
    _step(client, tally, "reply", "POST", f"/c/{conversation}/reply/",
          {"text": text, "seen_message": seen.group(1).decode() if seen else ""})  # fmt: skip
    think()
    _step(client, tally, "note", "POST", f"/c/{conversation}/note/",
          {"text": "Checked the order history; nothing unusual.", "kind": "note"})  # fmt: skip
    if rng.random() < config.transfer_share:
        think()
        _step(
            client,
            tally,
            "transfer",
            "POST",
            f"/c/{conversation}/transfer/",
            {"to_team": str(rng.choice(team_ids)), "note": "Over to you: the customer asked about billing."},
        )
    think()


def _step(
    client: Client, tally: Tally, operation: str, method: str, path: str, form: dict[str, str] | None = None
) -> bytes | None:
    body = headers = None
    if form is not None:
        body = urlencode({**form, "csrfmiddlewaretoken": client.csrf_token}).encode()
        headers = client.form_headers()
    started = time.perf_counter()
    try:
        status, payload = client.request(method, path, body, headers)
    except CONNECTION_ERRORS as error:
        tally.record(operation, time.perf_counter() - started, type(error).__name__)
        return None
    seconds = time.perf_counter() - started
    if status >= 400:
        tally.record(operation, seconds, str(status))
    elif PATHS["login"] in client.last_location:
        tally.record(operation, seconds, "login-redirect")
    else:
        tally.record(operation, seconds, "ok")
    return payload


# --- Memory ---------------------------------------------------------------------------------------------


def _sample_memory(
    server_pid: int | None,
    samples: list[tuple[float, dict[str, float]]],
    started: float,
    deadline: float,
    every: float,
) -> None:
    if server_pid is None:
        return
    while True:
        samples.append((time.perf_counter() - started, memory_sample(server_pid)))
        if time.perf_counter() >= deadline:
            return
        time.sleep(min(every, max(0.0, deadline - time.perf_counter())))


# --- Run and report ------------------------------------------------------------------------------------


def run_soak(
    config: SoakConfig,
    agents: dict[str, object],
    credentials: BenchCredentials,
    server_pid: int | None,
    sample_every: float = 10.0,
) -> dict[str, object]:
    logins = list(agents["agents"])[: config.agents]  # type: ignore[call-overload]
    team_ids = list(agents["team_ids"])  # type: ignore[call-overload]
    tally = Tally()
    samples: list[tuple[float, dict[str, float]]] = []
    started = time.perf_counter()
    deadline = started + config.seconds
    sampler = threading.Thread(
        target=_sample_memory, args=(server_pid, samples, started, deadline, sample_every), daemon=True
    )
    sampler.start()
    threads = [
        threading.Thread(target=_agent_loop, daemon=True,
                         args=(config, login, team_ids, credentials, tally, deadline, config.seed * 1000 + i))
        for i, login in enumerate(logins)
    ]  # fmt: skip
    ramp = min(60.0, config.seconds / 10) / max(len(threads), 1)  # agents arrive over the first tenth
    for thread in threads:
        thread.start()
        time.sleep(ramp)  # a ramp, not a stampede of logins (each one a password hash)
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.perf_counter() + 120))
    sampler.join(timeout=30)
    return summarize(config, tally, samples, time.perf_counter() - started)


def summarize(
    config: SoakConfig, tally: Tally, samples: list[tuple[float, dict[str, float]]], elapsed: float
) -> dict[str, object]:
    operations = {}
    for operation in ("login", *OPERATIONS):
        values = sorted(tally.latencies.get(operation, []))
        errors = dict(tally.errors.get(operation, {}))
        operations[operation] = {
            "requests": len(values), "errors": sum(errors.values()), "error_kinds": errors,
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "max_ms": round(values[-1] * 1000, 1) if values else 0.0,
        }  # fmt: skip
    return {
        "config": {"url": config.url, "agents": config.agents, "seconds": config.seconds,
                   "think_seconds": list(config.think_seconds), "transfer_share": config.transfer_share},
        "elapsed_seconds": round(elapsed, 1),
        "operations": operations,
        "errors": sum(op["errors"] for op in operations.values()),  # type: ignore[misc]
        "memory": memory_report(samples),
    }  # fmt: skip


def memory_report(samples: list[tuple[float, dict[str, float]]]) -> dict[str, object]:
    """Start, middle and end RSS per process (the first sample after the agents logged in counts as start)."""
    if not samples:
        return {}
    picks = {"start": samples[0], "mid": samples[len(samples) // 2], "end": samples[-1]}
    processes = sorted({name for _, sample in samples for name in sample})
    table = {name: {label: sample.get(name) for label, (_, sample) in picks.items()} for name in processes}
    return {
        "samples": len(samples),
        "at_seconds": {label: round(t) for label, (t, _) in picks.items()},
        "rss_mb": table,
        "series": [(round(t), sample) for t, sample in samples],
    }


def format_report(report: dict[str, object]) -> str:
    config = report["config"]
    lines = [
        f"soak: {config['agents']} agents for {report['elapsed_seconds']:.0f} s on {config['url']}",  # type: ignore[index]
        f"{'operation':<14}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}",
    ]
    for name, op in report["operations"].items():  # type: ignore[attr-defined]
        lines.append(
            f"{name:<14}{op['requests']:>9}{op['errors']:>8}{op['p50_ms']:>9.1f}{op['p95_ms']:>9.1f}"
            f"{op['max_ms']:>9.1f}" + (f"  {op['error_kinds']}" if op["errors"] else "")
        )
    lines.append(f"errors: {report['errors']}")
    memory = report["memory"]
    if memory:
        at = memory["at_seconds"]  # type: ignore[index]
        lines.append(f"resident memory, MB (start {at['start']} s, mid {at['mid']} s, end {at['end']} s):")
        for name, row in memory["rss_mb"].items():  # type: ignore[index]
            values = "  ".join(
                f"{label} {value if value is not None else '-':>7}" for label, value in row.items()
            )
            lines.append(f"  {name:<14}{values}")
    return "\n".join(lines)


def agents_via_child(data_dir: Path, count: int, env: dict[str, str]) -> dict[str, object]:
    """Create the agents in a child process with Django set up for ``data_dir``; their logins as a dict."""
    out = data_dir / AGENTS_FILE
    code = (
        "import django, json, sys; django.setup();"
        "from herodesk.bench.soak import create_agents;"
        f"open({str(out)!r}, 'w').write(json.dumps(create_agents({count})))"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    out.chmod(0o600)
    return json.loads(out.read_text(encoding="utf-8"))
