"""The demo desk as a team works in it: assignment rules, a hand-off note waiting for Ada, a bounce-back,
a mention, notifications for every agent, and a colleague who has a conversation open.

Built with the desk's own actions (transfers, notes, notifications), so it reads exactly like real use.
The colleague's presence expires like any other: ``herodesk demo`` keeps it fresh while the demo runs.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations import actions
from herodesk.conversations.actions import Transfer
from herodesk.conversations.models import Conversation
from herodesk.notifications.actions import do_notify
from herodesk.notifications.models import Notification
from herodesk.presence.actions import do_record_presence

ASSIGNMENT_RULES = {"Support": Team.Assignment.BALANCED, "Billing": Team.Assignment.ROUND_ROBIN}
HANDOFF_NOTE = (
    "Customer was charged twice for the same order (see the first message). I refunded the second charge "
    "today; the bank needs 3–5 days. She asked for a written confirmation, please send it and check on "
    "Friday that the refund arrived. No need to ask for the order number again, it is in the thread."
)
BOUNCE_NOTES = (
    "Looks like a billing question: customer asks why the invoice shows two lines.",
    "Not billing: the two lines are two deliveries. Back to Support to explain the split shipment.",
)
VIEWED_SUBJECT_MARK = "viewed-by-colleague"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _open_conversation(team: str, exclude: set[int], owner: User | None = None) -> Conversation | None:
    found = Conversation.objects.filter(
        team__name=team, status__in=["new", "open"], customer__isnull=False, merged_into__isnull=True
    ).exclude(pk__in=exclude)
    if owner is not None:
        found = found.filter(owner=owner)
    return found.order_by("-last_activity_at").first()


def seed_teamwork() -> dict[str, int]:
    """Add the team's recent work on top of the seeded stories. Returns the conversations it used."""
    used: dict[str, int] = {}
    with transaction.atomic():
        for name, rule in ASSIGNMENT_RULES.items():
            Team.objects.filter(name=name).update(assignment=rule)
        ada, dara, ben, emil, chen, lena = (
            _user(n) for n in ("agent", "dara", "ben", "emil", "chen", "lead")
        )
        if not all((ada, dara, ben, emil, chen, lena)):
            return used
        assert ada and dara and ben and emil and chen and lena
        taken: set[int] = set()

        # A hand-off note waiting for Ada (log in as "agent"): Dara in Billing hands a conversation over.
        handed = _open_conversation("Billing", taken)
        if handed is not None:
            actions.do_transfer(handed, dara, Transfer(note=HANDOFF_NOTE, to_owner=ada))
            used["handoff"] = handed.pk
            taken.add(handed.pk)

        # A bounce-back the lead sees: Support -> Billing -> back to Support.
        bounced = _open_conversation("Support", taken)
        if bounced is not None:
            billing, support = Team.objects.get(name="Billing"), Team.objects.get(name="Support")
            actions.do_transfer(bounced, ben, Transfer(note=BOUNCE_NOTES[0], to_team=billing))
            actions.do_transfer(bounced, emil, Transfer(note=BOUNCE_NOTES[1], to_team=support))
            used["bounce_back"] = bounced.pk
            taken.add(bounced.pk)

        # A mention: Chen asks Ada and the lead in an internal note.
        mentioned = _open_conversation("Support", taken)
        if mentioned is not None:
            note = (
                "@agent could you take over while I am out tomorrow? "
                "@lead the customer asked for a goodwill voucher, can you approve it?"
            )
            actions.do_add_note(mentioned, chen, note)
            used["mention"] = mentioned.pk
            taken.add(mentioned.pk)

        # Something in every agent's bell.
        for user in User.objects.filter(is_active=True).exclude(username="admin").prefetch_related("teams"):
            team = user.teams.order_by("pk").first()
            conversation = _open_conversation(team.name, taken) if team else None
            if conversation is None:
                continue
            text = f"“{conversation.subject[:80]}” was assigned to you (balanced assignment)"
            do_notify([user], Notification.Kind.ASSIGNED, text, conversation)
            taken.add(conversation.pk)

        # A conversation in Ada's Mine that a colleague (Ben) has open and is typing in.
        viewed = _open_conversation("Support", taken, owner=ada) or _open_conversation("Support", taken)
        if viewed is not None:
            if viewed.owner_id != ada.pk:
                actions.do_assign(viewed, lena, ada)
            actions.do_set_tags(viewed, ben, [*viewed.tag_names, VIEWED_SUBJECT_MARK])
            used["viewed"] = viewed.pk
    refresh_presence()
    return used


def refresh_presence() -> int | None:
    """Ben has the tagged conversation open and is typing a reply (called every few seconds by the demo)."""
    viewed = (
        Conversation.objects.filter(tags__name=VIEWED_SUBJECT_MARK)
        .order_by("pk")
        .values_list("pk", flat=True)
    ).first()
    ben = _user("ben")
    if viewed is None or ben is None:
        return None
    do_record_presence(ben, viewed, "reply", at=timezone.now())
    return viewed
