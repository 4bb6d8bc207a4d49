"""factory-boy factories shared by every app's tests.

Calling a factory returns the saved model instance (factory-boy's metaclass does that); the ``__new__``
seen only by the type checker says so, and post-generation hooks receive that instance as ``self``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import factory
from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Channel, Conversation, Message
from herodesk.customers.models import Customer, Identity

PASSWORD = "correct-horse-battery-staple"


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> Team: ...  # type: ignore[misc]

    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class AgentFactory(factory.django.DjangoModelFactory[User]):
    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> User: ...  # type: ignore[misc]

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@desk.example")
    role = User.Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        user = cast(User, self)
        if create and extracted:
            user.teams.set(extracted)
        if create:
            user.save()


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> Customer: ...  # type: ignore[misc]

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Customer {n}")

    @factory.post_generation
    def email(self, create, extracted, **kwargs):
        if create and extracted:
            customer = cast(Customer, self)
            Identity.objects.create(customer=customer, kind=Identity.Kind.EMAIL, value=extracted.lower())


class ConversationFactory(factory.django.DjangoModelFactory[Conversation]):
    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> Conversation: ...  # type: ignore[misc]

    """A conversation with one customer message, indexed for search like a real one."""

    class Meta:
        model = Conversation
        skip_postgeneration_save = True

    subject = factory.Sequence(lambda n: f"Question {n}")
    channel = Channel.EMAIL
    status = Conversation.Status.NEW
    created_at = factory.LazyFunction(timezone.now)
    last_activity_at = factory.LazyAttribute(lambda o: o.created_at)

    @factory.post_generation
    def first_message(self, create, extracted, **kwargs):
        if not create:
            return
        from herodesk.conversations import queries, search

        conversation = cast(Conversation, self)
        text = extracted or f"Hello, about {conversation.subject}."
        Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.IN,
            kind=Message.Kind.CUSTOMER,
            channel=conversation.channel,
            customer=conversation.customer,
            text=text,
            full_text=text,
            created_at=conversation.created_at,
        )
        search.index_conversation(conversation)
        queries.counts_changed()  # as every action that creates a conversation does
