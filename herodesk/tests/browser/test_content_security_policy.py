"""The Content-Security-Policy holds in a real browser: our pages run, injected inline script does not.

Every browser test also fails when the policy blocks anything on its pages (see conftest's ``page``).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from herodesk.tests.browser.test_agent_paths import assert_styled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INJECT = """async () => {
  const refused = [];
  document.addEventListener("securitypolicyviolation", (event) => refused.push(event.effectiveDirective));
  const script = document.createElement("script");
  script.textContent = "window.__injected = 1";
  document.body.appendChild(script);
  const button = document.createElement("button");
  button.setAttribute("onclick", "window.__clicked = 1");
  document.body.appendChild(button);
  button.click();
  await new Promise((resolve) => setTimeout(resolve, 100));
  return [window.__injected === 1, window.__clicked === 1, refused.sort()];
}"""


def test_pages_work_under_the_policy_and_inline_script_never_runs(logged_in_page, conversation):
    page = logged_in_page
    page.goto(reverse("conversations:detail", args=[conversation.pk]))
    assert_styled(page)
    expect(page.locator("#reply-form")).to_be_visible()
    ran, clicked, refused = page.evaluate(INJECT)
    assert (ran, clicked) == (False, False)
    assert refused == ["script-src-attr", "script-src-elem"]
    page.csp_violations.clear()  # the blocked injection was the point of this test


def test_api_docs_and_public_pages_load_under_the_policy(page, live_server):
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("herodesk API")
    page.goto(reverse("webform:contact"))
    expect(page.locator("#contact-form")).to_be_visible()
    page.goto("/no-such-page/")
    expect(page.locator("main h1")).to_have_text("Not found")
    expect(page.locator("main")).to_have_css("max-width", "560px")  # errors.css, not an inline style
