"""Django's per-request state read once per page render instead of at every use.

Django keeps the active language, the URL configuration and the script prefix in asgiref
``Local`` objects. On Python 3.11 one read of such an object costs about 14,000 instructions
(docs/benchmarks.md, 2026-11-27), as much as serving a kept link, and a step page read them
some 60 times (issue 9). None of them changes while a page renders, so the template tags that
need them read them through :func:`per_render`: the first use in a render reads, the others
reuse.

What is read is kept in the render context's first dictionary. The whole render shares it
(included templates and ``Context.new`` copies included) and it lives as long as the
``Context``: ``render`` and ``render_to_string`` make a new one for each page, so the next
page, in this request or another, reads afresh.

The language changes inside a render only in a ``{% language %}`` block: the tag of
``amtsweg.core.templatetags.kept_translations`` (every template's ``i18n``) runs the block in
:func:`language_read_afresh`, so that the block's tags get its language and the rest of the page
the page's. Code that renders in another language (e-mails, PDFs) activates it around the whole
render, which then reads it.
"""

import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.template import Context
from django.utils.translation import get_language

Value = TypeVar("Value")

_LANGUAGE = f"{__name__}.language"


def per_render(context: Context, key: str, read: Callable[[], Value]) -> Value:
    """``read()`` once per page render; ``key`` names the value among others kept so."""
    kept = context.render_context.dicts[0]
    if key not in kept:
        kept[key] = read()
    return kept[key]


def render_language(context: Context) -> str:
    """The active language of this page render (``get_language()``)."""
    return per_render(context, _LANGUAGE, get_language)


@contextlib.contextmanager
def language_read_afresh(context: Context) -> Iterator[None]:
    """Inside, :func:`render_language` reads the active language again (a ``{% language %}``
    block has activated another); after, it gives the page's again."""
    kept = context.render_context.dicts[0]
    page_language = kept.pop(_LANGUAGE, None)
    try:
        yield
    finally:
        if page_language is None:
            kept.pop(_LANGUAGE, None)
        else:
            kept[_LANGUAGE] = page_language
