"""The REST API: tokens, access, validation errors, and responses that match the OpenAPI document."""

from __future__ import annotations

import pytest

from herodesk.accounts.actions import do_create_token
from herodesk.accounts.models import ApiToken
from herodesk.conversations.models import ContactReason, Conversation, Message, Tag
from herodesk.tests.factories import ConversationFactory
from herodesk.tests.openapi import assert_matches_schema, document

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, agent):
    _, raw = do_create_token(agent, "tests")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def call(api, method, path, body=None):
    kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
    response = getattr(api, method.lower())(path, **kwargs)
    assert_matches_schema(method, path, response)
    return response


def test_openapi_document_and_docs_page_are_served(client):
    doc = document()
    assert doc["info"]["title"] == "herodesk API"
    assert "/api/v1/conversations" in doc["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_tokens_are_stored_hashed(agent):
    _, raw = do_create_token(agent, "ci")
    token = ApiToken.objects.get(user=agent)
    assert raw not in (token.key_hash, token.hint)
    assert len(token.key_hash) == 64


def test_requests_without_a_valid_token_get_401_in_the_error_format(client):
    response = client.get("/api/v1/conversations", HTTP_AUTHORIZATION="Bearer hd_wrong")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401


def test_list_filters_by_status_and_pages_with_a_cursor(api, support_team, customer):
    for i in range(5):
        ConversationFactory(team=support_team, customer=customer, subject=f"Order {i}")
    first = call(api, "GET", "/api/v1/conversations?status=new&limit=3").json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = call(
        api, "GET", f"/api/v1/conversations?status=new&limit=3&cursor={first['next_cursor']}"
    ).json()
    assert len(second["items"]) == 2 and second["next_cursor"] is None
    ids = [c["id"] for c in first["items"] + second["items"]]
    assert len(set(ids)) == 5


def test_list_query_count_does_not_grow_with_page_size(
    api, support_team, customer, django_assert_max_num_queries
):
    for i in range(30):
        ConversationFactory(team=support_team, customer=customer, subject=f"Order {i}")
    with django_assert_max_num_queries(7):
        assert len(api.get("/api/v1/conversations?limit=5").json()["items"]) == 5
    with django_assert_max_num_queries(7):
        assert len(api.get("/api/v1/conversations?limit=30").json()["items"]) == 30


def test_the_list_renders_each_conversation_exactly_as_reading_it_does(api, agent, support_team, customer):
    """The list is rendered from plain rows for speed; it must say what the schema says for each one."""
    refunds = ContactReason.objects.create(name="Refunds")
    delivery = ContactReason.objects.create(name="Delivery")
    tagged = ConversationFactory(team=support_team, customer=customer, subject="Tagged", owner=agent)
    tagged.tags.add(Tag.objects.create(name="vip"), Tag.objects.create(name="billing"))
    suggested = ConversationFactory(team=support_team, customer=customer, subject="Suggested only")
    Conversation.objects.filter(pk=suggested.pk).update(
        suggested_reason=delivery, suggested_reason_confidence=0.72, intensity=0.81, effort=64,
        awaiting_relief=True,
    )  # fmt: skip
    reasoned = ConversationFactory(team=support_team, customer=None, subject="Reasoned, no customer")
    Conversation.objects.filter(pk=reasoned.pk).update(
        contact_reason=refunds, suggested_reason=delivery, suggested_reason_confidence=0.5
    )
    listed = call(api, "GET", "/api/v1/conversations?limit=10").json()["items"]
    assert {item["id"] for item in listed} == {tagged.pk, suggested.pk, reasoned.pk}
    for item in listed:
        assert item == call(api, "GET", f"/api/v1/conversations/{item['id']}").json()
    by_id = {item["id"]: item for item in listed}
    assert by_id[tagged.pk]["tags"] == ["billing", "vip"]
    assert by_id[suggested.pk]["suggested_reason"] == "Delivery" and by_id[suggested.pk]["effort"] == 64
    assert by_id[reasoned.pk]["customer"] is None and by_id[reasoned.pk]["suggested_reason"] is None


def test_create_conversation_finds_or_creates_the_customer(api):
    body = {
        "subject": "Card declined",
        "text": "My card was declined twice",
        "customer_email": "Bob@Example.com",
    }
    response = call(api, "POST", "/api/v1/conversations", body)
    assert response.status_code == 201
    created = response.json()
    assert created["channel"] == "api" and created["customer"]["id"]
    again = call(api, "POST", "/api/v1/conversations", {**body, "customer_email": "bob@example.com"}).json()
    assert again["customer"]["id"] == created["customer"]["id"]


def test_invalid_payload_gets_422_with_field_errors_and_writes_nothing(api):
    response = call(
        api, "POST", "/api/v1/conversations", {"subject": "", "text": "x", "customer_email": "nope"}
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert "subject" in fields and "customer_email" in fields
    assert Conversation.objects.count() == 0


def test_unknown_or_invisible_ids_get_404(api, billing_team):
    hidden = ConversationFactory(team=billing_team)
    assert call(api, "GET", "/api/v1/conversations/999999").status_code == 404
    assert call(api, "GET", f"/api/v1/conversations/{hidden.pk}").status_code == 404
    assert call(api, "PATCH", f"/api/v1/conversations/{hidden.pk}", {"priority": 4}).status_code == 404


def test_update_status_owner_tags_priority(api, agent, conversation):
    body = {"owner_id": agent.pk, "tags": ["vip", "billing"], "priority": 3, "status": "pending"}
    updated = call(api, "PATCH", f"/api/v1/conversations/{conversation.pk}", body).json()
    assert updated["owner_id"] == agent.pk
    assert sorted(updated["tags"]) == ["billing", "vip"]
    assert updated["priority"] == 3 and updated["status"] == "pending"


def test_failed_update_is_atomic(api, conversation):
    response = call(
        api, "PATCH", f"/api/v1/conversations/{conversation.pk}", {"priority": 3, "status": "resolved"}
    )
    assert response.status_code == 422
    assert "contact_reason" in response.json()["error"]["fields"]
    conversation.refresh_from_db()
    assert conversation.priority == 2


def test_transfer_to_team_needs_a_hand_off_note(api, conversation, billing_team):
    response = call(api, "PATCH", f"/api/v1/conversations/{conversation.pk}", {"team_id": billing_team.pk})
    assert response.status_code == 422
    assert "note" in response.json()["error"]["fields"]


def test_messages_list_and_add_reply_and_note(api, conversation):
    reply = call(
        api, "POST", f"/api/v1/conversations/{conversation.pk}/messages", {"text": "On it", "kind": "reply"}
    )
    note = call(
        api, "POST", f"/api/v1/conversations/{conversation.pk}/messages", {"text": "VIP", "kind": "note"}
    )
    assert reply.status_code == 201 and note.status_code == 201
    kinds = [m["kind"] for m in call(api, "GET", f"/api/v1/conversations/{conversation.pk}/messages").json()]
    assert kinds == [Message.Kind.CUSTOMER, Message.Kind.REPLY, Message.Kind.NOTE]


def test_customers_crud_and_search(api, admin_user, client):
    created = call(api, "POST", "/api/v1/customers", {"name": "Dana", "email": "dana@example.com"}).json()
    found = call(api, "GET", "/api/v1/customers?q=dana@").json()
    assert [c["id"] for c in found] == [created["id"]]
    patched = call(api, "PATCH", f"/api/v1/customers/{created['id']}", {"notes": "Prefers phone"}).json()
    assert patched["notes"] == "Prefers phone"
    assert call(api, "DELETE", f"/api/v1/customers/{created['id']}").status_code == 403
    _, raw = do_create_token(admin_user, "admin")
    response = client.delete(f"/api/v1/customers/{created['id']}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 204
    assert call(api, "GET", f"/api/v1/customers/{created['id']}").status_code == 404


def test_oversized_request_body_gets_413_in_the_error_format(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"subject": "Big", "text": "x" * 5000, "customer_email": "big@example.com"}
    response = api.post("/api/v1/conversations", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["status"] == 413
    assert Conversation.objects.count() == 0
