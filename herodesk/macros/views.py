"""Saved reply pages: the list (with usage counts for leads), create, edit, delete, and sending one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from herodesk.accounts.requests import AuthedRequest
from herodesk.conversations.actions import AttachmentUpload
from herodesk.conversations.queries import conversation_for_agent, visible_conversations
from herodesk.errors import ActionError
from herodesk.macros import actions, queries
from herodesk.macros.api import action_words
from herodesk.macros.forms import SavedReplyForm, SendSavedReplyForm
from herodesk.macros.models import SavedReply
from herodesk.macros.render import DUE_EXAMPLES, VARIABLES


@login_required
def saved_reply_list(request: AuthedRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:100]
    rows = queries.search_saved_replies(request.user, text, limit=500)
    now = timezone.now()
    may_edit = queries.editable(request.user, rows)
    items = [
        {
            "reply": reply,
            "editable": reply.pk in may_edit,
            "actions": action_words(reply),
            "vague": queries.vague_promises(reply.body, now),
        }
        for reply in rows
    ]
    context = {"items": items, "query": text, "show_usage": request.user.is_lead}
    return render(request, "macros/list.html", context)


def _draft(data: dict) -> actions.SavedReplyDraft:
    return actions.SavedReplyDraft(
        title=data["title"],
        body=data["body"],
        team=data.get("team"),
        set_status=data.get("set_status") or "",
        add_tags=data.get("add_tags") or "",
        contact_reason=data.get("contact_reason"),
        assign_to=data.get("assign_to"),
        transfer_to=data.get("transfer_to"),
        transfer_note=data.get("transfer_note") or "",
    )


def _flag_vague_promises(request: AuthedRequest, reply: SavedReply) -> None:
    for vague in queries.vague_promises(reply.body, timezone.now()):
        messages.warning(
            request,
            f"“{vague.sentence}” promises without a time, so the customer cannot hold you to it. "
            f"Specific would be: “{vague.suggestion}”",
        )


def _form_page(request: AuthedRequest, form: SavedReplyForm, reply: SavedReply | None) -> HttpResponse:
    context = {"form": form, "reply": reply, "variables": VARIABLES, "due_examples": DUE_EXAMPLES}
    return render(request, "macros/form.html", context)


def _save(request: AuthedRequest, reply: SavedReply | None) -> HttpResponse:
    teams = queries.teams_led_by(request.user)
    initial = {}
    if reply is not None:
        initial = {
            field: getattr(reply, field)
            for field in ("title", "body", "team", "set_status", "add_tags", "contact_reason")
        } | {
            "assign_to": reply.assign_to,
            "transfer_to": reply.transfer_to,
            "transfer_note": reply.transfer_note,
        }
    form = SavedReplyForm(request.POST or None, teams=teams, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, reply)
    try:
        if reply is None:
            reply = actions.do_create_saved_reply(request.user, _draft(form.cleaned_data))
        else:
            reply = actions.do_update_saved_reply(request.user, reply, _draft(form.cleaned_data))
    except ActionError as error:
        for field, text in error.fields.items():
            form.add_error(field if field in form.fields else None, text)
        if not error.fields:
            form.add_error(None, error.message)
        return _form_page(request, form, reply)
    messages.success(request, f"Saved reply “{reply.title}” saved.")
    _flag_vague_promises(request, reply)
    return redirect("macros:list")


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    return _save(request, None)


@login_required
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _save(request, queries.saved_reply_for_agent(request.user, pk))


@login_required
@require_POST
def delete(request: AuthedRequest, pk: int) -> HttpResponse:
    reply = queries.saved_reply_for_agent(request.user, pk)
    try:
        actions.do_delete_saved_reply(request.user, reply)
    except ActionError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, f"Saved reply “{reply.title}” deleted.")
    return redirect("macros:list")


@login_required
@require_POST
def send(request: AuthedRequest, conversation_pk: int) -> HttpResponse:
    """The reply form posts here instead of the plain reply when a saved reply was inserted."""
    conversation = conversation_for_agent(request.user, conversation_pk)
    form = SendSavedReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request, f"{field.replace('_', ' ').capitalize()}: {' '.join(str(e) for e in errors)}"
            )
        return redirect("conversations:detail", pk=conversation.pk)
    data = form.cleaned_data
    reply = queries.saved_reply_for_agent(request.user, data["saved_reply"])
    try:
        uploads = [AttachmentUpload.from_uploaded(data["attachment"])] if data.get("attachment") else []
        sending = actions.SavedReplySend(
            text=data["text"],
            attachments=uploads,
            then_status=data.get("then_status"),
            seen_up_to=data.get("seen_message"),
        )
        message = actions.do_send_saved_reply(conversation, request.user, reply, sending)
    except ActionError as error:
        messages.error(request, error.summary() if error.fields else f"{error.message}.")
        return redirect("conversations:detail", pk=conversation.pk)
    sent = (
        "queued for sending" if message.send_status == "queued" else "added (no email address to send it to)"
    )
    messages.success(request, f"Reply from “{reply.title}” {sent}.")
    if not visible_conversations(request.user).filter(pk=conversation.pk).exists():
        return redirect("conversations:inbox", view="mine")
    return redirect("conversations:detail", pk=conversation.pk)
