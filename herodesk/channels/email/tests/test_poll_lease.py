"""A poll's lease keeps two workers from polling one mailbox at once, and is not held by a killed poll."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from herodesk.channels.email import actions
from herodesk.channels.email.models import Mailbox

pytestmark = pytest.mark.django_db


def _held_by(mailbox: Mailbox, holder: str, heartbeat_ago: timedelta) -> None:
    until = timezone.now() - heartbeat_ago + actions.POLL_HEARTBEAT
    Mailbox.objects.filter(pk=mailbox.pk).update(poll_holder=holder, poll_lease_until=until)


def _lease_left(mailbox: Mailbox) -> timedelta:
    until = Mailbox.objects.get(pk=mailbox.pk).poll_lease_until
    assert until is not None
    return until - timezone.now()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_live_holder_keeps_its_lease(mailbox):
    assert actions.do_claim_poll(mailbox.pk)
    assert not actions.do_claim_poll(mailbox.pk)  # the same lease is not taken twice
    _held_by(mailbox, "other-host:4242", timedelta(seconds=20))
    assert not actions.do_claim_poll(mailbox.pk)


def test_a_lease_whose_heartbeat_is_over_a_minute_old_can_be_taken(mailbox):
    _held_by(mailbox, "other-host:4242", timedelta(seconds=61))
    assert actions.do_claim_poll(mailbox.pk)
    assert Mailbox.objects.get(pk=mailbox.pk).poll_holder == actions.this_poller()


def test_a_killed_poll_on_this_host_releases_its_lease_at_once(mailbox):
    _held_by(mailbox, f"{socket.gethostname()}:{_dead_pid()}", timedelta(seconds=1))
    assert actions.do_claim_poll(mailbox.pk)


def test_the_heartbeat_renews_only_the_holders_lease(mailbox):
    assert actions.do_claim_poll(mailbox.pk)
    _held_by(mailbox, actions.this_poller(), timedelta(seconds=50))
    actions.do_renew_poll(mailbox.pk)
    assert _lease_left(mailbox) > timedelta(seconds=55)
    _held_by(mailbox, "other-host:1", timedelta(seconds=50))
    actions.do_renew_poll(mailbox.pk)
    assert _lease_left(mailbox) < timedelta(seconds=15)
