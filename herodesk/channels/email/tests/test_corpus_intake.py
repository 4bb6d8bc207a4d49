"""Every file of the real-world mail corpus through raw-MIME intake: filed, or refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from herodesk.channels.email import intake
from herodesk.channels.email.models import InboundMail
from herodesk.channels.email.parse import NotAnEmail, parse_message
from herodesk.channels.email.tests.corpus import MAIL_DIR

pytestmark = pytest.mark.django_db
State = InboundMail.State

CORPUS = sorted(path for path in MAIL_DIR.rglob("*") if path.is_file()) if MAIL_DIR.is_dir() else []

# Known content, checked after intake (the parser's own tests check much more).
EXPECTED = {
    "rt/rfc2231-attachment-filename-continuations": (
        "Client ? Japanese Attachment Name issue",
        ["新しいテキスト ドキュメント.txt"],
    ),
    "rt/new-ticket-from-gb18030": ("测试", []),
    "rt/notes-uuencoded": (None, ["Naz_Head.jpg"]),
    "rt/nested-mime-sample": (
        "Example MIME within MIME within MIME message",
        ["first outer message.eml", "2nd outer message.eml"],
    ),
    "rt/outlook-rfc822": ("msg attachment", ["Updates to our terms of use.eml"]),
    "django-helpdesk/quoted_printable.eml": ("Český test", []),
    "django-helpdesk/pgp.eml": ("example email that crashes django-helpdesk get_email", ["signature.asc"]),
    "django-helpdesk/blank-body-with-attachment.eml": (None, ["baf"]),
    "django-helpdesk/all-special-chars.eml": ("Testovácí email", []),
}


@pytest.mark.skipif(not CORPUS, reason=f"mail corpus not found at {MAIL_DIR}")
@pytest.mark.parametrize("path", CORPUS, ids=[str(path.relative_to(MAIL_DIR)) for path in CORPUS])
def test_corpus_mail_is_filed_with_sender_subject_attachments_or_refused_with_a_reason(path: Path, settings):
    settings.DEFAULT_FROM_EMAIL = "nobody-here@desk.invalid"  # corpus senders include support@example.com
    raw = path.read_bytes()
    inbound = intake.ingest(raw, None)
    assert bytes(inbound.raw) == raw
    try:
        parsed = parse_message(raw)
    except NotAnEmail as error:
        assert inbound.state == State.REJECTED and inbound.reason == f"not an email: {error.reason}"
        return
    if inbound.state == State.REJECTED:
        assert inbound.reason and "\n" not in inbound.reason
        assert parsed.bounce  # the only refusal a lone corpus mail can earn: a bounce for a stranger's mail
        return
    assert inbound.state == State.PROCESSED, inbound.reason
    conversation, message = inbound.conversation, inbound.message
    assert conversation.customer.primary_address == parsed.from_address.lower()
    assert conversation.subject == (parsed.subject.strip() or "(no subject)")[:300]
    assert [item.filename for item in message.attachments.all()] == [
        item.filename for item in parsed.attachments
    ]
    relative = str(path.relative_to(MAIL_DIR))
    if relative in EXPECTED:
        subject, attachments = EXPECTED[relative]
        assert subject is None or conversation.subject == subject
        assert [item.filename for item in message.attachments.all()] == attachments


def test_lorem_ipsum_is_refused_with_a_clear_reason():
    path = MAIL_DIR / "rt" / "lorem-ipsum"
    if not path.exists():
        pytest.skip("corpus not here")
    inbound = intake.ingest(path.read_bytes(), None)
    assert inbound.state == State.REJECTED
    assert inbound.reason == "not an email: no header block: the first line is not a mail header"
