"""Intensity of a customer message: anger, urgency and stakes, escalation threats, repeated contact.

A shipped linear model (word n-grams plus the cue counts below, trained on published complaint
tweets) gives the score; the cues give agents short reasons ("escalation threat: lawyer").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, count
from pathlib import Path

from herodesk.signals import critical
from herodesk.signals.linear import SparseLinearModel, ngrams, sigmoid
from herodesk.signals.text import (
    GateSet,
    PreparedText,
    WordGate,
    compile_words,
    confidence_for,
    gate_words,
    prepare,
    tokens,
    word_gate,
)

MODEL_PATH = Path(__file__).parent / "models" / "intensity.json.gz"


@dataclass(frozen=True, slots=True)
class Cue:
    """A family of phrases that raise intensity, and how to name a hit for an agent."""

    name: str  # dense feature name in the model
    label: str  # reason prefix shown to agents
    source: str
    pattern: re.Pattern[str]
    gate: WordGate


def _cue(name: str, label: str, pattern: str) -> Cue:
    compiled = compile_words(pattern)
    return Cue(name, label, pattern, compiled, word_gate(compiled))


CUES: tuple[Cue, ...] = (
    _cue(
        "anger",
        "anger",
        r"\b(furious|angry|annoyed|pissed(?: off)?|outraged|livid|fed up|sick of|tired of|"
        r"disgust(?:ed|ing)|ridiculous|unacceptable|appalling|pathetic|useless|incompetent|worst|terrible|"
        r"horrible|awful|shocking|disgrace(?:ful)?|rubbish|garbage|hate|scam|rip(?:ping)?[- ]?off|"
        r"cheat(?:ed|ing)?|"
        r"liars?|lied|unbelievable|how dare|rude|disappoint(?:ed|ing)|frustrat(?:ed|ing|ion)|nightmare|"
        r"waste of (?:time|money)|shame on you|no excuse|joke|insult(?:ing)?|unprofessional|irresponsible|"
        r"poor service|bad service|fail(?:ed|s)? again|what the hell|stupid|idiots?|nonsense|shameless)\b",
    ),
    _cue(
        "profanity",
        "anger: swearing",
        r"\b(wtf|fuck\w*|shit\w*|damn\w*|bullshit|crap|sucks?|bloody|hell|screw)\b",
    ),
    _cue(
        "urgency",
        "urgency",
        r"\b(urgent(?:ly)?|asap|emergency|immediately|right now|right away|today|tonight|"
        r"as soon as possible|in \d+ (?:minutes|mins|hours)|deadline|flight|boarding|plane|airport|"
        r"leaving (?:tomorrow|today|in)|stranded|stuck at|time[- ]sensitive|running out of time|hurry)\b",
    ),
    _cue(
        "stakes",
        "high stakes",
        r"\b(lost (?:my |our )?(?:passport|wallet|purse|card|phone|luggage|bag|keys|"
        r"baggage)|stolen|theft|fraud(?:ulent)?|unauthori[sz]ed|charged (?:me )?twice|double[- ]charged|"
        r"charged double|taken twice|paid twice|money (?:taken|gone|missing)|overcharg\w+|no money|"
        r"unsafe|dangerous|fire|injur\w+|hospital|gas leak|medical|locked out|no (?:power|heating|water|"
        r"signal)|"
        r"deducted|refund|scammed|missing (?:money|payment|parcel|package))\b",
    ),
    _cue(
        "escalation",
        "escalation threat",
        r"\b(cancel(?:l?ing|led)? (?:my|the|our) (?:account|subscription|"
        r"contract|service|order|membership|plan)|switch(?:ing)? to|move to (?:another|a different)|"
        r"competitor|"
        r"lawyer|solicitor|attorney|legal action|sue|court|ombudsman|regulator|trading standards|bbb|"
        r"report (?:you|this|it) to|consumer (?:protection|association|council)|journalist|media|"
        r"complain(?:t)? to|formal complaint|chargeback|never (?:use|buy|fly|order|shop)\w* .{0,30}again|"
        r"leaving (?:you|your)|take my business|expose|go public|tell everyone)\b",
    ),
    _cue(
        "repeat",
        "repeated contact",
        r"\b((?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time|yet again|"
        r"still (?:not|no|haven'?t|hasn'?t|waiting|broken|nothing|can'?t|doesn'?t|isn'?t)|"
        r"already (?:told|said|"
        r"called|sent|explained|contacted|asked|emailed|given|provided)|(?:called|emailed|contacted|phoned|"
        r"asked|written|wrote|tried|complained) (?:you |them )?(?:\d+|many|several|multiple|numerous|"
        r"three|four|"
        r"five|so many|countless) times|keep (?:calling|asking|getting|telling|waiting)|for (?:\d+|two|three|"
        r"several|many) (?:days|weeks|months)|nobody (?:answers|answered|replied|responded|helps|solved|"
        r"cares)|"
        r"no (?:one|response|reply|answer|feedback)|how many times|repeatedly|again and again|every time|"
        r"no one (?:answers|answered|replied|responded|solved|cares))\b",
    ),
    _cue(
        "correction",
        "not understood",
        r"\b(^no\b|i (?:said|told you|asked for|already)|that'?s not what|"
        r"not what i (?:asked|wanted|said|need)|are you sure|(?:check|try|look) again|misunderstood|"
        r"did you not understand|confus(?:ed|ing)|(?:that'?s|that is|it'?s) (?:wrong|incorrect)|"
        r"i really (?:need|want)|let me clarify|start (?:again|over|from the beginning))",
    ),
)
_EXCLAIM_RE = re.compile(r"!{2,}|\?{2,}|[!?]{3,}")
# = \b[A-Z]{3,}\b: a leading class lets re skip to capitals; the look-behind is the \b before them
_CAPS_WORD_RE = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]{2,}\b")
_CAPS_GATE_RE = re.compile(r"[A-Z][A-Z][A-Z]")  # = [A-Z]{3}: a leading class lets re skip ahead
_WORD_RE = re.compile(r"\b[A-Za-z]{3,}\b")
_THANKS_RE = re.compile(r"\b(thanks?|thank you|great|awesome|love|appreciate|excellent|perfect|cheers)\b")
# All cue gates and the thanks gate in one GateSet: one check per message instead of one per pattern.
_GATES = GateSet([*(cue.gate for cue in CUES), word_gate(_THANKS_RE)])
_CUE_BITS = tuple((1 << i, cue) for i, cue in enumerate(CUES))
_THANKS_BIT = 1 << len(CUES)


# Sentiment lexicon features. The valences come from the VADER lexicon (vaderSentiment 3.3.2, MIT licence,
# C.J. Hutto and E. Gilbert), read at training time and stored inside models/intensity.json.gz, so scoring
# needs no extra package; a valence is flipped and damped (x -0.74, as VADER does) within three tokens
# after a negation.
NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nor",
        "cannot",
        "without",
        "don't",
        "dont",
        "doesn't",
        "doesnt",
        "didn't",
        "didnt",
        "isn't",
        "isnt",
        "wasn't",
        "wasnt",
        "aren't",
        "arent",
        "weren't",
        "werent",
        "can't",
        "cant",
        "couldn't",
        "couldnt",
        "won't",
        "wont",
        "wouldn't",
        "wouldnt",
        "shouldn't",
        "shouldnt",
        "haven't",
        "havent",
        "hasn't",
        "hasnt",
        "hadn't",
        "hadnt",
        "ain't",
        "aint",
    ]
)
_NT = ("n't", "n’t")  # a token ending so is a negation too
LEXICON_FEATURES = ("lex_neg", "lex_pos", "lex_worst", "lex_negated", "questions", "length")


def lexicon_features(toks: tuple[str, ...] | list[str], lexicon: dict[str, float]) -> dict[str, float]:
    """Summed negative / positive valence, the worst word, negated positives, questions and length."""
    neg = pos = worst = 0.0
    negated = 0
    # Only lexicon words add valence, and a few per message are: visit just their positions (found in C)
    # and look back three tokens for a negation, which is what the running "last negation" index did.
    for i in compress(count(), map(lexicon.__contains__, toks)):
        tok = toks[i]
        if tok == "?" or tok in NEGATIONS or tok.endswith(_NT):  # as in the token loop: no valence
            continue
        value = lexicon[tok]
        for before in toks[i - 3 if i > 3 else 0 : i]:
            if before in NEGATIONS or before.endswith(_NT):
                if value > 0:
                    negated += 1
                value *= -0.74
                break
        if value < 0:
            neg -= value
            if -value > worst:
                worst = -value
        else:
            pos += value
    questions = toks.count("?")
    out: dict[str, float] = {"length": math.log1p(len(toks)) / 4}
    if neg:
        out["lex_neg"] = math.log1p(neg)
        out["lex_worst"] = worst / 4
    if pos:
        out["lex_pos"] = math.log1p(pos)
    if negated:
        out["lex_negated"] = float(min(negated, 3))
    if questions:
        out["questions"] = float(min(questions, 3))
    return out


@dataclass(frozen=True, slots=True)
class IntensityResult:
    """How intense a customer message is (0..1), why, and how much to trust it."""

    score: float
    reasons: list[str]
    confidence: float


@lru_cache(maxsize=1)
def model() -> SparseLinearModel:
    return SparseLinearModel.load(MODEL_PATH)


def cue_features(
    text: str, lower: str, words: frozenset[str] | None = None, has_digit: bool | None = None
) -> tuple[dict[str, float], list[str]]:
    """Dense cue counts for the model, and reasons for the agent.

    ``words``/``has_digit`` (from :class:`PreparedText`) let each cue skip its regex scan when none of
    the words that can start a match is present; results are identical either way.
    """
    if words is None:
        words = gate_words(tokens(lower), lower)
    if has_digit is None:
        has_digit = any(ch.isdigit() for ch in lower)
    dense: dict[str, float] = {}
    reasons: list[str] = []
    mask = _GATES.open_mask(words, lower, has_digit)
    for bit, cue in _CUE_BITS:
        if not mask & bit:
            continue
        hits = cue.pattern.findall(lower)
        if hits:
            first = hits[0]
            if isinstance(first, tuple):
                hits = [m.group(0) for m in cue.pattern.finditer(lower)]
                first = hits[0]
            dense[cue.name] = float(min(len(hits), 3))
            reasons.append(f"{cue.label}: {first.strip()}")
    dense.update(_style_features(text, lower, bool(mask & _THANKS_BIT)))
    if dense.get("shouting"):
        reasons.append("anger: shouting")
    return dense, reasons


def _style_features(text: str, lower: str, thanks_gate: bool = True) -> dict[str, float]:
    style: dict[str, float] = {}
    # _EXCLAIM_RE needs "!!", "??" or a mixed run like "!?!"; plain substring tests rule most texts out.
    if "!!" in text or "??" in text or (("!?" in text or "?!" in text) and _EXCLAIM_RE.search(text)):
        style["exclaim"] = 1.0
    head = text[:2000]
    if _CAPS_GATE_RE.search(head):
        caps = len(_CAPS_WORD_RE.findall(head))
        if caps:  # without an all-caps word the share is 0 whatever the word count: skip counting words
            words = _WORD_RE.findall(head)
            if len(words) >= 4 and caps / len(words) > 0.3:
                style["shouting"] = 1.0
    if thanks_gate and _THANKS_RE.search(lower):
        style["thanks"] = 1.0
    return style


def features(
    prepared: PreparedText, lexicon: dict[str, float] | None
) -> tuple[list[str], dict[str, float], list[str]]:
    """Model inputs for one prepared message: n-grams, dense features, agent-facing reasons."""
    dense, reasons = _dense(prepared, lexicon)
    return ngrams(list(prepared.toks)), dense, reasons


def _dense(prepared: PreparedText, lexicon: dict[str, float] | None) -> tuple[dict[str, float], list[str]]:
    dense, reasons = cue_features(prepared.text, prepared.lower, prepared.words, prepared.has_digit)
    if lexicon is not None:
        dense.update(lexicon_features(prepared.toks, lexicon))
    return dense, reasons


def _lexicon(linear: SparseLinearModel) -> dict[str, float] | None:
    return (linear.extra or {}).get("lexicon")


def lexical(prepared: PreparedText) -> tuple[float, list[str]]:
    """The lexical model's raw logit and the cue reasons of a usable prepared message (before the floor)."""
    linear = model()
    dense, reasons = _dense(prepared, _lexicon(linear))
    return linear.logit_tokens(prepared.toks, dense), reasons  # = logit(ngrams(toks)), without the list


