"""``herodesk mail parse FILE``: parse one raw mail and print it as JSON (exit 2 when it is not a mail)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from herodesk.channels.email.parse import NotAnEmail, ParsedMail, parse_message

EXIT_OK = 0
EXIT_NOT_A_MAIL = 2


def parse_command(path: str) -> int:
    """Print one JSON object for the mail at ``path``; on failure one line on stderr. Never a traceback."""
    try:
        parsed = parse_message(_read(path))
        output = json.dumps(mail_as_json(parsed), ensure_ascii=False, indent=2)
    except NotAnEmail as error:
        return _fail(f"{path}: not an email: {error.reason}")
    except Exception as error:  # the command's promise is one line, whatever went wrong
        return _fail(f"{path}: cannot parse: {type(error).__name__}: {error}")
    print(output)
    return EXIT_OK


def _read(path: str) -> bytes:
    target = Path(path)
    if target.is_dir():
        raise NotAnEmail("is a directory")
    try:
        return target.read_bytes()
    except FileNotFoundError as error:
        raise NotAnEmail("no such file") from error
    except OSError as error:
        raise NotAnEmail(f"unreadable file ({error.strerror or type(error).__name__})") from error


def _fail(message: str) -> int:
    print(" ".join(message.split()), file=sys.stderr)
    return EXIT_NOT_A_MAIL


def mail_as_json(parsed: ParsedMail) -> dict[str, Any]:
    return {
        "from": {"address": parsed.from_address, "name": parsed.from_name},
        "to": [{"address": item.address, "name": item.name} for item in parsed.to],
        "subject": parsed.subject,
        "date": parsed.date.isoformat() if parsed.date else None,
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to,
        "references": parsed.references,
        "text": parsed.text,
        "full_text": parsed.full_text,
        "attachments": [
            {"filename": item.filename, "content_type": item.content_type, "size": item.size}
            for item in parsed.attachments
        ],
        "auto_submitted": parsed.auto_submitted,
        "bounce": parsed.bounce,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "parse":
        print("usage: python -m herodesk.channels.email.cli parse FILE", file=sys.stderr)
        return EXIT_NOT_A_MAIL
    return parse_command(args[1])


if __name__ == "__main__":
    sys.exit(main())
