"""Command line for the signals engine: JSON Lines scoring, eval, train and bench.

``python -m herodesk.signals.cli score intensity < messages.jsonl``; the ``herodesk`` console command
wires ``signals ...`` to :func:`main`. A bad input line yields ``{"id": ..., "error": ...}`` and the
run continues; nothing here prints a traceback for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TextIO

from herodesk.signals import effort, intensity, promises


class InputError(ValueError):
    """A JSON Lines record that cannot be scored."""


def _text(record: dict[str, Any], key: str = "text") -> str:
    """The record's text; a missing key is an error (a typo such as "txt" must not score as empty),
    while an explicit empty string or null is valid input with a low-confidence result."""
    if key not in record:
        raise InputError(f"missing '{key}'")
    value = record[key]
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"'{key}' must be a string")
    return value


def _when(value: Any, key: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError(f"'{key}' must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise InputError(f"'{key}' is not ISO 8601: {value!r}") from error
    if moment.tzinfo is None:
        raise InputError(f"'{key}' needs a timezone offset: {value!r}")
    return moment


def score_intensity(record: dict[str, Any]) -> dict[str, Any]:
    result = intensity.score(_text(record))
    return {"intensity": result.score, "reasons": result.reasons, "confidence": result.confidence}


def score_effort(record: dict[str, Any]) -> dict[str, Any]:
    raw_turns = record.get("turns")
    if not isinstance(raw_turns, list):
        raise InputError("'turns' must be a list")
    turns = [_turn(t, i) for i, t in enumerate(raw_turns)]
    facts = _facts(record.get("facts"))
    result = effort.score(turns, facts)
    drivers = [{"name": d.name, "points": d.points, "detail": d.detail} for d in result.drivers]
    return {"effort": result.score, "drivers": drivers}


def _turn(raw: Any, index: int) -> effort.Turn:
    if not isinstance(raw, dict):
        raise InputError(f"turn {index} must be an object")
    sender = raw.get("sender")
    if sender not in ("customer", "agent"):
        raise InputError(f"turn {index}: 'sender' must be 'customer' or 'agent'")
    channel = raw.get("channel")
    return effort.Turn(
        sender, _text(raw), _when(raw.get("at"), "at"), channel if isinstance(channel, str) else None
    )


def _facts(raw: Any) -> effort.EffortFacts | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InputError("'facts' must be an object")
    known = set(effort.EffortFacts.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise InputError(f"unknown facts: {sorted(unknown)}")
    for key, value in raw.items():
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool) or value < 0):
            raise InputError(f"fact '{key}' must be a non-negative number")
    return effort.EffortFacts(**raw)


def score_promises(record: dict[str, Any]) -> dict[str, Any]:
    tz = record.get("tz")
    if tz is not None and not isinstance(tz, str):
        raise InputError("'tz' must be a string")
    found = promises.detect(_text(record), _when(record.get("sent_at"), "sent_at"), tz)
    return {
        "promises": [
            {
                "text": p.text,
                "kind": p.kind,
                "due": p.due.isoformat() if p.due else None,
                "who": p.who,
                "what": p.what,
                "suggestion": p.suggestion,
                "estimated_due": p.estimated_due.isoformat() if p.estimated_due else None,
                "estimate_basis": p.estimate_basis,
            }
            for p in found
        ]
    }


SCORERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "intensity": score_intensity,
    "effort": score_effort,
    "promises": score_promises,
}


def score_lines(kind: str, lines: Iterable[str], out: TextIO) -> int:
    """Score each JSON Lines record; returns the number of records that failed."""
    scorer = SCORERS[kind]
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record_id: Any = None
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise InputError("each line must be a JSON object")
            record_id = record.get("id")
            payload = {"id": record_id, **scorer(record)}
        except (
            InputError,
            json.JSONDecodeError,
            UnicodeError,
            ValueError,
            TypeError,
            RecursionError,
        ) as error:
            failures += 1
            payload = {"id": record_id, "error": f"line {number}: {error}"}
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    out.flush()
    return failures


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="herodesk signals", description="hero signals engine")
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="score JSON Lines from stdin to stdout")
    score.add_argument("kind", choices=sorted(SCORERS))
    evaluate = commands.add_parser("eval", help="evaluate every signal beside live baselines")
    evaluate.add_argument("--data", help="shared data dir (default: $HERODESK_SHARED_DATA or ../shared/data)")
    evaluate.add_argument(
        "--only", nargs="*", help="sections: intensity effort promises behaviours praise reasons proposals"
    )
    trainer = commands.add_parser("train", help="rebuild the shipped model artifacts reproducibly")
    trainer.add_argument("--data", help="shared data dir")
    bench = commands.add_parser("bench", help="throughput of the hot path on real texts")
    bench.add_argument("--data", help="shared data dir")
    bench.add_argument("--seconds", type=float, default=3.0, help="time budget per measurement")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "score":
        stdin = sys.stdin
        if hasattr(stdin, "reconfigure"):
            stdin.reconfigure(errors="replace")
        score_lines(args.kind, stdin, sys.stdout)
        return 0
    if args.command == "eval":
        from herodesk.signals.quality import evaluate

        return evaluate.main(args.data, args.only)
    if args.command == "train":
        from herodesk.signals.quality import train

        return train.main(args.data)
    from herodesk.signals.quality import bench

    return bench.main(args.data, args.seconds)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
