"""Input hygiene shared by every signal: truncation, binary and language checks, tokens, sentences.

Every public signal runs its input through :func:`prepare` so that empty, huge, binary-looking or
non-English text gives a low-confidence result instead of an exception or a slow scan.
"""

from __future__ import annotations

import re
import re._constants as _c  # the stdlib regex parser: keyword gates are derived from the patterns
import re._parser as _p
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

# A customer message longer than this is almost always a pasted log or a quoted thread; the signal is
# in the first part, and the hot path must stay bounded.
MAX_CHARS = 20_000

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[!?]")
_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[@])|\n+|(?<=[.!?])(?=[A-Z][a-z])")
_ABBREVIATION_RE = re.compile(
    r"(?:\b(?:a\.m|p\.m|e\.g|i\.e|mr|mrs|ms|dr|no|st|etc|approx|vs)\.)$", re.IGNORECASE
)
_ABBREVIATION_TAIL = 8  # longest abbreviation ("approx.") plus the character before it
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z]+")  # = [A-Za-z]{2,}; a leading class scans faster
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
        # = bool(text.strip()), without copying the text on every call
        return bool(self.text) and not self.text.isspace() and not self.binary


def prepare(text: object, max_chars: int = MAX_CHARS) -> PreparedText:
    """Coerce, truncate and inspect raw input text (cached: the signals share one message)."""
    if isinstance(text, str):
        return _prepare_str(text, max_chars)
    return _prepare(_coerce(text), max_chars)


def prepare_uncached(text: object, max_chars: int = MAX_CHARS) -> PreparedText:
    """:func:`prepare` without the cache, for a caller that shares the result itself (``analyse_message``):
    a new text only misses, and pushing out an entry prepared long ago costs more than the look-up saves."""
    return _prepare(text if isinstance(text, str) else _coerce(text), max_chars)


# Enough for the signals called one after another on one message; a larger cache frees long-unused
# entries on every miss, which costs a few microseconds per message.
@lru_cache(maxsize=32)
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
        latin_letters = sum(map(len, words))
        other_letters = len(_NON_LATIN_LETTER_RE.findall(sample))
        latin_share = latin_letters / (latin_letters + other_letters)
    stop_share = sum(map(_ENGLISH_STOPWORDS.__contains__, words)) / len(words)  # an int sum, in C
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
        # An abbreviation match ends the string and is at most 7 characters long, so only the tail needs
        # scanning (the look-behind of \b still sees the whole string).
        if merged and _ABBREVIATION_RE.search(merged[-1], len(merged[-1]) - _ABBREVIATION_TAIL):
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
# runs, so results are identical with or without gates (checked in the tests). Each way also keeps the
# other necessary keys seen on it (words until two rare ones, a digit, its longest literal run of several
# words such as "you have to"), and the gate opens only when some way has all of them: "you did not" no
# longer opens on every "you". On the hot path a :class:`GateSet` checks several patterns' gates at once.

_GATE_WORD_RE = re.compile(r"[a-z0-9][a-z0-9]*")  # = [a-z0-9]+, scanned faster
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
        # frequent in support text: a poor choice of lead word
        "service",
        "customer",
        "phone",
        "problem",
        "message",
        "contact",
        "issue",
        "time",
        "help",
        "thank",
        "thanks",
        "call",
        "know",
    ]
)


class _Ungateable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class GateWay:
    """The necessary keys of one way to spell a match: its rarest key (``lead``) and the others."""

    kind: str  # of the lead: "word" | "sub" | "digit"
    lead: str
    words: frozenset[str]  # the other whole words it needs
    substrings: tuple[str, ...]  # the other literal substrings it needs
    digit: bool  # it also needs a digit

    def open(self, words: frozenset[str], lower: str, has_digit: bool) -> bool:
        if self.kind == "word":
            lead = self.lead in words
        else:
            lead = has_digit if self.kind == "digit" else self.lead in lower
        return lead and self.words <= words and _present((self.substrings, self.digit), lower, has_digit)


