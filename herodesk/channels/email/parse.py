"""Raw RFC 5322 bytes to a ``ParsedMail``: the email channel's parsing layer, with no database and no Django.

Forwarded mails (message/rfc822 parts) are kept twice on purpose: as an ``.eml`` attachment (the exact
original, for download) and as a quoted block in ``full_text`` (so search and the signals engine see it).
Their own attachments stay inside the ``.eml``; they are not flattened into ``attachments``.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import Message

from herodesk.channels.email.bodies import (
    extract_uuencoded,
    html_to_text,
    normalize_newlines,
    sanitize_filename,
    sanitize_html,
    strip_reply,
)
from herodesk.channels.email.bounces import BounceDetails, bounce_details, is_auto_submitted, is_bounce
from herodesk.channels.email.charsets import decode_bytes, detect_charset
from herodesk.channels.email.headers import HeaderReader, MailAddress, decode_surrogates, decode_unstructured
from herodesk.channels.email.mime import payload_bytes, serialize
from herodesk.channels.email.reply_tokens import (
    conversation_id_from_message_id,
    reply_token_from,
    subject_ticket_number,
    token_from_address,
    token_from_message_id,
)

__all__ = [
    "DEFAULT_MAX_SIZE",
    "BounceDetails",
    "MailAddress",
    "NotAnEmail",
    "ParsedAttachment",
    "ParsedMail",
    "TooLarge",
    "conversation_id_from_message_id",
    "parse_message",
    "reply_token_from",
    "subject_ticket_number",
    "token_from_address",
    "token_from_message_id",
]

DEFAULT_MAX_SIZE = 25 * 1024 * 1024
# Deeper nesting than this is an attack, not a mail; the rest of the tree is kept as opaque attachments.
MAX_DEPTH = 20
_HEADER_LINE = re.compile(rb"^(From |[!-9;-~]+[ \t]*:)")
# Bytes that never occur in a header block; ESC is allowed because raw ISO-2022-JP text uses it.
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in b"\t\r\n\x1b")
_SENDER_HEADERS = ("from", "sender", "reply-to", "return-path")
_IDENTITY_HEADERS = ("from", "sender", "message-id", "date")


class NotAnEmail(ValueError):
    """The input is not a mail; ``reason`` is one human-readable line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooLarge(NotAnEmail):
    """The input is over the size limit, so it was not parsed at all."""


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    filename: str
    content_type: str
    size: int
    content: bytes = field(repr=False)
    content_id: str | None = None
    inline: bool = False


@dataclass(slots=True)
class ParsedMail:
    """A parsed inbound mail. Message-IDs are stored without angle brackets."""

    from_address: str
    from_name: str
    to: list[MailAddress]
    cc: list[MailAddress]
    reply_to: list[MailAddress]
    subject: str
    date: datetime | None
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    auto_submitted: bool
    bounce: bool
    bounce_details: BounceDetails | None
    text: str
    full_text: str
    html: str
    attachments: list[ParsedAttachment]
    raw_headers: list[tuple[str, str]]
    size: int

    def header(self, name: str) -> str | None:
        """The first value of a header, decoded and unfolded, or None."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.raw_headers if key.lower() == wanted]


@dataclass(slots=True)
class _Body:
    """What the MIME walk collects; ``own_text`` is the sender's text, ``forwarded`` the nested mails."""

    own_text: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)
    has_plain: bool = False


def parse_message(raw: bytes, max_size: int = DEFAULT_MAX_SIZE) -> ParsedMail:
    """Parse one mail, or raise ``NotAnEmail`` (``TooLarge`` over ``max_size`` bytes)."""
    _reject_obvious_non_mail(raw, max_size)
    failure: Exception | None = None
    # The MIME tree is parsed with compat32, which keeps header values as raw strings and is five times
    # faster; every header we read is then decoded with policy.default's header classes (headers.py).
    # A whole-message policy.default parse is the second attempt, for the rare tree compat32 trips on.
    for chosen in (policy.compat32, policy.default):
        try:
            return _parse(raw, message_from_bytes(raw, policy=chosen))
        except NotAnEmail:
            raise
        except Exception as error:  # the email package still has parser bugs on hostile input
            failure = error
    raise NotAnEmail(f"unreadable mail structure ({type(failure).__name__})") from failure


