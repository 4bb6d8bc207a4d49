"""Status-link tokens never reach the logs: not in gunicorn's access log, not in Django's own lines."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from herodesk.cli import _processes
from herodesk.logredact import GunicornLogger, RedactSecrets

TOKEN = "q3Zt0kenThatOpensACustomersConversation"


def test_the_access_log_line_of_a_status_page_has_no_token(capsys):
    config = Config()
    config.set("accesslog", "-")
    logger = GunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/status/{TOKEN}/?x=1",
        "PATH_INFO": f"/status/{TOKEN}/",
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://desk.example.com/status/{TOKEN}/",
        "REMOTE_ADDR": "203.0.113.5",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, timedelta(milliseconds=5))
    line = capsys.readouterr().out
    assert "GET /status/[redacted]/?x=1 HTTP/1.1" in line
    assert TOKEN not in line


def test_serve_runs_gunicorn_with_the_redacting_logger(monkeypatch):
    started = []
    monkeypatch.setattr("subprocess.Popen", lambda args: started.append(args))
    _processes("127.0.0.1", 8000, 1, embedded_worker=False)
    (web,) = started
    assert web[web.index("--logger-class") + 1] == "herodesk.logredact.GunicornLogger"


def test_django_log_lines_are_redacted():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/status/{TOKEN}/",), None
    )
    RedactSecrets().filter(record)
    assert record.getMessage() == "Not Found: /status/[redacted]/"


def test_the_configured_handlers_redact(settings):
    assert "redact_secrets" in settings.LOGGING["handlers"]["console"]["filters"]
