"""``{% per_municipality %}…{% endper_municipality %}``: parts of the page frame rendered once
per municipality and language in each worker.

The header and footer around every citizen page (style sheets, the municipality's name, logo
and accent, its contact block, the legal links) cost about a millisecond of template rendering
per page, yet they depend on nothing but the municipality's row and the language. The block is
rendered with only ``municipality`` and ``LANGUAGE_CODE`` in its context, so nothing of the
request (path, CSRF token, the logged-in citizen) can slip into what is kept; those parts stay
outside the block.

What is kept is addressed by its content: the key holds every column of the municipality as
loaded for this request (and the language), so an edit of its name, logo, accent colour or
contact data, in this process or another, simply makes a new key and is never served stale.
A municipality with deferred columns (whose values the key would not see) is rendered every
time. Each block keeps its own fragments with its compiled template, a bounded number; a
changed setting (tests change some: static files, session length) drops them all.

A page's blocks read the key once between them (``amtsweg.lib.per_render``). A block holds no
``{% block %}`` (its parser refuses one: it would be kept with the rest of the fragment), so
Django's search for the blocks of a parent template, on every render of a page that extends
it, does not look inside (``child_nodelists``): half of ``base.html``'s nodes.
"""

import operator
import weakref
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.template.base import Node, NodeList, Parser, TemplateSyntaxError, Token
from django.template.loader_tags import BlockNode
from django.utils.safestring import SafeString

from amtsweg.lib.per_render import per_render, render_language
from amtsweg.tenants.models import Municipality

register = template.Library()

#: Fragments kept per block: every municipality of a large installation in both languages.
MAX_FRAGMENTS = 2000


#: Reads every column of a loaded municipality at once; KeyError when one is deferred.
_columns = operator.itemgetter(*(field.attname for field in Municipality._meta.concrete_fields))


def _municipality_key(municipality: object) -> tuple[Any, ...] | None:
    """Every column of the municipality as loaded (a file by its name: the file object changes
    in place when a new logo is saved), or None when they cannot all be seen: not a
    municipality, or columns deferred."""
    if not isinstance(municipality, Municipality):
        return None
    try:
        columns = _columns(municipality.__dict__)
    except KeyError:
        return None
    return tuple(value.name if isinstance(value, FieldFile) else value for value in columns)


#: The key of the municipalities' keys (by ``id``) kept per page render.
_RENDER_KEYS = f"{__name__}.keys"


def _render_key(context: template.Context, municipality: object) -> tuple[Any, ...] | None:
    """:func:`_municipality_key`, worked out once per page render for each municipality."""
    keys = per_render(context, _RENDER_KEYS, dict)
    kept = keys.get(id(municipality))
    if kept is None:  # kept with the object, whose id no other object gets while it lives
        kept = keys[id(municipality)] = (municipality, _municipality_key(municipality))
    return kept[1]


_nodes: "weakref.WeakSet[PerMunicipalityNode]" = weakref.WeakSet()


def _forget_fragments(**kwargs: Any) -> None:
    for node in list(_nodes):
        node.fragments.clear()


setting_changed.connect(_forget_fragments, dispatch_uid="page-frame-fragments")


class PerMunicipalityNode(Node):
    child_nodelists = ()  # holds no block (see the module's docstring)

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.fragments: dict[tuple[Any, ...], SafeString] = {}
        _nodes.add(self)

    def render(self, context: template.Context) -> SafeString:
        municipality = context.get("municipality")
        language = render_language(context)
        if not municipality:  # the portal's and the back office's frame
            key: tuple[Any, ...] | None = (language,)
        else:
            columns = _render_key(context, municipality)
            key = None if columns is None else (language, *columns)
        fragment = self.fragments.get(key) if key is not None else None
        if fragment is None:
            own_context = context.new({"municipality": municipality, "LANGUAGE_CODE": language})
            fragment = self.nodelist.render(own_context)  # a SafeString
            if key is not None:
                if len(self.fragments) >= MAX_FRAGMENTS:
                    self.fragments.clear()
                self.fragments[key] = fragment
        return fragment


@register.tag
def per_municipality(parser: Parser, token: Token) -> PerMunicipalityNode:
    nodelist = parser.parse(("endper_municipality",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise TemplateSyntaxError(
            "per_municipality cannot hold a block: the block would be kept with the "
            "fragment. Put the block around it."
        )
    return PerMunicipalityNode(nodelist)
