"""Reads of the web-form channel: the rate limit's count, a status link, what the customer may see."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from herodesk.channels.webform.models import CustomerLink, Submission, hash_link_token
from herodesk.conversations.models import Channel, Conversation, Message


def rate_key(email: str) -> str:
    """The address as the rate limit counts it: lower case, without a +tag (anna+1@ and anna+2@ are one)."""
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.partition('+')[0]}@{domain}" if local else email.strip().lower()


def network_of(ip_address: str | None) -> str | None:
    """The sender's network: a /24 for IPv4, a /64 for IPv6 (one machine usually has many addresses)."""
    if not ip_address:
        return None
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def submissions_in_last_hour(email: str) -> int:
    since = timezone.now() - timedelta(hours=1)
    return Submission.objects.filter(email=rate_key(email), created_at__gte=since, accepted=True).count()


def submissions_from_network_in_last_hour(ip_address: str | None) -> int:
    network = network_of(ip_address)
    if network is None:
        return 0
    since = timezone.now() - timedelta(hours=1)
    recent = Submission.objects.filter(created_at__gte=since, ip_address__isnull=False).values_list(
        "ip_address", flat=True
    )
    subnet = ipaddress.ip_network(network)
    return len([address for address in recent if address and ipaddress.ip_address(address) in subnet])


def replies_in_last_hour(conversation: Conversation) -> int:
    """Messages the customer added through the status link in the last hour."""
    since = timezone.now() - timedelta(hours=1)
    return conversation.messages.filter(
        kind=Message.Kind.CUSTOMER, channel=Channel.WEBFORM, created_at__gte=since
    ).count()


def link_for(raw_token: str) -> CustomerLink | None:
    """The status link behind a raw token (compared by hash), with its conversation."""
    return (
        CustomerLink.objects.select_related("conversation")
        .filter(token_hash=hash_link_token(raw_token))
        .first()
    )


def status_thread(conversation: Conversation) -> QuerySet[Message]:
    """What the customer sees on the status page: their messages and agents' replies, never notes."""
    return conversation.messages.filter(kind__in=[Message.Kind.CUSTOMER, Message.Kind.REPLY]).order_by(
        "created_at", "id"
    )
