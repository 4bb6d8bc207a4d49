"""AutoQA: a suggested score, with its evidence, for each rubric behaviour the signals can judge.

It reads what the analysis job already found (intensity of customer messages, promises kept or broken) and
runs the engine's behaviour detectors on the agent's replies for the words that show each behaviour. A
suggestion is a verdict (passed or not) plus evidence; the reviewer accepts or changes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from herodesk.conversations.models import Message
from herodesk.insights.actions import RELIEF_THRESHOLD
from herodesk.insights.models import Promise
from herodesk.quality.models import Behaviour
from herodesk.signals import behaviours

AGENT_KINDS = (Message.Kind.REPLY, Message.Kind.PHONE)
A = Behaviour.AutoQA


@dataclass(frozen=True, slots=True)
class Suggestion:
    passed: bool
    evidence: list[dict[str, object]] = field(default_factory=list)

    def value_for(self, behaviour: Behaviour) -> int:
        """The score it suggests on the behaviour's scale: yes/no 1/0, 1–5 as 4 or 2."""
        if behaviour.scale == Behaviour.Scale.YES_NO:
            return 1 if self.passed else 0
        return 4 if self.passed else 2


def _cite(message: Message, text: str) -> dict[str, object]:
    return {"message": message.pk, "text": text[:200]}


def suggest(messages: Sequence[Message], promises: Sequence[Promise]) -> dict[str, Suggestion]:
    """Suggestions by AutoQA key, for the thread (in order) and its promises; a key is missing when the
    signals cannot judge it on this conversation (for example no intense moment: nothing to relieve)."""
    replies = [m for m in messages if m.kind in AGENT_KINDS and m.text.strip()]
    found = {m.pk: behaviours.detect(m.text) for m in replies}
    out: dict[str, Suggestion] = {}
    if replies:
        owning = [(m, found[m.pk].ownership_language.evidence) for m in replies]
        owning = [(m, ev) for m, ev in owning if ev]
        deflecting = [(m, found[m.pk].deflecting_language.evidence) for m in replies]
        deflecting = [(m, ev) for m, ev in deflecting if ev]
        if owning:
            out[A.OWNERSHIP] = Suggestion(True, [_cite(m, ev[0]) for m, ev in owning[:3]])
        else:
            cited = [_cite(m, f"Passes it on: “{ev[0]}”") for m, ev in deflecting[:3]]
            out[A.OWNERSHIP] = Suggestion(
                False, cited or [_cite(replies[0], "No reply takes it on in the first person")]
            )
        last = replies[-1]
        step = found[last.pk].clear_next_step.evidence
        out[A.NEXT_STEP] = Suggestion(
            bool(step), [_cite(last, step[0])] if step else [_cite(last, "The last reply gives no next step")]
        )
        blame = [(m, found[m.pk].blaming_language.evidence) for m in replies]
        blame = [(m, ev) for m, ev in blame if ev]
        empathy = [(m, found[m.pk].apology_or_empathy.evidence) for m in replies]
        empathy = [(m, ev) for m, ev in empathy if ev]
        if blame:
            out[A.TONE] = Suggestion(False, [_cite(m, f"Blames: “{ev[0]}”") for m, ev in blame[:3]])
        elif empathy:
            out[A.TONE] = Suggestion(True, [_cite(m, ev[0]) for m, ev in empathy[:3]])
    relief = _relief(messages, found)
    if relief is not None:
        out[A.RELIEF] = relief
    kept = [p for p in promises if p.state == Promise.State.KEPT]
    broken = [p for p in promises if p.state == Promise.State.BROKEN]
    if broken:
        out[A.PROMISE] = Suggestion(
            False, [{"message": p.message_id, "text": f"Broken: “{p.text[:150]}”"} for p in broken[:3]]
        )
    elif kept:
        out[A.PROMISE] = Suggestion(
            True, [{"message": p.message_id, "text": f"Kept: “{p.text[:150]}”"} for p in kept[:3]]
        )
    return out


def _relief(messages: Sequence[Message], found: dict[int, behaviours.BehaviourResult]) -> Suggestion | None:
    """Relief: the first reply after an intense customer message acknowledges it or takes it on."""
    for i, message in enumerate(messages):
        if message.kind != Message.Kind.CUSTOMER or (message.intensity or 0) < RELIEF_THRESHOLD:
            continue
        reply = next((m for m in messages[i + 1 :] if m.pk in found), None)
        if reply is None:
            return Suggestion(False, [_cite(message, "No reply after this intense message")])
        result = found[reply.pk]
        words = result.apology_or_empathy.evidence or result.ownership_language.evidence
        if words:
            return Suggestion(True, [_cite(reply, words[0])])
        return Suggestion(
            False, [_cite(reply, "The reply after the intense message neither acknowledges nor takes it on")]
        )
    return None


def summary_score(flags_per_reply: Sequence[Sequence[str]]) -> float | None:
    """A quick AutoQA score 0..1 from the flags the analysis job cached (no text read): the share of good
    signs (ownership, next step, empathy) less the bad ones (deflecting, blaming)."""
    if not flags_per_reply:
        return None
    good = {"ownership_language", "clear_next_step", "apology_or_empathy"}
    bad = {"deflecting_language", "blaming_language"}
    points = [(len(good & set(flags)) - len(bad & set(flags))) / len(good) for flags in flags_per_reply]
    return max(0.0, min(1.0, sum(points) / len(points)))
