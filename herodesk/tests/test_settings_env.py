"""Settings come from the environment through typed helpers that fail loudly on a bad value.

The helpers are tested directly; how settings.py uses them is tested in a subprocess, because
the settings module is read once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from herodesk import env
from herodesk.env import SettingError

PRINT_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "user": db.get("USER", ""), "secret_key": settings.SECRET_KEY, "debug": settings.DEBUG,
    "huey_class": settings.HUEY["huey_class"], "huey_name": settings.HUEY["name"],
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE, "allowed_hosts": settings.ALLOWED_HOSTS,
}))
"""


def load_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Import herodesk.settings in a fresh interpreter with only the given herodesk variables."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HERODESK_") and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    environ.update(DJANGO_SETTINGS_MODULE="herodesk.settings", HERODESK_DATA_DIR=str(tmp_path / "data"))
    environ.update(variables)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], env=environ, capture_output=True, text=True, timeout=60
    )


def settings_with(tmp_path: Path, **variables: str) -> dict:
    result = load_settings(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " True "])
def test_get_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("HD_FLAG", raw)
    assert env.get_bool("HD_FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "off"])
def test_get_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("HD_FLAG", raw)
    assert env.get_bool("HD_FLAG", True) is False


@pytest.mark.parametrize("raw", ["maybe", "ture", "2", "enabled"])
def test_get_bool_rejects_a_value_that_is_not_a_boolean(monkeypatch, raw):
    monkeypatch.setenv("HD_FLAG", raw)
    with pytest.raises(SettingError, match="HD_FLAG"):
        env.get_bool("HD_FLAG", False)


def test_get_bool_and_get_int_use_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("HD_UNSET", raising=False)
    monkeypatch.setenv("HD_EMPTY", "")
    assert env.get_bool("HD_UNSET", True) is True
    assert env.get_bool("HD_EMPTY", False) is False
    assert env.get_int("HD_UNSET", 7) == 7
    assert env.get_int("HD_EMPTY", 7) == 7


def test_get_int_reads_an_integer(monkeypatch):
    monkeypatch.setenv("HD_COUNT", "42")
    assert env.get_int("HD_COUNT", 0) == 42


@pytest.mark.parametrize("raw", ["ten", "1.5", "10MB"])
def test_get_int_rejects_a_value_that_is_not_an_integer(monkeypatch, raw):
    monkeypatch.setenv("HD_COUNT", raw)
    with pytest.raises(SettingError, match="HD_COUNT"):
        env.get_int("HD_COUNT", 0)


def test_get_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HD_HOSTS", " a.example.com, ,b.example.com ")
    assert env.get_list("HD_HOSTS", []) == ["a.example.com", "b.example.com"]


def test_a_secret_can_come_from_a_file_named_by_the_FILE_variable(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret-from-file\n", encoding="utf-8")
    monkeypatch.setenv("HD_SECRET", "from-the-variable")
    monkeypatch.setenv("HD_SECRET_FILE", str(secret_file))

    assert env.get_str("HD_SECRET") == "s3cret-from-file"


def test_an_unreadable_secret_file_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("HD_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(SettingError, match="HD_SECRET_FILE"):
        env.get_str("HD_SECRET")


# --- settings.py -------------------------------------------------------------------------------------


def test_sqlite_in_the_data_dir_is_the_default_database(tmp_path):
    loaded = settings_with(tmp_path)

    assert loaded["engine"] == "herodesk.sqlite"  # Django's SQLite backend plus a writer queue
    assert loaded["name"] == str((tmp_path / "data" / "herodesk.sqlite3").resolve())


def test_database_url_switches_to_postgresql(tmp_path):
    loaded = settings_with(tmp_path, DATABASE_URL="postgres://desk:pw@db.example.com:5432/herodesk")

    assert loaded["engine"] == "django.db.backends.postgresql"
    assert (loaded["name"], loaded["host"], loaded["user"]) == ("herodesk", "db.example.com", "desk")


def test_redis_url_moves_jobs_to_a_redis_queue_with_the_configured_name(tmp_path):
    loaded = settings_with(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3", HERODESK_QUEUE_NAME="desk-a")

    assert (loaded["huey_class"], loaded["huey_name"]) == ("huey.PriorityRedisHuey", "desk-a")


def test_the_secret_key_is_read_from_HERODESK_SECRET_KEY_FILE(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 60 + "\n", encoding="utf-8")

    loaded = settings_with(tmp_path, HERODESK_SECRET_KEY_FILE=str(key_file))

    assert loaded["secret_key"] == "k" * 60


def test_without_a_configured_secret_key_one_is_generated_once_and_kept(tmp_path):
    first = settings_with(tmp_path)["secret_key"]
    second = settings_with(tmp_path)["secret_key"]

    assert len(first) >= 50
    assert first == second
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0


def test_production_defaults_are_secure(tmp_path):
    loaded = settings_with(tmp_path)

    assert loaded["debug"] is False
    assert loaded["session_cookie_secure"] is True


def test_a_malformed_boolean_setting_stops_start_up_with_its_name(tmp_path):
    result = load_settings(tmp_path, HERODESK_DEBUG="maybe")

    assert result.returncode != 0
    assert "SettingError" in result.stderr
    assert "HERODESK_DEBUG='maybe'" in result.stderr


def test_a_malformed_integer_setting_stops_start_up_with_its_name(tmp_path):
    result = load_settings(tmp_path, HERODESK_HSTS_SECONDS="a year")

    assert result.returncode != 0
    assert "HERODESK_HSTS_SECONDS='a year'" in result.stderr
