"""The `herodesk` command: demo, serve, worker, createadmin, backup, restore, bench, signals, mail, manage.

Long-running processes start here. The embedded default runs the job worker next to the web
server in the same command; with REDIS_URL set, workers run separately via `herodesk worker`.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

DEMO_PASSWORD = "herodesk-demo"  # noqa: S105 - printed to the user; demo data only


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herodesk.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _prepare_database(quiet: bool = True) -> None:
    _manage("migrate", "--no-input", *(["-v", "0"] if quiet else []))
    _manage("collectstatic", "--no-input", "-v", "0")


def _processes(
    host: str, port: int, workers: int, embedded_worker: bool, threads: int = 4
) -> list[subprocess.Popen[bytes]]:
    from django.conf import settings

    python = sys.executable
    web = [
        python, "-m", "gunicorn", "herodesk.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
        "--worker-class", "gthread", "--access-logfile", "-", "--graceful-timeout", "10",
        "--logger-class", "herodesk.logredact.GunicornLogger",  # no status-link tokens in the access log
        # X-Forwarded-Proto/-For count only from these addresses (the TLS-terminating proxy).
        "--forwarded-allow-ips", ",".join(settings.TRUSTED_PROXIES),
    ]  # fmt: skip
    procs = [subprocess.Popen(web)]
    if embedded_worker:
        procs.append(subprocess.Popen([python, "-m", "herodesk.cli", "worker"]))
    return procs


def _supervise(procs: list[subprocess.Popen[bytes]]) -> int:
    """Wait until one child exits or we are told to stop; then stop the others."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while not stopping:
        exited = [p for p in procs if p.poll() is not None]
        if exited:
            code = exited[0].returncode or 0
            break
        time.sleep(0.5)
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    _django_setup()
    from django.conf import settings

    _prepare_database()
    embedded = not settings.REDIS_URL
    print(
        f"herodesk serving on http://{args.host}:{args.port}/ "
        f"({'embedded' if embedded else 'Redis'} job queue)"
    )
    return _supervise(_processes(args.host, args.port, args.workers, embedded, args.threads))


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("HERODESK_HTTPS", "false")
    os.environ.setdefault("HERODESK_DATA_DIR", os.path.abspath("herodesk-data"))
    _django_setup()
    from herodesk.conversations.models import Conversation
    from herodesk.insights import progress

    _prepare_database()
    fresh = args.reset or not Conversation.objects.exists()
    if fresh:
        from herodesk.demo import seed_demo_logins

        seed_demo_logins()  # the logins work from the first page on; the rest is created in the background
        progress.write("seeding", 0, args.conversations)  # the desk shows its notice from the first page on
    url = f"http://127.0.0.1:{args.port}/"
    procs = _processes("127.0.0.1", args.port, args.workers, embedded_worker=True)
    print(f"\nherodesk demo is running at {url}")
    print(f"Log in as admin, lead or agent with password {DEMO_PASSWORD!r}.")
    print(f"Public contact form: {url}contact/   API docs: {url}api/v1/docs\n", flush=True)
    if fresh or progress.running():  # a fresh demo, or a first run that was interrupted
        _analyse_demo_in_background(args.conversations if fresh else None, wait_for=f"{url}accounts/login/")
    else:
        _keep_demo_colleague_viewing()
    return _supervise(procs)


def _keep_demo_colleague_viewing(every: float = 4.0) -> None:
    """A demo colleague (Ben) keeps one conversation open and types in it, so presence shows live."""
    from herodesk.demo.teamwork import refresh_presence

    def loop() -> None:
        while True:
            try:
                refresh_presence()
            except Exception as error:  # noqa: BLE001 - the demo colleague must never stop the demo
                print(f"demo presence: {error}", flush=True)
                return
            time.sleep(every)

    threading.Thread(target=loop, name="demo-presence", daemon=True).start()


