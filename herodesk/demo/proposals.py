"""New topics the demo desk has no contact reason for yet, so the contact reasons page proposes them.

A few dozen recent, untagged conversations about three things customers started writing about this
week (gift cards refused at checkout, changing the delivery address of an order, cancelling a
subscription before it renews). None of the demo's reasons covers them, so the reason model fits
them with low confidence and the proposals group them; a lead can create a reason from each.
"""

from __future__ import annotations

import random

from django.db import transaction

from herodesk.conversations.models import Conversation
from herodesk.demo.cast import DemoSummary
from herodesk.demo.plans import DeskCast, PlannedConversation, PlannedEvent, PlannedMessage
from herodesk.demo.texts import PRODUCTS
from herodesk.demo.writer import _identity_values, _store_batch

# (team, subjects, messages): {product}, {code} and {city} are filled in per conversation
TOPICS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Billing",
        ("Gift card not accepted at checkout", "My gift card code says invalid", "Can't redeem gift card"),
        (
            "I tried to pay for the {product} with my gift card {code} but the checkout says the code is "
            "invalid. The card was a birthday present and still has the full balance on it.",
            "Your checkout keeps rejecting my gift card. I typed the code {code} three times, no luck. "
            "How do I use the gift card balance?",
            "The gift card I bought last month is not accepted when I order the {product}. It says "
            "'gift card could not be applied'. Please check the card balance.",
        ),
    ),
    (
        "Support",
        ("Change delivery address", "Wrong delivery address on my order", "Please ship to a new address"),
        (
            "I just ordered the {product} and noticed the delivery address is my old flat in {city}. "
            "Can you change the shipping address before it is dispatched?",
            "Could you update the delivery address on my order? I moved to {city} last week and the "
            "order still shows the old address.",
            "Please send my order of the {product} to my office address instead of home. Is it still "
            "possible to change where it is delivered?",
        ),
    ),
    (
        "Billing",
        ("Cancel my subscription before renewal", "Stop the automatic renewal", "How do I cancel?"),
        (
            "My subscription for the {product} renews next week and I want to cancel it before I am "
            "charged again. I cannot find a cancel button in my account.",
            "Please cancel my subscription and turn off automatic renewal. I do not want to be billed "
            "for another year of the {product}.",
            "I'd like to end my subscription to the {product} at the end of this period. How do I "
            "cancel so the renewal does not go through?",
        ),
    ),
)
CITIES = ("Lisbon", "Berlin", "Dublin", "Porto", "Vienna", "Oslo")


def seed_emerging_topics(cast: DeskCast, summary: DemoSummary, per_topic: int = 18, seed: int = 7) -> int:
    """Store ``per_topic`` new, untagged conversations per topic from the last three days."""
    rng = random.Random(seed)
    start = (Conversation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    plans = []
    for topic, (team, subjects, texts) in enumerate(TOPICS):
        for n in range(per_topic):
            at = cast.now - rng.random() * 3 * 86400
            slots = {
                "product": rng.choice(PRODUCTS),
                "code": f"GC-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                "city": rng.choice(CITIES),
            }
            channel = rng.choice(("email", "webform"))
            customer_id = rng.choice(list(cast.customer_ids))
            conv = PlannedConversation(
                id=start + topic * per_topic + n,
                subject=rng.choice(subjects),
                customer_id=customer_id,
                team_id=cast.team_ids[team],
                reason_id=cast.reason_ids[0],  # not stored: new conversations are untagged
                channel=channel,
                created_at=at,
                status="new",
            )
            conv.messages.append(
                PlannedMessage(
                    "customer",
                    "in",
                    channel,
                    rng.choice(texts).format_map(slots),
                    at,
                    customer_id=customer_id,
                )
            )
            conv.last_customer_message_at = at
            conv.events.append(PlannedEvent("created", at, None, {"channel": channel}))
            plans.append(conv)
    plans.sort(key=lambda p: p.id)
    with transaction.atomic():
        _store_batch(plans, _identity_values(), cast, summary)
    summary.conversations += len(plans)
    return len(plans)
