"""How the third fresh promise set (labels/promises_fresh3.jsonl) was drawn, before any rule change.

Run ``python -m herodesk.signals.quality.sample_fresh3 [DATA_DIR]``: prints the unlabelled sample as JSON
lines (source, dialogue, turn, start, end, sha1, text). The labels were then written by reading each
sentence, without running the detector; see the file's ``_meta`` for the conventions.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from pathlib import Path

from herodesk.signals.quality.data import data_dir, load_stc3, load_uss

SEED = 20261205
EARLIER_SETS = (
    "promises.jsonl",
    "promises_fresh.jsonl",
    "promises_fresh2.jsonl",
    "behaviours_real.jsonl",
    "praise.jsonl",
)
# Cues for commitments, including the forms the earlier sets under-sampled: passive and impersonal
# ("will be forwarded", "you should receive"), another team as the subject, vague durations.
CUE_RE = re.compile(
    r"\b(?:i|we)(?: will|'ll| shall| are going to|'re going to)\b|\blet me\b|"
    r"\b(?:staff|team|department|engineers?|colleagues?|technicians?|someone|member|personnel|"
    r"workers?|customer service)\b[^.?!]{0,30}\bwill\b|\bwill be\b|\bshould (?:receive|get|hear)\b|"
    r"\byou will (?:receive|get|hear|be)\b|\bforward|\bget back to you\b|\bcontact you\b|"
    r"\bfollow(?:ed)? up\b|"
    r"\bbe in touch\b|\ballow\b|\bwithin\b|\ba few\b|\bcouple of\b|\bshortly\b|\bsoon\b|"
    r"\bworking days?\b|\bhours?\b|\btomorrow\b",
    re.IGNORECASE,
)
_NO_SPLIT = re.compile(r"(?:Mr|Mrs|Ms|Dr|St|Rd|Jr|Sr|Prof|Inc|Ltd|e\.g|i\.e|approx|vs|etc)\.$")


def split(text: str) -> list[tuple[int, int]]:
    """Sentence spans: after [.!?]+ and whitespace, not after common abbreviations; >= 12 characters."""
    spans, start = [], 0
    for match in re.finditer(r"[.!?]+(?=\s)", text):
        if _NO_SPLIT.search(text[start : match.end()]):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= 12:
            out.append((a, b))
    return out


def used_dialogues(labels: Path, sets: tuple[str, ...] | None = None) -> set[tuple[str, str]]:
    """(source, dialogue) of every dialogue that already gave sentences to one of ``sets``."""
    used = set()
    for name in EARLIER_SETS if sets is None else sets:
        for line in (labels / name).read_text().splitlines():
            raw = json.loads(line)
            if "dialogue" in raw:
                used.add((raw["source"], str(raw["dialogue"])))
    return used


def sample(root: Path, labels: Path) -> list[dict]:
    used = used_dialogues(labels)
    pools: dict[str, list[dict]] = {"stc3": [], "uss": []}
    for dialogue in load_stc3(root):
        if ("stc3", dialogue.id) in used:
            continue
        for index, turn in enumerate(dialogue.turns):
            if turn.sender == "helpdesk":
                pools["stc3"] += _items("stc3", dialogue.id, index, turn.text)
    for number, turns in enumerate(load_uss(root)):
        if ("uss", str(number)) in used:
            continue
        for index, uturn in enumerate(turns):
            if uturn.role == "SYSTEM":
                pools["uss"] += _items("uss", str(number), index, uturn.text)
    rng = random.Random(SEED)
    chosen: list[dict] = []
    for source, (uniform, cued) in (("stc3", (50, 130)), ("uss", (10, 30))):
        pool = pools[source]
        first = rng.sample(pool, uniform)
        taken = {id(x) for x in first}
        cue_pool = [x for x in pool if id(x) not in taken and CUE_RE.search(x["text"])]
        chosen += first + rng.sample(cue_pool, cued)
        print(f"# {source}: pool {len(pool)}, cue pool {len(cue_pool)}", file=sys.stderr)
    return chosen


def _items(source: str, dialogue: str, turn: int, text: str) -> list[dict]:
    return [
        {
            "source": source,
            "dialogue": dialogue,
            "turn": turn,
            "start": a,
            "end": b,
            "sha1": hashlib.sha1(text[a:b].encode(), usedforsecurity=False).hexdigest()[:12],
            "text": text[a:b],
        }
        for a, b in split(text)
    ]


if __name__ == "__main__":
    root = data_dir(sys.argv[1] if len(sys.argv) > 1 else None)
    for item in sample(root, Path(__file__).parent / "labels"):
        print(json.dumps(item, ensure_ascii=False))
