"""Load generator for `herodesk bench run`: concurrent keep-alive HTTP clients, stdlib only.

Each client logs in through the real login form, then every operation runs with C clients for D
seconds (or until a request cap) and reports p50/p95/p99/mean and throughput. Loopback only.
"""

from __future__ import annotations

import http.client
import json
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from herodesk.bench.procs import ServerProbe, Snapshot, cpu_ms_per_request

# --- What the benchmark calls: adjust here when the URLs change ------------------------------------------
PATHS = {
    "login": "/accounts/login/",
    "inbox": "/inbox/open/",
    "inbox_mine": "/inbox/mine/",
    "conversation": "/c/{id}/",
    "reply": "/c/{id}/reply/",
    "search": "/search/?q={q}",
    "api_list": "/api/v1/conversations?status=open",
    "api_read": "/api/v1/conversations/{id}",
    "api_create": "/api/v1/conversations",
    "presence": "/presence/c/{id}/",
}
OPERATIONS = ("inbox", "inbox_mine", "conversation", "reply", "search", "api_list", "api_read", "api_create",
              "presence")
# p95 targets from the issue, in milliseconds.
TARGETS_MS = {
    "inbox": 50.0, "inbox_mine": 50.0, "conversation": 50.0, "api_list": 50.0, "api_read": 50.0,
    "search": 100.0, "reply": 100.0, "api_create": 100.0,
    "presence": 20.0,  # the poll every open conversation screen sends every 5 s
}
# From very common ("refund" is in about one conversation in six) to rare (a surname, a city) to none.
SEARCH_TERMS = (
    "refund", "invoice", "delivery", "password", "passport", "boarding pass", "double charge", "router",
    "espresso", "Lisbon", "Okafor", "Kowalski", "lost parcel Lisbon", "charged twice", "deliv", "refun",
    "outage Helsinki", "lawyer", "third time", "xylophone",
)
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
CONNECTION_ERRORS = (http.client.HTTPException, ConnectionError, TimeoutError, OSError)
CREDENTIALS_FILE = "bench-credentials.json"


@dataclass(frozen=True)
class BenchCredentials:
    """What the load generator needs: a login, an API token and the range of conversation ids."""

    username: str
    password: str
    token: str
    first_conversation_id: int
    last_conversation_id: int

    def save(self, directory: Path) -> Path:
        path = directory / CREDENTIALS_FILE
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        path.chmod(0o600)
        return path

    @classmethod
    def load(cls, path: Path) -> BenchCredentials:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


@dataclass
class LoadConfig:
    url: str = "http://127.0.0.1:8000"
    concurrency: int = 4
    seconds: float = 20.0
    max_requests: int = 50_000  # per operation, so a fast server cannot run away with disk space
    warmup_requests: int = 5  # per client and operation, not measured
    request_timeout: float = 60.0  # seconds one request may take (a slow reference desk needs more)
    operations: Sequence[str] = OPERATIONS
    seed: int = 1


@dataclass
class OperationResult:
    operation: str
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    throughput_rps: float
    target_p95_ms: float | None
    meets_target: bool | None
    statuses: dict[str, int] = field(default_factory=dict)
    # Read on the server's processes when the bench knows them (`bench all`, or `bench run --server-pid`):
    # CPU of the web workers per request, CPU the job worker spent meanwhile (analysis of replies) per
    # request, and the largest resident memory of a web worker and of the job worker at the end.
    server_cpu_ms: float | None = None
    job_cpu_ms: float | None = None
    web_rss_mb: float | None = None
    job_rss_mb: float | None = None


class Client:
    """One browser-like client: a keep-alive connection, its cookies and (for the API) a bearer token."""

    def __init__(
        self, url: str, token: str = "", login_path: str = PATHS["login"], timeout: float = 60
    ) -> None:
        parts = urlsplit(url)
        if parts.hostname not in LOOPBACK:
            raise ValueError(f"the benchmark only talks to loopback addresses, not {parts.hostname}")
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token
        self.login_path = login_path
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.last_location = ""
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = {**self._default_headers(), **(headers or {})}
        try:
            return self._send(method, path, body, headers)
        except CONNECTION_ERRORS:
            # The server closed an idle keep-alive connection: reconnect once and retry.
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            return self._send(method, path, body, headers)

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        self.last_location = response.getheader("Location") or ""
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, payload

    def _default_headers(self) -> dict[str, str]:
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "herodesk-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    @property
    def csrf_token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def login(self, username: str, password: str) -> None:
        self.request("GET", self.login_path)
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": self.csrf_token})
        status, _ = self.request("POST", self.login_path, form.encode(), self.form_headers())
        if status not in (302, 303) or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username} failed (HTTP {status}); is the user seeded?")

    def form_headers(self) -> dict[str, str]:
        return {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.csrf_token,
                "Referer": f"http://{self.host}:{self.port}{self.login_path}"}

    def close(self) -> None:
        self.conn.close()


# --- Requests per operation -------------------------------------------------------------------------------

