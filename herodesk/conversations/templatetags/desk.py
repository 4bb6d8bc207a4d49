"""Template helpers for the agent pages."""

from __future__ import annotations

from django import template

from herodesk.conversations import history
from herodesk.signals import effort_bands, explain

register = template.Library()


@register.filter
def get_item(mapping, key):
    try:
        return mapping[key]
    except (KeyError, TypeError):
        return 0


@register.filter
def badge_level(value, kind="intensity"):
    """red / amber / green for intensity (0..1) and effort (0..100) badges."""
    if value is None:
        return ""
    if kind == "effort":
        return effort_bands.level(value)
    scale = 1.0
    ratio = float(value) / scale
    return "red" if ratio >= 0.7 else "amber" if ratio >= 0.4 else "green"


@register.filter
def effort_band(value):
    """72 -> 'high': the band word of an effort score (signals/effort_bands.py, the one place)."""
    return effort_bands.band(value)


@register.filter
def explain_reasons(reasons, text):
    """The engine's reasons of a message in plain words, quoting the customer's words (signals/explain)."""
    return explain.explain_all(list(reasons or []), text or "", limit=4)


@register.filter
def explain_driver(driver, thread):
    """An effort driver in plain words, quoting the customer's messages of ``thread`` where they drove it."""
    texts = [m.text for m in thread or () if getattr(m, "kind", "") == "customer"]
    return explain.explain_driver(driver.name, driver.detail, texts)


@register.simple_tag
def effort_scale():
    """The effort bands in words, for help texts."""
    return effort_bands.describe()


@register.filter
def humanize_name(value):
    """'apology_or_empathy' -> 'Apology or empathy' for signal names shown to agents."""
    return str(value).replace("_", " ").capitalize()


@register.filter
def in_words(event):
    """An event as a sentence ("Assigned by Chen Zhang to Ada Okafor"): the one way history is shown."""
    return history.sentence(event)
