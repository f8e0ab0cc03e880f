"""Django's ``reverse``, with each URL worked out once per worker process.

Django's ``reverse`` walks the URL patterns, fills in and quotes the arguments and checks the
result against the pattern each time: 20-36 µs per link, and it reads the active language
six times and the URL configuration and script prefix once each, every read of them dear
(``amtsweg.lib.per_render``). A citizen's journey makes about 38 links in its pages (the
``url`` tag, ``amtsweg.core.templatetags.urls``), most of them again and again (issue 9,
docs/benchmarks.md).

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
"""

import functools
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.resolvers import URLResolver

#: URLs kept per worker: every link of a few hundred drafts in progress, a megabyte at most.
MAX_URLS = 4096
_KEPT_TYPES = (str, int, UUID)

#: What a URL depends on besides the view and its arguments: the URL configuration's
#: resolver and the script prefix.
UrlBase = tuple[URLResolver, str]


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


def url_base() -> UrlBase:
    """The URL configuration's resolver and the script prefix of this request."""
    return get_resolver(get_urlconf()), get_script_prefix()


def reverse_kept(
    view_name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    current_app: str | None,
    base: UrlBase,
) -> str:
    """``django.urls.reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``,
    from the worker's store when the arguments allow it; ``base`` is :func:`url_base`."""
    if not (isinstance(view_name, str) and _keepable(args) and _keepable(kwargs.values())):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(view_name, tuple(args), tuple(sorted(kwargs.items())), current_app, *base)


def shared_link(view_name: str, *args: Any, **kwargs: Any) -> str:
    """``reverse(view_name, args=args, kwargs=kwargs)`` for a view's code, for a link that is
    the same for many requests (an offering's page, say). Not for a draft's own links: a new
    draft's are new, so keeping them only costs, and pushes out what is kept for others."""
    return reverse_kept(view_name, list(args), kwargs, None, url_base())
