"""Practice scenarios: a real conversation made anonymous, and AutoQA on a written reply.

Anonymising is simple and deterministic: the customer's name (whole and each part of three letters or more),
their email addresses and phone numbers wherever they appear (and the name parts of an address such as
zeb.quixmarker@), any other email address, and every run of four
or more digits (order numbers, phone numbers, card tails) are replaced by made-up ones. The same conversation
always gives the same scenario."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

from herodesk.conversations.models import Message
from herodesk.quality import autoqa
from herodesk.quality.models import Behaviour

FIRST = ("Alex", "Sam", "Robin", "Jamie", "Charlie", "Morgan", "Taylor", "Jordan", "Casey", "Riley")
LAST = ("Fields", "Brook", "Hale", "Marsh", "Stone", "Wells", "Reed", "Lane", "Frost", "Vale")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DIGITS = re.compile(r"\d(?:[\d \-./]*\d)?")


def _seed(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def made_up_name(key: str) -> str:
    n = _seed(key)
    return f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"


class Anonymiser:
    def __init__(self, key: str, name: str, identities: Iterable[str]) -> None:
        self.key = key
        self.fake = made_up_name(key)
        self.fake_email = self.fake.lower().replace(" ", ".") + "@example.com"
        words: dict[str, str] = {}
        parts, fake_parts = name.split(), self.fake.split()
        if name.strip():
            words[name.strip()] = self.fake
        for i, part in enumerate(parts):
            if len(part) >= 3:
                words[part] = fake_parts[0] if i == 0 else fake_parts[-1]
        for value in identities:
            if "@" in value:
                words[value] = self.fake_email
                local = value.split("@")[0]
                if len(local) >= 4:
                    words[local] = self.fake_email.split("@")[0]
                # zeb.quixmarker@: the parts of a name an address is made of, when the record has no name
                pieces = [p for p in re.split(r"[._+-]", local) if len(p) >= 3 and p.isalpha()]
                for i, piece in enumerate(pieces if len(pieces) > 1 else []):
                    words.setdefault(piece, fake_parts[0] if i == 0 else fake_parts[-1])
        self.words = sorted(words.items(), key=lambda kv: -len(kv[0]))

    def _digits(self, match: re.Match[str]) -> str:
        text = match.group(0)
        count = sum(c.isdigit() for c in text)
        if count < 4:
            return text
        digits = "".join(c for c in text if c.isdigit())
        seed = _seed(f"{self.key}:{digits}")
        out = []
        for c in text:
            if c.isdigit():
                out.append(str(seed % 10))
                seed = seed // 10 or _seed(f"{seed}{len(out)}")
            else:
                out.append(c)
        return "".join(out)

    def __call__(self, text: str) -> str:
        for real, fake in self.words:
            text = re.sub(rf"(?<!\w){re.escape(real)}(?!\w)", fake, text, flags=re.IGNORECASE)
        text = EMAIL.sub(lambda m: m.group(0) if m.group(0) == self.fake_email else self.fake_email, text)
        return DIGITS.sub(self._digits, text)


def thread_of(scenario_thread: Sequence[dict[str, object]], reply: str) -> list[Message]:
    """Unsaved messages for AutoQA: the scenario's customer messages, then the written reply."""
    out = []
    for i, item in enumerate(scenario_thread, start=1):
        raw = item.get("intensity")
        out.append(
            Message(
                pk=i,
                kind=Message.Kind.CUSTOMER,
                text=str(item.get("text", "")),
                intensity=float(raw) if isinstance(raw, (int, float)) else None,
            )
        )
    out.append(Message(pk=len(out) + 1, kind=Message.Kind.REPLY, text=reply))
    return out


def suggest(
    behaviours: Sequence[Behaviour], scenario_thread: Sequence[dict[str, object]], reply: str
) -> dict[str, dict[str, object]]:
    """AutoQA per behaviour id, on the written reply: {"<id>": {"value": v, "evidence": [...]}}."""
    found = autoqa.suggest(thread_of(scenario_thread, reply), [])
    out: dict[str, dict[str, object]] = {}
    for b in behaviours:
        s = found.get(b.autoqa) if b.autoqa else None
        if s is not None:
            evidence = [{"text": e.get("text", "")} for e in s.evidence]
            out[str(b.pk)] = {"value": s.value_for(b), "evidence": evidence}
    return out