@dataclass(frozen=True, slots=True)
class WordGate:
    """Cheap necessary condition for a regex to match lower-cased text (see :func:`word_gate`)."""

    words: frozenset[str]  # some match needs one of these whole [a-z0-9]+ words ...
    substrings: tuple[str, ...]  # ... or one of these literal substrings
    digit: bool  # ... or a digit
    always: bool  # the pattern cannot be gated: always scan
    ways: tuple[GateWay, ...] = ()  # finer: some way needs all of its keys (a lead above, and more)
    index: GateSet | None = field(default=None, repr=False, compare=False)  # the ways, filed by word

    def open(self, words: frozenset[str], lower: str, has_digit: bool) -> bool:
        if self.always:
            return True
        if self.index is not None:
            return self.index.open_mask(words, lower, has_digit) != 0
        return self.open_by_ways(words, lower, has_digit)

    def open_by_ways(self, words: frozenset[str], lower: str, has_digit: bool) -> bool:
        """:meth:`open` without the index: the lead keys first, then each way in turn."""
        if self.always:
            return True
        if self.words.isdisjoint(words) and not (self.digit and has_digit):
            for sub in self.substrings:  # noqa: SIM110 - a plain loop beats any() with a generator here
                if sub in lower:
                    break
            else:
                return False  # no lead key present: no way can open
        for way in self.ways:  # noqa: SIM110 - as above
            if way.open(words, lower, has_digit):
                return True
        return False


# A way as a GateSet stores it: (pattern bit, other words needed, (substrings, digit) needed or None).
_Entry = tuple[int, frozenset[str], tuple[tuple[str, ...], bool] | None]


class GateSet:
    """The gates of several patterns checked together: bit ``i`` of :meth:`open_mask` is
    ``gates[i].open(...)``. One set intersection finds the words present that lead some way, and only
    those ways are checked, instead of a method call and set tests per pattern."""

    def __init__(self, gates: Sequence[WordGate]) -> None:
        self.always = 0
        by_word: dict[str, list[_Entry]] = {}
        by_sub: dict[str, list[_Entry]] = {}
        by_digit: list[_Entry] = []
        for i, gate in enumerate(gates):
            if gate.always:
                self.always |= 1 << i
                continue
            for way in gate.ways:
                # File a way under its rarest whole word when it has one (not always its lead): then its
                # substring tests run only behind a word that is present.
                keys = {(way.kind, way.lead), *(("word", w) for w in way.words)}
                keys |= {("sub", sub) for sub in way.substrings} | ({("digit", "")} if way.digit else set())
                kind, lead = max(sorted(k for k in keys if k[0] == "word") or sorted(keys), key=_key_rank)
                rest = keys - {(kind, lead)}
                subs = tuple(sorted(w for k, w in rest if k == "sub"))
                need = frozenset(w for k, w in rest if k == "word")
                digit = ("digit", "") in rest
                entry = (1 << i, need, (subs, digit) if subs or digit else None)
                if kind == "word":
                    by_word.setdefault(lead, []).append(entry)
                elif kind == "sub":
                    by_sub.setdefault(lead, []).append(entry)
                else:
                    by_digit.append(entry)
        self._leads = frozenset(by_word)
        self._by_word = {w: tuple(entries) for w, entries in by_word.items()}
        self._by_sub = tuple((s, _bits(e), tuple(e)) for s, e in sorted(by_sub.items()))
        self._by_digit = (_bits(by_digit), tuple(by_digit))

    def open_mask(self, words: frozenset[str], lower: str, has_digit: bool) -> int:
        mask = self.always
        by_word = self._by_word
        for lead in self._leads.intersection(words):
            for bit, need, extra in by_word[lead]:  # = _open_entries, inlined: this is the common case
                if not mask & bit and need <= words and (extra is None or _present(extra, lower, has_digit)):
                    mask |= bit
        for sub, bits, entries in self._by_sub:
            if bits & ~mask and sub in lower:
                mask = _open_entries(mask, entries, words, lower, has_digit)
        if has_digit and self._by_digit[0] & ~mask:
            mask = _open_entries(mask, self._by_digit[1], words, lower, has_digit)
        return mask


def _bits(entries: Sequence[_Entry]) -> int:
    bits = 0
    for entry in entries:
        bits |= entry[0]
    return bits


def _open_entries(
    mask: int, entries: Sequence[_Entry], words: frozenset[str], lower: str, has_digit: bool
) -> int:
    for bit, need, extra in entries:
        if not mask & bit and need <= words and (extra is None or _present(extra, lower, has_digit)):
            mask |= bit
    return mask


