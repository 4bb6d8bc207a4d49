"""Demo saved replies: a few shared ones per team (with due times and actions), some personal ones, usage."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import ContactReason
from herodesk.macros.actions import SavedReplyDraft, do_create_saved_reply
from herodesk.macros.models import SavedReply

# team, title, body, set status, tags, contact reason, uses
TEAM_REPLIES = (
    (
        "Support",
        "Parcel delayed: call back",
        "Hi {first_name},\n\nI'm sorry your parcel is late. I have asked the carrier for a trace and I will "
        "call you back by {next business day 16:00} with what they found.\n\nBest,\n{agent_name}",
        "pending",
        "delivery",
        "delivery: late delivery",
        41,
    ),
    (
        "Support",
        "Password reset link",
        "Hi {first_name},\n\nYou can set a new password at example.com/reset. The link in the email works "
        "for one hour.\n\n{agent_name}",
        "resolved",
        "login",
        "account: password reset",
        87,
    ),
    (
        "Support",
        "Status page for your request",
        "Hi {first_name},\n\nYou can follow conversation {conversation_number} and answer us here: "
        "{status_link}\n\n{agent_name}",
        "",
        "",
        "",
        9,
    ),
    (
        "Billing",
        "Double charge refunded",
        "Hi {first_name},\n\nYou were charged twice; I have refunded the second charge today. You will "
        "see the money on your account in 5 working days.\n\n{agent_name}",
        "resolved",
        "refund",
        "billing: double charge",
        56,
    ),
    (
        "Billing",
        "First bill explained",
        "Hi {first_name},\n\nYour first bill covers the part month plus the first full month, so it is "
        "higher than the monthly price. I will send you the breakdown by {today 17:00}.\n\n{agent_name}",
        "pending",
        "first-bill",
        "billing: first bill higher than advertised",
        33,
    ),
    (
        "Technical",
        "Bug reproduced, fix in progress",
        "Hi {first_name},\n\nThanks for the details: we reproduced the problem and our engineers are on it. "
        "I will update you by {in 2 business days 12:00}.\n\n{agent_name}",
        "pending",
        "bug",
        "technical: bug report",
        18,
    ),
    (
        "Returns",
        "Return label sent",
        "Hi {first_name},\n\nI have emailed you a prepaid return label. Once the parcel reaches us your "
        "refund is issued within 3 working days.\n\n{agent_name}",
        "pending",
        "returns",
        "returns: return or exchange",
        62,
    ),
)
# username, title, body, uses
PERSONAL_REPLIES = (
    ("agent", "Warm sign-off", "Thanks for your patience, {first_name}. Have a lovely day!\n\nAda", 24),
    ("agent", "Still looking into it", "We will get back to you soon about this.", 3),  # flagged as vague
    ("dara", "Invoice copy", "Hi {first_name}, a copy of your invoice is attached.\n\nDara", 12),
)


def seed_saved_replies() -> int:
    """Saved replies for each demo team and a few personal ones, with usage counts to show leads."""
    teams = {team.name: team for team in Team.objects.all()}
    users = {user.username: user for user in User.objects.all()}
    reasons = {reason.name: reason for reason in ContactReason.objects.all()}
    admin = users.get("admin") or User.objects.filter(role=User.Role.ADMIN).first()
    if admin is None or not teams:
        return 0
    created = 0
    for team, title, body, status, tags, reason, uses in TEAM_REPLIES:
        if team not in teams:
            continue
        draft = SavedReplyDraft(
            title=title, body=body, team=teams[team], set_status=status, add_tags=tags,
            contact_reason=reasons.get(reason),
        )  # fmt: skip
        _count(do_create_saved_reply(admin, draft), uses)
        created += 1
    for username, title, body, uses in PERSONAL_REPLIES:
        if username in users:
            _count(do_create_saved_reply(users[username], SavedReplyDraft(title=title, body=body)), uses)
            created += 1
    return created


def _count(reply: SavedReply, uses: int) -> None:
    SavedReply.objects.filter(pk=reply.pk).update(
        usage_count=F("usage_count") + uses, last_used_at=timezone.now()
    )
