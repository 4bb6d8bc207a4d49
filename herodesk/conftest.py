"""Shared pytest fixtures: the named personas every test reuses, and inline background jobs."""

from __future__ import annotations

import pytest

from herodesk.tests.factories import (
    AgentFactory,
    ConversationFactory,
    CustomerFactory,
    TeamFactory,
)


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_inline():
    """Background jobs run in the test's own thread and transaction (Huey's immediate mode)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _on_commit_runs_at_once(monkeypatch):
    """Tests run inside a transaction that never commits, so after-commit work runs right away instead."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def support_team():
    return TeamFactory(name="Support")


@pytest.fixture
def billing_team():
    return TeamFactory(name="Billing")


@pytest.fixture
def agent(support_team):
    """Ada, an agent on the Support team."""
    return AgentFactory(username="ada", first_name="Ada", teams=[support_team])


@pytest.fixture
def other_agent(billing_team):
    """Otto, an agent on another team (Billing): he must not see Support's conversations."""
    return AgentFactory(username="otto", first_name="Otto", teams=[billing_team])


@pytest.fixture
def lead(support_team):
    return AgentFactory(username="lena", first_name="Lena", role="lead", teams=[support_team])


@pytest.fixture
def admin_user():
    return AgentFactory(username="root", first_name="Root", role="admin")


@pytest.fixture
def customer():
    """Carla, a customer with one email address."""
    return CustomerFactory(name="Carla Customer", email="carla@example.com")


@pytest.fixture
def conversation(customer, support_team):
    return ConversationFactory(customer=customer, team=support_team, subject="My order never arrived")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client
