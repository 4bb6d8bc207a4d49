"""Django's deployment checklist passes for a production configuration.

`manage.py check --deploy --fail-level WARNING` runs in a subprocess with the environment an
operator sets, so the security settings (HTTPS cookies, HSTS, DEBUG off, a real secret key)
cannot drift without this test noticing.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The caller's environment without herodesk settings, plus what an operator would set."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HERODESK_") and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="herodesk.settings",
        HERODESK_DATA_DIR=str(tmp_path / "data"),
        HERODESK_SECRET_KEY=secrets.token_urlsafe(64),
        HERODESK_ALLOWED_HOSTS="desk.example.com",
        HERODESK_DEBUG="false",
    )
    env.update(overrides)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MANAGE_PY), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = check_deploy(production_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deployment_checklist_fails_when_debug_is_on(tmp_path):
    """Guards the guard: the check really runs, so the test above cannot pass vacuously."""
    result = check_deploy(production_env(tmp_path, HERODESK_DEBUG="true"))

    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr
