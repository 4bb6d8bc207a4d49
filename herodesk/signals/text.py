"""Input hygiene shared by every signal: truncation, binary and language checks, tokens, sentences.

Every public signal runs its input through :func:`prepare` so that empty, huge, binary-looking or
non-English text gives a low-confidence result instead of an exception or a slow scan.
"""

from __future__ import annotations

import re
import re._constants as _c  # the stdlib regex parser: keyword gates are derived from the patterns
import re._parser as _p
from collections.abc import Sequence
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
    toks: tuple[str, ...] = ()  # tokens(lower), computed once and shared by the signals
    words: frozenset[str] = frozenset()  # the [a-z0-9]+ words, for keyword gates
    has_digit: bool = False

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
    toks = tuple(_TOKEN_RE.findall(lower))
    return PreparedText(
        raw,
        lower,
        truncated,
        False,
        english_ratio(lower),
        toks,
        gate_words(toks, lower),
        _DIGIT_RE.search(lower) is not None,
    )


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


# ---------------------------------------------------------------- keyword gates
#
# Most phrase regexes never match a given message, yet a scan costs microseconds per pattern. A
# ``WordGate`` is derived from the pattern's own parse tree: every way a match can be spelled is walked
# through its leading literal words, and one necessary word is kept per way (the rarest-looking: a whole
# [a-z0-9]+ word when both its edges are fixed by the pattern, else a literal substring). A message
# containing none of them cannot match, so the scan is skipped; when the gate opens the original regex
# runs, so results are identical with or without gates (checked in the tests).

_GATE_WORD_RE = re.compile(r"[a-z0-9]+")
_DIGIT_RE = re.compile(r"\d")
_GATE_LIMIT = 5000  # enumerated spellings per pattern; beyond this fewer words are walked, then none
_COMMON_WORDS = _ENGLISH_STOPWORDS | frozenset(
    [
        "let",
        "get",
        "any",
        "all",
        "one",
        "more",
        "else",
        "just",
        "out",
        "up",
        "about",
        "need",
        "want",
        "also",
        "then",
        "some",
        "someone",
        "am",
        "who",
        "its",
    ]
)


class _Ungateable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class WordGate:
    """Cheap necessary condition for a regex to match lower-cased text (see :func:`word_gate`)."""

    words: frozenset[str]  # some match needs one of these whole [a-z0-9]+ words ...
    substrings: tuple[str, ...]  # ... or one of these literal substrings
    digit: bool  # ... or a digit
    always: bool  # the pattern cannot be gated: always scan

    def open(self, words: frozenset[str], lower: str, has_digit: bool) -> bool:
        if self.always or (self.digit and has_digit) or not self.words.isdisjoint(words):
            return True
        for sub in self.substrings:  # noqa: SIM110 - a plain loop beats any() with a generator here
            if sub in lower:
                return True
        return False


def _is_word_char(code: int) -> bool:
    return 97 <= code <= 122 or 48 <= code <= 57


def _non_word_class(op: object, av: object) -> bool:
    """True when the item matches only characters outside [a-z0-9] (spaces, punctuation)."""
    if op is _c.LITERAL:
        return not _is_word_char(av)  # type: ignore[arg-type]
    if op is _c.IN:
        for sub_op, sub_av in av:  # type: ignore[union-attr,attr-defined]
            if sub_op is _c.LITERAL and not _is_word_char(sub_av):
                continue
            if sub_op is _c.CATEGORY and sub_av is _c.CATEGORY_SPACE:
                continue
            return False
        return True
    return False


def _digit_class(op: object, av: object) -> bool:
    return op is _c.IN and any(s_op is _c.CATEGORY and s_av is _c.CATEGORY_DIGIT for s_op, s_av in av)  # type: ignore[union-attr,attr-defined]


def _key_rank(key: tuple[str, str]) -> tuple[int, int]:
    kind, word = key
    if kind == "digit":
        return (0, 0)
    common = word in _COMMON_WORDS or len(word) < 3
    return ((1 if common else 3) + (kind == "word"), len(word))


