"""Customer files are served so that nothing in them can run in the desk's origin."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from herodesk.conversations.models import Attachment

pytestmark = pytest.mark.django_db

SCRIPT = b"<html><body><script>fetch('/accounts/tokens/', {method: 'POST'})</script></body></html>"


def _attach(conversation, filename: str, content_type: str, content: bytes = SCRIPT) -> Attachment:
    message = conversation.messages.first()
    item = Attachment(message=message, filename=filename, content_type=content_type, size=len(content))
    item.inline = True  # what a mail's inline part gets
    item.file.save(filename, ContentFile(content), save=False)
    item.save()
    return item


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("page.html", "text/html"),
        ("drawing.svg", "image/svg+xml"),
        ("page.xhtml", "application/xhtml+xml"),
        ("notes.htm", "text/plain"),
        ("photo.png", "text/html"),  # a harmless name does not make a dangerous type safe
        ("data.bin", "application/octet-stream"),
    ],
)
def test_customer_files_that_could_run_are_downloads_never_inline(
    agent_client, conversation, filename, content_type
):
    item = _attach(conversation, filename, content_type)
    response = agent_client.get(reverse("conversations:attachment", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize("content_type", ["image/png", "image/jpeg", "image/gif", "IMAGE/WEBP; name=x"])
def test_raster_images_show_inline_with_their_declared_type_and_no_sniffing(
    agent_client, conversation, content_type
):
    item = _attach(conversation, "picture", content_type, b"\x89PNG\r\n\x1a\n")
    response = agent_client.get(reverse("conversations:attachment", args=[item.pk]))
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == content_type.split(";")[0].lower()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_attachment_of_another_teams_conversation_is_404(client, other_agent, conversation):
    item = _attach(conversation, "photo.png", "image/png")
    client.force_login(other_agent)
    assert client.get(reverse("conversations:attachment", args=[item.pk])).status_code == 404