def _present(extra: tuple[tuple[str, ...], bool], lower: str, has_digit: bool) -> bool:
    """The substrings (all in ``lower``) and digit a way needs besides its words."""
    subs, digit = extra
    if digit and not has_digit:
        return False
    for sub in subs:  # noqa: SIM110 - a plain loop beats all() with a generator here
        if sub not in lower:
            return False
    return True


def _is_word_char(code: int) -> bool:
    return 97 <= code <= 122 or 48 <= code <= 57


def _non_word_class(op: object, av: object) -> bool:
    """True when the item matches only characters outside [a-z0-9] (spaces, punctuation)."""
    if op is _c.LITERAL:
        return not _is_word_char(av)  # type: ignore[arg-type]
    if op is _c.IN:
        for sub_op, sub_av in av:  # type: ignore[attr-defined]
            if sub_op is _c.LITERAL and not _is_word_char(sub_av):
                continue
            if sub_op is _c.CATEGORY and sub_av is _c.CATEGORY_SPACE:
                continue
            return False
        return True
    return False


def _digit_class(op: object, av: object) -> bool:
    """True when the item matches digits only (\\d, [0-9]): a match through it needs a digit."""
    if op is not _c.IN:
        return False
    for s_op, s_av in av:  # type: ignore[attr-defined]
        if s_op is _c.CATEGORY and s_av is _c.CATEGORY_DIGIT:
            continue
        if s_op is _c.RANGE and 48 <= s_av[0] <= s_av[1] <= 57 or s_op is _c.LITERAL and 48 <= s_av <= 57:
            continue
        return False
    return bool(av)


def _key_rank(key: tuple[str, str]) -> tuple[int, int]:
    kind, word = key
    if kind == "digit":
        return (0, 0)
    common = word in _COMMON_WORDS or len(word) < 3
    return ((1 if common else 3) + (kind == "word"), len(word))


class _Walker:
    """Walks the parse tree, collecting the necessary keys of each spelling of a match."""

    def __init__(self, max_words: int) -> None:
        self.max_words = max_words
        self.ways: set[frozenset[tuple[str, str]]] = set()
        self.paths = 0

    def done(self, found: tuple[tuple[str, str], ...], phrase: str) -> None:
        self.paths += 1
        if self.paths > _GATE_LIMIT:
            raise _Ungateable
        if not found:
            raise _Ungateable
        self.ways.add(frozenset((*found, ("phrase", phrase))) if phrase else frozenset(found))

    def walk(
        self, items: list, prefix: str, left_exact: bool, found: tuple, run: str = "", phrase: str = ""
    ) -> None:
        """``prefix``: literal word chars so far; ``left_exact``: the word started at a word edge; ``run``:
        the literal text so far (spaces included), a necessary substring; ``phrase``: the longest
        several-word run seen on this way."""

        def close(right_exact: bool) -> tuple:
            if not prefix:
                return found
            kind = "word" if left_exact and right_exact else "sub"
            return (*found, (kind, prefix))

        def enough(keys: tuple) -> bool:  # walk on until max_words rare keys: a second one makes a finer gate
            rare = sum(_key_rank(k)[0] >= 3 for k in keys)
            return rare >= self.max_words or len(keys) >= 6

        def ended() -> str:  # the literal run stops here (an unknown character follows)
            return _longer_phrase(phrase, run)

        def digits() -> None:  # one or more digits: the text needs a digit ("call 0800 ...": call + digit)
            keys = (*close(False), ("digit", ""))
            if enough(keys):
                self.done(keys, ended())
            else:
                self.walk(rest, "", False, keys, "", ended())

        def unknown() -> None:  # content we cannot spell: finish this word, continue unanchored
            keys = close(False)
            if enough(keys):
                self.done(keys, ended())
            else:
                self.walk(rest, "", False, keys, "", ended())

        if not items:
            self.done(close(False), ended())
            return
        op, av = items[0]
        rest = items[1:]
        if op is _c.LITERAL and _is_word_char(av):
            self.walk(rest, prefix + chr(av), left_exact, found, run + chr(av), phrase)
        elif op is _c.LITERAL or (op is _c.IN and _non_word_class(op, av)):
            # An apostrophe ends the run: behaviours match on text with ’ replaced by ', gates test the
            # original. Any other literal joins the run; a class matches an unknown character.
            if op is _c.LITERAL and chr(av) not in "'’":
                next_run, next_phrase = run + chr(av), phrase
            else:
                next_run, next_phrase = "", ended()
            keys = close(True)
            if enough(keys):
                self.done(keys, _longer_phrase(next_phrase, next_run))
            else:
                self.walk(rest, "", True, keys, next_run, next_phrase)
        elif op is _c.AT:
            if av in (_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_END, _c.AT_END_STRING):
                if prefix:
                    keys = close(True)
                    if enough(keys):
                        self.done(keys, ended())
                    else:  # after a boundary, more word chars cannot follow directly
                        self.walk(rest, "", True, keys, run, phrase)
                else:
                    self.walk(rest, "", True, found, run, phrase)
            else:
                self.walk(rest, prefix, left_exact, found, run, phrase)
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
            self.walk(rest, prefix, left_exact or blocks, found, run, phrase)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            self.walk(rest, prefix, left_exact, found, run, phrase)
        elif op is _c.SUBPATTERN:
            self.walk(list(av[3].data) + rest, prefix, left_exact, found, run, phrase)
        elif op is _c.BRANCH:
            for branch in av[1]:
                self.walk(list(branch.data) + rest, prefix, left_exact, found, run, phrase)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)):
            low, high, sub = av
            data = list(sub.data)
            if low == 0:
                self.walk(rest, prefix, left_exact, found, run, phrase)
            if high == 1:
                self.walk(data + rest, prefix, left_exact, found, run, phrase)
            elif len(data) == 1 and _non_word_class(*data[0]):
                keys = close(True)
                if enough(keys):
                    self.done(keys, ended())
                else:
                    self.walk(rest, "", True, keys, "", ended())
            elif len(data) == 1 and _digit_class(*data[0]):
                digits()
            else:
                unknown()
        elif _digit_class(op, av):
            digits()
        elif op is _c.IN and len(av) <= 12 and all(s_op is _c.LITERAL for s_op, _ in av):
            for _, code in av:
                self.walk([(_c.LITERAL, code), *rest], prefix, left_exact, found, run, phrase)
        else:
            unknown()


