"""schemathesis against the OpenAPI document: generated requests (valid and invalid) to every endpoint, run
in-process through Django's WSGI application. Fails on any 5xx, an undocumented status, a response that
does not match its schema, or invalid input that is accepted. Examples are bounded to keep CI fast."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from herodesk.accounts.actions import do_create_token
from herodesk.api import api
from herodesk.wsgi import application

# A schema-valid body may still break a rule of the desk that the document cannot express (an unknown
# team id, "an email or a phone"): that is a 422 in the one error format, not a failure. A 400 or 5xx is.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "422"]}}}
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = application

# Bounded, and the same examples on every run so CI is repeatable; raise it to search further
# (HERODESK_SCHEMATHESIS_EXAMPLES=500 ./dev pytest herodesk/tests/test_api_schemathesis.py), then random.
MAX_EXAMPLES = int(os.environ.get("HERODESK_SCHEMATHESIS_EXAMPLES", "10"))
DERANDOMIZE = "HERODESK_SCHEMATHESIS_EXAMPLES" not in os.environ


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI application directly (not through the test client) sends request_finished, whose
    handler closes the database connection: on PostgreSQL that ends the test's transaction. The test client
    detaches the same handler for the same reason."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, admin_user, conversation) -> str:
    """An admin's token; a team, a customer and a conversation exist for the ids to find."""
    _, raw = do_create_token(admin_user, "schemathesis")
    return raw


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_answers_as_its_document_says(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})


# What schemathesis found once, kept as plain tests.


@pytest.mark.parametrize(
    ("method", "path"),
    [("patch", "/api/v1/conversations/{id}"), ("post", "/api/v1/notifications/read")],
)
def test_a_body_that_is_not_a_json_object_is_a_400(client, token, conversation, method, path) -> None:
    response = getattr(client, method)(
        path.format(id=conversation.pk),
        data="[null, null]",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_false_is_not_a_notification_id(client, token):
    response = client.post(
        "/api/v1/notifications/read",
        data={"ids": [False]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
