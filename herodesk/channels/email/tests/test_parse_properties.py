"""Property-based tests: header and charset round trips, filename safety, garbage never crashes."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from herodesk.channels.email.bodies import sanitize_filename
from herodesk.channels.email.charsets import codec_for
from herodesk.channels.email.parse import NotAnEmail, parse_message

# Control characters, surrogates and line/paragraph separators are not text anyone types into a subject.
_TEXT_CHARS = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn"))
_CHARSETS = [
    "utf-8",
    "iso-8859-1",
    "iso-8859-15",
    "windows-1252",
    "koi8-r",
    "windows-1251",
    "gb18030",
    "euc-jp",
    "iso-2022-jp",
    "euc-kr",
]
# Python's euc-kr/euc-jp codecs encode these, but they decode as something else (hypothesis warns).
_NOT_ROUND_TRIPPABLE = "\u3164\xa5\u203e"
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _message(subject: str = "s") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "sender@example.org"
    message["Subject"] = subject
    return message


@_SETTINGS
@given(subject=st.text(_TEXT_CHARS, min_size=1, max_size=120))
def test_unicode_subject_round_trips_through_rfc2047(subject: str) -> None:
    assume(subject.split())
    message = _message(subject)
    message.set_content("body")
    assert parse_message(message.as_bytes()).subject == " ".join(subject.split())


@_SETTINGS
@given(name=st.text(_TEXT_CHARS, min_size=1, max_size=60))
def test_unicode_display_name_round_trips(name: str) -> None:
    assume(name.split())
    message = EmailMessage()
    message["From"] = Address(display_name=name, addr_spec="person@example.org")
    message["Subject"] = "hi"
    message.set_content("body")
    parsed = parse_message(message.as_bytes())
    assert parsed.from_address == "person@example.org"
    # CPython's folder may put a space of the name between two encoded words, where RFC 2047 decoding
    # must drop it; so spaces are compared loosely, every other character exactly.
    assert parsed.from_name.replace(" ", "") == "".join(name.split())


@st.composite
def _text_in_charset(draw: st.DrawFn) -> tuple[str, str]:
    charset = draw(st.sampled_from(_CHARSETS))
    alphabet = st.characters(
        codec=charset, exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters=_NOT_ROUND_TRIPPABLE
    )
    text = draw(st.text(alphabet, min_size=1, max_size=200))
    assume(text.strip())
    # The parser reads a label as its everyday superset (euc-kr as cp949, like browsers do), so only text
    # that means the same in both is a fair round trip.
    assume(text.encode(charset).decode(codec_for(charset) or charset) == text)
    return charset, text


@_SETTINGS
@given(case=_text_in_charset())
def test_text_body_in_a_declared_charset_decodes_back(case: tuple[str, str]) -> None:
    charset, text = case
    message = _message()
    message.set_content(text, charset=charset)
    parsed = parse_message(message.as_bytes())
    assert parsed.full_text == text.strip()


@_SETTINGS
@given(filename=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=120))
def test_rfc2231_filename_comes_back_sanitized(filename: str) -> None:
    message = _message()
    message.set_content("see attachment")
    try:
        message.add_attachment(b"data", maintype="application", subtype="octet-stream", filename=filename)
    except ValueError:
        assume(False)  # the email package itself refuses to write a CR or LF into a header
    parsed = parse_message(message.as_bytes())
    (attachment,) = parsed.attachments
    assert attachment.filename == sanitize_filename(filename, "application/octet-stream")
    assert not {"/", "\\", "\x00"} & set(attachment.filename)
    assert 0 < len(attachment.filename) <= 200


@_SETTINGS
@given(filename=st.one_of(st.none(), st.text(max_size=300)))
def test_sanitize_filename_is_safe_and_idempotent(filename: str | None) -> None:
    cleaned = sanitize_filename(filename, "application/pdf")
    assert cleaned and len(cleaned) <= 200
    assert not {"/", "\\", "\x00"} & set(cleaned)
    assert sanitize_filename(cleaned, "application/pdf") == cleaned


@settings(max_examples=400, deadline=None)
@given(raw=st.binary(max_size=2000))
def test_random_bytes_only_ever_raise_not_an_email(raw: bytes) -> None:
    try:
        parse_message(raw)
    except NotAnEmail as error:
        assert error.reason and "\n" not in error.reason


_HEADER_NAMES = st.sampled_from(
    ["Content-Type", "Content-Disposition", "Content-Transfer-Encoding", "Subject", "To", "Cc", "Date"]
    + ["Message-ID", "References", "In-Reply-To", "Auto-Submitted", "Precedence", "MIME-Version"]
)


@st.composite
def _mail_like(draw: st.DrawFn) -> bytes:
    """Mail-shaped garbage: a real From line, then random headers and a random (possibly MIME) body."""
    lines = [b"From: x <x@example.org>"]
    for _ in range(draw(st.integers(0, 6))):
        name = draw(_HEADER_NAMES).encode()
        lines.append(name + b": " + draw(st.binary(max_size=80)).replace(b"\n", b" "))
    boundary = b"--b"
    body = draw(
        st.lists(st.one_of(st.binary(max_size=200), st.just(boundary), st.just(b"Content-Type: text/html")))
    )
    return b"\r\n".join(lines) + b"\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + b"\r\n".join(body)


@settings(max_examples=300, deadline=None)
@given(raw=_mail_like())
def test_mail_shaped_garbage_parses_or_raises_not_an_email(raw: bytes) -> None:
    try:
        parsed = parse_message(raw)
    except NotAnEmail:
        return
    assert parsed.size == len(raw)


@pytest.mark.parametrize("charset", _CHARSETS)
def test_every_listed_charset_is_known(charset: str) -> None:
    "x".encode(charset)