def _longer_phrase(phrase: str, run: str) -> str:
    """The more telling of two necessary substrings; a run counts only when it spans several words."""
    run = run.strip()
    if " " not in run or len(run) <= len(phrase):
        return phrase
    return run


_ALWAYS = WordGate(frozenset(), (), False, True)


@lru_cache(maxsize=256)
def _gate_for(source: str) -> WordGate:
    parsed = list(_p.parse(source).data)
    for max_words in (2, 1):
        walker = _Walker(max_words)
        try:
            walker.walk(parsed, "", False, ())
        except (_Ungateable, RecursionError):
            continue
        ways = tuple(sorted((_gate_way(keys) for keys in _minimal(walker.ways)), key=repr))
        words = frozenset(way.lead for way in ways if way.kind == "word")
        subs = tuple(sorted({way.lead for way in ways if way.kind == "sub"}, key=lambda w: (len(w), w)))
        gate = WordGate(words, subs, any(way.kind == "digit" for way in ways), False, ways)
        return WordGate(gate.words, gate.substrings, gate.digit, False, ways, GateSet([gate]))
    return _ALWAYS


def _minimal(ways: set[frozenset[tuple[str, str]]]) -> list[frozenset[tuple[str, str]]]:
    """Drop the ways that need all the keys of another way and more: they never open the gate alone."""
    kept: list[frozenset[tuple[str, str]]] = []
    by_key: dict[tuple[str, str], list[frozenset[tuple[str, str]]]] = {}  # kept ways, filed under one key
    for way in sorted(ways, key=len):  # a way that another contains is shorter, so it is kept first
        if not any(other < way for key in way for other in by_key.get(key, ())):
            kept.append(way)
            by_key.setdefault(min(way), []).append(way)
    return kept


def _gate_way(keys: frozenset[tuple[str, str]]) -> GateWay:
    kind, lead = max(sorted(k for k in keys if k[0] != "phrase"), key=_key_rank)
    rest = keys - {(kind, lead)}
    return GateWay(
        kind,
        lead,
        frozenset(w for k, w in rest if k == "word"),
        tuple(sorted(w for k, w in rest if k in ("sub", "phrase"))),
        any(k == "digit" for k, _ in rest),
    )


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
