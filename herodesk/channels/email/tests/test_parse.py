"""parse_message on every file of the real mail corpus, plus threading, auto-reply, HTML and quoting rules."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from herodesk.channels.email.bodies import html_to_text, sanitize_filename
from herodesk.channels.email.parse import (
    MailAddress,
    NotAnEmail,
    ParsedMail,
    TooLarge,
    parse_message,
    reply_token_from,
    subject_ticket_number,
)
from herodesk.channels.email.reply_tokens import conversation_id_from_message_id, token_from_address
from herodesk.channels.email.tests.corpus import MAIL_DIR


def _corpus_files() -> list[Path]:
    if not MAIL_DIR.is_dir():
        return []
    # A "__dir" folder holds its mail as a file inside it; rglob reaches that file like any other.
    return sorted(path for path in MAIL_DIR.rglob("*") if path.is_file())


CORPUS = _corpus_files()
needs_corpus = pytest.mark.skipif(not CORPUS, reason=f"mail corpus not found at {MAIL_DIR}")


def corpus_mail(relative: str) -> ParsedMail:
    path = MAIL_DIR / relative
    if not path.exists():
        pytest.skip(f"{relative} not in the corpus")
    if path.is_dir():
        path = next(item for item in sorted(path.rglob("*")) if item.is_file())
    return parse_message(path.read_bytes())


def filenames(parsed: ParsedMail) -> list[str]:
    return [item.filename for item in parsed.attachments]


# ---------------------------------------------------------------- every corpus file


@needs_corpus
@pytest.mark.parametrize("path", CORPUS, ids=[str(path.relative_to(MAIL_DIR)) for path in CORPUS])
def test_every_corpus_file_parses_with_sender_and_subject_or_is_rejected_with_a_reason(path: Path) -> None:
    raw = path.read_bytes()
    try:
        parsed = parse_message(raw)
    except NotAnEmail as error:
        assert error.reason and "\n" not in error.reason
        return
    assert parsed.from_address
    assert parsed.subject
    assert parsed.size == len(raw)
    assert parsed.date is None or parsed.date.tzinfo is not None
    # The new part is cut out of the full text: every one of its lines is in there.
    assert all(line in parsed.full_text for line in parsed.text.splitlines())


def test_corpus_dir_is_found_or_skipped_cleanly() -> None:
    if not CORPUS:
        pytest.skip("no corpus here")
    assert len(CORPUS) >= 30


# ---------------------------------------------------------------- specific corpus files


@needs_corpus
def test_lorem_ipsum_is_rejected_for_having_no_header_block() -> None:
    with pytest.raises(NotAnEmail, match="no header block"):
        corpus_mail("rt/lorem-ipsum")


@needs_corpus
def test_rfc2231_continued_iso2022jp_filename_is_decoded() -> None:
    parsed = corpus_mail("rt/rfc2231-attachment-filename-continuations")
    assert parsed.subject == "Client ? Japanese Attachment Name issue"
    assert filenames(parsed) == ["新しいテキスト ドキュメント.txt"]
    assert parsed.text == "Some data in a file"


@needs_corpus
def test_gb18030_subject_and_body() -> None:
    parsed = corpus_mail("rt/new-ticket-from-gb18030")
    assert parsed.from_address == "root@localhost"
    assert parsed.subject == "测试"
    assert parsed.text == "测试"


@needs_corpus
@pytest.mark.parametrize("number", range(1, 8))
def test_iso_8859_15_series_decodes_the_euro_sign(number: int) -> None:
    parsed = corpus_mail(f"rt/8859-15-message-series__msg{number}")
    assert parsed.from_address == "pape@inf.fu-berlin.de"
    assert parsed.subject == "test äöüßÄÖÜß€"
    assert parsed.text.endswith("test äöüßÄÖÜß€")


@needs_corpus
def test_digest_of_the_8859_15_series_keeps_each_mail_as_eml_and_in_full_text() -> None:
    parsed = corpus_mail("rt/8859-15-message-series__dir")
    assert parsed.from_address == "pape-rt@inf.fu-berlin.de"
    assert parsed.subject == "Re: [rt-users] [rt-announce] Development Snapshot 3.0.2++"
    assert filenames(parsed) == ["test _________.eml"] * 7
    assert parsed.full_text.count("---------- Forwarded message ----------") == 7
    assert "test äöüßÄÖÜß€" in parsed.full_text
    assert parsed.in_reply_to == "2147483647.1053974498@[10.0.255.35]"
    assert parsed.references == ["20030523202405.GF23719@fsck.com", "2147483647.1053974498@[10.0.255.35]"]
    assert parsed.auto_submitted  # Precedence: bulk, a mailing list


@needs_corpus
def test_nested_rfc822_is_an_eml_attachment_and_its_text_is_in_full_text() -> None:
    parsed = corpus_mail("rt/nested-rfc-822")
    assert parsed.subject == "[Jonas Liljegren] Re: [Para] Nivåer?"
    assert filenames(parsed) == ["Re: [Para] Nivåer?.eml"]
    assert parsed.attachments[0].content_type == "message/rfc822"
    assert parsed.attachments[0].content.startswith(b"")
    assert parse_message(parsed.attachments[0].content).subject == "Re: [Para] Nivåer?"
    assert parsed.text.startswith("Material för att uppdatera texten om nivåer.")
    assert "Subject: Re: [Para] Nivåer?" in parsed.full_text


@needs_corpus
def test_mime_within_mime_within_mime() -> None:
    parsed = corpus_mail("rt/nested-mime-sample")
    assert parsed.subject == "Example MIME within MIME within MIME message"
    assert filenames(parsed) == ["first outer message.eml", "2nd outer message.eml"]
    assert parsed.text == "MIME is fun at times."
    assert parsed.full_text.count("This is the inner-most message") >= 3


@needs_corpus
def test_uuencoded_image_in_a_text_body_becomes_an_attachment() -> None:
    parsed = corpus_mail("rt/notes-uuencoded")
    assert parsed.from_address == "mhenrion@example.com"
    assert parsed.cc == [MailAddress("support@example.com", "")]
    assert filenames(parsed) == ["Naz_Head.jpg"]
    image = parsed.attachments[0]
    assert image.content_type == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8" and image.content.rstrip(b"\0")[-2:] == b"\xff\xd9"
    assert "begin 644" not in parsed.full_text
    assert "(See attached file: Naz_Head.jpg)" in parsed.full_text


@needs_corpus
def test_delivery_status_report_is_a_bounce_with_details() -> None:
    parsed = corpus_mail("rt/multipart-report")
    assert parsed.bounce and parsed.auto_submitted
    assert parsed.bounce_details is not None
    assert parsed.bounce_details.failed_recipients == ["jesmund@mailbox.other.example.com"]
    assert parsed.bounce_details.original_message_id == "200308221615.h7MGFGac020135@mx12.other.example.com"
    assert parsed.bounce_details.status == "5.1.1"
    assert filenames(parsed) == ["delivery-status.txt", "Thank you!.eml"]


@needs_corpus
def test_outlook_mail_with_attached_mail() -> None:
    parsed = corpus_mail("rt/outlook-rfc822")
    assert parsed.from_address == "root@localhost"
    assert parsed.subject == "msg attachment"
    assert parsed.date == datetime(2023, 10, 17, 17, 10, 11, tzinfo=UTC)
    assert parsed.message_id == (
        "MN6PR12MB8566625839C42BCD2B16AC1B8FD6A@MN6PR12MB8566.namprd12.prod.outlook.com"
    )
    assert parsed.text == "Could this look more spammy? “Check out the attached file.” 😊"
    assert filenames(parsed) == ["Updates to our terms of use.eml"]
    assert "Subject: Updates to our terms of use" in parsed.full_text


@needs_corpus
def test_quoted_printable_czech_body_and_base64_subject() -> None:
    parsed = corpus_mail("django-helpdesk/quoted_printable.eml")
    assert parsed.from_name == "Tim hobbs"
    assert parsed.subject == "Český test"
    assert parsed.text == "Tohle je test českých písmen odeslaných z gmailu."
    assert "<div" in parsed.html


@needs_corpus
def test_utf8_forward_without_comment_keeps_the_forwarded_text_as_new_part() -> None:
    parsed = corpus_mail("django-helpdesk/utf-nondecodable.eml")
    assert parsed.subject == "Fwd: Cyklozaměstnavatel - změna vyhodnocení"
    assert "podle domluvy bych Tě poprosila o změnu vyhodnocení" in parsed.text
    assert parsed.in_reply_to == "CAK0Q_=uQY=3V5iUSgEN16GLtYoJ-6oQu-vYjsgQ=jv6DwOkuLQ@mail.gmail.com"


@needs_corpus
def test_pgp_signed_mail_gives_the_signed_text_and_the_signature_file() -> None:
    parsed = corpus_mail("django-helpdesk/pgp.eml")
    assert parsed.from_address == "bugreporter@example.com"
    assert parsed.subject == "example email that crashes django-helpdesk get_email"
    assert parsed.text.startswith("hi, thanks for looking into this :)")
    assert "issues/567#issuecomment-342954233" in parsed.text  # the soft line break is joined
    assert filenames(parsed) == ["signature.asc"]


@needs_corpus
def test_empty_body_with_attachment() -> None:
    parsed = corpus_mail("django-helpdesk/blank-body-with-attachment.eml")
    assert parsed.text == "" and parsed.full_text == ""
    assert filenames(parsed) == ["baf"]
    assert parsed.attachments[0].content == b"You shouldn't see this.\n"


@needs_corpus
def test_forwarded_original_message_is_stripped_from_text_but_kept_in_full_text() -> None:
    parsed = corpus_mail("django-helpdesk/forwarded-message.eml")
    assert parsed.text == "This is email body"
    assert "We noticed that, at April 5th" in parsed.full_text


@needs_corpus
def test_utf8_special_characters_body() -> None:
    parsed = corpus_mail("django-helpdesk/all-special-chars.eml")
    assert parsed.subject == "Testovácí email"
    assert parsed.text == "íářčšáíéřášč"


@needs_corpus
def test_raw_latin1_display_name_without_any_declared_charset() -> None:
    parsed = corpus_mail("rt/new-ticket-from-iso-8859-1-full")
    assert parsed.from_name == "Wilhelmsen Håvard"
    assert parsed.text.startswith("At 14:56 02.06.2003 -0400, you wrote:")  # attribution kept: no "On"


@needs_corpus
def test_latin1_mail_threading_headers() -> None:
    parsed = corpus_mail("rt/new-ticket-from-iso-8859-1")
    assert parsed.from_name == "Wilhelmsen Håvard"
    assert parsed.in_reply_to == "20030602185607.GN10811@fsck.com"
    assert len(parsed.references) == 4


@needs_corpus
def test_html_only_mail_gets_plain_text_from_its_html() -> None:
    parsed = corpus_mail("rt/text-html-with-umlaut")
    assert parsed.text == (
        "Hello,\n\nist this kind of Messages, that causes rt to crash.\n\nMit freundlichen Grüßen\n"
        "Gregor Stever ^^causes Error!!"
    )
    assert "Grüßen" in parsed.html and "<meta" not in parsed.html.lower()


@needs_corpus
def test_alternative_prefers_the_plain_part_for_text() -> None:
    parsed = corpus_mail("rt/multipart-alternative-with-umlaut")
    assert parsed.text.startswith("Hello,\n\nist this kind of Messages")
    assert "Mit freundlichen Grüßen" in parsed.text
    assert "<div>" in parsed.html.lower()


@needs_corpus
def test_folded_encoded_words_and_very_long_subject() -> None:
    assert corpus_mail("rt/subject-with-folding-ws").subject == "test"
    assert corpus_mail("rt/very-long-subject").subject == "0123456789" * 30


@needs_corpus
def test_incredimail_with_blank_part_names_and_inline_image() -> None:
    parsed = corpus_mail("rt/crashes-file-based-parser")
    assert parsed.from_address == "drstas@d.example.com"
    assert parsed.text == "FYI"
    assert "Somebody at IP 127.0.0.1 scanned my ports." in parsed.full_text
    assert filenames(parsed) == ["BackGrnd.jpg"]
    assert parsed.attachments[0].inline


@needs_corpus
def test_attached_eml_files_keep_their_names() -> None:
    assert filenames(corpus_mail("rt/email-file-attachment.eml")) == ["test-email.eml"]
    parsed = corpus_mail("rt/email-file-attachment-2.eml")
    assert filenames(parsed) == ["test-email-2.eml"]
    assert "plain text" in parsed.full_text


@needs_corpus
def test_raw_8bit_koi8r_subject_never_crashes() -> None:
    # Eight raw bytes with no charset anywhere cannot be identified; the promise is text, not a crash.
    parsed = corpus_mail("rt/russian-subject-no-content-type")
    assert parsed.from_name == "Dmitry S. Sivachenko"
    assert parsed.subject and "\ufffd" not in parsed.subject


# ---------------------------------------------------------------- not an email


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"   \r\n\r\n", "empty"),
        (b"\x00\x01\x02binary\x00\xff", "binary"),
        (b"Just a sentence.\nAnother line.\n", "no header block"),
        (b"X-Custom: 1\n\nbody\n", "no From"),
    ],
)
def test_not_an_email_has_a_one_line_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(NotAnEmail, match=reason) as caught:
        parse_message(raw)
    assert "\n" not in caught.value.reason


def test_too_large_is_rejected_before_parsing() -> None:
    with pytest.raises(TooLarge, match="limit"):
        parse_message(b"From: a@example.com\n\n" + b"x" * 2000, max_size=1000)


# ---------------------------------------------------------------- threading helpers


def _mail(**headers: str) -> ParsedMail:
    message = EmailMessage()
    message["From"] = "Customer <customer@example.org>"
    message["Subject"] = "Help"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Hello")
    return parse_message(message.as_bytes())


def test_reply_token_from_in_reply_to_message_id() -> None:
    parsed = _mail(In_Reply_To="<hd.42.Abc123xyz@desk.example.com>")
    assert reply_token_from(parsed) == "Abc123xyz"
    assert reply_token_from(parsed, domain_hint="example.com") == "Abc123xyz"
    assert reply_token_from(parsed, domain_hint="other.org") is None
    assert conversation_id_from_message_id("<hd.42.Abc123xyz@desk.example.com>") == 42


def test_reply_token_from_references_prefers_the_newest() -> None:
    parsed = _mail(References="<hd.1.oldtoken1@desk.example.com> <x@y> <hd.2.newtoken2@desk.example.com>")
    assert reply_token_from(parsed) == "newtoken2"


def test_reply_token_from_plus_address_in_to_or_cc() -> None:
    assert reply_token_from(_mail(To="Support <support+hd-Tok3n_99@desk.example.com>")) == "Tok3n_99"
    assert reply_token_from(_mail(To="a@b.example", Cc="support+hd-ccToken1@desk.example.com")) == "ccToken1"
    assert reply_token_from(_mail(To="support@desk.example.com")) is None
    assert token_from_address("support+other@desk.example.com") is None


def test_foreign_message_ids_give_no_token() -> None:
    assert reply_token_from(_mail(In_Reply_To="<CAK0Q_abc@mail.gmail.com>")) is None


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [#1234] My order", 1234),
        ("[example.com #77] scanning my ports", 77),
        ("Order #1234 is late", None),
        ("[#] nothing", None),
        ("", None),
    ],
)
def test_subject_ticket_number(subject: str, number: int | None) -> None:
    assert subject_ticket_number(subject) == number


# ---------------------------------------------------------------- auto-submitted and bounces


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("Auto-Submitted", "auto-replied", True),
        ("Auto-Submitted", "auto-generated; owner-email=x@y", True),
        ("Auto-Submitted", "no", False),
        ("Precedence", "bulk", True),
        ("Precedence", "junk", True),
        ("Precedence", "list", True),
        ("Precedence", "auto_reply", True),
        ("Precedence", "first-class", False),
        ("X-Autoreply", "yes", True),
        ("X-Autorespond", "Out of office", True),
        ("X-Auto-Response-Suppress", "All", True),
        ("X-Auto-Response-Suppress", "DR, OOF, AutoReply", True),
        ("X-Auto-Response-Suppress", "DR", False),
        ("List-Id", "<support.example.com>", False),
    ],
)
def test_auto_submitted_variants(header: str, value: str, expected: bool) -> None:
    assert _mail(**{header.replace("-", "_"): value}).auto_submitted is expected


def test_plain_customer_mail_is_not_auto_submitted() -> None:
    parsed = _mail()
    assert not parsed.auto_submitted and not parsed.bounce and parsed.bounce_details is None


def test_classic_mailer_daemon_bounce_is_detected() -> None:
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"
        b"To: support@desk.example.com\nSubject: Undelivered Mail Returned to Sender\n"
        b"X-Failed-Recipients: gone@example.org\n\n"
        b"This message was created automatically.\n\n------ This is a copy of the message\n"
        b"Message-ID: <hd.5.tokentoken@desk.example.com>\nSubject: Re: Help\n"
    )
    parsed = parse_message(raw)
    assert parsed.bounce and parsed.auto_submitted
    assert parsed.bounce_details is not None
    assert parsed.bounce_details.failed_recipients == ["gone@example.org"]
    assert parsed.bounce_details.original_message_id == "hd.5.tokentoken@desk.example.com"


# ---------------------------------------------------------------- HTML, quotes, filenames


def _html_mail(html: str) -> ParsedMail:
    message = EmailMessage()
    message["From"] = "a@example.org"
    message["Subject"] = "html"
    message.set_content(html, subtype="html")
    return parse_message(message.as_bytes())


def test_html_is_sanitized() -> None:
    parsed = _html_mail(
        '<p onclick="steal()">Hi <a href="javascript:alert(1)">click</a> <a href="https://ok.example">ok</a>'
        "</p><script>alert(1)</script><style>body{display:none}</style>"
        '<img src="https://img.example/x.png"><img src="cid:logo@x">'
    )
    html = parsed.html
    assert "script" not in html and "alert" not in html
    assert "onclick" not in html and "javascript:" not in html
    assert "display:none" not in html
    assert 'href="https://ok.example"' in html
    assert 'src="https://img.example/x.png"' in html and 'src="cid:logo@x"' in html
    assert parsed.text == "Hi click ok"


def test_cid_image_stays_linked_to_its_inline_attachment() -> None:
    message = EmailMessage()
    message["From"] = "a@example.org"
    message["Subject"] = "logo"
    message.set_content("plain")
    message.add_alternative('<p>Logo: <img src="cid:logo123@example.org"></p>', subtype="html")
    html_part = message.get_payload()[1]  # type: ignore[index]  # multipart: a list of parts
    html_part.add_related(b"\x89PNG fake", maintype="image", subtype="png", cid="<logo123@example.org>")
    parsed = parse_message(message.as_bytes())
    assert 'src="cid:logo123@example.org"' in parsed.html
    assert [(a.content_id, a.inline, a.filename) for a in parsed.attachments] == [
        ("logo123@example.org", True, "attachment.png")
    ]
    assert parsed.text == "plain"


def test_quote_and_signature_stripping_keeps_the_full_original() -> None:
    body = (
        "Thanks, that fixed it!\n\nOn Mon, 1 Jan 2024 at 10:00, Support <s@example.com> wrote:\n"
        "> Please restart the router.\n> Kind regards\n\n-- \nAlice\nACME Ltd\n"
    )
    message = EmailMessage()
    message["From"] = "alice@example.org"
    message["Subject"] = "Re: router"
    message.set_content(body)
    parsed = parse_message(message.as_bytes())
    assert parsed.text == "Thanks, that fixed it!"
    assert parsed.full_text == body.strip()


def test_html_to_text_keeps_line_breaks_and_drops_hidden_content() -> None:
    html = "<html><head><title>T</title><style>p{}</style></head><body><p>One</p><p>Two<br>Three</p></body>"
    assert html_to_text(html) == "One\n\nTwo\nThree"


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../etc/passwd", "text/plain", "_.._etc_passwd"),
        ("C:\\Users\\x\\evil.exe", "application/octet-stream", "C:_Users_x_evil.exe"),
        ("a\x00b\x07c.txt", "text/plain", "abc.txt"),
        ("invoice\u202egpj.exe", "application/octet-stream", "invoicegpj.exe"),
        (None, "image/png", "attachment.png"),
        ("  ..  ", "application/pdf", "attachment.pdf"),
        (None, "message/rfc822", "message.eml"),
    ],
)
def test_sanitize_filename(name: str | None, content_type: str, expected: str) -> None:
    assert sanitize_filename(name, content_type) == expected


def test_sanitize_filename_bounds_length_and_keeps_the_extension() -> None:
    cleaned = sanitize_filename("x" * 500 + ".pdf", "application/pdf")
    assert len(cleaned) <= 200 and cleaned.endswith(".pdf")


def test_unknown_and_mislabelled_charsets_decode() -> None:
    raw = (
        b"From: a@example.org\nSubject: =?x-unknown?q?caf=E9?=\n"
        b'Content-Type: text/plain; charset="iso-8859-1"\n\n'
        b"\x93Quoted\x94 costs \x80 5\n"
    )
    parsed = parse_message(raw)
    assert parsed.text == "“Quoted” costs € 5"  # windows-1252 labelled as iso-8859-1
    assert parsed.subject  # an unknown charset in an encoded word does not fail
    bogus = (
        b"From: a@example.org\nSubject: s\nContent-Type: text/plain; charset=bogus-42\n\n"
        b"d\xc3\xa9j\xc3\xa0 vu\n"
    )
    assert parse_message(bogus).text == "déjà vu"


@pytest.mark.parametrize(
    "header, address, name",
    [
        ("jdoe@example.com (John Doe)", "jdoe@example.com", "John Doe"),
        (
            "MAILER-DAEMON@mx.example.org (Mail Delivery System)",
            "MAILER-DAEMON@mx.example.org",
            "Mail Delivery System",
        ),
        ('"Doe, John" <jdoe@example.com> (work)', "jdoe@example.com", "Doe, John"),
        ("jdoe@example.com", "jdoe@example.com", ""),
    ],
)
def test_sender_in_the_comment_form_keeps_its_name(header, address, name):
    """``addr (Name)``, as mail delivery systems and older clients write it (issue 14, finding 18)."""
    raw = f"From: {header}\r\nTo: support@desk.example\r\nSubject: hi\r\n\r\nHello\r\n".encode()
    parsed = parse_message(raw)
    assert (parsed.from_address, parsed.from_name) == (address, name)
