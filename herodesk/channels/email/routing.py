"""Which conversation an inbound mail belongs to, and whether it should be filed at all.

Threading order: In-Reply-To/References against our Message-IDs, then the reply token (in one of our
Message-IDs or the Reply-To plus-address), then a ``[#1234]`` subject tag when the sender is that
conversation's customer; otherwise the mail starts a new conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from herodesk.channels.email import queries
from herodesk.channels.email.lookups import IntakeLookups
from herodesk.channels.email.models import InboundMail
from herodesk.channels.email.parse import ParsedMail, reply_token_from, subject_ticket_number
from herodesk.conversations.models import Conversation
from herodesk.customers.actions import normalize_email

LOOP_HEADER = "X-Herodesk-Loop"
State = InboundMail.State


def sender_rate_limit() -> int:
    """Mails per sender address and hour; above it, mail is refused as a probable loop."""
    return int(getattr(settings, "EMAIL_SENDER_RATE_LIMIT", 20))


@dataclass(frozen=True)
class Refusal:
    state: str
    reason: str


@dataclass(frozen=True)
class Route:
    conversation: Conversation | None  # None: a new conversation
    rule: str  # in-reply-to | reply-token | subject | new


def refusal_for(inbound: InboundMail, parsed: ParsedMail, lookups: IntakeLookups) -> Refusal | None:
    """Why this mail must not be filed, or None. Checked in order: own, loop, duplicate, rate.

    ``lookups`` answers the duplicate and rate-limit questions for the whole batch being filed.
    """
    for check in (_from_ourselves, _looped):
        refusal = check(inbound, parsed)
        if refusal is not None:
            return refusal
    return _duplicate(inbound, lookups) or _rate_limited(inbound, parsed, lookups)


def _from_ourselves(inbound: InboundMail, parsed: ParsedMail) -> Refusal | None:
    if not parsed.from_address:
        return Refusal(State.REJECTED, "no sender address (From, Sender, Reply-To and Return-Path are empty)")
    if queries.strip_plus_tag(parsed.from_address) in queries.own_addresses():
        return Refusal(State.REJECTED, f"sent from our own address {parsed.from_address}: ignored")
    return None


def _looped(inbound: InboundMail, parsed: ParsedMail) -> Refusal | None:
    if parsed.header(LOOP_HEADER):
        return Refusal(State.REJECTED, f"mail loop: it carries our {LOOP_HEADER} header")
    if (
        parsed.message_id
        and _looks_like_ours(parsed.message_id)
        and queries.is_our_outgoing_message(parsed.message_id)
    ):
        return Refusal(State.REJECTED, "mail loop: this is a message the desk sent itself")
    return None


def _looks_like_ours(message_id: str) -> bool:
    """Our Message-IDs all carry "hd." (send.new_message_id); others need no database look-up."""
    return message_id.startswith("hd.") or ".hd." in message_id


def _duplicate(inbound: InboundMail, lookups: IntakeLookups) -> Refusal | None:
    earlier = lookups.filed_duplicate(inbound)
    if earlier is None:
        return None
    what = f"Message-ID {inbound.message_id_header}" if inbound.message_id_header else "content"
    return Refusal(State.DUPLICATE, f"duplicate: same {what} as inbound mail {earlier}")


def _rate_limited(inbound: InboundMail, parsed: ParsedMail, lookups: IntakeLookups) -> Refusal | None:
    if _is_backlog(inbound):
        return None  # old mail found in a newly connected mailbox is history, not a loop
    limit = sender_rate_limit()
    since = queries.one_hour_before(inbound.received_at)
    if lookups.recent_mails_from(inbound.from_address, since) < limit:
        return None
    return Refusal(
        State.REJECTED, f"rate limited: more than {limit} mails from {inbound.from_address} in one hour"
    )


def _is_backlog(inbound: InboundMail) -> bool:
    """The mail server had it for over an hour before we read it (by its own clock, not the Date header)."""
    return inbound.arrived_at is not None and inbound.arrived_at < inbound.received_at - timedelta(hours=1)


# --- Threading --------------------------------------------------------------------------------------


def thread_ids(parsed: ParsedMail) -> list[str]:
    """In-Reply-To, then References from the newest: the Message-IDs that thread this mail, bare."""
    message_ids = [*([parsed.in_reply_to] if parsed.in_reply_to else []), *reversed(parsed.references)]
    return [bare for bare in map(queries.bare_message_id, message_ids) if bare]


def route_for(parsed: ParsedMail, lookups: IntakeLookups) -> Route:
    conversation = lookups.conversation_by_message_ids(thread_ids(parsed))
    if conversation is not None:
        return Route(conversation, "in-reply-to")
    token = reply_token_from(parsed)
    conversation = lookups.conversation_by_reply_token(token) if token else None
    if conversation is not None:
        return Route(conversation, "reply-token")
    number = subject_ticket_number(parsed.subject)
    if number is not None:
        conversation = lookups.conversation_of_sender(number, normalize_email(parsed.from_address))
        if conversation is not None:
            return Route(conversation, "subject")
    return Route(None, "new")
