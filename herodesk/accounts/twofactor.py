"""Two-factor login with TOTP codes (RFC 6238, pyotp): the secret's encryption, codes, recovery codes, QR.

The secret is stored encrypted with Fernet under a key derived from SECRET_KEY (HKDF-SHA256, its own salt),
so a copy of the database alone (a backup, a stolen file) does not give the codes; it is shown to the agent
only while setting up. Recovery codes are stored as HMAC-SHA256 under another derived key: a short code
cannot be found from its hash without the secret key. Changing SECRET_KEY turns every two-factor login off
in effect (codes no longer verify): admins reset it per agent (docs/security.md).

Writes (accepting a code, using a recovery code) are in ``actions``; this module only reads.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone

from herodesk.accounts.models import SecuritySettings, TwoFactor, User

ISSUER = "herodesk"
INTERVAL = 30  # seconds per code
# Codes of the step before and after the current one are accepted too (clocks drift, people type slowly).
VALID_WINDOW = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_LENGTH = 10  # two groups of five: about 50 bits each


def _derive(secret_key: str, salt: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"two-factor")
    return hkdf.derive(secret_key.encode("utf-8"))


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"herodesk-two-factor-secret")))


@lru_cache(maxsize=4)
def _recovery_key(secret_key: str) -> bytes:
    return _derive(secret_key, b"herodesk-two-factor-recovery")


def encrypt_secret(secret: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(token: str) -> str | None:
    """The base32 secret, or None when it cannot be read with the current SECRET_KEY."""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        return None


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, interval=INTERVAL).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> bytes:
    """The QR code as a standalone SVG document (served by a view: no inline markup or data: URL needed)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2, title="Two-factor set-up code")
    return buffer.getvalue()


def grouped(secret: str) -> str:
    """The secret for typing by hand: groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normal_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def time_step(moment: datetime | None = None) -> int:
    return int((moment or timezone.now()).timestamp()) // INTERVAL


def matching_step(secret: str, code: str, moment: datetime | None = None) -> int | None:
    """The time step whose code this is (now, or one step either side), or None."""
    digits = normal_code(code)
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=INTERVAL)
    now = time_step(moment)
    found = None
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.at(step * INTERVAL), digits):
            found = step  # no early return: the same work for every code
    return found


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def hash_recovery_code(code: str) -> str:
    key = _recovery_key(settings.SECRET_KEY)
    return hmac.new(key, normal_code(code).encode("utf-8"), hashlib.sha256).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    normal = normal_code(code)
    return len(normal) == RECOVERY_LENGTH and all(c in RECOVERY_ALPHABET for c in normal)


@dataclass(frozen=True)
class Status:
    enabled: bool
    recovery_codes_left: int


def enabled_for(user: User) -> TwoFactor | None:
    """The user's confirmed two-factor login, or None."""
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def pending_for(user: User) -> TwoFactor | None:
    """A set-up that has not been confirmed with a code yet."""
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=True).first()


def status(user: User) -> Status:
    return Status(
        enabled=TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists(),
        recovery_codes_left=user.recovery_codes.filter(used_at__isnull=True).count(),
    )


def required_for_admins() -> bool:
    return SecuritySettings.objects.filter(pk=1, require_two_factor_for_admins=True).exists()


def must_set_up(user: User) -> bool:
    """An admin without two-factor while the desk requires it for admins."""
    return user.is_admin and required_for_admins() and enabled_for(user) is None
