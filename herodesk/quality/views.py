"""Quality pages: the team's rubric and vision, the weekly sample, the review screen (beside the
conversation), disputes, calibration sessions, AutoQA agreement and scorecards."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from herodesk.accounts.models import Team, User
from herodesk.accounts.requests import AuthedRequest
from herodesk.conversations.models import Message
from herodesk.conversations.queries import conversation_for_agent
from herodesk.errors import ActionError
from herodesk.insights.models import Promise
from herodesk.params import MAX_ID, query_int
from herodesk.quality import actions, queries, stats
from herodesk.quality.models import (
    Behaviour,
    CalibrationSession,
    CoachingPlan,
    Dispute,
    PracticeAttempt,
    PracticeScenario,
    Review,
    SampleItem,
    Score,
)
from herodesk.quality.rubric import BehaviourDraft

EXTRA_ROWS = 2  # empty rows on the rubric form for new behaviours


def _fail(request: AuthedRequest, error: ActionError) -> None:
    messages.error(request, error.summary() if error.fields else f"{error.message}.")


def _lead_team(request: AuthedRequest, pk: int) -> Team:
    team = queries.team_for(request.user, pk)
    if not queries.can_lead(request.user, team):
        raise PermissionDenied("Only a lead of the team can open this page.")
    return team


@login_required
def overview(request: AuthedRequest) -> HttpResponse:
    user = request.user
    teams = [
        {"team": t, "lead": queries.can_lead(user, t), "review": queries.can_review(user, t),
         "vision": (queries.team_settings(t) or None)}
        for t in queries.quality_teams(user)
    ]  # fmt: skip
    assignments = (
        SampleItem.objects.filter(reviewer=user, review__isnull=True)
        .select_related("conversation", "agent")
        .order_by("-week", "id")[:50]
    )
    mine = queries.reviews_of_agent(user).order_by("-submitted_at")[:20]
    return render(
        request,
        "quality/overview.html",
        {
            "teams": teams,
            "assignments": assignments,
            "mine": mine,
            "disputes": queries.open_disputes(user),
            "plans": CoachingPlan.objects.filter(agent=user)[:5],
        },
    )


# Rubric and vision -------------------------------------------------------------------------------------


def _drafts_from(post) -> list[BehaviourDraft]:
    drafts = []
    for i in range(int(post.get("rows", "0") or 0) if str(post.get("rows", "0")).isdigit() else 0):
        name = post.get(f"name_{i}", "").strip()
        if not name or post.get(f"remove_{i}"):
            continue
        weight = post.get(f"weight_{i}", "1")
        drafts.append(
            BehaviourDraft(
                name=name,
                description=post.get(f"description_{i}", ""),
                weight=int(weight) if weight.isdigit() else 0,
                scale=post.get(f"scale_{i}", Behaviour.Scale.YES_NO),
                allow_na=bool(post.get(f"allow_na_{i}")),
                critical=bool(post.get(f"critical_{i}")),
                autoqa=post.get(f"autoqa_{i}", ""),
            )
        )
    return drafts


@login_required
def rubric(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = queries.team_for(request.user, team_id)
    lead = queries.can_lead(request.user, team)
    current = queries.current_rubric(team)
    if current is None and lead:
        current = actions.do_ensure_rubric(team, request.user)
    status = 200
    if request.method == "POST":
        if not lead:
            raise PermissionDenied("Only a lead of the team can change the rubric.")
        try:
            if "vision" in request.POST:
                actions.do_set_vision(team, request.user, request.POST.get("vision", ""))
                messages.success(request, "Service vision saved.")
            else:
                new = actions.do_save_rubric(team, request.user, _drafts_from(request.POST))
                messages.success(
                    request, f"Rubric saved as version {new.version}. Earlier reviews keep their version."
                )
            return redirect("quality:rubric", team.pk)
        except ActionError as error:
            _fail(request, error)
            status = 400
    behaviours = list(current.behaviours.all()) if current else []
    rows = [*behaviours, *[None] * EXTRA_ROWS]
    return render(
        request,
        "quality/rubric.html",
        {
            "team": team,
            "lead": lead,
            "rubric": current,
            "rows": rows,
            "row_count": len(rows),
            "settings": queries.team_settings(team),
            "scales": Behaviour.Scale.choices,
            "judges": Behaviour.AutoQA.choices,
        },
        status=status,
    )


# The weekly sample -------------------------------------------------------------------------------------


def _week(request: AuthedRequest) -> date:
    raw = request.GET.get("week") or request.POST.get("week")
    if raw:
        try:
            return actions.week_start(date.fromisoformat(raw))
        except ValueError:
            raise Http404("The week must be a date like 2026-03-02") from None
    return actions.week_start(timezone.localdate())


@login_required
def sample(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = queries.team_for(request.user, team_id)
    if not queries.can_review(request.user, team):
        raise PermissionDenied("Only the team's leads and reviewers see its sample.")
    week = _week(request)
    lead = queries.can_lead(request.user, team)
    if request.method == "POST":
        if not lead:
            raise PermissionDenied("Only a lead draws the sample.")
        try:
            if "digest_form" in request.POST:
                on = request.POST.get("digest") == "1"
                actions.do_set_digest(team, request.user, on)
                messages.success(request, "Weekly digest " + ("on." if on else "off."))
            elif "random_per_agent" in request.POST:
                actions.do_set_sampling(
                    team,
                    request.user,
                    query_int(request.POST, "random_per_agent", 0, minimum=0, maximum=20) or 0,
                    query_int(request.POST, "risk_per_agent", 0, minimum=0, maximum=20) or 0,
                    [int(x) for x in request.POST.getlist("reviewers") if x.isdigit()],
                )
                messages.success(request, "Sample sizes saved.")
            else:
                drawn = actions.do_draw_sample(team, request.user, week)
                messages.success(request, f"{len(drawn)} conversations added to the sample.")
        except ActionError as error:
            _fail(request, error)
        return redirect(f"{request.path}?week={week.isoformat()}")
    items = list(
        SampleItem.objects.filter(team=team, week=week)
        .select_related("agent", "reviewer", "conversation", "review")
        .order_by("agent__first_name", "id")
    )
    for item in items:
        item.reasons = [actions.RISKS.get(w, "Random pick") for w in item.why]  # type: ignore[attr-defined]
    settings = queries.team_settings(team)
    return render(
        request,
        "quality/sample.html",
        {
            "team": team,
            "week": week,
            "lead": lead,
            "items": items,
            "settings": settings,
            "members": User.objects.filter(teams=team, is_active=True).order_by("first_name"),
            "reviewer_ids": set(settings.reviewers.values_list("pk", flat=True)) if settings else set(),
            "previous": week - timedelta(days=7),
            "next": week + timedelta(days=7),
        },
    )


# Reviews ------------------------------------------------------------------------------------------------


@login_required
@require_POST
def start_review(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    conversation = conversation_for_agent(request.user, conversation_id)
    try:
        review = actions.do_start_review(conversation, request.user)
    except ActionError as error:
        _fail(request, error)
        return redirect("conversations:detail", conversation.pk)
    return redirect("quality:review", review.pk)


@login_required
def review(request: AuthedRequest, pk: int) -> HttpResponse:
    item = queries.review_for(request.user, pk)
    user = request.user
    if request.method == "POST":
        values = {
            s.behaviour_id: request.POST.get(f"b{s.behaviour_id}", "")
            for s in item.scores.only("behaviour_id")
        }
        submit = request.POST.get("submit") == "1"
        try:
            actions.do_score_review(item, user, values, request.POST.get("note", ""), submit=submit)
        except ActionError as error:
            _fail(request, error)
            return redirect("quality:review", item.pk)
        messages.success(request, "Review submitted." if submit else "Draft saved.")
        if submit and item.calibration_id:
            return redirect("quality:calibration", item.calibration_id)
        return redirect("quality:review", item.pk)
    scores = list(item.scores.select_related("behaviour").prefetch_related("changes__by", "disputes"))
    thread = list(
        item.conversation.messages.select_related("author", "customer").order_by("created_at", "id")
    )
    comments: dict[int, list] = {}
    for c in item.comments.select_related("author"):
        comments.setdefault(c.message_id, []).append(c)
    for m in thread:
        m.review_comments = comments.get(m.pk, [])  # type: ignore[attr-defined]
    team_id = item.rubric.team_id
    return render(
        request,
        "quality/review.html",
        {
            "review": item,
            "conversation": item.conversation,
            "thread": thread,
            "scores": scores,
            "editing": item.status == Review.Status.DRAFT and item.reviewer_id == user.pk,
            "is_agent": item.agent_id == user.pk,
            "lead": queries.can_lead(user, team_id),
            "promises": Promise.objects.filter(conversation=item.conversation).order_by("created_at"),
            "blind": bool(item.calibration_id),
        },
    )


@login_required
@require_POST
def pin_comment(request: AuthedRequest, pk: int) -> HttpResponse:
    item = queries.review_for(request.user, pk)
    try:
        actions.do_pin_comment(
            item, request.user, query_int(request.POST, "message") or 0, request.POST.get("text", "")
        )
    except ActionError as error:
        _fail(request, error)
    else:
        messages.success(request, "Comment pinned to the message.")
    return redirect("quality:review", item.pk)


@login_required
@require_POST
def acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    item = queries.review_for(request.user, pk)
    try:
        actions.do_acknowledge(item, request.user)
    except ActionError as error:
        _fail(request, error)
    else:
        messages.success(request, "Review acknowledged.")
    return redirect("quality:review", item.pk)


@login_required
@require_POST
def dispute(request: AuthedRequest, pk: int) -> HttpResponse:
    score = get_object_or_404(Score.objects.select_related("review", "behaviour"), pk=min(pk, MAX_ID + 1))
    item = queries.review_for(request.user, score.review_id)
    score.review = item
    try:
        actions.do_dispute(score, request.user, request.POST.get("reason", ""))
    except ActionError as error:
        _fail(request, error)
    else:
        messages.success(request, "Dispute sent to the team's leads.")
    return redirect("quality:review", item.pk)


@login_required
@require_POST
def resolve_dispute(request: AuthedRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Dispute.objects.select_related("score__behaviour", "score__review"), pk=min(pk, MAX_ID + 1)
    )
    item = queries.review_for(request.user, found.score.review_id)
    try:
        actions.do_resolve_dispute(
            found, request.user, request.POST.get("value", ""), request.POST.get("resolution", "")
        )
    except ActionError as error:
        _fail(request, error)
    else:
        messages.success(request, "Dispute resolved.")
    return redirect("quality:review", item.pk)


# Calibration ---------------------------------------------------------------------------------------------


@login_required
def calibrations(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = _lead_team(request, team_id)
    if request.method == "POST":
        ids = [
            int(x)
            for x in request.POST.get("conversations", "").replace(",", " ").replace("#", "").split()
            if x.isdigit()
        ]
        try:
            session = actions.do_start_calibration(
                team,
                request.user,
                request.POST.get("name", ""),
                ids,
                [int(x) for x in request.POST.getlist("reviewers") if x.isdigit()],
            )
        except ActionError as error:
            _fail(request, error)
            return redirect("quality:calibrations", team.pk)
        return redirect("quality:calibration", session.pk)
    sessions = list(
        CalibrationSession.objects.filter(team=team).prefetch_related("conversations", "reviewers")
    )
    return render(
        request,
        "quality/calibrations.html",
        {
            "team": team,
            "sessions": sessions,
            "members": User.objects.filter(teams=team, is_active=True).order_by("first_name"),
        },
    )


@login_required
def calibration(request: AuthedRequest, pk: int) -> HttpResponse:
    session = queries.calibration_for(request.user, pk)
    lead = queries.can_lead(request.user, session.team_id)
    if request.method == "POST":
        try:
            if "reveal" in request.POST:
                actions.do_reveal_calibration(session, request.user)
                messages.success(request, "Scores revealed to the reviewers.")
            else:
                conversation_id = query_int(request.POST, "conversation") or 0
                conversation = session.conversations.filter(pk=conversation_id).first()
                if conversation is None:
                    raise Http404("Not a conversation of this session")
                started = actions.do_start_review(conversation, request.user, calibration=session)
                return redirect("quality:review", started.pk)
        except ActionError as error:
            _fail(request, error)
        return redirect("quality:calibration", session.pk)
    mine = {r.conversation_id: r for r in session.reviews.filter(reviewer=request.user)}
    conversations = list(session.conversations.order_by("pk"))
    for c in conversations:
        c.my_review = mine.get(c.pk)  # type: ignore[attr-defined]
    show = bool(session.revealed_at) or lead
    return render(
        request,
        "quality/calibration.html",
        {
            "session": session,
            "lead": lead,
            "conversations": conversations,
            "is_reviewer": session.reviewers.filter(pk=request.user.pk).exists(),
            "result": stats.calibration_result(session) if show else None,
            "revealed": bool(session.revealed_at),
        },
    )


# AutoQA and scorecards ---------------------------------------------------------------------------------


@login_required
def autoqa(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = _lead_team(request, team_id)
    return render(
        request,
        "quality/autoqa.html",
        {
            "team": team,
            "rows": stats.autoqa_agreement(team),
            "threshold": stats.ADVISORY_KAPPA,
            "min_pairs": stats.MIN_PAIRS,
        },
    )


@login_required
def scorecards(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = queries.team_for(request.user, team_id)
    lead = queries.can_review(request.user, team)
    agent_id = query_int(request.GET, "agent")
    members = list(User.objects.filter(teams=team, is_active=True).order_by("first_name"))
    agent = next((m for m in members if m.pk == agent_id), None) if agent_id else None
    if not lead:
        agent = request.user  # an agent sees their own scorecard only
    rows = stats.scorecard(team, agent)
    names = sorted({name for row in rows for name in row.behaviours})
    return render(
        request,
        "quality/scorecards.html",
        {
            "team": team,
            "rows": rows,
            "names": names,
            "agent": agent,
            "members": members if lead else [],
            "lead": lead,
        },
    )


# Coaching ----------------------------------------------------------------------------------------------


@login_required
def coaching(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = _lead_team(request, team_id)
    if request.method == "POST":
        raw = request.POST.get("follow_up", "")
        try:
            follow_up = date.fromisoformat(raw) if raw else None
        except ValueError:
            follow_up = None
        try:
            plan = actions.do_create_coaching_plan(
                team,
                request.user,
                query_int(request.POST, "agent") or 0,
                request.POST.getlist("goals"),
                request.POST.get("note", ""),
                follow_up,
            )
        except ActionError as error:
            _fail(request, error)
            return redirect("quality:coaching", team.pk)
        messages.success(request, "Coaching plan saved; the agent was told.")
        return redirect("quality:coaching_plan", plan.pk)
    members = list(User.objects.filter(teams=team, is_active=True).order_by("first_name"))
    gaps = stats.skill_gaps(team)
    rubric = queries.current_rubric(team)
    return render(
        request,
        "quality/coaching.html",
        {
            "team": team,
            "rows": [{"agent": m, "gaps": gaps.get(m.pk, [])} for m in members],
            "behaviours": list(rubric.behaviours.values_list("name", flat=True)) if rubric else [],
            "plans": CoachingPlan.objects.filter(team=team).select_related("agent"),
            "agent_id": query_int(request.GET, "agent"),
            "suggested": {g.name for g in gaps.get(query_int(request.GET, "agent") or 0, [])},
            "tomorrow": timezone.localdate() + timedelta(days=14),
        },
    )


@login_required
def coaching_plan(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(
        CoachingPlan.objects.select_related("team", "agent", "created_by"), pk=min(pk, MAX_ID + 1)
    )
    if plan.agent_id != request.user.pk and not queries.can_lead(request.user, plan.team_id):
        raise Http404("No such coaching plan")
    return render(
        request, "quality/coaching_plan.html", {"plan": plan, "progress": stats.plan_progress(plan)}
    )


# Kudos, hero stories and the smile report ---------------------------------------------------------------


@login_required
@require_POST
def give_kudos(request: AuthedRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(
        Message.objects.only("conversation_id", "kind", "author_id"), pk=min(message_id, MAX_ID + 1)
    )
    conversation_for_agent(request.user, message.conversation_id)  # 404 unless the user may see it
    try:
        actions.do_give_kudos(request.user, message, request.POST.get("text", ""))
    except ActionError as error:
        _fail(request, error)
    else:
        messages.success(request, "Kudos sent.")
    return redirect(reverse("conversations:detail", args=[message.conversation_id]) + f"#m{message.pk}")


@login_required
def stories(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = queries.team_for(request.user, team_id)
    return render(request, "quality/stories.html", {"team": team, "stories": stats.hero_stories(team)})


@login_required
def smiles(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = queries.team_for(request.user, team_id)
    raw = request.GET.get("month", "")
    try:
        month = date.fromisoformat(f"{raw}-01") if raw else timezone.localdate().replace(day=1)
    except ValueError:
        raise Http404("The month must look like 2026-03") from None
    report = stats.smile_report(team, month)
    previous = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "quality/smiles.html",
        {"team": team, "report": report, "previous": previous, "following": following},
    )


# Practice -----------------------------------------------------------------------------------------------


@login_required
def practice_list(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = queries.team_for(request.user, team_id)
    lead = queries.can_lead(request.user, team)
    attempts = list(queries.practice_attempts(request.user, team)[:500])
    per_agent: dict[int, dict[str, object]] = {}
    for a in attempts:
        row = per_agent.setdefault(a.agent_id, {"agent": a.agent, "attempts": []})
        row["attempts"].append(a)  # type: ignore[attr-defined]
    return render(
        request,
        "quality/practice.html",
        {
            "team": team,
            "lead": lead,
            "scenarios": PracticeScenario.objects.filter(team=team)[:200],
            "per_agent": sorted(per_agent.values(), key=lambda r: str(r["agent"])),
        },
    )


@login_required
@require_POST
def create_scenario(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    conversation = conversation_for_agent(request.user, conversation_id)
    try:
        made = actions.do_create_scenario(conversation, request.user, request.POST.get("title", ""))
    except ActionError as error:
        _fail(request, error)
        return redirect("conversations:detail", conversation.pk)
    messages.success(request, "Practice scenario created; the customer's details are made up.")
    return redirect("quality:scenario", made.pk)


@login_required
def scenario(request: AuthedRequest, pk: int) -> HttpResponse:
    item = queries.scenario_for(request.user, pk)
    if request.method == "POST":
        try:
            attempt = actions.do_practise(item, request.user, request.POST.get("reply", ""))
        except ActionError as error:
            _fail(request, error)
            return redirect("quality:scenario", item.pk)
        return redirect("quality:practice_attempt", attempt.pk)
    return render(
        request,
        "quality/scenario.html",
        {
            "scenario": item,
            "lead": queries.can_lead(request.user, item.team_id),
            "mine": PracticeAttempt.objects.filter(scenario=item, agent=request.user)[:20],
        },
    )


@login_required
def practice_attempt(request: AuthedRequest, pk: int) -> HttpResponse:
    item = queries.attempt_for(request.user, pk)
    lead = queries.can_lead(request.user, item.scenario.team_id)
    behaviours = list(item.rubric.behaviours.all())
    if request.method == "POST":
        if not lead:
            raise PermissionDenied("Only a lead of the team scores practice replies.")
        values = {b.pk: request.POST.get(f"b{b.pk}", "") for b in behaviours}
        try:
            actions.do_score_practice(item, request.user, values, request.POST.get("note", ""))
        except ActionError as error:
            _fail(request, error)
        else:
            messages.success(request, "Practice reply scored; the agent was told.")
        return redirect("quality:practice_attempt", item.pk)
    rows = []
    for b in behaviours:
        auto = item.autoqa.get(str(b.pk)) or {}
        lead_value = item.scores.get(str(b.pk))
        rows.append(
            {
                "behaviour": b,
                "autoqa": auto.get("value"),
                "evidence": auto.get("evidence", []),
                "value": lead_value,
                "checked": str(lead_value) if lead_value is not None else str(auto.get("value", "")),
            }
        )
    return render(
        request,
        "quality/practice_attempt.html",
        {"attempt": item, "scenario": item.scenario, "rows": rows, "lead": lead},
    )
