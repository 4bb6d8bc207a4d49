"""`herodesk bench compare`: the reference desk's requests, the page views they make up, and the table."""

from __future__ import annotations

import random

import pytest

from herodesk.bench import load, reference
from herodesk.bench.cli import _parser
from herodesk.bench.load import BenchCredentials, OperationResult
from herodesk.bench.reference import ReferenceCredentials

CREDENTIALS = ReferenceCredentials(username="bench", password="pw", first_ticket_id=1, last_ticket_id=100)
# As django-helpdesk 2.6.1's ticket_list.html renders the DataTables source of its list page.
LIST_PAGE = b"""<table id="ticketTable" data-page-length='25'></table><script>
        ajax: {
          "url": "/datatables_ticket_list/eyJmaWx0ZXJpbmciOiB7InN0YXR1c19faW4iOiBbMSwgMl19fQ==",
          "type": "GET",
        },</script>"""


class _FakeClient:
    """Answers every request with the next canned response and remembers the paths asked for."""

    login_path = reference.REFERENCE_PATHS["login"]

    def __init__(self, *responses: tuple[int, bytes, str]) -> None:
        self.responses = list(responses)
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.last_location = ""

    def request(self, method, path, body=None, headers=None):
        self.paths.append(path)
        self.headers.append(headers or {})
        status, payload, self.last_location = self.responses.pop(0)
        return status, payload


def _result(operation: str, p50: float, p95: float, errors: int = 0) -> OperationResult:
    return OperationResult(operation=operation, requests=10, errors=errors, p50_ms=p50, p95_ms=p95,
                           p99_ms=p95, mean_ms=p50, max_ms=p95, throughput_rps=1.0, target_p95_ms=None,
                           meets_target=None)


def test_the_data_request_of_a_list_page_is_found_in_its_html():
    path = reference.datatables_path(LIST_PAGE)
    assert path == ("/datatables_ticket_list/eyJmaWx0ZXJpbmciOiB7InN0YXR1c19faW4iOiBbMSwgMl19fQ=="
                    "?draw=1&start=0&length=25")


def test_a_page_without_a_data_request_is_an_error_not_a_fast_page():
    with pytest.raises(ValueError, match="no DataTables URL"):
        reference.datatables_path(b"<html>Log in</html>")


def test_each_shared_operation_asks_the_reference_for_its_own_page():
    rng = random.Random(3)
    assert reference.reference_path("list", rng, CREDENTIALS) == "/tickets/"
    assert reference.reference_path("api_list", rng, CREDENTIALS) == "/api/tickets/?status=1"
    ticket = int(reference.reference_path("conversation", rng, CREDENTIALS).split("/")[2])
    assert 1 <= ticket <= 100
    assert reference.reference_path("api_read", rng, CREDENTIALS).startswith("/api/tickets/")
    search = reference.reference_path("search", random.Random(1), CREDENTIALS)
    term = random.Random(1).choice(load.SEARCH_TERMS)
    assert search == f"/tickets/?q={term.replace(' ', '%20')}&search_type=header"
    with pytest.raises(ValueError, match="unknown operation"):
        reference.reference_path("reply", rng, CREDENTIALS)


def test_a_list_page_view_is_the_page_and_its_data_request_timed_together():
    client = _FakeClient((200, LIST_PAGE, ""), (200, b'{"data": []}', ""))
    seconds, label = reference.reference_performer("list", CREDENTIALS)(client, random.Random(1))  # type: ignore[arg-type]
    assert label == "200" and seconds >= 0
    assert client.paths[0] == "/tickets/"
    assert client.paths[1].startswith("/datatables_ticket_list/eyJ")


def test_a_conversation_is_one_request_and_the_api_asks_for_json():
    client = _FakeClient((200, b"<html>", ""), (200, b"{}", ""))
    reference.reference_performer("conversation", CREDENTIALS)(client, random.Random(1))  # type: ignore[arg-type]
    reference.reference_performer("api_read", CREDENTIALS)(client, random.Random(1))  # type: ignore[arg-type]
    assert len(client.paths) == 2
    assert client.headers[0] == {} and client.headers[1] == {"Accept": "application/json"}


def test_a_lost_session_or_a_page_without_data_counts_as_an_error():
    lost = _FakeClient((302, b"", "/login/?next=/tickets/"))
    _, label = reference.reference_performer("list", CREDENTIALS)(lost, random.Random(1))  # type: ignore[arg-type]
    assert label == "login-redirect" and len(lost.paths) == 1
    no_data = _FakeClient((200, b"<html></html>", ""))
    _, label = reference.reference_performer("search", CREDENTIALS)(no_data, random.Random(1))  # type: ignore[arg-type]
    assert label == "no-data-url"


def test_every_shared_operation_has_a_herodesk_bench_operation():
    assert set(reference.HERODESK_OPERATION) == set(reference.SHARED_OPERATIONS)
    assert set(reference.HERODESK_OPERATION.values()) <= set(load.OPERATIONS)


def test_the_herodesk_api_read_asks_for_one_conversation_with_the_token():
    credentials = BenchCredentials("bench", "pw", "tok", first_conversation_id=10, last_conversation_id=20)
    method, path, body, headers = load.make_request("api_read", None, random.Random(2), credentials)  # type: ignore[arg-type]
    assert method == "GET" and body is None
    assert 10 <= int(path.rsplit("/", 1)[1]) <= 20 and path.startswith("/api/v1/conversations/")
    assert headers["Authorization"] == "Bearer tok"


def test_ratios_are_reference_over_herodesk_and_errors_fail_the_target():
    rows = reference.compare(4, [_result("list", 2000, 4000), _result("search", 300, 500, errors=1)],
                             [_result("list", 50, 100), _result("search", 10, 20), _result("api_read", 5, 9)])
    assert [row.operation for row in rows] == ["list", "search"]
    assert (rows[0].ratio_p50, rows[0].ratio_p95, rows[0].meets_target) == (40.0, 40.0, True)
    assert rows[1].ratio_p50 == 30.0 and not rows[1].meets_target  # a failed reference request
    slow = reference.compare(1, [_result("conversation", 150, 300)], [_result("conversation", 25, 60)])
    assert slow[0].ratio_p50 == 6.0 and not slow[0].meets_target
    assert reference.compare(1, [_result("list", 1, 1)], [_result("list", 0, 0)])[0].ratio_p50 == 0.0


def test_the_table_shows_both_desks_and_the_verdict():
    rows = reference.compare(1, [_result("list", 2500, 3100), _result("conversation", 148, 200)],
                             [_result("list", 36, 50), _result("conversation", 25, 40)])
    table = reference.format_comparison(rows)
    assert "2,500 / 3,100" in table and "36.0 / 50.0" in table
    assert "69x" in table.splitlines()[2] and table.splitlines()[2].endswith("ok")
    assert "MISS" in table.splitlines()[3]


def test_the_compare_command_is_wired_with_its_options():
    args = _parser().parse_args(["compare", "--data-dir", "/tmp/h", "--reference-dir", "/tmp/r",
                                 "--clients", "1,4", "--operations", "list,conversation"])
    assert args.handler.__name__ == "_cmd_compare"
    assert (args.workers, args.threads, args.clients) == (2, 4, "1,4")
