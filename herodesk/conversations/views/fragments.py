"""Parts of the conversation screen built in Python instead of template loops.

The template engine costs about a hundred Python calls per variable, filter and tag; the thread and the
customer's earlier conversations repeat a dozen of them per row. Here each row is one ``format_html`` (every
value escaped), with the same markup and the same filters' output as the template had.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.template.defaultfilters import filesizeformat, floatformat, linebreaksbr
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from herodesk.conversations.history import HistoryLine
from herodesk.conversations.models import Channel, Conversation, Message
from herodesk.conversations.templatetags.desk import Reverser, badge_level, explain_reasons, humanize_name

MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STATUS_LABELS = dict(Conversation.Status.choices)
KIND_LABELS = dict(Message.Kind.choices)
CHANNEL_LABELS = dict(Channel.choices)
SEND_LABELS = dict(Message.SendStatus.choices)


def truncate(text: str, length: int) -> str:
    """The ``truncatechars`` filter; plain short text (nearly always) skips its Unicode normalising."""
    if len(text) <= length and text.isascii():
        return text
    return Truncator(text).chars(length)


def month_day(value: datetime) -> str:
    """``|date:"M j"`` in the active time zone."""
    local = timezone.localtime(value)
    return f"{MONTHS[local.month]} {local.day}"


def month_day_time(value: datetime) -> tuple[str, str]:
    """``|date:"M j, H:i"`` and ``|date:"c"`` in the active time zone."""
    local = timezone.localtime(value)
    return f"{MONTHS[local.month]} {local.day}, {local.hour:02d}:{local.minute:02d}", local.isoformat()


def history_items(rows: Iterable[Conversation]) -> SafeString:
    """The customer panel's earlier conversations, one ``<li>`` each."""
    url = Reverser()
    return format_html_join(
        "",
        '<li><a href="{}">#{} {}</a> <span class="muted">{} · {}{}</span></li>',
        (
            (
                url("conversations:detail", row.pk),
                row.pk,
                truncate(row.subject, 40),
                month_day(row.created_at),
                STATUS_LABELS.get(row.status, row.status),
                f" · {row.contact_reason}" if row.contact_reason_id else "",
            )
            for row in rows
        ),
    )


def history_lines(lines: Iterable[HistoryLine]) -> SafeString:
    """The History list: each event's time and sentence, with a transfer's hand-off note."""
    return format_html_join(
        "",
        '<li><span class="muted">{}</span> {}{}</li>',
        (
            (
                month_day_time(line.event.created_at)[0],
                line.text,
                format_html(": <q>{}</q>", line.event.note) if line.event.note else "",
            )
            for line in lines
        ),
    )


def merge_options(rows: Iterable[Conversation]) -> SafeString:
    """The merge picker's options: the customer's other conversations not merged away."""
    return format_html_join(
        "",
        '<option value="{}">#{} {} ({})</option>',
        (
            (row.pk, row.pk, truncate(row.subject, 40), STATUS_LABELS.get(row.status, row.status))
            for row in rows
        ),
    )


HEAD = (
    '<div class="msg-head"><b>{}</b> <span class="chip">{}</span> '
    '<span class="muted" title="{}">{} via {}</span>{}</div>'
)
UNSEEN = SafeString(
    '<span class="badge red" data-testid="unseen-message">New since you started writing</span>'
)
NOT_SENT = SafeString(
    '<span class="send none" title="No email address or channel to send it to">'
    "Not sent to the customer</span>"
)
ORIGINAL = '<details><summary>Show full original</summary><pre class="original">{}</pre></details>'
ATTACHMENT = '<li><a href="{}" hx-boost="false">📎 {}</a> <span class="muted">{}</span></li>'


def message_html(message: Message, new_ids: Iterable[int] = (), url: Reverser | None = None) -> SafeString:
    """One message of the thread without the apps' message tools: head, body, reasons, behaviours, the
    full original, attachments."""
    parts = [
        _head(message, message.pk in new_ids),
        format_html('<div class="msg-body">{}</div>', linebreaksbr(message.text)),
    ]
    signals = message.signals or {}
    if signals.get("reasons"):
        reasons = explain_reasons(signals["reasons"], message.text)
        items = format_html_join("", "<li>{}</li>", ((r,) for r in reasons))
        parts.append(format_html('<ul class="reasons">{}</ul>', items))
    if signals.get("behaviours"):
        names = ((humanize_name(b),) for b in signals["behaviours"])
        chips = format_html_join("", '<span class="chip">{}</span>', names)
        parts.append(format_html('<div class="behaviours">{}</div>', chips))
    if message.full_text and message.full_text != message.text:
        parts.append(format_html(ORIGINAL, message.full_text))
    attachments = message.attachments.all()
    if attachments:
        url = url or Reverser()
        rows = (
            (url("conversations:attachment", a.pk), a.filename, filesizeformat(a.size)) for a in attachments
        )
        parts.append(format_html('<ul class="attachments">{}</ul>', format_html_join("", ATTACHMENT, rows)))
    return format_html_join("", "{}", ((part,) for part in parts))


def _head(message: Message, unseen: bool) -> SafeString:
    if message.kind == Message.Kind.CUSTOMER:
        who = str(message.customer) if message.customer is not None else "Customer"
    else:
        who = (message.author.display_name if message.author is not None else "") or "System"
    when, iso = month_day_time(message.created_at)
    extra = [UNSEEN] if unseen else []
    if message.send_status:
        label = SEND_LABELS.get(message.send_status, message.send_status)
        error = f": {truncate(message.send_error, 80)}" if message.send_error else ""
        status = '<span class="send {}" title="{}">{}{}</span>'
        extra.append(format_html(status, message.send_status, message.send_error, label, error))
    elif message.kind == Message.Kind.REPLY:
        extra.append(NOT_SENT)
    if message.intensity is not None:
        level, value = badge_level(message.intensity, "intensity"), floatformat(message.intensity, 2)
        extra.append(format_html('<span class="badge {}">⚡ {}</span>', level, value))
    kind = KIND_LABELS.get(message.kind, message.kind)
    channel = CHANNEL_LABELS.get(message.channel, message.channel)
    badges = format_html_join("", " {}", ((e,) for e in extra))
    return format_html(HEAD, who, kind, iso, when, channel, badges)
