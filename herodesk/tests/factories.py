"""factory-boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Channel, Conversation, Message
from herodesk.customers.models import Customer, Identity

PASSWORD = "correct-horse-battery-staple"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class AgentFactory(factory.django.DjangoModelFactory):
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
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Customer {n}")

    @factory.post_generation
    def email(self, create, extracted, **kwargs):
        if create and extracted:
            Identity.objects.create(customer=self, kind=Identity.Kind.EMAIL, value=extracted.lower())


class ConversationFactory(factory.django.DjangoModelFactory):
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

        text = extracted or f"Hello, about {self.subject}."
        Message.objects.create(
            conversation=self,
            direction=Message.Direction.IN,
            kind=Message.Kind.CUSTOMER,
            channel=self.channel,
            customer=self.customer,
            text=text,
            full_text=text,
            created_at=self.created_at,
        )
        search.index_conversation(self)
        queries.counts_changed()  # as every action that creates a conversation does
