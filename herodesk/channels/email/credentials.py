"""Mailbox passwords: read from an environment variable or a file, or stored encrypted with Fernet.

The key is settings.MAILBOX_ENCRYPTION_KEY (a Fernet key) or, without one, derived from SECRET_KEY with
HKDF-SHA256. Passwords stored under the derived key stay readable after a key is configured later.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from herodesk.channels.email.models import Mailbox, PasswordSource


class CredentialError(Exception):
    """A password that cannot be read; the message says where it was looked for."""


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"herodesk-mailbox", info=b"mailbox-password")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8")))


@lru_cache(maxsize=4)
def _cipher(configured_key: str, secret_key: str) -> MultiFernet:
    keys = [Fernet(_derived_key(secret_key))]
    if configured_key:
        try:
            keys.insert(0, Fernet(configured_key.encode("ascii")))
        except (ValueError, UnicodeEncodeError) as error:
            raise CredentialError(
                "HERODESK_MAILBOX_KEY is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from error
    return MultiFernet(keys)


def cipher() -> MultiFernet:
    return _cipher(settings.MAILBOX_ENCRYPTION_KEY or "", settings.SECRET_KEY)


def encrypt(password: str) -> str:
    return cipher().encrypt(password.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as error:
        raise CredentialError("the stored password cannot be decrypted with the current key") from error


def from_env(name: str) -> str:
    value = os.environ.get(name)
    if value is None:
        raise CredentialError(f"environment variable {name} is not set")
    return value


def from_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise CredentialError(f"cannot read password file {path}: {error.strerror or error}") from error


def mailbox_password(mailbox: Mailbox) -> str:
    """The IMAP password, from where the mailbox says it lives."""
    if mailbox.password_source == PasswordSource.ENV:
        return from_env(mailbox.password_env)
    if mailbox.password_source == PasswordSource.FILE:
        return from_file(mailbox.password_file)
    return decrypt(mailbox.password_encrypted) if mailbox.password_encrypted else ""


def smtp_password(mailbox: Mailbox) -> str:
    """The SMTP password, or the IMAP one when SMTP logs in as the same user with none of its own."""
    if mailbox.smtp_password_encrypted:
        return decrypt(mailbox.smtp_password_encrypted)
    if mailbox.smtp_user and mailbox.smtp_user == mailbox.imap_user:
        return mailbox_password(mailbox)
    return ""
