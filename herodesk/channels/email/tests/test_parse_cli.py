"""``herodesk mail parse FILE``: one JSON object on success, exit 2 and one stderr line otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from herodesk.channels.email.cli import parse_command


def _mail_dir() -> Path:
    override = os.environ.get("HERODESK_SHARED_DATA")
    base = Path(override) if override else Path(__file__).resolve().parents[4] / ".." / "shared" / "data"
    return base / "mail"


MAIL_DIR = _mail_dir()
needs_corpus = pytest.mark.skipif(not MAIL_DIR.is_dir(), reason="mail corpus not found")


@needs_corpus
def test_success_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_command(str(MAIL_DIR / "rt" / "multipart-report")) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert err == ""
    assert data["from"] == {"address": "MAILER-DAEMON@other.example.com", "name": "Mail Delivery Subsystem"}
    assert data["subject"] == "Returned mail: User unknown"
    assert data["date"] == "2003-08-23T00:15:18+08:00"
    assert data["bounce"] is True and data["auto_submitted"] is True
    assert [item["filename"] for item in data["attachments"]] == ["delivery-status.txt", "Thank you!.eml"]
    assert set(data) >= {"to", "message_id", "in_reply_to", "references", "text", "full_text"}


@needs_corpus
def test_lorem_ipsum_exits_2_with_one_stderr_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_command(str(MAIL_DIR / "rt" / "lorem-ipsum")) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "no header block" in err


@pytest.mark.parametrize("target", ["missing", "directory"])
def test_missing_file_or_directory_exits_2_with_one_line(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nope.eml" if target == "missing" else tmp_path
    assert parse_command(str(path)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1


def test_module_entry_point_runs(tmp_path: Path) -> None:
    mail = tmp_path / "m.eml"
    mail.write_bytes(b"From: Ann <ann@example.org>\nSubject: Hi\n\nHello there\n")
    result = subprocess.run(
        [sys.executable, "-m", "herodesk.channels.email.cli", "parse", str(mail)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[4],
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["text"] == "Hello there"