def result_from_logit(raw: float, reasons: list[str], prepared: PreparedText) -> IntensityResult:
    """The shipped result for a raw logit (from either path): critical floor, reasons, confidence."""
    floored, phrase = with_critical_floor(raw, prepared)
    if phrase:
        reasons = [f"critical: {phrase}", *reasons]
    return IntensityResult(round(sigmoid(floored), 4), reasons, confidence_for(prepared, len(prepared.toks)))


def score(text: str, prepared: PreparedText | None = None) -> IntensityResult:
    """Intensity of one customer message (pass ``prepared`` to share one :func:`prepare` across signals).

    This is the fast path (pure Python, about 0.1 ms); ``intensity_embed.score_many`` is the background
    path (MiniLM embeddings + a linear head, ensembled with this model).
    """
    prepared = prepared or prepare(text)
    if not prepared.usable:
        return IntensityResult(0.0, [], 0.0)
    linear = model()
    dense, reasons = _dense(prepared, _lexicon(linear))
    raw = linear.logit_tokens(prepared.toks, dense)  # = logit(ngrams(toks)), without the list
    floored, phrase = with_critical_floor(raw, prepared)
    if phrase:
        reasons = [f"critical: {phrase}", *reasons]
    return IntensityResult(round(sigmoid(floored), 4), reasons, confidence_for(prepared, len(prepared.toks)))


def with_critical_floor(raw_logit: float, prepared: PreparedText) -> tuple[float, str | None]:
    """The logit raised to the critical-moment floor when the message names one (see critical.py)."""
    phrase = critical.critical_phrase(prepared.lower, prepared.words, prepared.has_digit)
    if phrase is None:
        return raw_logit, None
    return max(raw_logit, critical.FLOOR_LOGIT), phrase


def logit(text: str, prepared: PreparedText | None = None) -> float:
    """The raw model logit (for ranking and for the effort model's text driver)."""
    prepared = prepared or prepare(text)
    if not prepared.usable:
        return -5.0
    linear = model()
    dense, _ = _dense(prepared, _lexicon(linear))
    return linear.logit_tokens(prepared.toks, dense)


__all__ = ["CUES", "IntensityResult", "cue_features", "logit", "score", "sigmoid"]