class _Walker:
    """Walks the parse tree, collecting one best necessary key per spelling of a match."""

    def __init__(self, max_words: int) -> None:
        self.max_words = max_words
        self.keys: set[tuple[str, str]] = set()
        self.paths = 0

    def done(self, found: tuple[tuple[str, str], ...]) -> None:
        self.paths += 1
        if self.paths > _GATE_LIMIT:
            raise _Ungateable
        if not found:
            raise _Ungateable
        self.keys.add(max(found, key=_key_rank))

    def walk(self, items: list, prefix: str, left_exact: bool, found: tuple) -> None:
        """``prefix``: literal word chars so far; ``left_exact``: the word started at a word edge."""

        def close(right_exact: bool) -> tuple:
            if not prefix:
                return found
            kind = "word" if left_exact and right_exact else "sub"
            return (*found, (kind, prefix))

        def enough(keys: tuple) -> bool:
            ranks = [_key_rank(k)[0] for k in keys]
            rare = sum(r >= 3 for r in ranks)
            return max(ranks, default=0) >= 4 or rare >= self.max_words or len(keys) >= 6

        def unknown() -> None:  # content we cannot spell: finish this word, continue unanchored
            keys = close(False)
            if enough(keys):
                self.done(keys)
            else:
                self.walk(rest, "", False, keys)

        if not items:
            self.done(close(False))
            return
        op, av = items[0]
        rest = items[1:]
        if op is _c.LITERAL and _is_word_char(av):
            self.walk(rest, prefix + chr(av), left_exact, found)
        elif op is _c.LITERAL or (op is _c.IN and _non_word_class(op, av)):
            keys = close(True)
            if enough(keys):
                self.done(keys)
            else:
                self.walk(rest, "", True, keys)
        elif op is _c.AT:
            if av in (_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_END, _c.AT_END_STRING):
                if prefix:
                    keys = close(True)
                    if enough(keys):
                        self.done(keys)
                    else:  # after a boundary, more word chars cannot follow directly
                        self.walk(rest, "", True, keys)
                else:
                    self.walk(rest, "", True, found)
            else:
                self.walk(rest, prefix, left_exact, found)
        elif op is _c.ASSERT_NOT and av[0] == -1 and not prefix:  # (?<![a-z0-9']) look-behind
            inner = av[1].data
            blocks = (
                len(inner) == 1
                and inner[0][0] is _c.IN
                and all(
                    any(s_op is _c.RANGE and s_av[0] <= ch <= s_av[1] for s_op, s_av in inner[0][1])
                    for ch in (ord("a"), ord("z"), ord("0"), ord("9"))
                )
            )
            self.walk(rest, prefix, left_exact or blocks, found)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            self.walk(rest, prefix, left_exact, found)
        elif op is _c.SUBPATTERN:
            self.walk(list(av[3].data) + rest, prefix, left_exact, found)
        elif op is _c.BRANCH:
            for branch in av[1]:
                self.walk(list(branch.data) + rest, prefix, left_exact, found)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)):
            low, high, sub = av
            data = list(sub.data)
            if low == 0:
                self.walk(rest, prefix, left_exact, found)
            if high == 1:
                self.walk(data + rest, prefix, left_exact, found)
            elif len(data) == 1 and _non_word_class(*data[0]):
                keys = close(True)
                if enough(keys):
                    self.done(keys)
                else:
                    self.walk(rest, "", True, keys)
            elif not prefix and not found and len(data) == 1 and _digit_class(*data[0]):
                self.walk(rest, "", False, (("digit", ""),))
            else:
                unknown()
        elif op is _c.IN and not prefix and not found and _digit_class(op, av):
            self.walk(rest, "", False, (("digit", ""),))
        elif op is _c.IN and len(av) <= 12 and all(s_op is _c.LITERAL for s_op, _ in av):
            for _, code in av:
                self.walk([(_c.LITERAL, code), *rest], prefix, left_exact, found)
        else:
            unknown()


_ALWAYS = WordGate(frozenset(), (), False, True)


@lru_cache(maxsize=256)
def _gate_for(source: str) -> WordGate:
    parsed = list(_p.parse(source).data)
    for max_words in (3, 2, 1):
        walker = _Walker(max_words)
        try:
            walker.walk(parsed, "", False, ())
        except (_Ungateable, RecursionError):
            continue
        keys = walker.keys
        words = frozenset(w for kind, w in keys if kind == "word")
        subs = tuple(sorted({w for kind, w in keys if kind == "sub"}, key=lambda w: (len(w), w)))
        return WordGate(words, subs, any(kind == "digit" for kind, _ in keys), False)
    return _ALWAYS


def word_gate(pattern: re.Pattern[str] | str) -> WordGate:
    """The keyword gate of a pattern that runs on lower-cased text (IGNORECASE/VERBOSE: no gate)."""
    if isinstance(pattern, re.Pattern):
        if pattern.flags & (re.IGNORECASE | re.VERBOSE):
            return _ALWAYS
        pattern = pattern.pattern
    return _gate_for(pattern)


def gate_words(toks: Sequence[str], lower: str) -> frozenset[str]:
    """The [a-z0-9]+ words of a text, from its tokens (contractions split at the apostrophe)."""
    if "'" not in lower and "’" not in lower:
        return frozenset(toks)
    return frozenset(_GATE_WORD_RE.findall(lower))
