"""JSON Lines round trips through the CLI, including bad lines."""

import io
import json
import subprocess
import sys

from herodesk.signals.cli import score_lines


def run(kind: str, lines: list[str]) -> list[dict]:
    out = io.StringIO()
    score_lines(kind, lines, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_intensity_round_trip_keeps_going_after_a_bad_line():
    rows = run(
        "intensity",
        [
            '{"id": 1, "text": "I want to cancel my account, worst service ever!!"}',
            "not json",
            '{"id": 3, "text": 42}',
            '{"id": 4, "text": ""}',
            '{"id": 5, "txt": "a typo in the key"}',
        ],
    )
    assert rows[0]["id"] == 1 and rows[0]["intensity"] > 0.5 and rows[0]["reasons"]
    assert "error" in rows[1] and rows[1]["id"] is None
    assert rows[2] == {"id": 3, "error": rows[2]["error"]}
    assert rows[3]["intensity"] == 0.0
    assert "missing 'text'" in rows[4]["error"]


def test_effort_round_trip_with_facts_and_bad_sender():
    rows = run(
        "effort",
        [
            json.dumps(
                {
                    "id": "a",
                    "turns": [
                        {
                            "sender": "customer",
                            "text": "third time asking!",
                            "at": "2026-03-04T10:00:00+00:00",
                            "channel": "email",
                        }
                    ],
                    "facts": {"transfers": 2},
                }
            ),
            json.dumps({"id": "b", "turns": [{"sender": "robot", "text": "hi"}]}),
            json.dumps(
                {"id": "c", "turns": [{"sender": "customer", "text": "hi", "at": "2026-03-04T10:00:00"}]}
            ),
        ],
    )
    assert 0 <= rows[0]["effort"] <= 100 and rows[0]["drivers"]
    assert "sender" in rows[1]["error"]
    assert "timezone" in rows[2]["error"]


def test_promises_round_trip_resolves_due_in_the_given_zone():
    rows = run(
        "promises",
        [
            json.dumps(
                {
                    "id": 7,
                    "text": "I will call you back by Monday at 4pm.",
                    "sent_at": "2026-03-04T10:30:00Z",
                    "tz": "Europe/London",
                }
            )
        ],
    )
    assert rows[0]["promises"][0]["kind"] == "specific"
    assert rows[0]["promises"][0]["due"] == "2026-03-09T16:00:00+00:00"


def test_module_entry_point_reads_stdin_and_writes_stdout():
    done = subprocess.run(
        [sys.executable, "-m", "herodesk.signals.cli", "score", "intensity"],
        input='{"id": 1, "text": "help, my card was stolen"}\n{broken\n',
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows[0]["id"] == 1 and "error" in rows[1]
    assert "Traceback" not in done.stderr
