"""Building raw test mails the way real clients write them."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone


def raw_mail(
    sender: str = "Carla Customer <carla@example.com>",
    to: str = "support@desk.example",
    subject: str = "My order never arrived",
    body: str = "Hello, my order 1234 never arrived. Can you help?",
    message_id: str | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    **headers: str,
) -> bytes:
    """A raw RFC 5322 mail; extra headers as keyword arguments (``In_Reply_To="<x@y>"``)."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    for filename, content, content_type in attachments or []:
        maintype, _, subtype = content_type.partition("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return mail.as_bytes()


def bounce_for(original_message_id: str, recipient: str, status: str = "5.1.1") -> bytes:
    """A DSN (multipart/report) for one of our messages, as a mail server sends it."""
    boundary = "bounce-boundary"
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: support@desk.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(timezone.now())}\r\n"
        "Message-ID: <bounce.1@mx.example.com>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@desk.example\r\nTo: {recipient}\r\nMessage-ID: <{original_message_id}>\r\n"
        "Subject: Re: My order\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()
