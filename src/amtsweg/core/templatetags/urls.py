"""Django's ``{% url %}``, with each URL worked out once per worker process.

Django's ``reverse`` walks the URL patterns, fills in and quotes the arguments and checks the
result against the pattern each time: 20-36 µs per link. A citizen's journey renders about 38
links (the log-in, language switch and accessibility statement links of the page frame on
every page, the step links of the progress list and the summary), most of them again and
again, which made ``reverse`` some 5 % of a step page's CPU (issue 9, docs/benchmarks.md).

A URL depends only on the view's name, the arguments, the current application (for
namespaced instances), the URL configuration and the script prefix, so it is kept under
exactly that key. The URL configuration is keyed by its resolver object, which Django
replaces when it clears its own URL caches (a changed ``ROOT_URLCONF``, say), so a URL of an
earlier configuration is never served. Amtsweg's URL patterns are not translated (German
paths in both languages), so the language is not part of the key; a test fails when a
translated pattern appears. Only arguments of exact types whose text cannot change (``str``,
``int``, ``UUID``) are kept; anything else, a model instance for example, goes to ``reverse``
every time. An unknown name still raises ``NoReverseMatch``, which is not kept. The number of
URLs kept is bounded.

``TEMPLATES["OPTIONS"]["builtins"]`` loads this library after Django's, so it is the ``url``
of every template; its syntax and output are Django's.
"""

import functools
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django import template
from django.template import defaulttags
from django.template.base import Parser, Token
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.resolvers import URLResolver
from django.utils.html import conditional_escape

from amtsweg.lib.per_render import per_render

register = template.Library()

#: URLs kept per worker: every link of a few hundred drafts in progress, a megabyte at most.
MAX_URLS = 4096
_KEPT_TYPES = (str, int, UUID)
#: The key of :func:`_url_base`'s values in a render context.
_URL_BASE = f"{__name__}.url_base"


def _keepable(values: Iterable[object]) -> bool:
    return all(type(value) in _KEPT_TYPES for value in values)


@functools.lru_cache(maxsize=MAX_URLS)
def _reverse(
    view_name: str,
    args: tuple[str | int | UUID, ...],
    kwargs: tuple[tuple[str, str | int | UUID], ...],
    current_app: str | None,
    resolver: URLResolver,
    script_prefix: str,
) -> str:
    """``reverse`` for one key; ``script_prefix`` is only part of the key (Django's
    ``reverse`` reads it itself)."""
    return reverse(
        view_name,
        urlconf=resolver.urlconf_name,
        args=args,
        kwargs=dict(kwargs),
        current_app=current_app,
    )


def _url_base(context: template.Context) -> tuple[URLResolver, str]:
    """The URL configuration's resolver and the script prefix, read once per page render:
    each read of them is dear (``amtsweg.lib.per_render``)."""
    return per_render(
        context, _URL_BASE, lambda: (get_resolver(get_urlconf()), get_script_prefix())
    )


def reverse_kept(
    view_name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    current_app: str | None,
    base: tuple[URLResolver, str],
) -> str:
    """``django.urls.reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``,
    from the worker's store when the arguments allow it; ``base`` is :func:`_url_base`."""
    if not (isinstance(view_name, str) and _keepable(args) and _keepable(kwargs.values())):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(view_name, tuple(args), tuple(sorted(kwargs.items())), current_app, *base)


def _current_app(context: template.Context) -> str | None:
    """The application instance links are made for, chosen as Django's tag chooses it: the
    request's ``current_app`` if set, else the namespace of the URL it was resolved by."""
    request = getattr(context, "request", None)
    if hasattr(request, "current_app"):
        return request.current_app
    return getattr(getattr(request, "resolver_match", None), "namespace", None)


class KeptURLNode(defaulttags.URLNode):
    """Django's ``URLNode`` (its ``render`` as of Django 5.2), with the URL from
    :func:`reverse_kept`."""

    def render(self, context: template.Context) -> str:
        view_name = self.view_name.resolve(context)
        args = [value.resolve(context) for value in self.args]
        kwargs = {name: value.resolve(context) for name, value in self.kwargs.items()}
        try:
            link = reverse_kept(view_name, args, kwargs, _current_app(context), _url_base(context))
        except NoReverseMatch:
            if self.asvar is None:
                raise
            link = ""  # ``{% url … as name %}`` of an unknown view: an empty name, no error
        if self.asvar:
            context[self.asvar] = link
            return ""
        return conditional_escape(link) if context.autoescape else link


@register.tag
def url(parser: Parser, token: Token) -> KeptURLNode:
    """``{% url 'view-name' arg … [as name] %}``, parsed by Django's own tag."""
    node = defaulttags.url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
