"""Secrets never reach the logs: the token in a customer's status link is replaced before a line is written.

Used twice: as a filter on the log handler (Django's own lines, e.g. "Not Found: /status/<token>/") and as
gunicorn's logger class, whose access log writes the request line, path and referer of every request.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

SECRET_IN_PATH = re.compile(r"(/status/|/contact/confirm/)[^/?#\s\"']+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return SECRET_IN_PATH.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class GunicornLogger(Logger):
    """gunicorn's logger, with every access-log value (request line, path, referer, headers) redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
