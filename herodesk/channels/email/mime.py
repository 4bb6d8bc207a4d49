"""Low-level MIME part access that never raises: payload bytes and byte-faithful re-serialisation."""

from __future__ import annotations

from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.policy import EmailPolicy
from io import BytesIO


def payload_bytes(part: Message) -> bytes:
    """The decoded payload (base64/quoted-printable/uuencode undone); b"" when there is none."""
    if part.is_multipart():
        # message/delivery-status and friends parse into header blocks; join them back into text.
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        return b"\n".join(serialize(block) for block in blocks if isinstance(block, Message))
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: keep the undecoded text rather than nothing
        data = str(part.get_payload()).encode("utf-8", "surrogateescape")
    return data if isinstance(data, bytes) else b""


def serialize(msg: Message) -> bytes:
    """The message as bytes, headers kept as received (no refolding), 8-bit bodies kept as they are."""
    chosen = msg.policy
    if isinstance(chosen, EmailPolicy):
        chosen = chosen.clone(refold_source="none")
    for attempt in (chosen, policy.compat32):
        buffer = BytesIO()
        try:
            BytesGenerator(buffer, mangle_from_=False, policy=attempt).flatten(msg)
        except Exception:  # the generator trips on some broken headers; the lenient policy comes next
            buffer = BytesIO()
        if buffer.getvalue():
            return buffer.getvalue()
    return b""
