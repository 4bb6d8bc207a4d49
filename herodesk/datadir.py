"""The data dir holds the database, sessions, uploaded customer files and the secret key: owner-only.

Called from settings, so every process (web, worker, CLI) finds a 0700 data dir with 0600 databases, and a
data dir left world-readable by an older version is tightened at the next start. No process-wide umask: the
desk also starts programs (and tests start mail servers) that must read files it writes elsewhere.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# Files SQLite and the embedded job queue create; SQLite gives its -wal/-shm files the database's mode.
DATA_FILES = ("herodesk.sqlite3", "jobs.sqlite3", "secret_key")
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def prepare(path: Path) -> None:
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _restrict(path, PRIVATE_DIR)
    media = path / "media"
    if media.is_dir():
        _restrict(media, PRIVATE_DIR)
    for name in DATA_FILES:
        for suffix in SQLITE_SUFFIXES:
            file = path / (name + suffix)
            if file.exists():
                _restrict(file, PRIVATE_FILE)


def private_database(path: Path) -> Path:
    """Create an empty SQLite file as 0600 before SQLite does (it would use 0644); its WAL takes that mode."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    return path


def _restrict(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError as error:  # e.g. a mounted volume owned by another user: say so, keep running
        warnings.warn(f"herodesk could not make {path} owner-only ({error})", stacklevel=2)
