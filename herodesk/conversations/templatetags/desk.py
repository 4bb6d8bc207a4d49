"""Template helpers for the agent pages (a builtin library: every template has them without ``{% load %}``).

It also replaces Django's ``{% url %}`` with the same tag whose ``reverse()`` results are kept per process:
a page has dozens of links, and each reverse costs about a hundred Python calls.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from herodesk.conversations import history
from herodesk.signals import effort_bands, explain

register = template.Library()

# reverse() depends only on its arguments, the URLconf and the script prefix: all part of the key.
_reversed: dict[tuple, tuple[str, str]] = {}
REVERSED_KEPT = 20_000  # links to conversations carry their id: start again rather than grow without end


def _reverse_kept(view_name, args: tuple, kwargs: tuple, current_app) -> tuple[str, str]:
    """(url, url escaped for HTML), kept per process; NoReverseMatch as reverse() raises it."""
    key = (view_name, args, kwargs, current_app, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    try:
        found = _reversed.get(key)
    except TypeError:  # an argument that cannot be a key: reverse it every time
        key, found = None, None
    if found is None:
        url = reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
        found = (url, conditional_escape(url))
        if key is not None:
            if len(_reversed) >= REVERSED_KEPT:
                _reversed.clear()
            _reversed[key] = found
    return found


def cached_reverse(view_name: str, *args) -> str:
    """``reverse(view_name, args=args)``, kept per process like the ``{% url %}`` tag's."""
    return _reverse_kept(view_name, args, (), None)[0]


class CachedURLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((k, v.resolve(context)) for k, v in self.kwargs.items())
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        try:
            url, escaped = _reverse_kept(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = escaped = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return escaped if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's ``{% url %}`` (same syntax and errors), with its results kept per process."""
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)


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


@register.simple_tag
def options(items, selected=None, label="display_name"):
    """The ``<option>`` tags of a picker, built in one go (a template loop costs ~50 calls per option).

    ``items`` are choices (value, label) or objects with ``pk`` and the ``label`` attribute; the option
    whose value equals ``selected`` is selected. Every value and label is escaped here."""
    parts = []
    for item in items:
        if isinstance(item, tuple):
            value, text = item
        else:
            value, text = item.pk, getattr(item, label)
        mark = " selected" if selected is not None and value == selected else ""
        shown = value if isinstance(value, int) else conditional_escape(value)
        parts.append(f'<option value="{shown}"{mark}>{conditional_escape(text)}</option>')
    return mark_safe("".join(parts))  # noqa: S308 (each value and label escaped above)
