"""`herodesk bench soak`: its agents are real desk agents, its errors are counted, its memory is reported."""

from __future__ import annotations

import os
from typing import cast

import pytest

from herodesk.bench import procs, soak
from herodesk.bench.cli import _parser


def test_the_soak_command_is_wired_with_its_options():
    args = _parser().parse_args(["soak", "--data-dir", "/tmp/x", "--agents", "50", "--minutes", "10"])
    assert args.handler.__name__ == "_cmd_soak"
    assert (args.agents, args.minutes, args.url) == (50, 10.0, None)


@pytest.mark.django_db
def test_agents_are_invited_on_every_team_and_can_log_in(support_team, billing_team, client):
    logins = soak.create_agents(3)
    assert sorted(cast(list[int], logins["team_ids"])) == sorted([support_team.pk, billing_team.pk])
    first = logins["agents"][0]  # type: ignore[index]
    assert client.login(username=first["username"], password=first["password"])
    again = soak.create_agents(1)  # a second run gets its own agents on the same desk
    assert again["agents"][0]["username"] != first["username"]  # type: ignore[index]


class _FakeClient:
    csrf_token = "t"

    def __init__(self, status: int, location: str = "") -> None:
        self.status, self.last_location = status, location

    def form_headers(self) -> dict[str, str]:
        return {}

    def request(self, method, path, body=None, headers=None):
        return self.status, b""


@pytest.mark.parametrize(
    ("status", "location", "counted"),
    [
        (200, "", {}),
        (302, "/c/1/", {}),
        (302, "/accounts/login/?next=/", {"login-redirect": 1}),
        (500, "", {"500": 1}),
    ],
)
def test_errors_are_4xx_5xx_and_lost_sessions(status, location, counted):
    tally = soak.Tally()
    soak._step(_FakeClient(status, location), tally, "reply", "POST", "/c/1/reply/", {"text": "x"})  # type: ignore[arg-type]
    assert dict(tally.errors.get("reply", {})) == counted
    assert len(tally.latencies["reply"]) == 1


def test_the_report_has_latencies_errors_and_memory_at_start_mid_and_end():
    tally = soak.Tally()
    for ms in (10, 20, 30, 40):
        tally.record("inbox", ms / 1000, "ok")
    tally.record("reply", 0.05, "500")
    samples = [
        (0.0, {"web worker 1": 100.0}),
        (60.0, {"web worker 1": 110.0}),
        (120.0, {"web worker 1": 111.0}),
    ]
    report = soak.summarize(
        soak.SoakConfig(url="http://127.0.0.1:1", agents=2, seconds=120), tally, samples, 120
    )
    assert report["errors"] == 1
    assert report["operations"]["inbox"]["p50_ms"] == 20.0  # type: ignore[index]
    assert report["memory"]["rss_mb"]["web worker 1"] == {"start": 100.0, "mid": 110.0, "end": 111.0}  # type: ignore[index]
    text = soak.format_report(report)
    assert "errors: 1" in text and "web worker 1" in text


def test_memory_is_read_for_this_process_tree():
    assert procs.rss_mb(os.getpid()) > 0
    assert os.getpid() in procs.descendants(os.getpid())
