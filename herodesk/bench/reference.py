"""`herodesk bench compare`: herodesk and django-helpdesk (the reference desk) side by side.

Both desks hold the same number of conversations (tickets) of 5 messages, are served the same way
(gunicorn, W workers x T gthread threads, DEBUG off) and are loaded by the same generator
(`load.measure_operation`, the same clients, warm-up and time per operation), one after the other in
one run. Each shared operation maps to what a person or API client does on each desk:

- list: /inbox/open/ | /tickets/ and its DataTables request (first 25 rows)
- search: /search/?q= | /tickets/?q=&search_type=header and its DataTables request
- conversation: /c/{id}/ | /tickets/{id}/
- api_read: /api/v1/conversations/{id} | /api/tickets/{id}/ (JSON)
- api_list: /api/v1/conversations?status=open | /api/tickets/?status=1 (JSON)

The reference list and search pages are an HTML shell whose table is filled by a second request
(`/datatables_ticket_list/<base64 query>`); a browser needs both to show a ticket, so both are timed
as one page view. The reference API is read with the logged-in session (an API client with HTTP Basic
would also pay a password hash per request).
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from urllib.parse import quote

from herodesk.bench import load
from herodesk.bench.load import BenchCredentials, Client, LoadConfig, OperationResult

SHARED_OPERATIONS = ("list", "search", "conversation", "api_read", "api_list")
# The herodesk bench operation that does the same job.
HERODESK_OPERATION = {"list": "inbox", "search": "search", "conversation": "conversation",
                      "api_read": "api_read", "api_list": "api_list"}
REFERENCE_PATHS = {
    "login": "/login/",
    "list": "/tickets/",
    "search": "/tickets/?q={q}&search_type=header",
    "conversation": "/tickets/{id}/",
    "api_read": "/api/tickets/{id}/",
    "api_list": "/api/tickets/?status=1",
}
# What DataTables sends for the first page; 25 is the demo's tickets_per_page.
DATATABLES_PARAMS = "draw=1&start=0&length=25"
_DATATABLES_URL = re.compile(rb"""["'](/datatables_ticket_list/[A-Za-z0-9+/=_-]+)["']""")
JSON_HEADERS = {"Accept": "application/json"}
TARGET_RATIO = 20.0


@dataclass(frozen=True)
class ReferenceCredentials:
    """What `scripts/reference-desk/setup.sh` writes to DIR/credentials.json."""

    username: str
    password: str
    first_ticket_id: int
    last_ticket_id: int

    @classmethod
    def load(cls, path: Path) -> ReferenceCredentials:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def datatables_path(page: bytes) -> str:
    """The data request a reference list page makes, found in its HTML, with the first page's params."""
    match = _DATATABLES_URL.search(page)
    if match is None:
        raise ValueError("no DataTables URL in the reference list page")
    return f"{match.group(1).decode('ascii')}?{DATATABLES_PARAMS}"


def reference_path(operation: str, rng: random.Random, credentials: ReferenceCredentials) -> str:
    """The first request of ``operation`` on the reference desk."""
    if operation in ("conversation", "api_read"):
        ticket = rng.randint(credentials.first_ticket_id, credentials.last_ticket_id)
        return REFERENCE_PATHS[operation].format(id=ticket)
    if operation == "search":
        return REFERENCE_PATHS["search"].format(q=quote(rng.choice(load.SEARCH_TERMS)))
    if operation in ("list", "api_list"):
        return REFERENCE_PATHS[operation]
    raise ValueError(f"unknown operation {operation!r}; choose from {', '.join(SHARED_OPERATIONS)}")


def reference_performer(operation: str, credentials: ReferenceCredentials) -> load.Perform:
    """A timed page view of ``operation`` on the reference desk (two requests for list and search)."""
    headers = JSON_HEADERS if operation.startswith("api_") else {}

    def perform(client: Client, rng: random.Random) -> tuple[float, str]:
        path = reference_path(operation, rng, credentials)
        started = time.perf_counter()
        try:
            status, body = client.request("GET", path, None, headers)
            label = load.status_label(client, status)
            if operation in ("list", "search") and status == 200:
                status, _ = client.request("GET", datatables_path(body), None, JSON_HEADERS)
                label = load.status_label(client, status)
        except load.CONNECTION_ERRORS as exc:
            label = type(exc).__name__
        except ValueError:
            label = "no-data-url"
        return time.perf_counter() - started, label

    return perform


def measure_reference(
    url: str, credentials: ReferenceCredentials, config: LoadConfig
) -> list[OperationResult]:
    clients = [Client(url, login_path=REFERENCE_PATHS["login"], timeout=config.request_timeout)
               for _ in range(config.concurrency)]
    try:
        for client in clients:
            client.login(credentials.username, credentials.password)
        results = [load.measure_operation(op, clients, config, reference_performer(op, credentials))
                   for op in config.operations]
    finally:
        for client in clients:
            client.close()
    for result in results:  # herodesk's p95 targets are not the reference's
        result.target_p95_ms, result.meets_target = None, None
    return results


def measure_herodesk(url: str, credentials: BenchCredentials, config: LoadConfig) -> list[OperationResult]:
    """The same shared operations on herodesk, reported under their shared names."""
    mapped = replace(config, url=url, operations=[HERODESK_OPERATION[op] for op in config.operations])
    results = load.run_load(mapped, credentials)
    for shared, result in zip(config.operations, results, strict=True):
        result.operation = shared
    return results


# --- Reporting --------------------------------------------------------------------------------------------

@dataclass
class Comparison:
    operation: str
    clients: int
    reference: OperationResult
    herodesk: OperationResult

    @property
    def ratio_p50(self) -> float:
        return _ratio(self.reference.p50_ms, self.herodesk.p50_ms)

    @property
    def ratio_p95(self) -> float:
        return _ratio(self.reference.p95_ms, self.herodesk.p95_ms)

    @property
    def meets_target(self) -> bool:
        """At least 20x at p50 and p95, and no failed request on either desk."""
        clean = self.reference.errors == 0 and self.herodesk.errors == 0
        return clean and min(self.ratio_p50, self.ratio_p95) >= TARGET_RATIO


def _ratio(reference_ms: float, herodesk_ms: float) -> float:
    return reference_ms / herodesk_ms if herodesk_ms > 0 else 0.0


def compare(clients: int, reference: Sequence[OperationResult],
            herodesk: Sequence[OperationResult]) -> list[Comparison]:
    ours = {r.operation: r for r in herodesk}
    return [Comparison(r.operation, clients, r, ours[r.operation]) for r in reference if r.operation in ours]


def format_comparison(rows: Sequence[Comparison]) -> str:
    header = (f"{'operation':<13}{'clients':>8}{'reference p50/p95 ms':>24}{'herodesk p50/p95 ms':>22}"
              f"{'ratio p50':>11}{'ratio p95':>11}{'requests ref/hd':>17}{'errors':>8}  verdict")
    lines = [header, "-" * len(header)]
    for row in rows:
        ref, ours = row.reference, row.herodesk
        verdict = "ok" if row.meets_target else f"MISS (< {TARGET_RATIO:.0f}x or errors)"
        lines.append(
            f"{row.operation:<13}{row.clients:>8}{_pair(ref):>24}{_pair(ours):>22}"
            f"{row.ratio_p50:>10.0f}x{row.ratio_p95:>10.0f}x{f'{ref.requests}/{ours.requests}':>17}"
            f"{f'{ref.errors}/{ours.errors}':>8}  {verdict}")
    return "\n".join(lines)


def _pair(result: OperationResult) -> str:
    return f"{_ms(result.p50_ms)} / {_ms(result.p95_ms)}"


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def comparison_json(rows: Sequence[Comparison], extra: dict[str, object]) -> str:
    return json.dumps({**extra, "rows": [
        {"operation": r.operation, "clients": r.clients, "ratio_p50": round(r.ratio_p50, 1),
         "ratio_p95": round(r.ratio_p95, 1), "meets_target": r.meets_target,
         "reference": asdict(r.reference), "herodesk": asdict(r.herodesk)} for r in rows]}, indent=2)
