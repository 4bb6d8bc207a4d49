"""Reads of the quality app that check access."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from herodesk.accounts.models import Team, User
from herodesk.conversations.queries import team_ids, visible_conversations
from herodesk.params import MAX_ID
from herodesk.quality.models import (
    CalibrationSession,
    Dispute,
    PracticeAttempt,
    PracticeScenario,
    Review,
    Rubric,
    TeamQuality,
)


def current_rubric(team: Team | int) -> Rubric | None:
    team_id = team.pk if isinstance(team, Team) else team
    return Rubric.objects.filter(team_id=team_id).order_by("-version").first()


def team_settings(team: Team) -> TeamQuality | None:
    return TeamQuality.objects.filter(team=team).first()


def vision_for(user: User) -> list[tuple[str, str]]:
    """(team name, vision) for the user's teams that wrote one."""
    rows = TeamQuality.objects.filter(team_id__in=team_ids(user)).exclude(vision="")
    return [(row.team.name, row.vision) for row in rows.select_related("team").order_by("team__name")]


def quality_teams(user: User) -> list[Team]:
    """The teams whose quality pages the user may open: admins all, others their own."""
    teams = Team.objects.order_by("name")
    return list(teams if user.is_admin else teams.filter(pk__in=team_ids(user)))


def team_for(user: User, pk: int) -> Team:
    for team in quality_teams(user):
        if team.pk == pk:
            return team
    raise Http404("No such team")


def can_lead(user: User, team: Team | int | None) -> bool:
    """Leads of the team (and admins) set the rubric, sample sizes, calibration and resolve disputes."""
    if user.is_admin:
        return True
    team_id = team.pk if isinstance(team, Team) else team
    return user.is_lead and team_id in team_ids(user)


def can_review(user: User, team: Team | int | None) -> bool:
    """Leads of the team, and the reviewers the lead named while they are on the team."""
    if can_lead(user, team):
        return True
    team_id = team.pk if isinstance(team, Team) else team
    return (
        team_id is not None
        and team_id in team_ids(user)
        and TeamQuality.objects.filter(team_id=team_id, reviewers=user).exists()
    )


def review_for(user: User, pk: int) -> Review:
    """A review its agent, its reviewer, or a lead/reviewer of the team may see; otherwise 404.

    A calibration review stays blind: other reviewers see it only once the lead reveals the session."""
    if not 0 < pk <= MAX_ID:
        raise Http404("No such review")
    review = (
        Review.objects.select_related("conversation", "agent", "reviewer", "rubric", "calibration")
        .filter(pk=pk)
        .first()
    )
    # A review shows its conversation: nobody who may not open the conversation opens the review (an
    # agent or reviewer who left the team, a conversation transferred away since).
    if review is None or not visible_conversations(user).filter(pk=review.conversation_id).exists():
        raise Http404("No such review")
    if user.pk in (review.agent_id, review.reviewer_id) and not (
        review.calibration_id and user.pk == review.agent_id and review.reviewer_id != user.pk
    ):
        return review
    team_id = review.rubric.team_id
    session = review.calibration
    if session is not None:
        if can_lead(user, team_id) or (session.revealed_at and session.reviewers.filter(pk=user.pk).exists()):
            return review
        raise Http404("No such review")
    if can_review(user, team_id):
        return review
    raise Http404("No such review")


def reviews_of_conversation(user: User, conversation_id: int) -> list[Review]:
    """The submitted (non-calibration) reviews of a conversation the user may see, newest first."""
    rows = (
        Review.objects.filter(conversation_id=conversation_id, calibration__isnull=True)
        .select_related("reviewer")
        .only(  # what the side card shows: the reviewer's name, the status and the score
            "agent", "reviewer", "status", "score", "failed_critical",
            "reviewer__username", "reviewer__first_name", "reviewer__last_name",
        )  # fmt: skip
    )
    return [r for r in rows if r.status == Review.Status.SUBMITTED or r.reviewer_id == user.pk]


def reviews_of_agent(agent: User) -> QuerySet[Review]:
    """The agent's submitted reviews, of the conversations they may still open (a review shows its thread)."""
    return Review.objects.filter(
        agent=agent,
        status=Review.Status.SUBMITTED,
        calibration__isnull=True,
        conversation__in=visible_conversations(agent),
    ).select_related("conversation", "reviewer")


def open_disputes(user: User) -> list[Dispute]:
    rows = Dispute.objects.filter(state=Dispute.State.OPEN).select_related(
        "score__behaviour", "score__review__conversation", "score__review__rubric", "raised_by"
    )
    return [d for d in rows if can_lead(user, d.score.review.rubric.team_id)]


def calibration_for(user: User, pk: int) -> CalibrationSession:
    if not 0 < pk <= MAX_ID:
        raise Http404("No such calibration session")
    session = CalibrationSession.objects.select_related("team").filter(pk=pk).first()
    if session is None or not (
        can_lead(user, session.team_id)
        or (session.team_id in team_ids(user) and session.reviewers.filter(pk=user.pk).exists())
    ):
        raise Http404("No such calibration session")
    return session


def reviews_visible(user: User) -> QuerySet[Review]:
    """Submitted (non-calibration) reviews the user may read: of their own conversations, and every review
    of the teams they lead or review for."""
    teams = [t.pk for t in quality_teams(user) if can_review(user, t)]
    return (
        Review.objects.filter(calibration__isnull=True, status=Review.Status.SUBMITTED)
        .filter(Q(agent=user) | Q(rubric__team_id__in=teams))
        .filter(conversation__in=visible_conversations(user))
        .select_related("conversation", "agent", "reviewer", "rubric")
        .order_by("-submitted_at", "-id")
    )


def scenario_for(user: User, pk: int) -> PracticeScenario:
    """A practice scenario of one of the user's teams (admins: any); otherwise 404."""
    if not 0 < pk <= MAX_ID:
        raise Http404("No such scenario")
    scenario = PracticeScenario.objects.select_related("team").filter(pk=pk).first()
    if scenario is None or not (user.is_admin or scenario.team_id in team_ids(user)):
        raise Http404("No such scenario")
    return scenario


def attempt_for(user: User, pk: int) -> PracticeAttempt:
    """A practice attempt its agent, or a lead of the scenario's team, may see; otherwise 404."""
    if not 0 < pk <= MAX_ID:
        raise Http404("No such practice attempt")
    attempt = (
        PracticeAttempt.objects.select_related("scenario", "agent", "rubric", "scored_by")
        .filter(pk=pk)
        .first()
    )
    if attempt is None or not (attempt.agent_id == user.pk or can_lead(user, attempt.scenario.team_id)):
        raise Http404("No such practice attempt")
    return attempt


def practice_attempts(user: User, team: Team) -> QuerySet[PracticeAttempt]:
    """The team's practice attempts: a lead sees everyone's, an agent their own."""
    rows = PracticeAttempt.objects.filter(scenario__team=team).select_related("scenario", "agent")
    return rows if can_lead(user, team) else rows.filter(agent=user)
