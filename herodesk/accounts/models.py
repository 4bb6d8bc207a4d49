"""Agents, their roles and teams, and the API tokens they use."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import time

from django.contrib.auth.models import AbstractUser
from django.db import models


class Team(models.Model):
    """A group of agents that owns conversations; it sets the business hours for SLAs and promises."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    # Business hours apply Monday..Friday unless weekend_open is set.
    opens_at = models.TimeField(default=time(9, 0))
    closes_at = models.TimeField(default=time(17, 0))
    weekend_open = models.BooleanField(default=False)

    class Assignment(models.TextChoices):
        MANUAL = "manual", "Manual (agents take conversations)"
        ROUND_ROBIN = "round_robin", "Round robin"
        BALANCED = "balanced", "Balanced by open conversations"

    # How new conversations of this team get an owner; away agents are skipped.
    assignment = models.CharField(max_length=20, choices=Assignment.choices, default=Assignment.MANUAL)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class User(AbstractUser):
    """A person who works in the desk. Customers are not users."""

    class Role(models.TextChoices):
        AGENT = "agent", "Agent"
        LEAD = "lead", "Team lead"
        ADMIN = "admin", "Admin"

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    # The availability switch: an away agent gets no new conversations by automatic assignment.
    away = models.BooleanField(default=False)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    @property
    def is_lead(self) -> bool:
        return self.role in {self.Role.LEAD, self.Role.ADMIN} or self.is_superuser


class Holiday(models.Model):
    """A day the team does not work: business-time clocks (SLAs, promise due times) skip it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["team", "date"], name="holiday_once_per_team_day")]

    def __str__(self) -> str:
        return f"{self.name or 'Holiday'} ({self.date:%Y-%m-%d})"


def hash_token(raw: str) -> str:
    # Tokens are long random strings, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the raw value is shown once."""

    PREFIX = "hd_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class LoginFailure(models.Model):
    """One failed login, kept for a while to throttle guessing by account and by network address."""

    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["username", "created_at"], name="login_failure_user"),
            models.Index(fields=["ip_address", "created_at"], name="login_failure_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip_address} at {self.created_at:%Y-%m-%d %H:%M}"


class TwoFactor(models.Model):
    """An agent's TOTP two-factor login (RFC 6238: 6 digits, 30 seconds).

    The secret is stored encrypted (Fernet, key derived from SECRET_KEY: ``accounts.twofactor``) and shown
    only while it is being set up. ``confirmed_at`` is empty until the agent has entered a first code: until
    then logging in does not ask for one. ``last_time_step`` is the 30-second step of the last code
    accepted, so a code cannot be used twice (nor an older one after it).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret_encrypted = models.TextField()
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_time_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Two-factor of {self.user} ({'on' if self.confirmed_at else 'being set up'})"

    @property
    def enabled(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A one-time code to log in without the authenticator app. Only its keyed hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code of {self.user} ({'used' if self.used_at else 'unused'})"


class SecuritySettings(models.Model):
    """The desk's security settings: one row (pk 1), changed by admins under Settings → Security."""

    require_two_factor_for_admins = models.BooleanField(default=False)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "security settings"

    def __str__(self) -> str:
        return "Security settings"
