"""Header decoding for inbound mail that survives broken, 8-bit and mislabelled headers.

Values are read from the raw source (``Message.raw_items``) and parsed with ``policy.default``'s header
classes; when those raise, the ``compat32`` helpers (``decode_header``, ``getaddresses``) take over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy, utils
from email.header import decode_header, make_header
from email.message import Message

from herodesk.channels.email.charsets import decode_bytes

_SURROGATE = re.compile("[\udc80-\udcff]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_MSG_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True, slots=True)
class MailAddress:
    """One mailbox: the bare address (lower-cased domain kept as sent) and its display name."""

    address: str
    name: str


class HeaderReader:
    """Reads decoded header values from one message; ``hint`` is the charset to try for raw 8-bit bytes."""

    def __init__(self, msg: Message, hint: str | None = None) -> None:
        self._msg = msg
        self._hint = hint

    def raw_values(self, name: str) -> list[str]:
        """Every value of header ``name`` as found in the source, unfolded, 8-bit bytes decoded."""
        wanted = name.lower()
        return [self._clean(value) for key, value in self._msg.raw_items() if key.lower() == wanted]

    def first(self, name: str) -> str | None:
        values = self.raw_values(name)
        return values[0] if values else None

    def has(self, name: str) -> bool:
        return any(key.lower() == name.lower() for key in self._msg)

    def text(self, name: str) -> str:
        """An unstructured header (Subject) decoded from RFC 2047, with whitespace runs collapsed."""
        value = self.first(name)
        return "" if value is None else decode_unstructured(value)

    def addresses(self, name: str) -> list[MailAddress]:
        found: list[MailAddress] = []
        for value in self.raw_values(name):
            found.extend(parse_addresses(name, value))
        return found

    def message_ids(self, name: str) -> list[str]:
        ids: list[str] = []
        for value in self.raw_values(name):
            ids.extend(message_ids_in(value))
        return ids

    def date(self) -> datetime | None:
        value = self.first("date")
        return None if value is None else parse_date(value)

    def _clean(self, value: str) -> str:
        value = _FOLD.sub("", value).strip("\r\n")
        return decode_surrogates(value, self._hint).strip()


def decode_surrogates(value: str, hint: str | None) -> str:
    """The email package keeps raw 8-bit header bytes as surrogate escapes; turn them into real text."""
    if value.isascii() or not _SURROGATE.search(value):
        return value
    data = value.encode("ascii", "surrogateescape")
    return decode_bytes(data, hint, declared_is_trusted=False)


def collapse_whitespace(value: str) -> str:
    return " ".join(value.split())


def decode_unstructured(value: str) -> str:
    try:
        decoded = str(policy.default.header_factory("subject", value))
    except Exception:  # any parser bug: fall back to the compat32 decoder
        decoded = _compat32_decode(value)
    return collapse_whitespace(decoded)


def _compat32_decode(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # unknown charset in an encoded word: keep the raw text
        return value


def parse_addresses(name: str, value: str) -> list[MailAddress]:
    """Addresses in one header value; display names decoded, empty addresses dropped."""
    try:
        header = policy.default.header_factory(name.lower(), value)
        found = [
            MailAddress(address=item.addr_spec, name=collapse_whitespace(item.display_name))
            for item in getattr(header, "addresses", ())
        ]
    except Exception:  # policy.default raises on some broken headers
        found = _compat32_addresses(value)
    if "=?" in value:
        found = _with_compat32_names(found, value)
    if "(" in value and any(not item.name for item in found):
        found = _with_comment_names(found, value)
    return [item for item in found if _plausible(item.address)]


def _with_comment_names(found: list[MailAddress], value: str) -> list[MailAddress]:
    """``addr (Name)``: the old comment form (RFC 822 §6.2.4) that mail systems still use for the name.

    policy.default drops the comment; ``getaddresses`` reads it as the display name. Only names that
    are missing are filled in, and only when both parsers found the same addresses.
    """
    legacy = _compat32_addresses(value)
    if [item.address for item in legacy] != [item.address for item in found]:
        return found
    return [
        item if item.name else MailAddress(address=item.address, name=old.name)
        for item, old in zip(found, legacy, strict=True)
    ]


def _with_compat32_names(found: list[MailAddress], value: str) -> list[MailAddress]:
    """Re-decode encoded-word display names with ``decode_header``.

    CPython's generator can split a multi-byte character across two encoded words when it folds a long
    name; ``decode_header`` joins the bytes of adjacent words before decoding, policy.default does not.
    """
    legacy = _compat32_addresses(value)
    if [item.address for item in legacy] != [item.address for item in found]:
        return found
    return legacy


def _compat32_addresses(value: str) -> list[MailAddress]:
    return [
        MailAddress(address=address, name=collapse_whitespace(_compat32_decode(display)))
        for display, address in utils.getaddresses([value])
    ]


def _plausible(address: str) -> bool:
    return bool(address) and address not in {"<>", '""'} and not address.isspace()


def message_ids_in(value: str) -> list[str]:
    """Message-IDs in a header value without their angle brackets; bare tokens when none are bracketed."""
    bracketed = _MSG_ID.findall(value)
    if bracketed:
        return bracketed
    return [token for token in value.split() if "@" in token]


def parse_date(value: str) -> datetime | None:
    """An aware datetime; a date without a usable zone (``-0000``, ``--0700``) is taken as UTC."""
    try:
        parsed = utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
