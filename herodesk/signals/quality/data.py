"""Readers for the published evaluation datasets in the shared data folder (never copied into the repo)."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path


def data_dir(explicit: str | None = None) -> Path:
    """--data beats $HERODESK_SHARED_DATA beats ../shared/data relative to the working directory."""
    chosen = explicit or os.environ.get("HERODESK_SHARED_DATA") or "../shared/data"
    return Path(chosen)


@dataclass(frozen=True, slots=True)
class StcTurn:
    sender: str  # "customer" | "helpdesk"
    text: str


@dataclass(frozen=True, slots=True)
class StcDialogue:
    id: str
    turns: list[StcTurn]
    mean_s: float
    mean_e: float
    mean_a: float


@dataclass(frozen=True, slots=True)
class UssTurn:
    role: str  # "USER" | "SYSTEM"
    text: str
    action: str
    satisfaction: float | None  # mean over annotators, user turns only


def load_stc3(root: Path) -> list[StcDialogue]:
    with open(root / "stc3" / "dialogues_dev.json", encoding="utf-8") as handle:
        raw = json.load(handle)
    return [_stc_dialogue(item) for item in raw]


def _stc_dialogue(item: dict) -> StcDialogue:
    turns = [StcTurn(t["sender"], " ".join(t["utterances"])) for t in item["turns"]]
    qualities = [a["quality"] for a in item["annotations"]]

    def mean(key: str) -> float:
        return sum(q[key] for q in qualities) / max(len(qualities), 1)

    return StcDialogue(str(item["id"]), turns, mean("S"), mean("E"), mean("A"))


def load_uss(root: Path, name: str = "MWOZ.txt") -> list[list[UssTurn]]:
    """Dialogues of turns; the trailing 'OVERALL' pseudo-turn is dropped."""
    dialogues: list[list[UssTurn]] = []
    current: list[UssTurn] = []
    with open(root / "uss" / name, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip():
                if current:
                    dialogues.append(current)
                current = []
                continue
            turn = _uss_turn(line)
            if turn is not None and turn.text != "OVERALL":
                current.append(turn)
    if current:
        dialogues.append(current)
    return dialogues


def _uss_turn(line: str) -> UssTurn | None:
    parts = line.split("\t")
    if len(parts) < 2:
        return None
    role, text = parts[0], parts[1]
    action = parts[2] if len(parts) > 2 else ""
    scores = [int(x) for x in (parts[3] if len(parts) > 3 else "").split(",") if x.strip().isdigit()]
    satisfaction = sum(scores) / len(scores) if scores else None
    return UssTurn(role, text, action, satisfaction)


def load_complaints(root: Path) -> list[tuple[str, int, str]]:
    """(text, label, domain) rows."""
    with open(root / "complaints" / "complaints_dev.csv", encoding="utf-8", newline="") as handle:
        return [(row["text"], int(row["label"]), row["domain"]) for row in csv.DictReader(handle)]


def load_banking77(root: Path, split: str) -> list[tuple[str, str]]:
    """(text, category) rows of train.csv or test.csv."""
    with open(root / "banking77" / f"{split}.csv", encoding="utf-8", newline="") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]
