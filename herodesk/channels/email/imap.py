"""A small IMAP client for intake: read-only by default, UIDs only, batched FETCH, never deletes."""

from __future__ import annotations

import imaplib
import re
import ssl
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from herodesk.channels.email.models import Security

TIMEOUT_SECONDS = 30
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


class ImapError(Exception):
    """Anything that went wrong talking to the server, as one line for the mailbox's health."""


# Errors that mean "the server or the network", as opposed to a bug in intake.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (ImapError, imaplib.IMAP4.error, OSError, ssl.SSLError)


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str
    user: str
    password: str
    folder: str = "INBOX"
    timeout: float = TIMEOUT_SECONDS


@dataclass(frozen=True)
class FetchedMail:
    uid: int
    raw: bytes
    size: int  # the server's size; larger than len(raw) when only headers were fetched


def quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uid_set(uids: Sequence[int]) -> str:
    """``1:3,7,9:10`` for [1, 2, 3, 7, 9, 10]."""
    ranges: list[str] = []
    ordered = sorted(set(uids))
    start = previous = ordered[0]
    for uid in [*ordered[1:], None]:
        if uid is not None and uid == previous + 1:
            previous = uid
            continue
        ranges.append(str(start) if start == previous else f"{start}:{previous}")
        if uid is not None:
            start = previous = uid
    return ",".join(ranges)


def _connect(config: ImapSettings) -> imaplib.IMAP4:
    if config.security == Security.TLS:
        context = ssl.create_default_context()
        return imaplib.IMAP4_SSL(config.host, config.port, ssl_context=context, timeout=config.timeout)
    connection = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
    if config.security == Security.STARTTLS:
        connection.starttls(ssl_context=ssl.create_default_context())
    return connection


def _check(result: tuple[str, list], what: str) -> list:
    status, data = result
    if status != "OK":
        detail = b" ".join(item for item in data if isinstance(item, bytes)).decode("utf-8", "replace")
        raise ImapError(f"{what} failed: {detail or status}")
    return data


class Folder:
    """One selected folder on a logged-in connection."""

    def __init__(self, connection: imaplib.IMAP4, uidvalidity: int, writable: bool) -> None:
        self.connection = connection
        self.uidvalidity = uidvalidity
        self.writable = writable

    def uids_after(self, last_uid: int) -> list[int]:
        data = _check(self.connection.uid("SEARCH", f"UID {last_uid + 1}:*"), "UID SEARCH")
        found = [int(item) for chunk in data if chunk for item in chunk.split()]
        # "n:*" always matches the newest message, even when its UID is below n.
        return sorted(uid for uid in found if uid > last_uid)

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        return {uid: size for uid, (size, _) in self.sizes_and_arrivals(uids).items()}

    def sizes_and_arrivals(self, uids: Sequence[int]) -> dict[int, tuple[int, datetime | None]]:
        """Each mail's size and when the server received it (INTERNALDATE), in one round trip.

        The arrival time is the server's, not the sender's Date header, which anyone can set.
        """
        command = "(RFC822.SIZE INTERNALDATE)"
        data = _check(self.connection.uid("FETCH", uid_set(uids), command), "UID FETCH size")
        found: dict[int, tuple[int, datetime | None]] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            uid, size = _UID.search(line or b""), _SIZE.search(line or b"")
            if uid and size:
                found[int(uid.group(1))] = (int(size.group(1)), _internal_date(line))
        return found

    def fetch(self, uids: Sequence[int], headers_only: bool = False) -> dict[int, bytes]:
        """The raw mails, without setting \\Seen (BODY.PEEK)."""
        if not uids:
            return {}
        part = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        data = _check(self.connection.uid("FETCH", uid_set(uids), f"(UID {part})"), "UID FETCH")
        return _literals_by_uid(data)

    def move(self, uids: Sequence[int], folder: str) -> None:
        if not uids:
            return
        if not self.writable:
            raise ImapError("the folder was opened read-only")
        capabilities = _capabilities(self.connection)
        if "MOVE" in capabilities:
            _check(self.connection.uid("MOVE", uid_set(uids), quote(folder)), "UID MOVE")
        elif "UIDPLUS" in capabilities:
            # Copy, then expunge exactly these UIDs: other mail flagged \Deleted is left alone.
            _check(self.connection.uid("COPY", uid_set(uids), quote(folder)), "UID COPY")
            _check(self.connection.uid("STORE", uid_set(uids), "+FLAGS.SILENT", r"(\Deleted)"), "UID STORE")
            _check(self.connection.uid("EXPUNGE", uid_set(uids)), "UID EXPUNGE")
        else:
            raise ImapError("the server supports neither MOVE nor UIDPLUS: mail is left in place")


def _internal_date(line: bytes) -> datetime | None:
    parts = imaplib.Internaldate2tuple(line)
    if parts is None:
        return None
    return datetime.fromtimestamp(time.mktime(parts), tz=UTC)


def _literals_by_uid(data: list) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    for index, item in enumerate(data):
        if not isinstance(item, tuple):
            continue
        uid = _UID.search(item[0])
        if uid is None and index + 1 < len(data) and isinstance(data[index + 1], bytes):
            uid = _UID.search(data[index + 1])  # some servers send UID after the literal
        if uid is not None:
            found[int(uid.group(1))] = item[1]
    return found


def _capabilities(connection: imaplib.IMAP4) -> set[str]:
    data = _check(connection.capability(), "CAPABILITY")
    return {word.upper() for word in b" ".join(data).decode("ascii", "replace").split()}


def _uidvalidity(connection: imaplib.IMAP4, folder: str) -> int:
    _, values = connection.response("UIDVALIDITY")
    value = values[0] if values and values[0] else None
    if value is None:
        _, status = connection.status(quote(folder), "(UIDVALIDITY)")
        match = _UIDVALIDITY.search(status[0] or b"") if status else None
        value = match.group(1) if match else None
    if value is None:
        raise ImapError("the server did not report UIDVALIDITY")
    return int(value)


@contextmanager
def open_folder(config: ImapSettings, writable: bool = False) -> Iterator[Folder]:
    """Log in and select the folder (EXAMINE unless ``writable``); always log out."""
    try:
        connection = _connect(config)
    except (TimeoutError, OSError, imaplib.IMAP4.error) as error:
        raise ImapError(f"cannot connect to {config.host}:{config.port}: {error}") from error
    try:
        _login(connection, config)
        _check(connection.select(quote(config.folder), readonly=not writable), f"SELECT {config.folder}")
        yield Folder(connection, _uidvalidity(connection, config.folder), writable)
    finally:
        _logout(connection)


def _login(connection: imaplib.IMAP4, config: ImapSettings) -> None:
    try:
        connection.login(config.user, config.password)
    except imaplib.IMAP4.error as error:
        raise ImapError(f"login as {config.user} failed: {error}") from error


def _logout(connection: imaplib.IMAP4) -> None:
    with suppress(OSError, imaplib.IMAP4.error):
        connection.logout()


def check_connection(config: ImapSettings) -> str:
    """Log in, open the folder, and say how many mails it holds (for "test connection")."""
    with open_folder(config) as folder:
        data = _check(folder.connection.uid("SEARCH", "ALL"), "UID SEARCH")
        count = sum(len(chunk.split()) for chunk in data if chunk)
        return f"Connected; {config.folder} holds {count} mails (UIDVALIDITY {folder.uidvalidity})."
