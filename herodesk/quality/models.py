"""Quality and coaching: the team's rubric (versioned), reviews with AutoQA suggestions, disputes, the weekly
sample and calibration sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import Conversation, Message

USER = settings.AUTH_USER_MODEL


class TeamQuality(models.Model):
    """A team's service vision and how its weekly sample is drawn."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="+")
    vision = models.TextField(blank=True)
    random_per_agent = models.PositiveSmallIntegerField(default=2)
    risk_per_agent = models.PositiveSmallIntegerField(default=3)
    reviewers = models.ManyToManyField(User, blank=True, related_name="+")
    digest = models.BooleanField(default=True, help_text="Send each agent the weekly digest email.")

    def __str__(self) -> str:
        return f"Quality settings of {self.team}"


class Rubric(models.Model):
    """One version of a team's rubric. Editing makes a new version; old reviews keep theirs."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["team", "-version"]
        constraints = [models.UniqueConstraint(fields=["team", "version"], name="rubric_team_version")]

    def __str__(self) -> str:
        return f"{self.team} rubric v{self.version}"


class Behaviour(models.Model):
    class Scale(models.TextChoices):
        YES_NO = "yes_no", "Yes / no"
        FIVE = "five", "1–5"

    class AutoQA(models.TextChoices):
        NONE = "", "Not judged by AutoQA"
        RELIEF = "relief", "Relief in a high-intensity moment"
        OWNERSHIP = "ownership", "Ownership"
        PROMISE = "promise", "Promise kept"
        NEXT_STEP = "next_step", "Clear next step"
        TONE = "tone", "Tone and empathy"

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="behaviours")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    scale = models.CharField(max_length=10, choices=Scale.choices, default=Scale.YES_NO)
    allow_na = models.BooleanField(default=True)
    critical = models.BooleanField(default=False)
    autoqa = models.CharField(max_length=20, choices=AutoQA.choices, blank=True, default="")

    class Meta:
        ordering = ["rubric", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def top(self) -> int:
        return 1 if self.scale == self.Scale.YES_NO else 5

    def fraction(self, value: int) -> float:
        """A score as 0..1: yes/no is 0 or 1, 1–5 maps 1 -> 0 and 5 -> 1."""
        return float(value) if self.scale == self.Scale.YES_NO else (value - 1) / 4

    def fails(self, value: int) -> bool:
        """A failing score: "no", or 1–2 of 5."""
        return value == 0 if self.scale == self.Scale.YES_NO else value <= 2


class CalibrationSession(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    revealed_at = models.DateTimeField(null=True, blank=True)
    conversations = models.ManyToManyField(Conversation, related_name="+")
    reviewers = models.ManyToManyField(User, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewer = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="reviews")
    calibration = models.ForeignKey(
        CalibrationSession, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    score = models.FloatField(
        null=True, blank=True, help_text="0–100, weighted; 0 when a critical one fails."
    )
    failed_critical = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agent", "submitted_at"], name="review_agent"),
            models.Index(fields=["conversation"], name="review_conversation"),
        ]

    def __str__(self) -> str:
        return f"Review of #{self.conversation_id}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    behaviour = models.ForeignKey(Behaviour, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField(null=True, blank=True, help_text="None: not scored or not applicable.")
    not_applicable = models.BooleanField(default=False)
    autoqa_value = models.SmallIntegerField(null=True, blank=True)
    autoqa_evidence = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["behaviour__position", "behaviour_id"]
        constraints = [models.UniqueConstraint(fields=["review", "behaviour"], name="score_once")]

    def __str__(self) -> str:
        return f"{self.behaviour_id}: {self.value}"

    @property
    def accepted_autoqa(self) -> bool:
        return self.autoqa_value is not None and self.value == self.autoqa_value


class ScoreChange(models.Model):
    """Every change of a score: the AutoQA suggestion, a reviewer's change, a lead resolving a dispute."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="changes")
    old = models.SmallIntegerField(null=True, blank=True)
    new = models.SmallIntegerField(null=True, blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    why = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.old} -> {self.new}"


class ReviewComment(models.Model):
    """A reviewer's comment pinned to one message of the conversation."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Dispute(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Score kept"
        CHANGED = "changed", "Score changed"

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="disputes")
    raised_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Dispute on score {self.score_id}"


class SampleItem(models.Model):
    """One conversation chosen for review in a week, for one agent, and why."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday the week starts.")
    agent = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    why = models.JSONField(default=list, help_text='Reasons: "random" or the risks found.')
    reviewer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["week", "agent", "id"]
        constraints = [
            models.UniqueConstraint(fields=["week", "agent", "conversation"], name="sample_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id} for {self.agent_id}"


class CoachingPlan(models.Model):
    """Goals for one agent (rubric behaviours they are below the team on), a session note, a follow-up date.
    Progress is judged by the same behaviours on the agent's conversations before and after it started."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    goals = models.JSONField(default=list, help_text="Names of the rubric behaviours to work on.")
    note = models.TextField(blank=True, help_text="What was said in the coaching session.")
    follow_up = models.DateField()
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Coaching plan for {self.agent_id}"


class Kudos(models.Model):
    """Specific positive feedback on one agent message, from a colleague or a lead."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    giver = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["conversation"], name="kudos_conversation")]

    def __str__(self) -> str:
        return self.text[:40]


class PracticeScenario(models.Model):
    """A real conversation turned into an exercise: the customer's messages with their details replaced by
    made-up ones, the agent's replies removed. Agents of the team write a reply; it is scored with the
    team's rubric."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    customer_name = models.CharField(max_length=100, help_text="The made-up name the customer goes by.")
    thread = models.JSONField(
        default=list, help_text='The customer\'s messages: [{"text": ..., "intensity": ...}], anonymised.'
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class PracticeAttempt(models.Model):
    """One agent's written reply to a scenario, scored with the rubric: AutoQA at once, a lead later."""

    scenario = models.ForeignKey(PracticeScenario, on_delete=models.CASCADE, related_name="attempts")
    agent = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    reply = models.TextField()
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+")
    autoqa = models.JSONField(
        default=dict, help_text='AutoQA per behaviour id: {"<id>": {"value": 1, "evidence": [...]}}.'
    )
    autoqa_score = models.FloatField(null=True, blank=True)
    scores = models.JSONField(
        default=dict, help_text='The lead\'s scores per behaviour id: a number or "na".'
    )
    score = models.FloatField(null=True, blank=True)
    failed_critical = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    scored_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scored_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Practice attempt {self.pk}"


class DigestSent(models.Model):
    """The weekly digest an agent was sent: one row per agent per week, so a job run twice sends once."""

    agent = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday of the week the digest covers.")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "week"], name="digest_once")]

    def __str__(self) -> str:
        return f"Digest {self.week} for {self.agent_id}"
