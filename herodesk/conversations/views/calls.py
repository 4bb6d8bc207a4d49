"""Log a call: the agent types notes while the customer talks and fills in the rest afterwards."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from herodesk.accounts.models import User
from herodesk.conversations import actions
from herodesk.conversations.forms import PhoneCallForm
from herodesk.conversations.models import Channel, Conversation
from herodesk.customers.actions import CustomerDetails, CustomerError, do_find_or_create_customer


def _subject(data: dict) -> str:
    if data.get("subject"):
        return data["subject"]
    first_line = data["notes"].strip().splitlines()[0] if data["notes"].strip() else "Phone call"
    return ("Call: " + first_line)[:120]


@transaction.atomic
def log_call(agent: User, data: dict) -> Conversation:
    customer = None
    if data.get("email") or data.get("phone"):
        customer = do_find_or_create_customer(
            CustomerDetails(
                name=data.get("name", ""), email=data.get("email", ""), phone=data.get("phone", "")
            )
        )
    draft = actions.NewConversation(
        subject=_subject(data),
        channel=Channel.PHONE,
        customer=customer,
        team=agent.teams.first(),
        owner=agent,
        priority=data.get("priority") or Conversation.Priority.NORMAL,
        tags=[t.strip() for t in (data.get("tags") or "").split(",") if t.strip()],
        contact_reason=data.get("contact_reason"),
        phone_notes=data["notes"],
    )
    conversation = actions.do_create_conversation(draft, actor=agent)
    if data.get("resolve"):
        # Required fields are checked now, at resolve time; a missing one rolls the whole call back.
        conversation = actions.do_change_status(conversation, agent, Conversation.Status.RESOLVED)
    return conversation


@login_required
def new_call(request: HttpRequest) -> HttpResponse:
    form = PhoneCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = log_call(request.user, form.cleaned_data)  # type: ignore[arg-type]
        except (actions.ActionError, CustomerError) as error:
            for field, message in error.fields.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Call logged.")
            return redirect("conversations:detail", pk=conversation.pk)
    return render(request, "conversations/call.html", {"form": form})
