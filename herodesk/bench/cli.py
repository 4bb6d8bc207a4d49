"""`herodesk bench seed|run|all|cpu|burst|soak|compare`: seed a big desk, serve it, measure it.

`seed` and `all` need Django settings for the chosen data dir; when this process already runs with
another data dir, the work is re-run in a child process with the right environment.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from herodesk.bench import load
from herodesk.bench.load import CREDENTIALS_FILE, BenchCredentials
from herodesk.bench.procs import ServerProbe
from herodesk.bench.reference import SHARED_OPERATIONS

DEFAULT_CONVERSATIONS = 1_000_000
SERVER_ENV = {
    "HERODESK_HTTPS": "false",
    "HERODESK_DEBUG": "false",
    "HERODESK_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "HERODESK_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "HERODESK_LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "herodesk.settings",
}


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    return int(args.handler(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="herodesk bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    seed = commands.add_parser("seed", help="seed N conversations into the data dir (or DATABASE_URL)")
    _seed_options(seed)
    seed.set_defaults(handler=_cmd_seed)

    run = commands.add_parser("run", help="measure a running server over HTTP")
    run.add_argument("--url", default="http://127.0.0.1:8000")
    run.add_argument("--credentials", type=Path, help=f"default: <data dir>/{CREDENTIALS_FILE}")
    run.add_argument("--data-dir", type=Path, help="where `bench seed` left its credentials")
    run.add_argument("--server-pid", type=int, help="the `herodesk serve` pid: report its CPU and memory")
    run.add_argument("--worker-pid", type=int, action="append", default=[],
                     help="a separate `herodesk worker` pid (Redis), repeatable")
    _load_options(run)
    run.set_defaults(handler=_cmd_run)

    cpu = commands.add_parser("cpu", help="server CPU and SQL queries per request (in-process, seeded dir)")
    cpu.add_argument("--data-dir", type=Path, required=True, help="a data dir seeded by `bench seed`")
    cpu.add_argument("--requests", type=int, default=100, help="requests per operation")
    cpu.add_argument("--json-out", type=Path)
    cpu.set_defaults(handler=_cmd_cpu)

    everything = commands.add_parser("all", help="seed a fresh database, start gunicorn, run the load, stop")
    _seed_options(everything)
    everything.add_argument("--reuse", action="store_true", help="reuse an already seeded data dir")
    everything.add_argument("--port", type=int, default=8765)
    everything.add_argument("--workers", type=int, default=2)
    everything.add_argument("--threads", type=int, default=4)
    _load_options(everything)
    everything.set_defaults(handler=_cmd_all)

    burst = commands.add_parser("burst", help="file N customer messages at once, time the analysis backlog")
    burst.add_argument("--data-dir", type=Path, required=True, help="a data dir seeded by `bench seed`")
    burst.add_argument("--messages", type=int, default=10_000)
    burst.add_argument("--workers", type=int, default=1, help="job worker processes to drain it")
    burst.add_argument("--timeout", type=float, default=3600.0, help="give up after this many seconds")
    burst.add_argument("--seed", type=int, default=1)
    burst.add_argument("--json-out", type=Path)
    burst.set_defaults(handler=_cmd_burst)

    soak = commands.add_parser("soak", help="N agents read, reply, note, transfer for minutes; RSS sampled")
    soak.add_argument("--data-dir", type=Path, required=True, help="a data dir seeded by `bench seed`")
    soak.add_argument("--agents", type=int, default=50)
    soak.add_argument("--minutes", type=float, default=10.0)
    soak.add_argument("--url", help="a running `herodesk serve` on this data dir (default: start one)")
    soak.add_argument("--server-pid", type=int, help="with --url: the `herodesk serve` pid, to sample memory")
    soak.add_argument("--port", type=int, default=8766)
    soak.add_argument("--workers", type=int, default=2)
    soak.add_argument("--threads", type=int, default=4)
    soak.add_argument("--seed", type=int, default=1)
    soak.add_argument("--json-out", type=Path, help="write the results (with the memory series) as JSON here")
    soak.set_defaults(handler=_cmd_soak)

    side = commands.add_parser("compare", help="herodesk and django-helpdesk side by side, in one run")
    side.add_argument("--data-dir", type=Path, required=True, help="a data dir seeded by `bench seed`")
    side.add_argument("--reference-dir", type=Path, required=True,
                      help="a DIR made by scripts/reference-desk/setup.sh (its venv, project and database)")
    side.add_argument("--clients", default="1,4", help="comma-separated concurrency levels")
    side.add_argument("--seconds", type=float, default=20.0, help="per operation and concurrency level")
    side.add_argument("--warmup", type=int, default=1, help="unmeasured page views per client and operation")
    side.add_argument("--max-requests", type=int, default=50_000, help="cap per operation")
    side.add_argument("--operations", default=",".join(SHARED_OPERATIONS))
    side.add_argument("--port", type=int, default=8765)
    side.add_argument("--reference-port", type=int, default=8770)
    side.add_argument("--workers", type=int, default=2)
    side.add_argument("--threads", type=int, default=4)
    side.add_argument("--timeout", type=float, default=900.0, help="seconds one request may take")
    side.add_argument("--json-out", type=Path)
    side.set_defaults(handler=_cmd_compare)
    return parser


def _seed_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--conversations", type=int, default=DEFAULT_CONVERSATIONS)
    parser.add_argument("--messages", type=int, default=5, help="messages per conversation")
    parser.add_argument("--customers", type=int, help="default: conversations / 5")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, help="HERODESK_DATA_DIR to seed (SQLite); must be fresh")


def _load_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap per operation")
    parser.add_argument("--operations", default=",".join(load.OPERATIONS))
    parser.add_argument("--json-out", type=Path, help="write the results as JSON here too")
    parser.add_argument("--baseline", help="JSON of a smaller run: report the p95 ratio (target <= 1.5)")


# --- seed ---------------------------------------------------------------------------------------------------

def _cmd_seed(args: argparse.Namespace) -> int:
    if not _django_ready(args.data_dir):
        return _rerun_in_child(["seed", *_seed_argv(args)], args.data_dir)
    from django.conf import settings
    from django.core.management import call_command

    from herodesk.bench.seed import seed_bench

    call_command("migrate", interactive=False, verbosity=0)
    report = seed_bench(args.conversations, args.messages, args.customers, seed=args.seed,
                        progress=lambda line: print(line, flush=True))
    path = report.credentials.save(Path(settings.DATA_DIR))
    print(f"messages {report.messages:,}  events {report.events:,}  customers {report.customers:,}")
    print(f"database size: {_database_size() / 1e9:.2f} GB")
    print(f"credentials: {path} (user {report.credentials.username})")
    return 0


def _cmd_cpu(args: argparse.Namespace) -> int:
    if not _django_ready(args.data_dir):
        return _rerun_in_child(["cpu", "--data-dir", str(args.data_dir), "--requests", str(args.requests)]
                               + (["--json-out", str(args.json_out)] if args.json_out else []), args.data_dir)
    from huey.contrib.djhuey import HUEY

    from herodesk.bench import cpu

    HUEY.immediate = False  # jobs go to the queue as in production; only the web request is measured
    results = cpu.measure(args.requests)
    print(cpu.report(results))
    if args.json_out:
        args.json_out.write_text(cpu.as_json(results))
    return 0


def _seed_argv(args: argparse.Namespace) -> list[str]:
    argv = ["--conversations", str(args.conversations), "--messages", str(args.messages)]
    argv += ["--seed", str(args.seed)]
    if args.customers is not None:
        argv += ["--customers", str(args.customers)]
    return argv


def _django_ready(data_dir: Path | None) -> bool:
    """Set Django up for ``data_dir``; False if settings were already loaded for another data dir."""
    import django
    from django.conf import settings

    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        if settings.configured and Path(settings.DATA_DIR) != data_dir.resolve():
            return False
        os.environ["HERODESK_DATA_DIR"] = str(data_dir.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herodesk.settings")
    django.setup()
    return True


def _rerun_in_child(argv: list[str], data_dir: Path) -> int:
    env = {**os.environ, "HERODESK_DATA_DIR": str(data_dir.resolve())}
    command = [sys.executable, "-m", "herodesk.bench.cli", *argv]
    return subprocess.run(command, env=env, check=False).returncode


def _database_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


# --- run ----------------------------------------------------------------------------------------------------

def _cmd_run(args: argparse.Namespace) -> int:
    path = args.credentials or (args.data_dir or Path(os.environ.get("HERODESK_DATA_DIR", "herodesk-data")))
    if path.is_dir():
        path = path / CREDENTIALS_FILE
    probe = ServerProbe(args.server_pid, tuple(args.worker_pid)) if args.server_pid else None
    return _measure(args, args.url, BenchCredentials.load(path), probe)


def _database_label() -> str:
    """Which database the measured server uses, from the environment it was started with."""
    url = os.environ.get("DATABASE_URL", "")
    queue = "Redis workers" if os.environ.get("REDIS_URL") else "embedded job queue"
    return f"{url.split(':', 1)[0] or 'sqlite'}, {queue}"


def _measure(args: argparse.Namespace, url: str, credentials: BenchCredentials,
             probe: ServerProbe | None = None) -> int:
    config = load.LoadConfig(url=url, concurrency=args.concurrency, seconds=args.seconds,
                             max_requests=args.max_requests, operations=_operations(args.operations))
    print(f"load: {config.concurrency} clients x {config.seconds:.0f} s per operation on {url}", flush=True)
    idle = probe.snapshot().rss_mb if probe else {}
    if idle:
        print("resident memory before the load, MB: " + ", ".join(f"{k} {v:.0f}" for k, v in idle.items()))
    results = load.run_load(config, credentials, probe)
    baseline = load.baseline_p95(args.baseline) if args.baseline else None
    print(load.format_table(results, baseline))
    conversations = credentials.last_conversation_id - credentials.first_conversation_id + 1
    extra = {"conversations": conversations, "database": _database_label(), "idle_rss_mb": idle}
    document = load.results_json(results, config, extra)
    print(document)
    if args.json_out:
        args.json_out.write_text(document, encoding="utf-8")
    return 0 if all(r.meets_target is not False for r in results) else 1


def _operations(raw: str) -> list[str]:
    chosen = [op.strip() for op in raw.split(",") if op.strip()]
    unknown = sorted(set(chosen) - set(load.OPERATIONS))
    if unknown:
        choices = ", ".join(load.OPERATIONS)
        raise SystemExit(f"unknown operations: {', '.join(unknown)}; choose from {choices}")
    return chosen


# --- all ----------------------------------------------------------------------------------------------------

def _cmd_all(args: argparse.Namespace) -> int:
    default_dir = Path(tempfile.gettempdir()) / f"herodesk-bench-{args.conversations}"
    data_dir = (args.data_dir or default_dir).resolve()
    seeded = (data_dir / CREDENTIALS_FILE).exists()
    if seeded and not args.reuse:
        raise SystemExit(f"{data_dir} is already seeded: pass --reuse, or choose another --data-dir")
    env = {**os.environ, **SERVER_ENV, "HERODESK_DATA_DIR": str(data_dir)}
    if not seeded:
        data_dir.mkdir(parents=True, exist_ok=True)
        child = [sys.executable, "-m", "herodesk.bench.cli", "seed", *_seed_argv(args)]
        subprocess.run(child, env=env, check=True)
    collect = [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"]
    subprocess.run(collect, env=env, check=True)
    credentials = BenchCredentials.load(data_dir / CREDENTIALS_FILE)
    _drop_queued_jobs(data_dir, env)
    with _server(args, env, keep=True) as (url, server), _redis_workers(env) as workers:
        return _measure(args, url, credentials, ServerProbe(server.pid, tuple(w.pid for w in workers)))


# --- burst --------------------------------------------------------------------------------------------------

def _cmd_burst(args: argparse.Namespace) -> int:
    if not _django_ready(args.data_dir):
        argv = ["burst", "--data-dir", str(args.data_dir), "--messages", str(args.messages), "--workers",
                str(args.workers), "--timeout", str(args.timeout), "--seed", str(args.seed)]
        argv += ["--json-out", str(args.json_out)] if args.json_out else []
        return _rerun_in_child(argv, args.data_dir)
    from dataclasses import asdict

    from huey.contrib.djhuey import HUEY

    from herodesk.bench import burst

    data_dir = args.data_dir.resolve()
    credentials = BenchCredentials.load(data_dir / CREDENTIALS_FILE)
    HUEY.flush()  # only the burst's jobs in the queue
    print(f"{_database_label()}: filing {args.messages:,} customer messages, no worker running…", flush=True)
    filed_seconds, message_ids = burst.file_burst(args.messages, credentials, args.seed)
    env = {**os.environ, **SERVER_ENV, "HERODESK_DATA_DIR": str(data_dir)}
    report = burst.drain(message_ids, env, args.workers, args.timeout)
    report.filed_seconds = filed_seconds
    print("\n".join(report.lines()))
    if args.json_out:
        args.json_out.write_text(json.dumps({"database": _database_label(), **asdict(report)}, indent=2))
    return 0 if report.drained_seconds is not None else 1


# --- soak ---------------------------------------------------------------------------------------------------

def _cmd_soak(args: argparse.Namespace) -> int:
    from herodesk.bench import soak

    data_dir = args.data_dir.resolve()
    if not (data_dir / CREDENTIALS_FILE).exists():
        raise SystemExit(f"{data_dir} is not seeded: run `herodesk bench seed --data-dir {data_dir}` first")
    env = {**os.environ, **SERVER_ENV, "HERODESK_DATA_DIR": str(data_dir)}
    credentials = BenchCredentials.load(data_dir / CREDENTIALS_FILE)
    print(f"creating {args.agents} agents on every team of the bench desk…", flush=True)
    agents = soak.agents_via_child(data_dir, args.agents, env)
    config = soak.SoakConfig(url=args.url or f"http://127.0.0.1:{args.port}", agents=args.agents,
                             seconds=args.minutes * 60, seed=args.seed)
    if args.url:
        report = soak.run_soak(config, agents, credentials, args.server_pid)
    else:
        collect = [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"]
        subprocess.run(collect, env=env, check=True)
        _drop_queued_jobs(data_dir)
        with _server(args, env, keep=True, start_timeout=600) as (url, server):  # a busy machine
            print(f"soak: {args.agents} agents for {args.minutes:g} min on {url}", flush=True)
            report = soak.run_soak(config, agents, credentials, server.pid)
    print(soak.format_report(report))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0 if report["errors"] == 0 else 1


# --- compare ------------------------------------------------------------------------------------------------

def _cmd_compare(args: argparse.Namespace) -> int:
    from herodesk.bench import reference

    data_dir, reference_dir = args.data_dir.resolve(), args.reference_dir.resolve()
    if not (data_dir / CREDENTIALS_FILE).exists():
        raise SystemExit(f"{data_dir} is not seeded: run `herodesk bench seed --data-dir {data_dir}` first")
    if not (reference_dir / "credentials.json").exists():
        raise SystemExit(f"{reference_dir} is not set up: see scripts/reference-desk/setup.sh")
    operations = _shared_operations(args.operations)
    levels = [int(level) for level in args.clients.split(",") if level.strip()]
    configs = [load.LoadConfig(concurrency=level, seconds=args.seconds, max_requests=args.max_requests,
                               warmup_requests=args.warmup, request_timeout=args.timeout,
                               operations=operations)
               for level in levels]
    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}", flush=True)

    ref_credentials = reference.ReferenceCredentials.load(reference_dir / "credentials.json")
    ref_results = {}
    with _reference_server(args, reference_dir) as url:
        for config in configs:
            print(f"reference: {config.concurrency} client(s), {config.seconds:.0f} s each", flush=True)
            ref_results[config.concurrency] = reference.measure_reference(url, ref_credentials, config)
            print(load.format_table(ref_results[config.concurrency]), flush=True)

    env = {**os.environ, **SERVER_ENV, "HERODESK_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"], env=env, check=True)
    _drop_queued_jobs(data_dir)
    credentials = BenchCredentials.load(data_dir / CREDENTIALS_FILE)
    rows = []
    with _server(args, env) as url:
        for config in configs:
            print(f"herodesk: {config.concurrency} client(s), {config.seconds:.0f} s each", flush=True)
            ours = reference.measure_herodesk(url, credentials, config)
            print(load.format_table(ours), flush=True)
            rows += reference.compare(config.concurrency, ref_results[config.concurrency], ours)

    load_after = os.getloadavg()
    print(reference.format_comparison(rows))
    print(f"load average before: {load_before[0]:.2f}, after: {load_after[0]:.2f} (1 min)")
    if args.json_out:
        extra = {"load_average_before": load_before, "load_average_after": load_after,
                 "seconds": args.seconds, "warmup": args.warmup, "workers": args.workers,
                 "threads": args.threads}
        args.json_out.write_text(reference.comparison_json(rows, extra), encoding="utf-8")
    return 0 if all(row.meets_target for row in rows) else 1


def _shared_operations(raw: str) -> list[str]:
    chosen = [op.strip() for op in raw.split(",") if op.strip()]
    unknown = sorted(set(chosen) - set(SHARED_OPERATIONS))
    if unknown:
        choices = ", ".join(SHARED_OPERATIONS)
        raise SystemExit(f"unknown operations: {', '.join(unknown)}; choose from {choices}")
    return chosen


@contextlib.contextmanager
def _reference_server(args: argparse.Namespace, directory: Path) -> Iterator[str]:
    """The reference desk's demo project under gunicorn, started like `herodesk serve` starts ours."""
    from herodesk.bench.reference import REFERENCE_PATHS

    command = [
        str(directory / "venv" / "bin" / "gunicorn"), "demodesk.wsgi:application",
        "--chdir", str(directory), "--bind", f"127.0.0.1:{args.reference_port}",
        "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread",
    ]  # fmt: skip
    env = {"PATH": os.environ.get("PATH", ""), "REFDESK_DIR": str(directory), "PYTHONPATH": str(directory),
           "DJANGO_SETTINGS_MODULE": "demodesk.settings"}
    print("reference server:", " ".join(command), flush=True)
    with open(directory / "gunicorn.log", "ab") as log:  # its errors, if any, for whoever reads the table
        server = subprocess.Popen(command, env=env, start_new_session=True, stdout=log, stderr=log)
    try:
        _wait_until_listening(server, args.reference_port, path=REFERENCE_PATHS["login"])
        yield f"http://127.0.0.1:{args.reference_port}"
    finally:
        _stop(server)


