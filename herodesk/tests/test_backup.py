"""`herodesk backup` and `herodesk restore`: a round trip through real processes and a real data dir.

GIVEN a desk on SQLite with a few conversations and an attachment, and a connection holding a write in
the WAL that is not checkpointed
WHEN it is backed up while running and restored into an empty data dir
THEN the restored desk has the same rows, texts, file bytes and secret key, and the archive is owner-only.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from herodesk import backup

SEED = """
from herodesk.conversations import actions
from herodesk.conversations.models import Channel
from herodesk.customers.actions import CustomerDetails
for n in range(3):
    actions.do_create_conversation(actions.NewConversation(
        subject=f"Order {n}", channel=Channel.API,
        customer_details=CustomerDetails(name=f"Customer {n}", email=f"c{n}@example.com"),
        first_message=actions.IncomingMessage(
            text=f"Where is my order {n}?", channel=Channel.API,
            attachments=[actions.AttachmentUpload("receipt.pdf", "application/pdf", b"%PDF receipt")]
            if n == 0 else [],
        ),
    ))
"""
TABLES = (
    "conversations_conversation",
    "conversations_message",
    "conversations_attachment",
    "customers_customer",
)


def _herodesk(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "HERODESK_SECRET_KEY", "HERODESK_SECRET_KEY_FILE")
    }
    env.update(HERODESK_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="herodesk.settings")
    result = subprocess.run(
        [sys.executable, "-m", "herodesk.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}  # noqa: S608


def _attachment(data_dir: Path) -> bytes:
    with sqlite3.connect(data_dir / "herodesk.sqlite3") as db:
        name = db.execute("SELECT file FROM conversations_attachment").fetchone()[0]
    return (data_dir / "media" / name).read_bytes()


@pytest.fixture(scope="module")
def live_desk(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("desk") / "data"
    _herodesk(data_dir, "manage", "migrate", "-v", "0")
    _herodesk(data_dir, "manage", "shell", "-c", SEED)
    return data_dir


def test_backup_and_restore_round_trip_into_an_empty_data_dir(live_desk, tmp_path):
    writer = sqlite3.connect(live_desk / "herodesk.sqlite3")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE conversations_message SET text = 'Only in the WAL' WHERE id = 1")
    writer.commit()  # committed, in the WAL, not checkpointed: the backup must still see it
    try:
        archive = tmp_path / "desk.tar.gz"
        output = _herodesk(live_desk, "backup", str(archive)).stdout
    finally:
        writer.close()
    assert "herodesk.sqlite3" in output and "1 files" in output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "herodesk.sqlite3", "secret_key"} <= set(tar.getnames())

    restored = tmp_path / "restored"
    _herodesk(restored, "restore", str(archive))
    assert _counts(restored / "herodesk.sqlite3") == _counts(live_desk / "herodesk.sqlite3")
    assert _counts(restored / "herodesk.sqlite3")["conversations_conversation"] == 3
    with sqlite3.connect(restored / "herodesk.sqlite3") as db:
        assert db.execute("SELECT text FROM conversations_message WHERE id = 1").fetchone() == (
            "Only in the WAL",
        )
    assert _attachment(restored) == _attachment(live_desk)
    assert (restored / "secret_key").read_bytes() == (live_desk / "secret_key").read_bytes()
    assert stat.S_IMODE(restored.stat().st_mode) == 0o700
    assert stat.S_IMODE((restored / "herodesk.sqlite3").stat().st_mode) == 0o600

    # The restored desk starts: migrations run and the data is there.
    shown = _herodesk(
        restored,
        "manage",
        "shell",
        "-c",
        "from herodesk.conversations.models import Conversation; print(Conversation.objects.count())",
    )
    assert shown.stdout.strip().splitlines()[-1] == "3"


def test_restore_refuses_a_data_dir_that_is_not_empty_unless_forced(live_desk, tmp_path):
    archive = tmp_path / "desk.tar.gz"
    _herodesk(live_desk, "backup", str(archive))
    target = tmp_path / "busy"
    target.mkdir()
    (target / "secret_key").write_text("another desk's key")
    refused = _herodesk(target, "restore", str(archive), check=False)
    assert refused.returncode == 1 and "not empty" in refused.stderr
    assert (target / "secret_key").read_text() == "another desk's key"

    _herodesk(target, "restore", "--force", str(archive))
    assert (target / "secret_key").read_bytes() == (live_desk / "secret_key").read_bytes()


def test_an_archive_with_paths_outside_the_data_dir_is_refused(tmp_path):
    evil = tmp_path / "evil.tar.gz"
    payload = tmp_path / "payload"
    payload.write_text("x")
    with tarfile.open(evil, "w:gz") as tar:
        backup._add_bytes(tar, "manifest.json", b'{"format": 1}')
        tar.add(payload, arcname="../outside")
    with pytest.raises(backup.BackupError, match="unexpected entry"):
        backup.restore(evil, backup.data_files(tmp_path / "data"))
    assert not (tmp_path / "outside").exists()
