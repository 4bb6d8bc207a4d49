"""Template helpers for the agent pages (a builtin library: every template has them without ``{% load %}``).

It also replaces Django's ``{% url %}`` with the same tag whose ``reverse()`` results are kept per process:
a page has dozens of links, and each reverse costs about a hundred Python calls.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, format_html_join

from herodesk.conversations import history, rows
from herodesk.signals import effort_bands, explain

register = template.Library()

# reverse() depends only on its arguments, the URLconf and the script prefix: all part of the key.
_reversed: dict[tuple, tuple[str, str]] = {}
REVERSED_KEPT = 20_000  # start again rather than grow without end
# A link with one id (a conversation, a message) is kept once per URL name as the text around the id.
_around_id: dict[tuple, tuple[str, str] | None] = {}
PROBES = (9_081_726_354, 4_567_382_910)


def url_environment() -> tuple[object, ...]:
    """What reverse() depends on besides its arguments; the same for a whole request."""
    return (get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)


def _around(view_name, current_app, environment) -> tuple[str, str] | None:
    """(text before the id, text after it) when the URL is that for every id, else None."""
    key = (view_name, current_app, environment)
    if key not in _around_id:
        found: tuple[str, str] | None = None
        try:
            first, second = (reverse(view_name, args=[p], current_app=current_app) for p in PROBES)
        except NoReverseMatch:
            pass
        else:
            probe = str(PROBES[0])
            if first.count(probe) == 1 and first.replace(probe, str(PROBES[1])) == second:
                before, after = first.split(probe)
                found = (before, after)
        if len(_around_id) >= REVERSED_KEPT:
            _around_id.clear()
        _around_id[key] = found
    return _around_id[key]


def _reverse_kept(view_name, args: tuple, kwargs: tuple, current_app, environment) -> tuple[str, str]:
    """(url, url escaped for HTML), kept per process; NoReverseMatch as reverse() raises it."""
    if len(args) == 1 and not kwargs and type(args[0]) is int and args[0] >= 0:
        around = _around(view_name, current_app, environment)
        if around is not None:
            url = f"{around[0]}{args[0]}{around[1]}"
            return url, conditional_escape(url)
    key: tuple | None = (view_name, args, kwargs, current_app, environment)
    try:
        found = _reversed.get(key)  # type: ignore[arg-type]
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


class Reverser:
    """``reverse(view_name, args=args)`` kept per process like the ``{% url %}`` tag's; make one per page."""

    def __init__(self) -> None:
        self.environment = url_environment()

    def __call__(self, view_name: str, *args: object) -> str:
        return _reverse_kept(view_name, args, (), None, self.environment)[0]


class CachedURLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((k, v.resolve(context)) for k, v in self.kwargs.items())
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        environment = getattr(context, "_url_environment", None)
        if environment is None:  # once per page: includes render with the same context
            environment = context._url_environment = url_environment()
        try:
            url, escaped = _reverse_kept(view_name, args, kwargs, current_app, environment)
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
    whose value equals ``selected`` is selected (``rows.options`` escapes every value and label)."""
    pairs = (item if isinstance(item, tuple) else (item.pk, getattr(item, label)) for item in items)
    return rows.options(pairs, selected)


@register.simple_tag
def inbox_links(views, counts, cap, current=""):
    """The sidebar's inbox views with their counts (every agent page shows them; a loop cost ~1,000 calls)."""
    url = Reverser()
    return format_html_join(
        "",
        '<li><a href="{}" class="{}" data-view="{}">{} <span class="count">{}</span></a></li>',
        (
            (
                url("conversations:inbox", v.slug),
                "active" if current == v.slug else "",
                v.slug,
                v.title,
                _capped(get_item(counts, v.slug), cap),
            )
            for v in views or ()
        ),
    )


def _capped(count, cap) -> str:
    return f"{cap}+" if cap is not None and count > cap else str(count)
