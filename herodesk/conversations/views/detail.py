"""The conversation screen and the changes an agent makes on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from herodesk.accounts.models import User
from herodesk.accounts.requests import AuthedRequest
from herodesk.conversations import actions, forms, history, queries
from herodesk.conversations.models import Attachment, Channel, Conversation, Message
from herodesk.conversations.views import fragments
from herodesk.conversations.views.common import report_error, report_form_errors
from herodesk.customers.actions import CustomerDetails, do_find_or_create_customer
from herodesk.customers.models import Identity
from herodesk.insights import queries as insight_queries
from herodesk.presence import queries as presence_queries


def _back(request: AuthedRequest, conversation: Conversation) -> HttpResponse:
    """Back to the conversation; to the inbox when the change (e.g. a transfer) took it out of sight."""
    if not queries.visible_conversations(request.user).filter(pk=conversation.pk).exists():
        return redirect("conversations:inbox", view="mine")
    return redirect("conversations:detail", pk=conversation.pk)


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    conversation = queries.conversation_for_agent(request.user, pk)
    if conversation.merged_into_id:
        messages.info(request, f"#{conversation.pk} was merged into this conversation.")
        return redirect("conversations:detail", pk=conversation.merged_into_id)
    return render(request, "conversations/detail.html", _detail_context(request, conversation))


def _detail_context(
    request: AuthedRequest, conversation: Conversation, held: dict[str, object] | None = None
) -> dict[str, object]:
    user: User = request.user
    # The customer's name falls back to their first address, and the panel lists them all: read them once.
    prefetch_related_objects([conversation], "customer__identities")
    thread = queries.thread(conversation)
    new_ids: set[int] = held["new_ids"] if held else set()  # type: ignore[assignment]
    url = fragments.Reverser()
    for message in thread:
        message.rendered = fragments.message_html(message, new_ids, url)  # type: ignore[attr-defined]
    events = list(conversation.events.select_related("actor").order_by("created_at", "id"))
    history_of_customer = queries.customer_history(user, conversation)
    context = {
        "conversation": conversation,
        "thread": thread,
        "events": events,
        "history_lines": fragments.history_lines(history.sentences(events)),
        "handoff": queries.pending_handoff(events, thread),
        "last_message_id": max((m.pk for m in thread), default=0),  # not the last shown: order is by time
        "viewers": presence_queries.viewers(conversation.pk, exclude=user),
        "mention_agents": queries.mentionable_agents(conversation),
        "history": history_of_customer,
        "history_items": fragments.history_items(history_of_customer.conversations),
        # The same customer's conversations this agent may open, minus those already merged away.
        "merge_options": fragments.merge_options(
            h for h in history_of_customer.conversations if h.merged_into_id is None
        ),
        "agents": queries.agents_for_filter(),
        "teams": queries.teams_for_transfer(),
        "reasons": queries.active_reasons(),
        "statuses": forms.STATUS_CHOICES,
        "priorities": Conversation.Priority.choices,
        "tag_names": ", ".join(tag.name for tag in conversation.tags.all()),
        "missing_on_resolve": actions.required_on_resolve(conversation),
        "now": timezone.now(),
        "held": held,
    }
    signals = insight_queries.conversation_signals(conversation, thread, events)
    context.update(signals)
    promises = signals.get("promises")
    found = promises if isinstance(promises, list) else []
    context["open_promises"] = [p for p in found if p.state == "open"]
    return context


def conversation_action(
    form_class: type, run: Callable[[AuthedRequest, Conversation, dict], object], success: str
) -> Callable[[AuthedRequest, int], HttpResponse]:
    """Build a POST view: load with access check, validate the form, run the action, report, go back."""

    @login_required
    @require_POST
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        conversation = queries.conversation_for_agent(request.user, pk)
        form = form_class(request.POST, request.FILES)
        if not form.is_valid():
            report_form_errors(request, form)
            return _back(request, conversation)
        try:
            run(request, conversation, form.cleaned_data)
        except actions.ActionError as error:
            report_error(request, error)
        else:
            messages.success(request, success)
        return _back(request, conversation)

    return view


def _uploads(data: dict) -> list[actions.AttachmentUpload]:
    return [actions.AttachmentUpload.from_uploaded(data["attachment"])] if data.get("attachment") else []


def _send(kind: str) -> Callable[[AuthedRequest, int], HttpResponse]:
    """A reply or a note, checked against what the sender last saw (``seen_message``).

    When the customer or another agent wrote in between, nothing is saved: the page comes back with the
    new messages marked and the draft kept, to send anyway or edit."""
    form_class = forms.ReplyForm if kind == "reply" else forms.NoteForm

    @login_required
    @require_POST
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        conversation = queries.conversation_for_agent(request.user, pk)
        form = form_class(request.POST, request.FILES)
        if not form.is_valid():
            report_form_errors(request, form)
            return _back(request, conversation)
        data = form.cleaned_data
        seen = data.get("seen_message")
        try:
            if kind == "reply":
                message = actions.do_add_reply(
                    conversation, request.user, data["text"], _uploads(data), data.get("then_status") or None,
                    seen_up_to=seen,
                )  # fmt: skip
                level, text = delivery_report(message, conversation)
                messages.add_message(request, level, text)
            else:
                actions.do_add_note(conversation, request.user, data["text"], data["kind"], seen_up_to=seen)
                messages.success(request, "Note added." if data["kind"] == "note" else "Phone note added.")
        except actions.SendHeld as held_error:
            held = {"kind": kind, "data": data, "new_ids": set(held_error.new_message_ids),
                    "count": len(held_error.new_message_ids), "had_attachment": bool(data.get("attachment"))}
            context = _detail_context(request, conversation, held)
            response = render(request, "conversations/detail.html", context)
            response["HX-Push-Url"] = f"/c/{conversation.pk}/"  # a reload shows the conversation, not a 405
            return response
        except actions.ActionError as error:
            report_error(request, error)
        return _back(request, conversation)

    return view


def delivery_report(message: Message, conversation: Conversation) -> tuple[int, str]:
    """What really happened to a reply, for the flash: queued for email, or saved without being sent."""
    if message.send_status == Message.SendStatus.QUEUED:
        return messages.SUCCESS, "Reply queued for email to the customer; it shows “Sent” once delivered."
    if message.send_status == Message.SendStatus.SENT:
        return messages.SUCCESS, "Reply sent."
    if conversation.customer_id is None:
        why = "this conversation has no customer to send it to. Set the customer's email address"
    elif conversation.channel == Channel.PHONE:
        why = "replies on phone conversations are not emailed. Call the customer back"
    elif not conversation.customer.identities.filter(kind=Identity.Kind.EMAIL).exists():  # type: ignore[union-attr]
        why = "the customer has no email address. Add one, or contact them another way"
    else:
        why = "the customer's email address is bouncing. Contact them another way"
    return messages.WARNING, f"Reply saved but not sent: {why}."


def _status(request: AuthedRequest, conversation: Conversation, data: dict) -> None:
    actions.do_change_status(conversation, request.user, data["status"])


def _snooze(request: AuthedRequest, conversation: Conversation, data: dict) -> None:
    until: datetime = data["until"]
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    actions.do_snooze(conversation, request.user, until, for_customer=bool(data.get("for_customer")))


def _assign(request: AuthedRequest, conversation: Conversation, data: dict) -> None:
    actions.do_assign(conversation, request.user, data.get("owner"))


def _transfer(request: AuthedRequest, conversation: Conversation, data: dict) -> None:
    transfer = actions.Transfer(note=data["note"], to_owner=data.get("to_owner"), to_team=data.get("to_team"))
    actions.do_transfer(conversation, request.user, transfer)


def _tags(request: AuthedRequest, conversation: Conversation, data: dict) -> None:
    names = [t.strip() for t in data["tags"].split(",") if t.strip()]
    actions.do_set_tags(conversation, request.user, names)


def _priority(request: AuthedRequest, conversation: Conversation, data: dict) -> None:
    actions.do_set_priority(conversation, request.user, data["priority"])


def _reason(request: AuthedRequest, conversation: Conversation, data: dict) -> None:
    actions.do_set_contact_reason(conversation, request.user, data.get("contact_reason"))


def _customer(request: AuthedRequest, conversation: Conversation, data: dict) -> None:
    details = CustomerDetails(
        name=data.get("name", ""), email=data.get("email", ""), phone=data.get("phone", "")
    )
    customer = do_find_or_create_customer(details)
    actions.do_set_customer(conversation, request.user, customer)


def _handoff_seen(request: AuthedRequest, conversation: Conversation, data: dict) -> None:
    actions.do_acknowledge_handoff(conversation, request.user)


def _merge(request: AuthedRequest, conversation: Conversation, data: dict) -> None:
    survivor = queries.conversation_for_agent(request.user, data["into"])
    actions.do_merge_conversations(survivor, conversation, request.user)


@login_required
@require_POST
def split(request: AuthedRequest, pk: int) -> HttpResponse:
    """Split one message off into a new conversation of the same customer; opens the new one."""
    conversation = queries.conversation_for_agent(request.user, pk)
    form = forms.SplitForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(request, conversation)
    message = conversation.messages.filter(pk=form.cleaned_data["message"]).first()
    if message is None:
        raise Http404("No such message in this conversation")
    try:
        new = actions.do_split_message(message, request.user)
    except actions.ActionError as error:
        report_error(request, error)
        return _back(request, conversation)
    messages.success(request, f"Message split off from #{conversation.pk} into this new conversation.")
    return redirect("conversations:detail", pk=new.pk)


reply = _send("reply")
note = _send("note")
status = conversation_action(forms.StatusForm, _status, "Status changed.")
snooze = conversation_action(forms.SnoozeForm, _snooze, "Snoozed.")
assign = conversation_action(forms.AssignForm, _assign, "Owner changed.")
transfer = conversation_action(forms.TransferForm, _transfer, "Transferred with your hand-off note.")
tags = conversation_action(forms.TagsForm, _tags, "Tags saved.")
priority = conversation_action(forms.PriorityForm, _priority, "Priority changed.")
reason = conversation_action(forms.ReasonForm, _reason, "Contact reason saved.")
customer = conversation_action(forms.CustomerForm, _customer, "Customer set.")
handoff_seen = conversation_action(forms.EmptyForm, _handoff_seen, "Hand-off note marked as read.")
merge = conversation_action(forms.MergeForm, _merge, "Merged: both conversations are one now.")


# Customer files come from strangers. Only these raster types may show in the browser; everything else
# (HTML, SVG, XHTML, text named .htm, ...) is a download, and nothing may run in the desk's origin.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@login_required
def attachment(request: AuthedRequest, pk: int) -> FileResponse:
    item = Attachment.objects.select_related("message").filter(pk=pk).first()
    if item is None:
        raise Http404("No such attachment")
    queries.conversation_for_agent(request.user, item.message.conversation_id)
    content_type = item.content_type.split(";")[0].strip().lower()
    if content_type in INLINE_IMAGE_TYPES:
        response = FileResponse(item.file.open("rb"), filename=item.filename, content_type=content_type)
    else:
        response = FileResponse(
            item.file.open("rb"),
            as_attachment=True,
            filename=item.filename,
            content_type="application/octet-stream",
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
