"""The wrapper around each field of a step and the small parts every field template shares,
rendered in Python: the label, the hints and error, the ``aria-describedby`` that ties them to
the input, and the visibility attributes.

They were five included templates per field, some 30 includes on a step page; each include
costs a context push and a template lookup, and together they were about a fifth of a step
page's rendering time. The markup is the same as the templates made.

An unanswered field looks the same to every applicant, and most step pages are first visits
where every field is unanswered: its markup is kept in the worker's memory (``_unanswered``)
and rendering the fields, half of a step page's CPU, is mostly skipped (issue 9). An answered
or locked field holds the applicant's data and is rendered every time, never kept.
"""

import dataclasses
import threading
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.utils.html import escapejs, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from amtsweg.forms.bound import BoundField, BoundGroup
from amtsweg.lib.per_render import render_language

register = template.Library()

Item = BoundField | BoundGroup
_INVALID = SafeString(' aria-invalid="true"')


#: Field types that are not checked on their own when focus leaves them.
_NOT_CHECKED_INLINE = frozenset({"file", "notice", "computed"})


@register.simple_tag(takes_context=True)
def step_item(context: template.Context, field: Item) -> SafeString:
    """One item of a step, rendered with its type's template. A field is wrapped so that htmx
    can check it on its own: when focus leaves the field after a change (inline-validation.js
    marks it), the wrapper posts the whole form to the step's check endpoint and is replaced
    by the answer, the same fragment with its error (``validate_url``: only on the applicant's
    step pages). Without JavaScript nothing of this runs and the step is checked when it is
    sent. Groups pass their fields through the same wrapper."""
    if isinstance(field, BoundGroup):  # its fields come through here, each on its own
        with context.push(field=field):
            return context.template.engine.get_template(field.template).render(context)
    inner = _field_markup(context, field)
    validate_url = context.get("validate_url")
    if not validate_url or field.readonly or field.type in _NOT_CHECKED_INLINE:
        return format_html(
            '<div class="amtsweg-field" id="{}-field">{}</div>', field.html_id, inner
        )
    return format_html(
        '<div class="amtsweg-field" id="{}-field" data-inline-validation hx-post="{}" '
        'hx-trigger="focusout[!this.contains(relatedTarget) && !!this.dataset.changed]" '
        'hx-include="closest form" hx-vals=\'{{"_field": "{}"}}\' hx-target="this" '
        'hx-swap="outerHTML" hx-sync="this:replace">{}</div>',
        field.html_id,
        validate_url,
        escapejs(field.name),
        inner,
    )


#: Unanswered fields' markup kept per worker, the least recently used dropped beyond this:
#: some 60 forms of 25 fields in both languages; a few megabytes with the field definitions
#: each entry holds.
MAX_UNANSWERED = 3000
#: (language, the definition's id, the bound field's other attributes) → (definition, markup).
_unanswered: dict[tuple[Any, ...], tuple[dict[str, Any], SafeString]] = {}
#: Held while ``_unanswered`` is read or changed: a threaded server (runserver) shares it.
_unanswered_lock = threading.Lock()


def _field_markup(context: template.Context, field: BoundField) -> SafeString:
    """The field's markup from its type's template, rendered with nothing but the field in its
    context, so that nothing of the request (the draft, the CSRF token) can be in what is kept.
    Kept for an unanswered field (``_unanswered_key``); the definition is kept with it, so
    no other definition can have its id while the entry lives."""
    key = _unanswered_key(field, render_language(context))
    if key is not None:
        with _unanswered_lock:
            kept = _unanswered.pop(key, None)
            if kept is not None:
                _unanswered[key] = kept  # now the most recently used
                return kept[1]
    item_template = context.template.engine.get_template(field.template)
    markup = item_template.render(context.new({"field": field}))
    if key is not None:
        with _unanswered_lock:
            _unanswered[key] = (field.definition, markup)
            if len(_unanswered) > MAX_UNANSWERED:
                del _unanswered[next(iter(_unanswered))]
    return markup


