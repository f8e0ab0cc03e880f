"""Django's ``i18n`` tag library, with each fixed text of ``{% translate %}`` translated once
per language and process.

``TEMPLATES["OPTIONS"]["libraries"]`` gives this module the label ``i18n``, so every
``{% load i18n %}`` (Django's and other apps' templates too) loads it. Its tags and filters are
Django's, parsed by Django's own functions; three render differently:

- ``{% translate "text" %}`` of a string literal, without ``as`` and filters, is rendered by
  Django's node the first time in each language and then taken from :data:`_TEXTS`. Django's
  node makes a lazy string, reads the active language and looks the text up on every render:
  about 10 µs, some 60 times in a citizen's journey (issue 9, docs/benchmarks.md). The output
  depends only on the literal, its ``context`` and ``noop`` and the language, which is read
  once per page render (``amtsweg.lib.per_render``): a literal is safe text, so escaping
  leaves it as it is, with autoescape on or off.
- ``{% get_current_language as name %}`` reads that same kept language.
- ``{% language %}`` is Django's block, inside which the kept language is read again
  (``language_read_afresh``): its texts are kept under its language, and the rest of the page
  keeps the page's.

A text with a variable or a filter, ``as name``, and ``{% blocktranslate %}`` are Django's
nodes unchanged. The kept texts are dropped when a ``.mo`` file changes under the development
server (which then reloads the translations instead of restarting) and when a test changes a
setting on which Django drops its own catalogs.
"""

from pathlib import Path
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.template.base import FilterExpression, Parser, Token, Variable
from django.templatetags import i18n
from django.utils.autoreload import file_changed

from amtsweg.lib.per_render import language_read_afresh, render_language

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

#: A fixed text of ``{% translate %}``: its literal, its ``context`` and whether it is ``noop``.
Message = tuple[str, str | None, bool]

#: The rendered fixed texts by language and message, shared by all templates of the process.
_TEXTS: dict[tuple[str | None, Message], str] = {}

#: Settings whose change makes Django drop its translation catalogs (``django.test.signals``).
_LANGUAGE_SETTINGS = frozenset({"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"})


class KeptTranslationNode(template.Node):
    """A ``{% translate %}`` of a fixed text: Django's node renders it once per language."""

    child_nodelists = ()

    def __init__(self, node: i18n.TranslateNode, message: Message) -> None:
        self.node = node
        self.message = message

    def render(self, context: template.Context) -> str:
        key = (render_language(context), self.message)
        text = _TEXTS.get(key)
        if text is None:
            text = _TEXTS[key] = self.node.render(context)
        return text


class KeptLanguageNode(template.Node):
    """``{% get_current_language as name %}`` with the language of this page render."""

    child_nodelists = ()

    def __init__(self, variable: str) -> None:
        self.variable = variable

    def render(self, context: template.Context) -> str:
        context[self.variable] = render_language(context)
        return ""


class KeptLanguageBlockNode(template.Node):
    """``{% language code %}…{% endlanguage %}``: Django's block, with the language of this
    page render read again inside it."""

    def __init__(self, node: i18n.LanguageNode) -> None:
        self.node = node
        self.nodelist = node.nodelist  # Django's search for ``{% block %}`` looks inside

    def render(self, context: template.Context) -> str:
        with language_read_afresh(context):
            return self.node.render(context)


def _fixed(expression: FilterExpression | None) -> str | None:
    """The string ``expression`` always gives, or None when it is not a plain literal."""
    if expression is None or expression.filters:
        return None
    value = expression.var
    if isinstance(value, Variable):
        value = value.literal
    return value if isinstance(value, str) else None


def _message(node: i18n.TranslateNode) -> Message | None:
    """What a ``{% translate %}`` node's output depends on besides the language, or None when
    it depends on the render's context (a variable, a filter, ``as name``)."""
    text = _fixed(node.filter_expression)
    if text is None or node.asvar is not None:
        return None
    context = None
    if node.message_context is not None:
        context = _fixed(node.message_context)
        if context is None:
            return None
    return (text, context, node.noop)


@register.tag("translate")
@register.tag("trans")
def translate(parser: Parser, token: Token) -> template.Node:
    """``{% translate … %}``, parsed by Django's own tag."""
    node = i18n.do_translate(parser, token)
    message = _message(node)
    return node if message is None else KeptTranslationNode(node, message)


@register.tag("get_current_language")
def get_current_language(parser: Parser, token: Token) -> KeptLanguageNode:
    """``{% get_current_language as name %}``, parsed by Django's own tag."""
    return KeptLanguageNode(i18n.do_get_current_language(parser, token).variable)


@register.tag("language")
def language(parser: Parser, token: Token) -> KeptLanguageBlockNode:
    """``{% language code %}…{% endlanguage %}``, parsed by Django's own tag."""
    return KeptLanguageBlockNode(i18n.language(parser, token))


def _forget_on_translation_change(sender: Any, file_path: Path, **kwargs: Any) -> None:
    if file_path.suffix == ".mo":
        _TEXTS.clear()


def _forget_on_setting_change(sender: Any, setting: str, **kwargs: Any) -> None:
    if setting in _LANGUAGE_SETTINGS:
        _TEXTS.clear()


file_changed.connect(_forget_on_translation_change, dispatch_uid=f"{__name__}.mo")
setting_changed.connect(_forget_on_setting_change, dispatch_uid=f"{__name__}.settings")
