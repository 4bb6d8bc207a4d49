"""Inbound mail from every source (IMAP, a mail-server pipe, webhooks) into conversations.

The raw bytes are stored first and committed (one transaction per mail from a pipe or webhook, one per
IMAP fetch batch); filing runs in later transactions, FILE_BATCH mails each with a savepoint per mail.
A crash before a filing transaction commits leaves its mails "received": the next poll (or ``herodesk
mail reprocess``) files them. A mail whose filing fails is rolled back alone and marked failed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from herodesk.channels.email import actions, credentials, filing, imap, queries
from herodesk.channels.email.models import InboundMail, Mailbox
from herodesk.channels.email.parse import NotAnEmail, parse_message

log = logging.getLogger(__name__)
FETCH_BATCH = 200
FILE_BATCH = 50  # mails filed per transaction (one savepoint each); the write lock is held that long
STALE_AFTER = timedelta(minutes=10)
State = InboundMail.State
# What a poll records as the mailbox's error (and backs off from); anything else is a bug and propagates.
POLL_ERRORS: tuple[type[Exception], ...] = (*imap.CONNECTION_ERRORS, credentials.CredentialError)


# --- Raw MIME (pipe, webhook) -----------------------------------------------------------------------


def ingest(raw: bytes, mailbox: Mailbox | None, source: str = InboundMail.Source.PIPE) -> InboundMail:
    """Store one raw mail, then file it. The stored mail survives whatever happens while filing."""
    inbound = actions.do_store_inbound(actions.RawMail(raw=raw, source=source, mailbox=mailbox))
    return process(inbound.pk, inbound)


def process(inbound_id: int, stored: InboundMail | None = None) -> InboundMail:
    """Parse and file one stored mail. Refusals are recorded; unexpected errors mark it failed.

    ``stored`` is the row just written by the caller, which saves reading the raw bytes back.
    """
    return file_stored([stored or InboundMail.objects.get(pk=inbound_id)])[0]


def file_stored(stored: Sequence[InboundMail]) -> list[InboundMail]:
    """Parse and file stored mails (rows with their raw bytes), FILE_BATCH of them per transaction.

    Parsing happens outside the transaction; each mail is filed in its own savepoint, so a mail that
    fails is marked failed without undoing the others. Returns the rows in the given order.
    """
    filed: list[InboundMail] = []
    for start in range(0, len(stored), FILE_BATCH):
        filed.extend(_file_chunk(stored[start : start + FILE_BATCH]))
    return filed


def _file_chunk(chunk: Sequence[InboundMail]) -> list[InboundMail]:
    filings = [_parse(inbound) for inbound in chunk if not inbound.done]
    if not filings:
        return list(chunk)
    try:
        rows = filing.do_file_batch(filings)
    except Exception as error:  # the batch as a whole (e.g. the database); the raw mails are kept
        log.exception("Filing inbound mails %s failed", [item.inbound_id for item in filings])
        reason = f"filing failed: {type(error).__name__}: {error}"
        rows = {item.inbound_id: actions.do_fail_inbound(item.inbound_id, reason) for item in filings}
    return [rows.get(inbound.pk, inbound) for inbound in chunk]


def _parse(inbound: InboundMail) -> filing.Filing:
    try:
        parsed = parse_message(bytes(inbound.raw), max_size=settings.MAX_EMAIL_BYTES)
    except NotAnEmail as error:
        return filing.Filing(inbound.pk, refused=f"not an email: {error.reason}")
    except Exception as error:  # the parser's promise is NotAnEmail; anything else is a bug to retry
        log.exception("Parsing inbound mail %s failed", inbound.pk)
        return filing.Filing(inbound.pk, failed=f"parser error: {type(error).__name__}: {error}")
    return filing.Filing(inbound.pk, parsed)


def process_pending(mailbox: Mailbox | None = None, stale_only: bool = False, source: str = "") -> int:
    """File mails a crash or a failure left behind; returns how many were tried.

    ``stale_only`` leaves recent mail alone: a pipe or webhook request may still be filing it.
    """
    older_than = timezone.now() - STALE_AFTER if stale_only else None
    pending = queries.pending_inbound(mailbox, older_than, source)
    for start in range(0, len(pending), FILE_BATCH):
        ids = pending[start : start + FILE_BATCH]
        rows = InboundMail.objects.in_bulk(ids)
        file_stored([rows[pk] for pk in ids if pk in rows])
    return len(pending)


def reprocess(inbound_id: int) -> InboundMail:
    actions.do_reopen_inbound(inbound_id)
    return process(inbound_id)


# --- IMAP -------------------------------------------------------------------------------------------


@dataclass
class PollResult:
    mailbox_id: int
    fetched: int = 0
    filed: int = 0
    refused: int = 0
    retried: int = 0
    error: str = ""
    skipped: bool = False
    states: dict[str, int] = field(default_factory=dict)

    def count(self, inbound: InboundMail) -> None:
        self.states[inbound.state] = self.states.get(inbound.state, 0) + 1
        if inbound.state == State.PROCESSED:
            self.filed += 1
        elif inbound.state in (State.REJECTED, State.DUPLICATE):
            self.refused += 1


def imap_settings(mailbox: Mailbox) -> imap.ImapSettings:
    return imap.ImapSettings(
        host=mailbox.imap_host,
        port=mailbox.imap_port,
        security=mailbox.imap_security,
        user=mailbox.imap_user,
        password=credentials.mailbox_password(mailbox),
        folder=mailbox.imap_folder or "INBOX",
    )


def poll(mailbox: Mailbox) -> PollResult:
    """Fetch and file every new mail of one mailbox; connection trouble is recorded and backed off."""
    result = PollResult(mailbox.pk)
    if not actions.do_claim_poll(mailbox.pk):
        result.skipped = True
        return result
    try:
        result.retried = process_pending(mailbox, source=InboundMail.Source.IMAP)
        actions.do_renew_poll(mailbox.pk)
        with imap.open_folder(imap_settings(mailbox), writable=bool(mailbox.move_to_folder)) as folder:
            _fetch_new(mailbox, folder, result)
    except POLL_ERRORS as error:
        result.error = str(error) or type(error).__name__
        actions.do_record_poll_failure(mailbox.pk, result.error)
        return result
    except BaseException:
        actions.do_release_poll(mailbox.pk)
        raise
    actions.do_record_poll_success(mailbox.pk)
    return result


def _fetch_new(mailbox: Mailbox, folder: imap.Folder, result: PollResult) -> None:
    mailbox.refresh_from_db(fields=["uidvalidity", "last_uid"])
    if mailbox.uidvalidity != folder.uidvalidity:
        actions.do_start_uidvalidity(mailbox.pk, folder.uidvalidity)
        mailbox.uidvalidity, mailbox.last_uid = folder.uidvalidity, 0
    uids = folder.uids_after(mailbox.last_uid)
    for start in range(0, len(uids), FETCH_BATCH):
        batch = uids[start : start + FETCH_BATCH]
        actions.do_renew_poll(mailbox.pk)
        _fetch_batch(mailbox, folder, batch, result)
        actions.do_advance_last_uid(mailbox.pk, batch[-1])


def _fetch_batch(mailbox: Mailbox, folder: imap.Folder, batch: list[int], result: PollResult) -> None:
    known = queries.known_uids(mailbox, folder.uidvalidity, batch)
    new = [uid for uid in batch if uid not in known]
    done = [uid for uid, finished in known.items() if finished]
    for inbound in _store_and_file(mailbox, folder, new, result):
        result.count(inbound)
        if inbound.state in (State.PROCESSED, State.DUPLICATE):
            done.append(inbound.uid or 0)
    if mailbox.move_to_folder and done:
        folder.move(sorted(done), mailbox.move_to_folder)


def _store_and_file(
    mailbox: Mailbox, folder: imap.Folder, uids: list[int], result: PollResult
) -> list[InboundMail]:
    if not uids:
        return []
    found = folder.sizes_and_arrivals(uids)
    sizes = {uid: size for uid, (size, _) in found.items()}
    limit = settings.MAX_EMAIL_BYTES
    small = [uid for uid in uids if sizes.get(uid, 0) <= limit]
    bodies = {**folder.fetch(small), **folder.fetch([uid for uid in uids if uid not in small], True)}
    mails = [
        actions.RawMail(
            raw=bodies[uid],
            source=InboundMail.Source.IMAP,
            mailbox=mailbox,
            uidvalidity=folder.uidvalidity,
            uid=uid,
            size=max(sizes.get(uid, 0), len(bodies[uid])),
            arrived_at=found.get(uid, (0, None))[1],
        )
        for uid in uids
        if uid in bodies  # else expunged by someone else meanwhile
    ]
    result.fetched += len(mails)
    return file_stored(_store(mails))


def _store(mails: list[actions.RawMail]) -> list[InboundMail]:
    """Store the whole fetch batch in one transaction; mail by mail if another worker got there first."""
    if not mails:
        return []
    try:
        return actions.do_store_inbound_many(mails)
    except IntegrityError:
        return [inbound for inbound in map(_store_once, mails) if inbound is not None]


def _store_once(raw: actions.RawMail) -> InboundMail | None:
    try:
        return actions.do_store_inbound(raw)
    except IntegrityError:  # another worker stored this UID first
        return None


def poll_due() -> list[PollResult]:
    """Poll every mailbox whose interval has passed and whose backoff is over."""
    results = [poll(mailbox) for mailbox in queries.due_mailboxes(timezone.now())]
    process_pending(stale_only=True)
    return results
