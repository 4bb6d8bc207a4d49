"""Stored XSS: the corpus in ``xss_corpus.py`` through every input path and page that shows it, in Chromium.

Values go in through the real entry points (raw-MIME intake as the mail pipe calls it, the public web form,
the API with a token, the pages' own forms posted to their views), then an admin opens every page where they
show. The browser context bypasses the Content-Security-Policy on purpose: the policy is tested on its own
(``test_content_security_policy.py``), and this test checks that escaping and sanitizing hold without it.

A page fails when a dialog opens (``alert``), ``window.__xss`` is set, or its DOM holds something no template
of ours writes and an injection would: an ``on*`` or ``hx-on`` attribute, an inline ``<script>``, a
``javascript:`` URL, an ``srcdoc``. Each value must also be visible as text on the page that shows it (its
``<path><nn>`` token; on most paths the whole value, exactly as typed), so dropping content cannot pass.
"""

from __future__ import annotations

import re
import urllib.request
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import Client

from herodesk.accounts.actions import do_create_token
from herodesk.channels.email import intake
from herodesk.conversations.models import Conversation
from herodesk.customers.models import Customer
from herodesk.tests.browser.conftest import TIMEOUT_MS, log_in
from herodesk.tests.browser.xss_corpus import VECTORS, comparable, token, value, values
from herodesk.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

N = len(VECTORS)

# Runs in the page after it loads: what executed, and what an injection would have left in the DOM.
INSPECT = """async () => {
  await new Promise((resolve) => setTimeout(resolve, 150));  // let img/svg error and load handlers fire
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const url = attr.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (name.startsWith("on") || name.startsWith("hx-on") || name === "srcdoc") {
        found.push(`${el.tagName.toLowerCase()}[${name}]`);
      } else if (/^(javascript|vbscript):/.test(url)) {
        found.push(`${el.tagName.toLowerCase()}[${name}=${url.slice(0, 30)}]`);
      }
    }
    if (el.tagName === "SCRIPT" && !el.src && el.type !== "application/json") found.push("inline script");
    if (el.tagName === "BASE" || el.tagName === "EMBED" || el.tagName === "OBJECT") found.push(el.tagName);
  }
  // What fields show as their value (a customer's notes in their form, tags in theirs) counts as shown.
  const fields = [...document.querySelectorAll("textarea, input[type=text]")].map((f) => f.value);
  return {ran: window.__xss === 1, found, text: [document.body.innerText, ...fields].join(" \\n ")};
}"""


@dataclass
class Visit:
    url: str
    whole: list[str] = field(default_factory=list)  # values shown exactly as sent
    tokens: list[str] = field(default_factory=list)  # values whose token must show (content reshaped)


class Desk:
    """An admin in Chromium (CSP bypassed) that opens pages and checks each one."""

    def __init__(self, browser, live_server, admin) -> None:
        self.context = browser.new_context(base_url=live_server.url, bypass_csp=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)
        self.failures: list[str] = []
        log_in(self.page, admin.username, PASSWORD)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{self.page.url}: {dialog.type}({dialog.message})")
        dialog.dismiss()

    def check(self, visit: Visit) -> str:
        response = self.page.goto(visit.url)
        assert response is not None and response.status == 200, f"{visit.url}: {response and response.status}"
        state = self.page.evaluate(INSPECT)
        if state["ran"]:
            self.failures.append(f"{visit.url}: window.__xss was set")
        if state["found"]:
            self.failures.append(f"{visit.url}: injected markup {sorted(set(state['found']))}")
        shown = comparable(state["text"])
        missing = [v for v in visit.whole if comparable(v) not in shown]
        missing += [v for v in visit.tokens if v.split()[1] not in shown]
        if missing:
            self.failures.append(f"{visit.url}: not shown as text: {missing[:3]} ({len(missing)} in all)")
        return state["text"]

    def close(self) -> None:
        self.page.goto("about:blank")
        self.page.wait_for_timeout(300)  # no presence poll left running when the database is flushed
        self.context.close()

    def assert_clean(self) -> None:
        ran = [f for f in self.failures if "not shown" not in f and "not listed" not in f]
        problems = self.dialogs + ran + [f for f in self.failures if f not in ran]
        assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


@pytest.fixture
def desk(browser, live_server, admin_user):
    # The live server's first request imports and warms up the whole desk (10+ s on a busy machine):
    # take it here, not inside a page load with the browser's timeout.
    urllib.request.urlopen(live_server.url + "/accounts/login/", timeout=120).read()  # noqa: S310 - http only
    opened = Desk(browser, live_server, admin_user)
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.WEBFORM_RATE_LIMIT = 10_000
    settings.WEBFORM_NETWORK_RATE_LIMIT = 10_000
    settings.WEBFORM_REPLY_RATE_LIMIT = 10_000