def _random_id(rng: random.Random, credentials: BenchCredentials) -> int:
    return rng.randint(credentials.first_conversation_id, credentials.last_conversation_id)


def make_request(operation: str, client: Client, rng: random.Random,
                 credentials: BenchCredentials) -> tuple[str, str, bytes | None, dict[str, str]]:
    """(method, path, body, headers) of one request for ``operation``."""
    if operation in ("inbox", "inbox_mine", "api_list"):
        return "GET", PATHS[operation], None, _api_headers(credentials) if operation == "api_list" else {}
    if operation in ("conversation", "api_read"):
        headers = _api_headers(credentials) if operation == "api_read" else {}
        return "GET", PATHS[operation].format(id=_random_id(rng, credentials)), None, headers
    if operation == "search":
        return "GET", PATHS["search"].format(q=quote(rng.choice(SEARCH_TERMS))), None, {}
    if operation == "reply":
        text = f"Thanks for your patience, I have checked this for you ({rng.randrange(10**6)})."
        form = urlencode({"text": text, "csrfmiddlewaretoken": client.csrf_token}).encode()
        path = PATHS["reply"].format(id=_random_id(rng, credentials))
        return "POST", path, form, client.form_headers()
    if operation == "presence":
        # An open conversation screen's heartbeat: records the agent, lists the others, counts new messages.
        typing = rng.choice(("", "", "reply"))
        form = urlencode({"typing": typing, "seen": 1, "csrfmiddlewaretoken": client.csrf_token}).encode()
        path = PATHS["presence"].format(id=_random_id(rng, credentials))
        return "POST", path, form, client.form_headers()
    if operation == "api_create":
        n = rng.randrange(10**9)
        body = json.dumps({
            "subject": f"Order HD-{n} never arrived",
            "customer_email": f"bench{n}@example.com",
            "text": "Tracking says delivered but there was no parcel at my door.",
        }).encode()
        headers = {**_api_headers(credentials), "Content-Type": "application/json"}
        return "POST", PATHS["api_create"], body, headers
    raise ValueError(f"unknown operation {operation!r}; choose from {', '.join(OPERATIONS)}")


def _api_headers(credentials: BenchCredentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials.token}", "Accept": "application/json"}


# --- Running ----------------------------------------------------------------------------------------------

@dataclass
class _Tally:
    """Latencies and statuses shared by the client threads of one operation."""

    cap: int
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self) -> bool:
        with self.lock:
            if len(self.latencies) + self.statuses["pending"] >= self.cap:
                return False
            self.statuses["pending"] += 1
            return True

    def record(self, seconds: float, status: str) -> None:
        with self.lock:
            self.statuses["pending"] -= 1
            self.latencies.append(seconds)
            self.statuses[status] += 1


def run_load(config: LoadConfig, credentials: BenchCredentials,
             probe: ServerProbe | None = None) -> list[OperationResult]:
    """Log the clients in once, then measure every operation in turn (reading the server's CPU and
    memory around each one when a ``probe`` is given)."""
    clients = [Client(config.url, credentials.token, timeout=config.request_timeout)
               for _ in range(config.concurrency)]
    if any(not op.startswith("api_") for op in config.operations):  # the API needs only the token
        for client in clients:
            client.login(credentials.username, credentials.password)
    try:
        return [_run_operation(op, clients, config, credentials, probe) for op in config.operations]
    finally:
        for client in clients:
            client.close()


# One timed request (or page view of several requests) by one client: (seconds, status label).
Perform = Callable[[Client, random.Random], tuple[float, str]]


def _run_operation(operation: str, clients: list[Client], config: LoadConfig,
                   credentials: BenchCredentials, probe: ServerProbe | None = None) -> OperationResult:
    def perform(client: Client, rng: random.Random) -> tuple[float, str]:
        return _timed(client, make_request(operation, client, rng, credentials))

    return measure_operation(operation, clients, config, perform, probe)