def _unanswered_key(field: BoundField, language: str) -> tuple[Any, ...] | None:
    """What an unanswered field's markup depends on: the language, its definition and all
    other attributes of the bound field, so also any added to it later (today its name, error
    and whether it is shown); None for a locked field or one with a value, in any of its parts
    (a date's day, month and year)."""
    value = field.value
    if field.readonly or any(value.values() if isinstance(value, dict) else [value]):
        return None
    state = (
        _hashable(getattr(field, attribute.name))
        for attribute in dataclasses.fields(field)
        if attribute.name != "definition"
    )
    key = (language, id(field.definition), *state)
    try:
        hash(key)
    except TypeError:  # a value of a kind no field has today: rendered, not kept
        return None
    return key


def _hashable(value: object) -> object:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return value


def _forget_unanswered(**kwargs: Any) -> None:
    """A changed setting (tests change some: formats, languages) may change the markup."""
    with _unanswered_lock:
        _unanswered.clear()


setting_changed.connect(_forget_unanswered, dispatch_uid="unanswered-fields")


@register.simple_tag
def field_label(field: BoundField) -> SafeString:
    """``<label>`` with the field's name, marked when the answer is optional."""
    return format_html(
        '<label class="kern-label" for="{}">{}{}</label>',
        field.html_id,
        field.label,
        optional_mark(field),
    )


@register.simple_tag
def optional_mark(field: BoundField) -> SafeString:
    """ " – optional" after a label or legend, for a field that need not be answered."""
    if field.required:
        return SafeString("")
    return format_html(' <span class="kern-label__optional">– {}</span>', gettext("optional"))


@register.simple_tag
def field_hints(field: BoundField) -> SafeString:
    """Where a locked value comes from, the help text and the error, each with the id that
    ``field_describedby`` points to."""
    html_id = field.html_id
    source = (
        format_html(
            '<div class="kern-hint" id="{}-source">{}</div>',
            html_id,
            gettext("From your BundID account; it cannot be changed here."),
        )
        if field.readonly
        else ""
    )
    help_text = field.help
    hint = (
        format_html('<div class="kern-hint" id="{}-hint">{}</div>', html_id, help_text)
        if help_text
        else ""
    )
    return format_html("{}\n{}\n{}", source, hint, field_error(field))


@register.simple_tag
def field_error(field: Item) -> SafeString:
    """The error under a field or group, with the id its input is described by."""
    if not field.error:
        return SafeString("")
    return format_html(
        '<p class="kern-error" id="{}-error"><span class="kern-icon kern-icon--danger '
        'kern-icon--small" aria-hidden="true"></span><span class="kern-body"><span '
        'class="kern-sr-only">{} </span>{}</span></p>',
        field.html_id,
        gettext("Error:"),
        field.error,
    )


@register.simple_tag
def field_describedby(field: BoundField) -> SafeString:
    """``aria-describedby`` naming the source note, the hint and the error that
    ``field_hints`` shows, and ``aria-invalid`` with an error."""
    html_id, has_help, error = field.html_id, bool(field.help), bool(field.error)
    if not (has_help or error or field.readonly):
        return SafeString("")
    ids = (
        (f"{html_id}-source " if field.readonly else "")
        + (f"{html_id}-hint" if has_help else "")
        + (" " if has_help and error else "")
        + (f"{html_id}-error" if error else "")
    )
    return format_html(' aria-describedby="{}"{}', ids, _INVALID if error else "")


@register.simple_tag
def field_visibility(field: Item) -> SafeString:
    """The condition the browser script shows the field by, and ``hidden`` while it is not."""
    condition = field.condition_json
    shown = "" if field.shown else " hidden"
    if not condition:
        return SafeString(shown)
    return format_html(
        ' data-visible-if="{}" data-name="{}"{}', condition, field.name, SafeString(shown)
    )