def _agent_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, data: dict) -> None:
    response = client.post(url, data)
    assert response.status_code in (200, 302), f"{url}: {response.status_code}"
    refused = [str(m) for m in get_messages(response.wsgi_request) if m.level >= messages.ERROR]
    assert not refused, (url, refused)


def _follow_pages(desk: Desk, first: str, expect: list[str]) -> None:
    """Open a paged list and its next pages; every token in ``expect`` must show on one of them."""
    url: str | None = first
    text = ""
    for _ in range(20):
        if url is None:
            break
        text += desk.check(Visit(url))
        link = desk.page.locator("#more a, .pager a:has-text('Next')").first
        href = link.get_attribute("href") if link.count() else None
        url = None if href is None else (href if href.startswith("/") else first.split("?")[0] + href)
    shown = comparable(text)
    missing = [t for t in expect if t not in shown]
    if missing:
        desk.failures.append(f"{first}: tokens not listed: {missing[:5]} ({len(missing)} in all)")


# --- Mail --------------------------------------------------------------------------------------------


def _encoded(text: str) -> str:
    """An RFC 2047 encoded word, as mail clients send non-ASCII headers (any character survives)."""
    return Header(text, "utf-8").encode(maxlinelen=10_000)


def _mail(index: int) -> bytes:
    """Payload in the From display name, the Subject, the text body, an attachment name and an inline
    HTML part (with its script) of one raw mail."""
    mail = EmailMessage()
    mail["To"] = "support@desk.example"
    mail["Message-ID"] = f"<xss-{index}@xss.example>"
    mail.set_content(value("mb", index) + "\n")
    mail.add_attachment(b"plain file", maintype="text", subtype="plain", filename=value("ma", index) + ".txt")
    mail.add_attachment(
        f"<html><body>{VECTORS[index]}</body></html>".encode(), maintype="text", subtype="html",
        disposition="inline", filename=value("mi", index) + ".html",
    )  # fmt: skip
    # Written as raw header lines: the email package refuses to build a header whose decoded text holds a
    # line separator (U+2028), which a hostile sender's encoded word can.
    sender = f"From: {_encoded(value('mf', index))} <sender{index}@xss.example>\r\n"
    subject = f"Subject: {_encoded(value('ms', index))}\r\n"
    return (sender + subject).encode() + bytes(mail)


CLOSE = "</noscript></style></template></select></math></svg></textarea></title>"


def _html_mail() -> bytes:
    """One HTML-only mail carrying every vector raw, as a hostile sender would write them."""
    mail = EmailMessage()
    mail["From"] = "Hostile HTML <html@xss.example>"
    mail["To"] = "support@desk.example"
    mail["Subject"] = "xssprobe html body"
    mail["Message-ID"] = "<xss-html@xss.example>"
    # Each vector is closed off, so one vector's unclosed element cannot hide the next one's marker: the
    # text view drops what sits inside an unclosed <noscript>, <style> or <template> to the end of the mail.
    body = "".join(f"<p>{v}</p>{CLOSE}\n" for v in values("mh"))
    mail.set_content(f"<html><body>{body}</body></html>", subtype="html")
    return bytes(mail)


def test_mail_headers_bodies_and_attachment_names_never_run(desk, admin_user, support_team):
    for index in range(N):
        assert intake.ingest(_mail(index), None).state == "processed"
    assert intake.ingest(_html_mail(), None).state == "processed"
    by_token = {
        re.sub(r"^xssprobe (\S+).*$", r"\1", c.subject, flags=re.S): c.pk
        for c in Conversation.objects.filter(subject__startswith="xssprobe ms")
    }
    assert len(by_token) == N

    html = Conversation.objects.get(subject="xssprobe html body")
    desk.check(Visit(f"/c/{html.pk}/", tokens=values("mh")))
    for index in range(N):
        pk = by_token[token("ms", index)]
        desk.check(
            Visit(
                f"/c/{pk}/",
                whole=[value("ms", index), value("mb", index)],
                tokens=[value("mf", index), value("ma", index), value("mi", index)],
            )
        )
    _follow_pages(
        desk, "/inbox/open/", [token("ms", i) for i in range(N)] + [token("mf", i) for i in range(N)]
    )
    _follow_pages(desk, "/search/?q=xssprobe", [token("ms", i) for i in range(N)])
    _follow_pages(desk, "/customers/", [token("mf", i) for i in range(N)])
    desk.check(Visit("/hero/"))
    desk.assert_clean()


# --- Web form, status page, replies, hand-off notes ----------------------------------------------------


