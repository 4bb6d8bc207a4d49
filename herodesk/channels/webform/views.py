"""The public contact form and the customer's private status page. No login; no agent data leaks."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from herodesk.channels.webform import actions, queries
from herodesk.channels.webform.forms import ContactForm, CustomerReplyForm
from herodesk.clientip import client_ip
from herodesk.conversations.actions import ActionError, AttachmentUpload


def _too_large(request: HttpRequest, limit: int) -> bool:
    """Refuse a public POST by its declared size, before a byte of the body is read."""
    if request.method != "POST":
        return False
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or -1)
    except ValueError:
        return True
    return declared < 0 or declared > limit


def _contact_limit() -> int:
    # The attachment, the text (up to 4 bytes a character) and the other fields with multipart framing.
    return settings.MAX_ATTACHMENT_BYTES + 4 * settings.MAX_MESSAGE_CHARS + 64 * 1024


def contact(request: HttpRequest) -> HttpResponse:
    if _too_large(request, _contact_limit()):
        context = {"form": ContactForm(), "too_large": True, "limit": settings.MAX_ATTACHMENT_BYTES}
        page = render(request, "webform/contact.html", context)
        page.status_code = 413
        return page
    form = ContactForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("website"):  # honeypot filled: pretend success, store nothing
            return render(request, "webform/thanks.html", {"status_url": None})
        uploads = [AttachmentUpload.from_uploaded(data["attachment"])] if data.get("attachment") else []
        submission = actions.WebSubmission(
            name=data["name"],
            email=data["email"],
            subject=data["subject"],
            message=data["message"],
            attachments=uploads,
            ip_address=client_ip(request),
        )
        try:
            conversation, token = actions.do_submit(submission)
        except actions.RateLimited as error:
            form.add_error(None, str(error))
        except ActionError as error:
            for field, message in error.fields.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            status_url = request.build_absolute_uri(reverse("webform:status", args=[token]))
            return render(
                request, "webform/thanks.html", {"status_url": status_url, "conversation": conversation}
            )
    return render(request, "webform/contact.html", {"form": form})


def status(request: HttpRequest, token: str) -> HttpResponse:
    link = queries.link_for(token)
    if link is None:
        raise Http404("This link is not valid.")
    actions.do_note_link_seen(link)
    conversation = link.conversation
    if _too_large(request, 4 * settings.MAX_MESSAGE_CHARS + 64 * 1024):
        return HttpResponse("This message is too long.", status=413, content_type="text/plain")
    form = CustomerReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_customer_reply(conversation, form.cleaned_data["message"])
        except actions.RateLimited as error:
            form.add_error("message", str(error))
        except ActionError as error:
            form.add_error("message", error.summary())
        else:
            messages.success(request, "Thank you, your message was added.")
            return redirect("webform:status", token=token)
    visible = queries.status_thread(conversation)
    return render(
        request, "webform/status.html", {"conversation": conversation, "thread": visible, "form": form}
    )
