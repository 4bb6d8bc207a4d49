"""Hero moments the demo must show whatever the clock says when it is seeded: customers who need relief
now with a deadline close in their own words, and missed ones (the deadline passed, or no answer for days).

Stored like the stories (plain planned conversations, `writer._store_batch`); the analysis job finds the
intensity, the deadline and the relief. Time to relief comes from the stories' own answered moments.
"""

from __future__ import annotations

from herodesk.demo.cast import DemoSummary
from herodesk.demo.plans import DeskCast, PlannedConversation, PlannedMessage

MINUTE = 60.0

# team, owner (username or ""), subject, [(minutes ago, the customer's words)]
MOMENTS: tuple[tuple[str, str, str, tuple[tuple[int, str], ...]], ...] = (
    ("Support", "agent", "Boarding pass missing, flight in 2 hours", (
        (25, "Hello, I am at Frankfurt airport and my flight to Lisbon leaves in 2 hours. Your app says "
             "booking HD-48213 does not exist and the airline desk sends me back to you. This is completely "
             "unacceptable, I paid 640 euros for this ticket! Please help me NOW."),
    )),
    ("Support", "", "Hotel has no reservation, two children with me", (
        (55, "Hi, the hotel in Porto has no reservation under my name. Can you check please?"),
        (12, "I have written twice already and NOBODY answers!! I am standing at the reception with two "
             "tired children and I need a room tonight. This is a disgrace."),
    )),
    ("Billing", "dara", "Corrected invoice needed for the audit", (
        (40, "This is the third time I ask for the corrected invoice for order HD-30917. Our auditor needs "
             "it by tomorrow morning or we fail the audit. I am really frustrated with how slow you are."),
    )),
    ("Support", "ben", "Confirmation letter for my visa appointment", (
        (130, "I need the booking confirmation letter for my visa appointment before Friday, the embassy "
              "will not accept anything else. Nobody has answered my emails, this is ridiculous and I am "
              "losing my patience."),
    )),
    ("Technical", "", "Whole team locked out of the dashboard", (
        (70, "Our whole team is locked out of the dashboard since this morning. Nobody can work and "
             "your status page says everything is fine. This is absolutely unacceptable for what we pay."),
    )),
    ("Support", "agent", "Wedding dress still not delivered", (
        (180, "My wedding is on Saturday and the dress is still not here. It has to arrive by Friday noon "
              "or I will have nothing to wear. I am in tears, why does nobody care?"),
    )),
    # Missed: the deadline passed, or days without an answer.
    ("Support", "agent", "Gate closing, booking not found", (
        (3 * 24 * 60 + 10, "The gate closes in 20 minutes, please help NOW. The airline says booking "
                           "HD-51142 is not in their system. I am desperate!!"),
    )),
    ("Billing", "emil", "Refund confirmation for my bank, today", (
        (2 * 24 * 60 + 95, "I need the refund confirmation today, my bank will not wait any longer. You "
                           "charged me twice and I am furious that nobody has fixed it."),
    )),
    ("Returns", "", "Broken blender sent back twice, still no refund", (
        (5 * 24 * 60, "I have sent the broken blender back TWICE and there is still no refund. This is a "
                      "disgrace and I want my money back. Worst service I have ever had."),
    )),
    ("Support", "ben", "No e-ticket for tonight's flight", (
        (26 * 60, "My flight is at 6 and I still have no e-ticket. I have called three times and nobody "
                  "helps. This is a nightmare!"),
    )),
)  # fmt: skip


def plan_hero_moments(cast: DeskCast, first_id: int, usernames: dict[str, int]) -> list[PlannedConversation]:
    """The moments above as planned conversations, the newest customer message ``minutes ago`` from now."""
    plans = []
    customers = list(cast.customer_ids)
    # Alternate needs-now and missed ones so that a small demo still has both.
    order = [i for pair in zip(range(6), range(6, 10), strict=False) for i in pair] + [4, 5]
    for index, (team, owner, subject, messages) in enumerate(MOMENTS[i] for i in order):
        customer_id = customers[(index * 37) % len(customers)]
        times = [cast.now - minutes * MINUTE for minutes, _ in messages]
        plan = PlannedConversation(
            id=first_id + index,
            subject=subject,
            customer_id=customer_id,
            team_id=cast.team_ids[team],
            reason_id=cast.reason_ids[0],
            channel="email",
            created_at=times[0],
            owner_id=usernames.get(owner),
            status="open" if owner else "new",
            priority=3,
            last_customer_message_at=times[-1],
        )
        for at, (_, text) in zip(times, messages, strict=True):
            plan.messages.append(PlannedMessage("customer", "in", "email", text, at, customer_id=customer_id))
        plans.append(plan)
    return plans


def seed_hero_moments(cast: DeskCast, summary: DemoSummary, count: int = len(MOMENTS)) -> int:
    from django.db import transaction

    from herodesk.accounts.models import User
    from herodesk.conversations.models import Conversation
    from herodesk.demo.writer import _identity_values, _store_batch

    first_id = (Conversation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    usernames = dict(User.objects.values_list("username", "pk"))
    plans = plan_hero_moments(cast, first_id, usernames)[:count]
    with transaction.atomic():
        _store_batch(plans, _identity_values(), cast, summary)
    summary.conversations += len(plans)
    return len(plans)
