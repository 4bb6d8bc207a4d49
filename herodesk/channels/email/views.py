"""Mailbox admin pages (admins only) and the inbound-mail webhook (a per-mailbox secret token)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from herodesk.accounts.requests import AuthedRequest
from herodesk.channels.email import actions, credentials, imap, intake, queries, send, tasks
from herodesk.channels.email.forms import MailboxForm
from herodesk.channels.email.models import InboundMail, Mailbox, hash_webhook_token

TOKEN_HEADER = "X-Herodesk-Token"  # noqa: S105 - a header name, not a secret


@login_required
def mailbox_list(request: AuthedRequest) -> HttpResponse:
    mailboxes = queries.mailboxes_for_admin(request.user)
    return render(request, "email_channel/mailbox_list.html", {"mailboxes": mailboxes})


@login_required
def mailbox_create(request: AuthedRequest) -> HttpResponse:
    queries.require_admin(request.user)
    return _mailbox_form(request, Mailbox())


@login_required
def mailbox_edit(request: AuthedRequest, mailbox_id: int) -> HttpResponse:
    return _mailbox_form(request, queries.mailbox_for_admin(request.user, mailbox_id))


def _mailbox_form(request: AuthedRequest, mailbox: Mailbox) -> HttpResponse:
    form = MailboxForm(request.POST or None, instance=mailbox)
    if request.method == "POST" and form.is_valid():
        secrets = actions.MailboxSecrets(
            imap_password=form.new_password("imap_password"), smtp_password=form.new_password("smtp_password")
        )
        saved = actions.do_save_mailbox(form.save(commit=False), secrets)
        messages.success(request, f"Mailbox {saved.name} saved.")
        return redirect("email_channel:mailbox_edit", mailbox_id=saved.pk)
    context: dict[str, object] = {"form": form, "mailbox": mailbox}
    if mailbox.pk:
        context.update(inbound=queries.recent_inbound(mailbox), counts=queries.state_counts(mailbox))
    return render(request, "email_channel/mailbox_form.html", context)


@login_required
@require_POST
def mailbox_test(request: AuthedRequest, mailbox_id: int) -> HttpResponse:
    mailbox = queries.mailbox_for_admin(request.user, mailbox_id)
    for check in (_check_imap, _check_smtp):
        ok, text = check(mailbox)
        (messages.success if ok else messages.error)(request, text)
    return redirect("email_channel:mailbox_edit", mailbox_id=mailbox.pk)


def _check_imap(mailbox: Mailbox) -> tuple[bool, str]:
    if not mailbox.uses_imap:
        return True, "IMAP: not configured (pipe or webhook only)."
    try:
        return True, "IMAP: " + imap.check_connection(intake.imap_settings(mailbox))
    except intake.POLL_ERRORS as error:
        return False, f"IMAP: {error}"


def _check_smtp(mailbox: Mailbox) -> tuple[bool, str]:
    if not mailbox.smtp_host:
        return True, "SMTP: uses the desk's global settings."
    try:
        return True, send.check_smtp(mailbox)
    except (OSError, credentials.CredentialError) as error:
        return False, f"SMTP: {error}"
    except Exception as error:  # smtplib's exceptions vary by failure; all are reported, none crash the page
        return False, f"SMTP: {type(error).__name__}: {error}"


@login_required
@require_POST
def mailbox_poll(request: AuthedRequest, mailbox_id: int) -> HttpResponse:
    mailbox = queries.mailbox_for_admin(request.user, mailbox_id)
    if not mailbox.uses_imap:
        messages.error(request, "This mailbox has no IMAP server to poll.")
    else:
        actions.do_request_poll(mailbox)
        tasks.poll_mailbox(mailbox.pk)
        messages.success(request, "Poll started; refresh to see the result.")
    return redirect("email_channel:mailbox_edit", mailbox_id=mailbox.pk)


@login_required
@require_POST
def mailbox_webhook_token(request: AuthedRequest, mailbox_id: int) -> HttpResponse:
    mailbox = queries.mailbox_for_admin(request.user, mailbox_id)
    token = actions.do_issue_webhook_token(mailbox)
    url = request.build_absolute_uri(reverse("email_channel:inbound", args=[mailbox.pk]))
    context = {"mailbox": mailbox, "token": token, "url": url, "header": TOKEN_HEADER}
    return render(request, "email_channel/webhook_token.html", context)


@login_required
@require_POST
def inbound_reprocess(request: AuthedRequest, inbound_id: int) -> HttpResponse:
    queries.require_admin(request.user)
    inbound = get_object_or_404(InboundMail.objects.defer("raw"), pk=inbound_id)
    result = intake.reprocess(inbound.pk)
    messages.info(request, f"Inbound mail {result.pk}: {result.get_state_display()} {result.reason}")
    if inbound.mailbox_id:
        return redirect("email_channel:mailbox_edit", mailbox_id=inbound.mailbox_id)
    return redirect("email_channel:mailboxes")


# --- Webhook ----------------------------------------------------------------------------------------


def _presented_token(request: AuthedRequest) -> str:
    token = request.headers.get(TOKEN_HEADER, "")
    authorization = request.headers.get("Authorization", "")
    if not token and authorization.lower().startswith("bearer "):
        token = authorization[7:]
    return token.strip()


@csrf_exempt
@require_POST
def inbound_webhook(request: AuthedRequest, mailbox_id: int) -> HttpResponse:
    """Raw MIME in the body. 200 once stored (see ``state``), 202 when filing failed and will be retried."""
    token = _presented_token(request)
    mailbox = queries.mailbox_for_webhook(mailbox_id, hash_webhook_token(token) if token else "")
    if mailbox is None:
        return JsonResponse({"error": "unknown mailbox or wrong token"}, status=403)
    inbound = intake.ingest(request.body, mailbox, InboundMail.Source.WEBHOOK)
    body = {
        "id": inbound.pk,
        "state": inbound.state,
        "reason": inbound.reason,
        "conversation": inbound.conversation_id,
    }
    return JsonResponse(body, status=202 if inbound.state == InboundMail.State.FAILED else 200)