def _reject_obvious_non_mail(raw: bytes, max_size: int) -> None:
    if len(raw) > max_size:
        raise TooLarge(f"message is {len(raw):,} bytes, over the {max_size:,}-byte limit")
    if not raw.strip():
        raise NotAnEmail("empty input")
    head = re.split(rb"\r?\n\r?\n", raw.lstrip(b"\r\n"), maxsplit=1)[0]
    if b"\x00" in head or _control_ratio(head) > 0.05:
        raise NotAnEmail("binary data, not a mail: the header block contains control bytes")
    if not _HEADER_LINE.match(raw.lstrip(b"\r\n")):
        raise NotAnEmail("no header block: the first line is not a mail header")


def _control_ratio(head: bytes) -> float:
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / max(1, len(head))


def _parse(raw: bytes, msg: Message) -> ParsedMail:
    headers = HeaderReader(msg, _charset_hint(msg) or _detected_hint(msg))
    if not any(headers.has(name) for name in _IDENTITY_HEADERS):
        raise NotAnEmail("not a mail: no From, Sender, Message-ID or Date header")
    sender = _sender(headers)
    body = _Body()
    _walk(msg, body, depth=0)
    full_text = _join_texts([*body.own_text, *body.forwarded])
    bounce = _safe_is_bounce(msg, headers, sender.address)
    return ParsedMail(
        from_address=sender.address,
        from_name=sender.name,
        to=headers.addresses("to"),
        cc=headers.addresses("cc"),
        reply_to=headers.addresses("reply-to"),
        subject=headers.text("subject"),
        date=headers.date(),
        message_id=next(iter(headers.message_ids("message-id")), None),
        in_reply_to=next(iter(headers.message_ids("in-reply-to")), None),
        references=headers.message_ids("references"),
        auto_submitted=bounce or is_auto_submitted(headers),
        bounce=bounce,
        bounce_details=_safe_bounce_details(msg, headers, full_text) if bounce else None,
        text=strip_reply(_join_texts(body.own_text)) or full_text,
        full_text=full_text,
        html=sanitize_html("\n".join(body.html)) if body.html else "",
        attachments=body.attachments,
        raw_headers=[(key, decode_surrogates(value, None)) for key, value in _unfolded_items(msg)],
        size=len(raw),
    )


def _unfolded_items(msg: Message) -> list[tuple[str, str]]:
    return [(key, re.sub(r"\r?\n(?=[ \t])", "", value).strip()) for key, value in msg.raw_items()]


def _sender(headers: HeaderReader) -> MailAddress:
    for name in _SENDER_HEADERS:
        found = headers.addresses(name)
        if found:
            return found[0]
    return MailAddress(address="", name="")


def _safe_is_bounce(msg: Message, headers: HeaderReader, sender: str) -> bool:
    try:
        return is_bounce(msg, headers, sender)
    except Exception:  # a broken report part must not lose the mail; it is then treated as normal mail
        return False


def _safe_bounce_details(msg: Message, headers: HeaderReader, full_text: str) -> BounceDetails:
    try:
        return bounce_details(msg, headers, full_text)
    except Exception:  # details are a bonus: the bounce flag alone already stops the loop
        return BounceDetails()


def _charset_hint(msg: Message) -> str | None:
    """The first charset declared anywhere in the mail: the best guess for raw 8-bit header bytes."""
    for index, part in enumerate(msg.walk()):
        if index > 20:
            break
        charset = part.get_param("charset")
        if isinstance(charset, str) and charset:
            return charset
    return None


def _detected_hint(msg: Message) -> str | None:
    """For raw 8-bit headers in a mail that declares no charset: the body's detected charset.

    A header alone is a few bytes, too little to detect from; the body usually shares its encoding, and
    mixing the two samples made detection worse on the corpus, so the body is tried first.
    """
    header_bytes = b" ".join(
        value.encode("ascii", "surrogateescape") for _, value in msg.raw_items() if not value.isascii()
    )
    if not header_bytes:
        return None
    body = b"" if msg.is_multipart() else payload_bytes(msg)[:4096]
    return detect_charset(body) or detect_charset(header_bytes)


def _join_texts(texts: list[str]) -> str:
    return "\n\n".join(text.strip("\n") for text in texts if text.strip()).strip()


def _walk(part: Message, body: _Body, depth: int) -> None:
    kind = part.get_content_type()
    if depth > MAX_DEPTH:
        _add_attachment(part, body)
    elif kind in {"message/rfc822", "message/global"}:
        _add_forwarded(part, body, depth)
    elif kind.startswith("message/") or not part.is_multipart() and not _is_body_text(part, kind):
        _add_attachment(part, body)
    elif kind == "multipart/alternative":
        _walk_alternative(part, body, depth)
    elif part.is_multipart():
        for child in _children(part):
            _walk(child, body, depth + 1)
    else:
        _add_text(part, kind, body)


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []


