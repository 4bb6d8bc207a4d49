"""How the fourth fresh promise set (labels/promises_fresh4.jsonl) was drawn, before any rule change.

Run ``python -m herodesk.signals.quality.sample_fresh4 [DATA_DIR]``: prints the unlabelled sample as JSON
lines (source, dialogue, turn, start, end, sha1, stratum, text). The labels were then written by reading
each sentence in its turn, without running the detector; see the file's ``_meta`` for the conventions.

Dialogues of every earlier labelled set are excluded. Per source: a uniform sample of all agent
sentences, then a sample among the remaining sentences with a commitment cue (set 3's regex), then among
the remaining ones with only a time cue (a number of minutes/hours/days, a weekday, tomorrow, "end of",
"before", "by <digit>"), so that due times get a chance to appear. STC-3 has few cued sentences left
after three cue-sampled sets, so its cue strata are taken whole when smaller than asked.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

from herodesk.signals.quality.data import data_dir, load_stc3, load_uss
from herodesk.signals.quality.sample_fresh3 import CUE_RE, _items, used_dialogues

SEED = 20261207
EARLIER_SETS = (
    "promises.jsonl",
    "promises_fresh.jsonl",
    "promises_fresh2.jsonl",
    "promises_fresh3.jsonl",
    "behaviours_real.jsonl",
    "praise.jsonl",
)
# Sizes per source: (uniform, commitment cue, time cue only). Half of the set is uniform.
SIZES = {"stc3": (75, 65, 25), "uss": (50, 30, 15)}
TIME_RE = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|ten|fifteen|twenty|thirty|forty-eight)\s*"
    r"(?:(?:-|~|to)\s*\d+\s*)?(?:working |business |natural )?(?:minutes?|hours?|days?|weeks?|months?)\b|"
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\btomorrow\b|\bend of\b|"
    r"\bbefore\b|\bby \d",
    re.IGNORECASE,
)


def pools(root: Path, labels: Path) -> dict[str, list[dict]]:
    used = used_dialogues(labels, EARLIER_SETS)
    out: dict[str, list[dict]] = {"stc3": [], "uss": []}
    for dialogue in load_stc3(root):
        if ("stc3", dialogue.id) not in used:
            for index, turn in enumerate(dialogue.turns):
                if turn.sender == "helpdesk":
                    out["stc3"] += _items("stc3", dialogue.id, index, turn.text)
    for number, turns in enumerate(load_uss(root)):
        if ("uss", str(number)) not in used:
            for index, uturn in enumerate(turns):
                if uturn.role == "SYSTEM":
                    out["uss"] += _items("uss", str(number), index, uturn.text)
    return out


def sample(root: Path, labels: Path) -> list[dict]:
    rng = random.Random(SEED)
    chosen: list[dict] = []
    for source, pool in pools(root, labels).items():
        uniform, cued, timed = SIZES[source]
        taken: set[int] = set()
        strata = (
            ("uniform", uniform, lambda x: True),
            ("commitment cue", cued, lambda x: bool(CUE_RE.search(x["text"]))),
            ("time cue", timed, lambda x: bool(TIME_RE.search(x["text"]))),
        )
        for stratum, size, keep in strata:
            eligible = [x for x in pool if id(x) not in taken and keep(x)]
            drawn = rng.sample(eligible, min(size, len(eligible)))
            taken |= {id(x) for x in drawn}
            chosen += [{**x, "stratum": stratum} for x in drawn]
            print(f"# {source} {stratum}: {len(drawn)} of {len(eligible)}", file=sys.stderr)
    return chosen


if __name__ == "__main__":
    root = data_dir(sys.argv[1] if len(sys.argv) > 1 else None)
    for item in sample(root, Path(__file__).parent / "labels"):
        print(json.dumps(item, ensure_ascii=False))
