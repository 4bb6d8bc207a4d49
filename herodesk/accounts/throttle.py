"""Login throttling: too many failed logins lock an account, and a network address, for a while.

By account, so a password cannot be guessed from many machines; by address, so one machine cannot try
many accounts. Failures are rows in the database (written by ``actions.do_record_login_failure``), so
every web process counts the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from herodesk.accounts.models import LoginFailure


@dataclass(frozen=True)
class Throttle:
    minutes: int

    @property
    def message(self) -> str:
        return (
            "Too many failed logins for this account or from your network. "
            f"For your safety, logging in is paused: try again in {self.minutes} minutes."
        )


def window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def check(username: str, ip_address: str | None) -> Throttle | None:
    """A Throttle when this account or this address has failed too often lately, else None."""
    since = timezone.now() - window()
    recent = LoginFailure.objects.filter(created_at__gte=since)
    by_account = (
        recent.filter(username=normal_username(username)).count() >= settings.LOGIN_FAILURES_PER_ACCOUNT
    )
    by_address = (
        ip_address is not None
        and recent.filter(ip_address=ip_address).count() >= settings.LOGIN_FAILURES_PER_ADDRESS
    )
    return Throttle(settings.LOGIN_LOCKOUT_MINUTES) if by_account or by_address else None


def normal_username(username: str) -> str:
    return (username or "").strip().lower()[:150]
