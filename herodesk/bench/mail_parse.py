"""Parsing throughput on the real mail corpus: ``python -m herodesk.bench.mail_parse [DATA_DIR]``.

Not a test: it parses every corpus file again and again for about five seconds and prints mails/second.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from herodesk.channels.email.parse import NotAnEmail, parse_message

DURATION_SECONDS = 5.0


def default_data_dir() -> Path:
    override = os.environ.get("HERODESK_SHARED_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def corpus(data_dir: Path) -> list[bytes]:
    mail_dir = data_dir / "mail" if (data_dir / "mail").is_dir() else data_dir
    return [path.read_bytes() for path in sorted(mail_dir.rglob("*")) if path.is_file()]


def main(data_dir: str | Path | None = None) -> None:
    mails = corpus(Path(data_dir) if data_dir else default_data_dir())
    if not mails:
        print("no mail corpus found", file=sys.stderr)
        return
    parsed = total_bytes = 0
    started = time.perf_counter()
    while time.perf_counter() - started < DURATION_SECONDS:
        for raw in mails:
            # Rejections cost time too, and count as handled mails.
            with contextlib.suppress(NotAnEmail):
                parse_message(raw)
            parsed += 1
            total_bytes += len(raw)
    elapsed = time.perf_counter() - started
    print(
        f"{parsed / elapsed:,.0f} mails/s ({total_bytes / elapsed / 1e6:.1f} MB/s) over {len(mails)} corpus "
        f"files, {parsed} parses in {elapsed:.1f}s"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
