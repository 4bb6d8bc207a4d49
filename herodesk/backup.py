"""`herodesk backup` and `herodesk restore`: SQLite databases, uploaded files and secret key in one archive.

The databases are copied with SQLite's online backup API, which reads one consistent snapshot (WAL
included) while the desk keeps running. The archive is a tar.gz created owner-only (0600): it holds
every customer's data and the key that signs sessions. Restoring goes into an empty data dir, or over
an existing one only when asked (``force``). No Django here: restore must run before settings create
their empty databases in the data dir. PostgreSQL is backed up with pg_dump (docs/operations.md).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

FORMAT = 1
MANIFEST = "manifest.json"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


class BackupError(Exception):
    """Something the person running the command must fix; the message says what."""


@dataclass
class DataFiles:
    """Where a desk keeps what a backup holds. ``databases`` maps a name in the archive to its file."""

    data_dir: Path
    databases: dict[str, Path] = field(default_factory=dict)
    media: Path | None = None
    secret_key: Path | None = None


def data_files(data_dir: Path, sqlite: bool = True) -> DataFiles:
    """The layout of a data dir (settings.py): both databases when SQLite is used, media and the key."""
    databases = {name: data_dir / name for name in ("herodesk.sqlite3", "jobs.sqlite3")} if sqlite else {}
    return DataFiles(data_dir, databases, data_dir / "media", data_dir / "secret_key")


# --- Backup -----------------------------------------------------------------------------------------


def create(archive: Path, files: DataFiles) -> dict[str, object]:
    """Write the archive (replacing it only once complete); returns its manifest."""
    archive = archive.resolve()
    with tempfile.TemporaryDirectory(prefix="herodesk-backup-") as scratch:
        manifest: dict[str, object] = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "databases": [],
            "secret_key": False,
            "media_files": 0,
        }
        partial = archive.with_name(f".{archive.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        try:
            with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w:gz") as tar:
                for name, path in files.databases.items():
                    if path.exists() and path.stat().st_size:
                        copy = Path(scratch) / name
                        _snapshot(path, copy)
                        tar.add(copy, arcname=name)
                        manifest["databases"].append(name)  # type: ignore[attr-defined]
                if files.secret_key is not None and files.secret_key.is_file():
                    tar.add(files.secret_key, arcname="secret_key")
                    manifest["secret_key"] = True
                if files.media is not None and files.media.is_dir():
                    manifest["media_files"] = _add_media(tar, files.media)
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            os.chmod(partial, PRIVATE_FILE)
            os.replace(partial, archive)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


def _snapshot(source: Path, target: Path) -> None:
    """One consistent copy of a live SQLite database (its WAL included), through the backup API."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
    finally:
        dst.close()
        src.close()


def _add_media(tar: tarfile.TarFile, media: Path) -> int:
    count = 0
    for path in sorted(media.rglob("*")):
        if path.is_file() and not path.is_symlink():
            tar.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
            count += 1
    return count


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = PRIVATE_FILE
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(content))


# --- Restore ----------------------------------------------------------------------------------------


def restore(archive: Path, files: DataFiles, force: bool = False) -> dict[str, object]:
    """Unpack the archive into the data dir; refuse a data dir that holds anything unless ``force``."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    data_dir = files.data_dir
    if _has_content(data_dir) and not force:
        raise BackupError(
            f"{data_dir} is not empty: restore into an empty data dir, or add --force to replace "
            "its databases, files and key"
        )
    with tarfile.open(archive, mode="r:gz") as tar:
        manifest = _manifest(tar)
        members = [_checked(member) for member in tar.getmembers() if member.name != MANIFEST]
        data_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.chmod(data_dir, PRIVATE_DIR)
        if force:
            _clear(files)
        tar.extractall(data_dir, members=members, filter="data")
    _make_private(data_dir)
    return manifest


def _has_content(data_dir: Path) -> bool:
    """Anything but the empty database files a start of the desk leaves in a new data dir."""
    if not data_dir.exists():
        return False
    return any(path.is_dir() or path.stat().st_size > 0 for path in data_dir.iterdir())


def _manifest(tar: tarfile.TarFile) -> dict[str, object]:
    try:
        member = tar.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError("not a herodesk backup (no manifest.json)")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _checked(member: tarfile.TarInfo) -> tarfile.TarInfo:
    parts = Path(member.name).parts
    allowed = member.name in ("herodesk.sqlite3", "jobs.sqlite3", "secret_key") or parts[:1] == ("media",)
    if not (member.isfile() or member.isdir()) or not allowed or ".." in parts or member.name.startswith("/"):
        raise BackupError(f"unexpected entry in the archive: {member.name!r}")
    return member


def _clear(files: DataFiles) -> None:
    for path in files.databases.values():
        for suffix in SQLITE_SUFFIXES:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if files.secret_key is not None:
        files.secret_key.unlink(missing_ok=True)
    if files.media is not None and files.media.exists():
        shutil.rmtree(files.media)


def _make_private(data_dir: Path) -> None:
    for root, dirs, names in os.walk(data_dir):
        for name in dirs:
            os.chmod(Path(root) / name, PRIVATE_DIR)
        for name in names:
            os.chmod(Path(root) / name, PRIVATE_FILE)