def _drop_queued_jobs(data_dir: Path, env: dict[str, str] | None = None) -> None:
    """Start every run with an empty job queue, so runs are comparable.

    Replies queue analysis jobs; a run stops its worker before they are all done, and the next run's
    worker would otherwise spend its first minutes on them, competing with the measured requests.
    """
    if env and env.get("REDIS_URL"):
        code = "import django; django.setup(); from huey.contrib.djhuey import HUEY; HUEY.flush()"
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        print("flushed the Redis job queue", flush=True)
        return
    for path in data_dir.glob("jobs.sqlite3*"):
        path.unlink()
        print(f"dropped the previous runs' queued jobs: {path.name}", flush=True)


@contextlib.contextmanager
def _server(
    args: argparse.Namespace, env: dict[str, str], keep: bool = False, start_timeout: float = 60.0
) -> Iterator[Any]:
    """`herodesk serve` as a child process: gunicorn (not runserver) plus the embedded job worker,
    exactly what a single-machine desk runs, so analysis jobs queued by replies use CPU as they would."""
    command = [
        sys.executable, "-m", "herodesk.cli", "serve", "--port", str(args.port),
        "--workers", str(args.workers), "--threads", str(args.threads),
    ]  # fmt: skip
    print("server:", " ".join(command[2:]), flush=True)
    server = subprocess.Popen(
        command, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_listening(server, args.port, start_timeout)
        url = f"http://127.0.0.1:{args.port}"
        yield (url, server) if keep else url
    finally:
        _stop(server)


@contextlib.contextmanager
def _redis_workers(env: dict[str, str], count: int = 1) -> Iterator[list[subprocess.Popen[bytes]]]:
    """With REDIS_URL, `herodesk serve` runs no job worker: start them as a desk on Redis would."""
    if not env.get("REDIS_URL"):
        yield []
        return
    command = [sys.executable, "-m", "herodesk.cli", "worker"]
    workers = [subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(count)]
    try:
        yield workers
    finally:
        for worker in workers:
            _stop(worker)


def _wait_until_listening(
    server: subprocess.Popen[bytes], port: int, timeout: float = 60.0, path: str = load.PATHS["login"]
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
        finally:
            conn.close()
    raise SystemExit(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop; its workers follow the master
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the session we started for it, nothing else
        server.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