def _is_body_text(part: Message, kind: str) -> bool:
    if kind not in {"text/plain", "text/html"}:
        return False
    if part.get_content_disposition() == "attachment":
        return False
    return not (_filename(part) or "").strip()


def _walk_alternative(part: Message, body: _Body, depth: int) -> None:
    """Text from the first plain-text branch, HTML from the last HTML branch, attachments from all."""
    branches: list[_Body] = []
    for child in _children(part):
        branch = _Body()
        _walk(child, branch, depth + 1)
        branches.append(branch)
    text_branch = next((b for b in branches if b.has_plain), None) or next(
        (b for b in branches if b.own_text), None
    )
    html_branch = next((b for b in reversed(branches) if b.html), None)
    if text_branch is not None:
        body.own_text.extend(text_branch.own_text)
        body.has_plain = body.has_plain or text_branch.has_plain
    if html_branch is not None:
        body.html.extend(html_branch.html)
    for branch in branches:
        body.attachments.extend(branch.attachments)
        body.forwarded.extend(branch.forwarded)


def _add_text(part: Message, kind: str, body: _Body) -> None:
    text = normalize_newlines(decode_bytes(payload_bytes(part), _charset(part)))
    if kind == "text/html":
        body.html.append(text)
        body.own_text.append(html_to_text(text))
        return
    text, files = extract_uuencoded(text)
    body.own_text.append(text)
    body.has_plain = True
    for file in files:
        content_type = _guess_type(file.filename)
        body.attachments.append(
            ParsedAttachment(
                filename=sanitize_filename(file.filename, content_type),
                content_type=content_type,
                size=len(file.content),
                content=file.content,
            )
        )


def _guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream"


def _charset(part: Message) -> str | None:
    charset = part.get_param("charset")
    return charset if isinstance(charset, str) else None


def _add_attachment(part: Message, body: _Body) -> None:
    kind = part.get_content_type()
    content = payload_bytes(part)
    content_id = _content_id(part)
    disposition = part.get_content_disposition()
    body.attachments.append(
        ParsedAttachment(
            filename=sanitize_filename(_filename(part), kind),
            content_type=kind,
            size=len(content),
            content=content,
            content_id=content_id,
            inline=disposition == "inline" or (disposition is None and content_id is not None),
        )
    )


def _add_forwarded(part: Message, body: _Body, depth: int) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        _add_attachment(part, body)
        return
    inner_body = _Body()
    _walk(inner, inner_body, depth + 1)
    inner_headers = HeaderReader(inner, _charset_hint(inner))
    body.forwarded.append(_forward_block(inner_headers, inner_body))
    content = serialize(inner)
    name = _filename(part) or inner_headers.text("subject") or "message"
    if not name.lower().endswith(".eml"):
        name += ".eml"
    body.attachments.append(
        ParsedAttachment(
            filename=sanitize_filename(name, "message/rfc822"),
            content_type="message/rfc822",
            size=len(content),
            content=content,
            content_id=_content_id(part),
            inline=False,
        )
    )


def _forward_block(headers: HeaderReader, inner: _Body) -> str:
    lines = ["---------- Forwarded message ----------"]
    for name in ("From", "Date", "Subject", "To"):
        value = headers.first(name)
        if value:
            lines.append(f"{name}: {decode_unstructured(value)}")
    text = _join_texts([*inner.own_text, *inner.forwarded])
    return "\n".join(lines) + "\n\n" + text


def _content_id(part: Message) -> str | None:
    value = part.get("content-id")
    if value is None:
        return None
    cleaned = str(value).strip().strip("<>").strip()
    return cleaned or None


def _filename(part: Message) -> str | None:
    """The attachment's name from Content-Disposition or Content-Type, RFC 2231 and RFC 2047 decoded.

    Raw 8-bit names are decoded with the part's charset instead of becoming U+FFFD.
    """
    try:
        name = part.get_filename()
    except Exception:  # a broken parameter list: treat as unnamed, a fallback name is derived later
        return None
    if not isinstance(name, str):
        return None
    name = decode_surrogates(name, _charset(part))
    return decode_unstructured(name) if "=?" in name else name
