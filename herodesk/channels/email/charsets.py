"""Bytes to text for mail: the declared charset first, then detection, then UTF-8 with replacement."""

from __future__ import annotations

import codecs

import charset_normalizer

# Labels that senders use for a narrower charset than they really write. WHATWG decodes these the same way:
# Windows mail clients label cp1252 text (curly quotes, euro sign) as iso-8859-1, and GBK/GB2312 text
# often contains GB18030-only characters.
_SUPERSETS = {
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "iso8859_8_i": "iso8859_8",
}
_ALIASES = {
    "iso-8859-8-i": "iso8859_8",
    "ks_c_5601-1987": "cp949",
    "x-sjis": "cp932",
    "unicode-1-1-utf-7": "utf_7",
}
_ASCII = "ascii"
# With fewer non-ASCII bytes than this, detection guesses more than it measures.
_MIN_DETECTION_SAMPLE = 16


def codec_for(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when Python does not know it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        return None
    name = name.replace("-", "_")
    return _SUPERSETS.get(name, name)


def decode_bytes(data: bytes, declared: str | None, *, declared_is_trusted: bool = True) -> str:
    """Decode ``data`` that claims to be in ``declared``; never raises.

    An ASCII label on 8-bit data is a lie, so it is treated as no label at all. With
    ``declared_is_trusted=False`` (raw 8-bit headers, where the label is only a hint from the body) UTF-8
    is tried before the hint, because modern clients that forget RFC 2047 write UTF-8.
    """
    codec = codec_for(declared)
    if codec == _ASCII and not data.isascii():
        codec = None
    attempts = [codec] if declared_is_trusted else ["utf_8", codec]
    for attempt in attempts:
        text = _strict(data, attempt)
        if text is not None:
            return text
    return _undeclared(data)


def _non_ascii_count(data: bytes) -> int:
    return sum(1 for byte in data if byte > 127)


def _strict(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _undeclared(data: bytes) -> str:
    if data.isascii():
        return data.decode("ascii")
    text = _strict(data, "utf_8")
    if text is not None:
        return text
    if _non_ascii_count(data) < _MIN_DETECTION_SAMPLE:
        # A raw header or a one-word body is too short to detect from (guesses land on CJK codecs);
        # cp1252 decodes every byte and is right for the most common case, Western text from old clients.
        return data.decode("cp1252", errors="replace")
    detected = _detect(data)
    if detected is not None:
        return detected
    return data.decode("utf-8", errors="replace")


def detect_charset(data: bytes) -> str | None:
    """The codec charset-normalizer guesses for ``data``, or None."""
    if _non_ascii_count(data) < _MIN_DETECTION_SAMPLE:
        return None
    try:
        best = charset_normalizer.from_bytes(data).best()
    except Exception:  # detection is a heuristic: any failure just means "no guess"
        return None
    return None if best is None else best.encoding


def _detect(data: bytes) -> str | None:
    try:
        best = charset_normalizer.from_bytes(data).best()
    except Exception:  # detection is a heuristic: any failure just means "no guess"
        return None
    return None if best is None else str(best)