def test_web_form_status_pages_replies_and_hand_off_notes_never_run(
    desk, admin_user, support_team, billing_team
):
    public = Client()
    status_urls: list[str] = []
    for index in range(N):
        response = public.post(
            "/contact/",
            {
                "name": value("wn", index, 200),
                "email": f"web{index}@xss.example",
                "subject": value("ws", index, 300),
                "message": value("wm", index),
            },
        )
        assert response.status_code == 200
        found = re.search(rb'id="status-link" href="[^"]*(/status/[^/"]+/)"', response.content)
        assert found, response.content[:500]
        status_urls.append(found.group(1).decode())
    staff = _agent_client(admin_user)
    conversations = {
        c.subject.split()[1]: c for c in Conversation.objects.filter(subject__startswith="xssprobe ws")
    }
    assert len(conversations) == N
    for index in range(N):
        pk = conversations[token("ws", index)].pk
        _post(staff, f"/c/{pk}/reply/", {"text": value("pr", index)})
        _post(staff, f"/c/{pk}/transfer/", {"to_team": billing_team.pk, "note": value("ph", index)})
    for index in range(N):
        pk = conversations[token("ws", index)].pk
        desk.check(
            Visit(
                f"/c/{pk}/",
                whole=[value("ws", index), value("wm", index), value("pr", index), value("ph", index)],
                tokens=[value("wn", index)],
            )
        )
    desk.context.clear_cookies()  # the customer's own view, not logged in
    for index, url in enumerate(status_urls):
        desk.check(Visit(url, whole=[value("ws", index), value("wm", index), value("pr", index)]))
    desk.assert_clean()


def _save_reply(staff: Client, index: int) -> None:
    """A saved reply titled with the vector; its text too, unless it looks like a template variable,
    which the desk refuses with a clear message (saved replies fill in {variables})."""
    body = value("sb", index)
    if "{" not in body:
        _post(staff, "/saved-replies/new/", {"title": value("sr", index, 100), "body": body})
        return
    refused = staff.post("/saved-replies/new/", {"title": value("sr", index, 100), "body": body})
    assert refused.status_code == 200 and "Unknown variable" in refused.content.decode()
    _post(staff, "/saved-replies/new/", {"title": value("sr", index, 100), "body": "Plain text."})


# --- API, and the agent pages' own forms ------------------------------------------------------------------


def test_api_fields_notes_tags_customers_and_saved_replies_never_run(
    desk, admin_user, support_team, billing_team
):
    _, raw = do_create_token(admin_user, "xss corpus")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    staff = _agent_client(admin_user)
    created: list[int] = []
    for index in range(N):
        response = api.post(
            "/api/v1/conversations",
            {
                "subject": value("as", index, 300),
                "text": value("at", index),
                "customer_email": f"api{index}@xss.example",
                "customer_name": value("an", index, 200),
                "tags": [value("ag", index, 50)],
                "team_id": support_team.pk,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        pk = response.json()["id"]
        api_tags = response.json()["tags"]  # as the desk stored them (tags are slugs)
        created.append(pk)
        response = api.patch(
            f"/api/v1/conversations/{pk}",
            {"team_id": billing_team.pk, "handoff_note": value("ah", index)},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        _post(staff, f"/c/{pk}/note/", {"text": value("pn", index), "kind": "note"})
        _post(staff, f"/c/{pk}/tags/", {"tags": ",".join([*api_tags, value("pt", index, 400)])})
        _save_reply(staff, index)

    # Customers through the API (name and notes) and through the conversation page's customer form.
    response = api.post("/api/v1/customers", {"name": "xssprobe", "email": "notes@xss.example"},
                        content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    notes_customer = response.json()["id"]
    notes = "\n".join(values("ao"))
    response = api.patch(f"/api/v1/customers/{notes_customer}", {"name": value("ac", 0), "notes": notes},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    page_form_customers = created[: N // 2]
    for index, pk in enumerate(page_form_customers):
        _post(
            staff,
            f"/c/{pk}/customer/",
            {"name": value("pc", index, 200), "email": f"page{index}@xss.example"},
        )

    for index, pk in enumerate(created):
        named = value("pc", index) if pk in page_form_customers else value("an", index)
        desk.check(
            Visit(
                f"/c/{pk}/",
                whole=[value("as", index), value("at", index), value("ah", index), value("pn", index)],
                tokens=[named],
            )
        )
    desk.check(Visit(f"/customers/{notes_customer}/", whole=[value("ac", 0)], tokens=values("ao")))
    for customer in Customer.objects.filter(name__startswith="xssprobe")[:10]:
        desk.check(Visit(f"/customers/{customer.pk}/"))
    _follow_pages(desk, "/saved-replies/", [token("sr", i) for i in range(N)])
    tagged = [token(path, i) for path in ("as", "ag", "pt") for i in range(N)]  # tags show as chips
    _follow_pages(desk, "/inbox/open/", tagged)
    _follow_pages(desk, "/search/?q=xssprobe", [token("as", i) for i in range(N)])
    desk.check(Visit("/hero/promises/"))
    desk.assert_clean()
