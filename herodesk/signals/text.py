"""Input hygiene shared by every signal: truncation, binary and language checks, tokens, sentences.

Every public signal runs its input through :func:`prepare` so that empty, huge, binary-looking or
non-English text gives a low-confidence result instead of an exception or a slow scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# A customer message longer than this is almost always a pasted log or a quoted thread; the signal is
# in the first part, and the hot path must stay bounded.
MAX_CHARS = 20_000

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[!?]")
_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[@])|\n+|(?<=[.!?])(?=[A-Z][a-z])")
_ABBREVIATION_RE = re.compile(
    r"(?:\b(?:a\.m|p\.m|e\.g|i\.e|mr|mrs|ms|dr|no|st|etc|approx|vs)\.)$", re.IGNORECASE
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")
_NON_LATIN_LETTER_RE = re.compile(r"[^\x00-\x7f\W\d_]")
_ENGLISH_STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "to",
        "of",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "i",
        "you",
        "we",
        "it",
        "this",
        "that",
        "my",
        "your",
        "our",
        "for",
        "on",
        "in",
        "with",
        "not",
        "no",
        "have",
        "has",
        "had",
        "do",
        "did",
        "does",
        "can",
        "could",
        "will",
        "would",
        "please",
        "thanks",
        "thank",
        "me",
        "us",
        "at",
        "by",
        "from",
        "as",
        "but",
        "if",
        "so",
        "what",
        "when",
        "why",
        "how",
        "there",
        "they",
        "he",
        "she",
    ]
)


def compile_words(pattern: str) -> re.Pattern[str]:
    """Compile a lower-case phrase pattern; a leading word boundary becomes a look-behind, which Python's
    regex engine scans several times faster than ``\\b`` before a long alternation."""
    return re.compile(word_start(pattern))


def word_start(pattern: str) -> str:
    if pattern.startswith(r"\b("):
        return r"(?<![a-z0-9'])(" + pattern[3:]
    return pattern


def compile_named(patterns: dict[str, str]) -> re.Pattern[str]:
    """One alternation of named phrase patterns, so a message is scanned once instead of once per pattern."""
    return re.compile("|".join(f"(?P<{name}>{word_start(p)})" for name, p in patterns.items()))


@dataclass(frozen=True, slots=True)
class PreparedText:
    """Text made safe for analysis, with what we learned about its quality on the way."""

    text: str
    lower: str
    truncated: bool
    binary: bool
    english: float  # 0..1: how English-like the text looks

    @property
    def usable(self) -> bool:
        return bool(self.text.strip()) and not self.binary


def prepare(text: object, max_chars: int = MAX_CHARS) -> PreparedText:
    """Coerce, truncate and inspect raw input text (cached: the signals share one message)."""
    if isinstance(text, str):
        return _prepare_str(text, max_chars)
    return _prepare(_coerce(text), max_chars)


@lru_cache(maxsize=512)
def _prepare_str(text: str, max_chars: int) -> PreparedText:
    return _prepare(text, max_chars)


def _prepare(raw: str, max_chars: int) -> PreparedText:
    truncated = len(raw) > max_chars
    if truncated:
        raw = raw[:max_chars]
    binary = looks_binary(raw)
    if binary:
        return PreparedText("", "", truncated, True, 0.0)
    lower = raw.lower()
    return PreparedText(raw, lower, truncated, False, english_ratio(lower))


def _coerce(text: object) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray):
        return bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return str(text)
    return text


def looks_binary(text: str) -> bool:
    """True when a sample of the text is mostly control or replacement characters."""
    sample = text[:4096]
    if not sample:
        return False
    bad = len(_CONTROL_RE.findall(sample))
    return bad / len(sample) > 0.1


def english_ratio(lower: str) -> float:
    """A cheap 0..1 estimate of how English the text is (share of Latin words that are stopwords, scaled)."""
    sample = lower[:4096]
    words = _LATIN_WORD_RE.findall(sample)
    if not words:
        return 0.0
    if sample.isascii():
        latin_share = 1.0
    else:
        latin_letters = sum(len(w) for w in words)
        other_letters = len(_NON_LATIN_LETTER_RE.findall(sample))
        latin_share = latin_letters / (latin_letters + other_letters)
    stop_share = sum(1 for w in words if w in _ENGLISH_STOPWORDS) / len(words)
    # Ordinary English runs at 30-50% stopwords; short messages may have none, so be lenient.
    stop_score = min(1.0, stop_share / 0.2) if len(words) >= 5 else 0.7
    return round(latin_share * stop_score, 3)


def tokens(lower: str) -> list[str]:
    """Lower-case word tokens (keeping contractions) plus ! and ? as tokens."""
    return _TOKEN_RE.findall(lower)


def sentences(text: str) -> list[str]:
    """Split text into rough sentences; good enough for agent replies and customer messages."""
    parts = _SENTENCE_BREAK_RE.split(text)
    merged: list[str] = []
    for part in parts:
        piece = part.strip()
        if not piece:
            continue
        if merged and _ABBREVIATION_RE.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def confidence_for(prepared: PreparedText, n_tokens: int) -> float:
    """How much to trust a text signal computed on this input."""
    if not prepared.usable or n_tokens == 0:
        return 0.0
    length_factor = min(1.0, 0.4 + n_tokens / 25)
    return round(max(0.05, length_factor * prepared.english), 3)
