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


def check_env_name(name: str) -> None:
    """Only variables named for mailboxes: the form must not become a way to read other server secrets."""
    prefix = settings.MAILBOX_ENV_PREFIX
    if not name.startswith(prefix) or not name[len(prefix) :].replace("_", "").isalnum():
        raise CredentialError(f"the variable's name must start with {prefix} (letters, digits, underscores)")


def check_file_path(path: str) -> Path:
    """Only files inside the mailbox secrets folder (after following links); returns the resolved path."""
    folder = Path(settings.MAILBOX_SECRETS_DIR)
    resolved = (folder / path).resolve()  # a relative path is taken inside the folder
    if not resolved.is_relative_to(folder):
        raise CredentialError(f"password files must be inside {folder}")
    return resolved


def from_env(name: str) -> str:
    check_env_name(name)
    value = os.environ.get(name)
    if value is None:
        raise CredentialError(f"environment variable {name} is not set")
    return value


def from_file(path: str) -> str:
    resolved = check_file_path(path)
    try:
        return resolved.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeError) as error:
        # The same words whether the file is missing, unreadable or not text: nothing about the server.
        raise CredentialError(f"cannot read a password from {path}") from error


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
