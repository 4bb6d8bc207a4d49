"""Where the shared real-world mail corpus lives (../shared/data/mail, or $HERODESK_SHARED_DATA/mail)."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    override = os.environ.get("HERODESK_SHARED_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[4] / ".." / "shared" / "data"


MAIL_DIR = data_dir() / "mail"
