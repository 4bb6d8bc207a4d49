"""Pure helpers that tie an inbound mail to a conversation.

herodesk sends mail with ``Message-ID: <hd.{conversation_id}.{token}.{unique}@host>`` (the unique part
keeps every message's id distinct; it is optional when reading) and
``Reply-To: support+hd-{token}@host``. A reply carries one of them back in In-Reply-To, References, To or
Cc, even when the customer's client rewrote the subject; ``[#1234]`` in the subject is the last resort.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

_KEY_CHARS = r"[A-Za-z0-9_-]{6,64}"
_MESSAGE_ID = re.compile(rf"^hd\.(\d+)\.({_KEY_CHARS})(?:\.[A-Za-z0-9]{{1,64}})?@([^@\s>]+)$")
_PLUS_ADDRESS = re.compile(rf"^[^@+\s]+\+hd-({_KEY_CHARS})@([^@\s>]+)$", re.IGNORECASE)
# "[#1234]" and the request-tracker style "[example.com #1234]".
_SUBJECT_NUMBER = re.compile(r"\[(?:[^\[\]#]{0,64}\s)?#(\d{1,12})\]")


class _Address(Protocol):
    @property
    def address(self) -> str: ...


class ThreadingFields(Protocol):
    """What the helpers need from a parsed mail (``ParsedMail`` has all of it)."""

    @property
    def in_reply_to(self) -> str | None: ...

    @property
    def references(self) -> Sequence[str]: ...

    @property
    def to(self) -> Sequence[_Address]: ...

    @property
    def cc(self) -> Sequence[_Address]: ...


def _host_matches(host: str, domain_hint: str | None) -> bool:
    if domain_hint is None:
        return True
    host, hint = host.lower().rstrip("."), domain_hint.lower().rstrip(".")
    return host == hint or host.endswith("." + hint)


def token_from_message_id(message_id: str, domain_hint: str | None = None) -> str | None:
    """The token in one of our Message-IDs (angle brackets optional), else None."""
    match = _MESSAGE_ID.match(message_id.strip().strip("<>"))
    if match is None or not _host_matches(match.group(3), domain_hint):
        return None
    return match.group(2)


def conversation_id_from_message_id(message_id: str, domain_hint: str | None = None) -> int | None:
    match = _MESSAGE_ID.match(message_id.strip().strip("<>"))
    if match is None or not _host_matches(match.group(3), domain_hint):
        return None
    return int(match.group(1))


def token_from_address(address: str, domain_hint: str | None = None) -> str | None:
    """The token in a ``local+hd-{token}@host`` address, else None."""
    match = _PLUS_ADDRESS.match(address.strip().strip("<>"))
    if match is None or not _host_matches(match.group(2), domain_hint):
        return None
    return match.group(1)


def _first(values: Iterable[str | None]) -> str | None:
    return next((value for value in values if value), None)


def reply_token_from(parsed: ThreadingFields, domain_hint: str | None = None) -> str | None:
    """The reply token of the conversation this mail answers, or None.

    In-Reply-To wins, then References from the newest, then the plus-addresses in To and Cc: headers
    point at the exact message answered, while an address may have been copied into a new thread.
    """
    message_ids = [*([parsed.in_reply_to] if parsed.in_reply_to else []), *reversed(parsed.references)]
    from_ids = _first(token_from_message_id(mid, domain_hint) for mid in message_ids)
    if from_ids is not None:
        return from_ids
    recipients = [*parsed.to, *parsed.cc]
    return _first(token_from_address(item.address, domain_hint) for item in recipients)


def subject_ticket_number(subject: str) -> int | None:
    """The number in the first ``[#1234]`` tag of a subject, or None."""
    match = _SUBJECT_NUMBER.search(subject or "")
    return None if match is None else int(match.group(1))
