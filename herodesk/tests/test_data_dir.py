"""The data dir (database with its WAL, uploaded files, secret key) is readable by its owner only."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

WRITE_AND_REPORT = """
import json, os, stat, django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (x)")
    cursor.execute("INSERT INTO probe VALUES (1)")
    saved = default_storage.save("attachments/7/abc/note.html", ContentFile(b"<p>hi</p>"))
    data = os.environ["HERODESK_DATA_DIR"]
    paths = {
        "dir": data, "db": data + "/herodesk.sqlite3", "wal": data + "/herodesk.sqlite3-wal",
        "key": data + "/secret_key", "media": data + "/media",
        "upload_dir": data + "/media/attachments/7/abc", "upload": data + "/media/" + saved,
    }
    print(json.dumps({name: oct(stat.S_IMODE(os.stat(p).st_mode)) for name, p in paths.items()}))
"""


def _modes(data_dir: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HERODESK_") and k != "DATABASE_URL"}
    environ.update(
        DJANGO_SETTINGS_MODULE="herodesk.settings", HERODESK_DATA_DIR=str(data_dir), HERODESK_HTTPS="false"
    )
    result = subprocess.run(
        [sys.executable, "-c", WRITE_AND_REPORT], env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


EXPECTED = {
    "dir": "0o700", "db": "0o600", "wal": "0o600", "key": "0o600",
    "media": "0o700", "upload_dir": "0o700", "upload": "0o600",
}  # fmt: skip


def test_a_new_data_dir_is_owner_only(tmp_path):
    old = os.umask(0o022)  # what most shells have
    try:
        assert _modes(tmp_path / "data") == EXPECTED
    finally:
        os.umask(old)


def test_a_world_readable_data_dir_from_before_is_tightened_at_start(tmp_path):
    data = tmp_path / "data"
    (data / "media").mkdir(parents=True)
    for name in ("herodesk.sqlite3", "herodesk.sqlite3-wal", "secret_key"):
        (data / name).write_bytes(b"" if name != "secret_key" else b"k" * 64)
        (data / name).chmod(0o644)
    data.chmod(0o755)
    (data / "media").chmod(0o755)
    assert _modes(data) == EXPECTED
    assert stat.S_IMODE((data / "herodesk.sqlite3").stat().st_mode) == 0o600
