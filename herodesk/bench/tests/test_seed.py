"""The bench seeder fills every table and the search index, and its credentials work."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from herodesk.accounts.models import ApiToken, User, hash_token
from herodesk.bench import load
from herodesk.bench.seed import seed_bench
from herodesk.conversations.models import Conversation, Event, Message
from herodesk.conversations.queries import search_conversations
from herodesk.customers.models import Customer


@pytest.fixture
def seeded():
    """GIVEN a bench database of 200 conversations (seeded outside a test transaction: it commits)."""
    report = seed_bench(200, messages_per_conversation=5, customers=40, seed=2, progress=lambda _line: None)
    yield report
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # the FTS table is not a model, so the flush misses it
            cursor.execute("DELETE FROM conversation_fts")


@pytest.mark.django_db(transaction=True)
def test_seed_fills_conversations_messages_events_and_search(seeded):
    assert Conversation.objects.count() == seeded.conversations == 200
    assert Message.objects.count() == seeded.messages == 1000
    assert Customer.objects.count() == 40
    assert Event.objects.filter(kind=Event.Kind.CREATED).count() == 200
    assert Event.objects.count() == seeded.events
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM conversation_fts")
            assert cursor.fetchone()[0] == 200
    agent = User.objects.get(username=seeded.credentials.username)
    subject_word = Conversation.objects.order_by("id").values_list("subject", flat=True)[0].split()[0]
    assert search_conversations(agent, subject_word)


@pytest.mark.django_db(transaction=True)
def test_seeded_token_and_password_authenticate_the_bench_agent(seeded):
    credentials = seeded.credentials
    token = ApiToken.objects.select_related("user").get(key_hash=hash_token(credentials.token))
    assert token.user.username == credentials.username
    assert token.user.check_password(credentials.password)
    assert not token.user.is_admin  # reads go through the real access filter
    assert (credentials.first_conversation_id, credentials.last_conversation_id) == (1, 200)


@pytest.mark.django_db(transaction=True)
def test_seeded_indexes_are_rebuilt(seeded):
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, "conversations_conversation"))
    assert {"conv_status_activity", "conv_owner_activity", "conv_team_activity"} <= names


class _FakeDesk(BaseHTTPRequestHandler):
    """Just enough of the desk for the load generator: a login form that sets cookies, and 200s."""

    def do_GET(self) -> None:
        self._answer(200, {"csrftoken": "t0ken"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self.path == load.PATHS["login"]:
            self._answer(302, {"sessionid": "s3ss10n"})
        else:
            cookie = self.headers.get("Cookie") or ""
            ok = "sessionid=s3ss10n" in cookie or self.headers.get("Authorization")
            self._answer(201 if ok else 403, {})

    def _answer(self, status: int, cookies: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in cookies.items():
            self.send_header("Set-Cookie", f"{name}={value}; Path=/")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_load_generator_logs_in_and_reports_percentiles():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeDesk)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = load.LoadConfig(
            url=f"http://127.0.0.1:{server.server_port}", concurrency=2, seconds=0.3,
            max_requests=40, warmup_requests=1, operations=("inbox", "reply", "api_create"),
        )
        credentials = load.BenchCredentials("bench", "pw", "hd_x", 1, 10)
        results = load.run_load(config, credentials)
    finally:
        server.shutdown()
    assert [r.operation for r in results] == ["inbox", "reply", "api_create"]
    for result in results:
        assert 0 < result.requests <= 40
        assert result.errors == 0
        assert result.p50_ms <= result.p95_ms <= result.p99_ms <= result.max_ms
    assert "inbox" in load.format_table(results)


def test_load_generator_refuses_non_loopback_hosts():
    with pytest.raises(ValueError, match="loopback"):
        load.Client("http://example.com:80")


def test_percentile_uses_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 0.5) == 50.0
    assert load.percentile(values, 0.95) == 95.0
    assert load.percentile(values, 0.99) == 99.0
    assert load.percentile([], 0.5) == 0.0