def _analyse_demo_in_background(seed_conversations: int | None, wait_for: str = "") -> threading.Thread:
    """The desk serves while the demo is filled in: create the demo data (when ``seed_conversations``),
    train the contact-reason model, analyse every conversation, then group the untagged ones into
    proposed reasons. Progress goes to the terminal (a bar, one line per step so that it reads well
    between the access log lines) and to ``insights.progress`` for the notice in the desk.

    ``wait_for``: a URL of the desk; the work starts once it answers (or after a minute), so that it
    does not slow the web workers' start on a 2-core machine."""

    def run() -> None:
        if wait_for:
            _wait_until_serving(wait_for)
        _analyse_demo(seed_conversations)

    thread = threading.Thread(target=run, name="demo-analysis", daemon=True)
    thread.start()
    return thread


def _wait_until_serving(url: str, timeout: float = 60.0) -> bool:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own local desk
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def _seed_demo(conversations: int) -> None:
    from herodesk.demo import seed_demo

    print("Creating demo data (teams, agents, customers, conversations)…", flush=True)
    started = time.monotonic()
    summary = seed_demo(conversations=conversations, customers=max(conversations // 2, 10))
    print(f"  {summary.conversations:,} conversations in {time.monotonic() - started:.0f} s", flush=True)


def _progress_bar(label: str, done: int, total: int, eta: int | None, width: int = 30) -> str:
    filled = int(width * done / total) if total else width
    left = f", about {eta // 60} min {eta % 60:02d} s left" if eta is not None and done < total else ""
    return f"  [{'#' * filled}{'.' * (width - filled)}] {label}: {done:,} of {total:,}{left}"


def _analyse_demo(seed_conversations: int | None = None) -> None:
    from herodesk.insights import actions, progress, reasons

    try:
        if seed_conversations is not None:
            _seed_demo(seed_conversations)
        _keep_demo_colleague_viewing()
        print("Computing hero signals in the background: the desk fills in as it goes.", flush=True)
        progress.write("training", 0, 1)
        print(_progress_bar(progress.PHASES["training"], 0, 1, None), flush=True)
        started = time.monotonic()
        examples = reasons.retrain()
        print(
            f"  contact-reason model trained on {examples:,} conversations "
            f"in {time.monotonic() - started:.0f} s",
            flush=True,
        )
        phase_start = time.time()
        last_print = [0.0]

        def report(done: int, total: int) -> None:
            state = progress.write("analysing", done, total, started_at=phase_start)
            if done == total or time.monotonic() - last_print[0] >= 5:
                last_print[0] = time.monotonic()
                print(_progress_bar("conversations analysed", done, total, state.eta_seconds()), flush=True)

        count = actions.analyse_all(batch_size=50, progress=report, retrain=False)
        progress.write("grouping", 0, 1)
        reasons.warm_proposals()
        progress.finish(count)
        print(f"  signals ready: {count:,} conversations analysed.", flush=True)
    except Exception as error:  # noqa: BLE001 - the desk keeps serving; say what went wrong
        progress.finish(0)
        print(f"  computing the demo's signals failed: {error!r}", flush=True)


def cmd_worker(args: argparse.Namespace) -> int:
    _django_setup()
    from django.conf import settings

    consumer = settings.HUEY.get("consumer")
    workers = args.workers or (consumer.get("workers", 2) if isinstance(consumer, dict) else 2)
    _manage("run_huey", "--workers", str(workers), "--worker-type", "thread")
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    _django_setup()
    import getpass

    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from herodesk.accounts.actions import do_create_admin

    password = os.environ.get("HERODESK_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    try:
        validate_password(password)
    except ValidationError as error:
        print("Password rejected: " + " ".join(error.messages), file=sys.stderr)
        return 2
    _manage("migrate", "--no-input", "-v", "0")
    user = do_create_admin(args.username, args.email, password)
    print(f"Admin {user.username} is ready.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """An online backup of the data dir into one owner-only archive (SQLite through its backup API)."""
    _django_setup()
    from pathlib import Path

    from django.conf import settings

    from herodesk import backup

    sqlite = settings.DATABASES["default"]["ENGINE"] == "herodesk.sqlite"
    files = backup.data_files(Path(settings.DATA_DIR), sqlite=sqlite)
    manifest = backup.create(Path(args.file), files)
    print(
        f"Backed up {', '.join(manifest['databases']) or 'no database'}"  # type: ignore[arg-type]
        f", {manifest['media_files']} files"
        f"{', the secret key' if manifest['secret_key'] else ''} to {args.file} (owner-only)."
    )
    if not sqlite:
        print("The database is PostgreSQL: back it up with pg_dump (see docs/operations.md).")
    if not manifest["secret_key"]:
        print("The secret key comes from HERODESK_SECRET_KEY: keep it with the backup yourself.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Unpack a backup into the data dir; an empty one unless --force. No Django: settings would create
    empty databases in the data dir first."""
    from pathlib import Path

    from herodesk import backup, env

    data_dir = Path(env.get_str("HERODESK_DATA_DIR", "herodesk-data") or "herodesk-data").resolve()
    files = backup.data_files(data_dir)
    try:
        manifest = backup.restore(Path(args.file), files, force=args.force)
    except backup.BackupError as error:
        print(f"restore refused: {error}", file=sys.stderr)
        return 1
    print(f"Restored the backup of {manifest['created_at']} into {data_dir}.")
    print("Start the desk as usual; it applies any newer migrations at start.")
    return 0


def cmd_manage(args: argparse.Namespace, rest: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herodesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["herodesk manage", *rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="herodesk", description="herodesk customer service desk")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="create demo data and start the desk with the embedded worker")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--workers", type=int, default=2)
    demo.add_argument("--conversations", type=int, default=5000)
    demo.add_argument("--reset", action="store_true", help="recreate the demo data")
    serve = sub.add_parser(
        "serve", help="run the production web server (and the embedded worker without Redis)"
    )
    serve.add_argument("--host", default=os.environ.get("HERODESK_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("HERODESK_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("HERODESK_WEB_WORKERS", "2")))
    serve.add_argument("--threads", type=int, default=int(os.environ.get("HERODESK_WEB_THREADS", "4")))
    worker = sub.add_parser("worker", help="run background jobs (with REDIS_URL: on any machine)")
    worker.add_argument("--workers", type=int, default=0)
    admin = sub.add_parser("createadmin", help="create or reset an admin account")
    admin.add_argument("--username", default="admin")
    admin.add_argument("--email", default="admin@localhost")
    backup = sub.add_parser("backup", help="back up the database, uploaded files and secret key (online)")
    backup.add_argument("file", help="the archive to write (tar.gz, owner-only)")
    restore = sub.add_parser("restore", help="restore a backup into an empty data dir")
    restore.add_argument("file", help="an archive written by `herodesk backup`")
    restore.add_argument("--force", action="store_true", help="replace what the data dir holds")
    for name, helptext in (
        ("bench", "seed and benchmark the desk"),
        ("signals", "score text with the hero signals; evaluate them on real data"),
        ("mail", "email tools: parse a file, ingest one message from stdin, poll mailboxes"),
        ("manage", "Django management commands"),
    ):
        sub.add_parser(name, help=helptext, add_help=False)
    return parser


PASSTHROUGH = {"bench", "signals", "mail", "manage"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASSTHROUGH:
        return _passthrough(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    handlers = {
        "demo": cmd_demo, "serve": cmd_serve, "worker": cmd_worker, "createadmin": cmd_createadmin,
        "backup": cmd_backup, "restore": cmd_restore,
    }  # fmt: skip
    return handlers[args.command](args)


def _passthrough(command: str, rest: list[str]) -> int:
    if command == "manage":
        return cmd_manage(argparse.Namespace(), rest)
    if command == "signals":
        from herodesk.signals.cli import main as signals_main

        return signals_main(rest)
    if command == "bench":
        from herodesk.bench.cli import main as bench_main

        return bench_main(rest)
    if rest[:1] == ["bench"]:  # `herodesk mail bench`: intake throughput, with the benchmarks
        from herodesk.bench.mail_intake import main as mail_bench_main

        return mail_bench_main(list(rest[1:]))
    from herodesk.channels.email.commands import main as mail_main

    return mail_main(rest)


if __name__ == "__main__":
    sys.exit(main())