def measure_operation(operation: str, clients: list[Client], config: LoadConfig,
                      perform: Perform, probe: ServerProbe | None = None) -> OperationResult:
    """Every client warms up, then all of them repeat ``perform`` for ``config.seconds`` (with the
    server's CPU and memory read before and after when a ``probe`` is given)."""
    tally = _Tally(cap=config.max_requests)
    deadline = [0.0]
    # The warm-up may take as long as its requests may (each retried once after a dropped connection).
    warmup_seconds = 2 * config.warmup_requests * config.request_timeout
    ready = threading.Barrier(len(clients) + 1, timeout=600 + warmup_seconds)
    threads = [
        threading.Thread(target=_client_loop, args=(perform, client, config, tally, ready,
                                                    deadline, config.seed * 1000 + i), daemon=True)
        for i, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    ready.wait()  # every client has warmed up
    before = probe.snapshot() if probe else None
    started = time.perf_counter()
    deadline[0] = started + config.seconds
    ready.wait()
    for thread in threads:
        thread.join()
    result = summarize(operation, tally, time.perf_counter() - started)
    if probe and before:
        with_server_readings(result, before, probe.snapshot())
    return result


def with_server_readings(result: OperationResult, before: Snapshot, after: Snapshot) -> OperationResult:
    result.server_cpu_ms = cpu_ms_per_request(before, after, "web", result.requests)
    result.job_cpu_ms = cpu_ms_per_request(before, after, "job", result.requests)
    web = [mb for name, mb in after.rss_mb.items() if name.startswith("web")]
    jobs = [mb for name, mb in after.rss_mb.items() if name.startswith("job")]
    result.web_rss_mb = max(web) if web else None
    result.job_rss_mb = max(jobs) if jobs else None
    return result


def _client_loop(perform: Perform, client: Client, config: LoadConfig, tally: _Tally,
                 ready: threading.Barrier, deadline: list[float], seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(config.warmup_requests):
        perform(client, rng)
    ready.wait()
    ready.wait()  # the deadline is set between the two barriers
    while time.perf_counter() < deadline[0] and tally.claim():
        seconds, status = perform(client, rng)
        tally.record(seconds, status)


def _timed(client: Client, request: tuple[str, str, bytes | None, dict[str, str]]) -> tuple[float, str]:
    method, path, body, headers = request
    started = time.perf_counter()
    try:
        status, _ = client.request(method, path, body, headers)
        label = status_label(client, status)
    except CONNECTION_ERRORS as exc:
        label = type(exc).__name__
    return time.perf_counter() - started, label


def status_label(client: Client, status: int) -> str:
    # A redirect to the login form means the session was lost: that is a failure, not a fast page.
    return "login-redirect" if client.login_path in client.last_location else str(status)


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values) - 1e-9))  # tolerate 0.95 * 100 = 95.00000000000001
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(operation: str, tally: _Tally, elapsed: float) -> OperationResult:
    values = sorted(tally.latencies)
    statuses = {k: v for k, v in tally.statuses.items() if k != "pending" and v}
    errors = sum(v for k, v in statuses.items() if not (k.isdigit() and int(k) < 400))
    p95 = percentile(values, 0.95) * 1000
    target = TARGETS_MS.get(operation)
    ok = None if target is None or not values else (p95 <= target and errors == 0)
    return OperationResult(
        operation=operation, requests=len(values), errors=errors,
        p50_ms=round(percentile(values, 0.50) * 1000, 2), p95_ms=round(p95, 2),
        p99_ms=round(percentile(values, 0.99) * 1000, 2),
        mean_ms=round(sum(values) / len(values) * 1000, 2) if values else 0.0,
        max_ms=round(values[-1] * 1000, 2) if values else 0.0,
        throughput_rps=round(len(values) / elapsed, 1) if elapsed else 0.0,
        target_p95_ms=target, meets_target=ok, statuses=statuses,
    )


# --- Reporting --------------------------------------------------------------------------------------------

def format_table(results: Sequence[OperationResult], baseline: dict[str, float] | None = None) -> str:
    header = f"{'operation':<13}{'requests':>9}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}" \
             f"{'mean ms':>9}{'req/s':>8}{'cpu ms':>8}{'job ms':>8}{'target':>8}  verdict"
    lines = [header, "-" * len(header)]
    for r in results:
        verdict = {True: "ok", False: "MISS", None: "-"}[r.meets_target]
        if baseline and r.operation in baseline and baseline[r.operation]:
            ratio = r.p95_ms / baseline[r.operation]
            verdict += f"  x{ratio:.2f} vs baseline{' (>1.5)' if ratio > 1.5 else ''}"
        target = f"{r.target_p95_ms:.0f}" if r.target_p95_ms else "-"
        lines.append(f"{r.operation:<13}{r.requests:>9}{r.errors:>7}{r.p50_ms:>9.1f}{r.p95_ms:>9.1f}"
                     f"{r.p99_ms:>9.1f}{r.mean_ms:>9.1f}{r.throughput_rps:>8.0f}{_ms(r.server_cpu_ms):>8}"
                     f"{_ms(r.job_cpu_ms):>8}{target:>8}  {verdict}")
    lines.append("cpu ms: web workers' CPU per request; job ms: the job worker's CPU meanwhile, per request")
    memory = [r for r in results if r.web_rss_mb is not None]
    if memory:
        last = memory[-1]
        job = f", job worker {last.job_rss_mb:.0f} MB" if last.job_rss_mb is not None else ""
        lines.append(f"resident memory at the end: largest web worker {last.web_rss_mb:.0f} MB{job}")
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def results_json(results: Sequence[OperationResult], config: LoadConfig, extra: dict[str, object]) -> str:
    return json.dumps({"config": {**asdict(config), "operations": list(config.operations)}, **extra,
                       "results": [asdict(r) for r in results]}, indent=2)


def baseline_p95(path: str) -> dict[str, float]:
    """p95 per operation from an earlier JSON result (e.g. the 100,000 run) for the 1.5x scaling check."""
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    return {r["operation"]: float(r["p95_ms"]) for r in document["results"]}
