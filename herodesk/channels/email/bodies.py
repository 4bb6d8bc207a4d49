"""Body text helpers: safe HTML, HTML to plain text, uuencoded files, reply stripping, filenames."""

from __future__ import annotations

import binascii
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from email_reply_parser import EmailReplyParser

MAX_FILENAME_LENGTH = 200

# Email HTML is read inside the agent's page, so everything that can run code or restyle the page goes:
# <script>/<style> (with their content), event handlers and style attributes (not allowed below), and
# javascript:/data: URLs. cid: stays so inline images keep pointing at their attachment.
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid", "ftp"}
_EXTRA_ATTRIBUTES = {
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan", "align", "valign", "width"},
    "th": {"colspan", "rowspan", "align", "valign", "width"},
    "table": {"width", "cellpadding", "cellspacing", "border", "align"},
    "font": {"color", "size", "face"},
    "a": {"href", "title", "name"},
}
_EXTRA_TAGS = {"font", "center"}

_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer", "form", "h1", "h2"}
    | {"h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table"}
    | {"tr", "ul"}
)
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})
_UU_BEGIN = re.compile(r"^begin [0-7]{3,4} ([^\r\n]+)$", re.MULTILINE)
_UU_END = re.compile(r"^end$", re.MULTILINE)
_FORWARD_MARKER = re.compile(
    r"^\s*-{2,}\s*(Forwarded|Original) Message\s*-{2,}\s*$", re.IGNORECASE | re.MULTILINE
)
_FALLBACK_NAMES = {
    "message/rfc822": "message.eml",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "headers.txt",
    "application/pgp-signature": "signature.asc",
}
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sanitize_html(html: str) -> str:
    attributes = {tag: set(values) for tag, values in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, extra in _EXTRA_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(extra)
    return nh3.clean(
        html,
        tags=set(nh3.ALLOWED_TAGS) | _EXTRA_TAGS,
        attributes=attributes,
        url_schemes=_URL_SCHEMES,
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


class _TextExtractor(HTMLParser):
    """Collects visible text; block elements become line breaks so paragraphs survive."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden_depth += 1
        elif tag in _BLOCK_TAGS:
            self.chunks.append("\n")
        self._pre_depth += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        if tag in _HIDDEN_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCK_TAGS and tag != "br":
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        # Outside <pre>, source line breaks are only whitespace; block tags make the real ones.
        if not self._hidden_depth:
            self.chunks.append(data if self._pre_depth else re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Plain text of an HTML body: tags dropped, block elements as line breaks, at most one blank line."""
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:  # html.parser is lenient, but a text view must never fail on hostile markup
        return nh3.clean(html, tags=set())
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in "".join(extractor.chunks).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True, slots=True)
class UuencodedFile:
    filename: str
    content: bytes


def extract_uuencoded(text: str) -> tuple[str, list[UuencodedFile]]:
    """Cut ``begin 644 name`` ... ``end`` blocks out of a text body and decode them."""
    files: list[UuencodedFile] = []
    while (begin := _UU_BEGIN.search(text)) is not None:
        end = _UU_END.search(text, begin.end())
        if end is None:
            break
        content = _uudecode(text[begin.end() : end.start()])
        files.append(UuencodedFile(filename=begin.group(1).strip(), content=content))
        text = text[: begin.start()] + text[end.end() :]
    return text, files


def _uudecode(block: str) -> bytes:
    decoded = bytearray()
    for line in block.splitlines():
        if not line or line == "`":
            continue
        try:
            decoded += binascii.a2b_uu(line)
        except binascii.Error:
            # Some encoders pad lines with extra characters; decode only the length the line announces.
            length = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
            try:
                decoded += binascii.a2b_uu(line[:length])
            except binascii.Error:
                continue
    return bytes(decoded)


def strip_reply(full_text: str) -> str:
    """The new part of a message: quoted replies and signatures removed.

    A forward without a comment has no new part at all; then the forwarded text is what the customer is
    telling us, so the full text is returned rather than nothing.
    """
    if not full_text.strip():
        return ""
    try:
        reply = EmailReplyParser.parse_reply(full_text)
    except Exception:  # the parser is regex-based; a failure must not lose the message
        reply = full_text
    marker = _FORWARD_MARKER.search(reply)
    if marker is not None:
        reply = reply[: marker.start()]
    return reply.strip() or full_text.strip()


def sanitize_filename(filename: str | None, content_type: str) -> str:
    """A filename safe to store and to offer for download, never empty.

    Path separators, control and bidi-override characters go; the length is bounded keeping the
    extension; a name made only of dots or spaces is replaced by one derived from the content type.
    """
    name = (filename or "").replace("/", "_").replace("\\", "_")
    name = "".join(char for char in name if unicodedata.category(char) not in _CONTROL_CATEGORIES)
    name = unicodedata.normalize("NFC", name)
    name = " ".join(name.split()).strip(" .")
    if not name:
        return fallback_filename(content_type)
    return _bounded(name)


def _bounded(name: str) -> str:
    if len(name) <= MAX_FILENAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 16:
        return stem[: MAX_FILENAME_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
    return name[:MAX_FILENAME_LENGTH].rstrip(" .")


def fallback_filename(content_type: str) -> str:
    if content_type in _FALLBACK_NAMES:
        return _FALLBACK_NAMES[content_type]
    extension = mimetypes.guess_extension(content_type, strict=False) or ".bin"
    return "attachment" + extension
