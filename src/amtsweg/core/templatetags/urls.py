"""Django's ``{% url %}``, with each URL from the worker's store (``amtsweg.lib.urls``).

``TEMPLATES["OPTIONS"]["builtins"]`` loads this library after Django's, so it is the ``url``
of every template; its syntax and output are Django's.
"""

from django import template
from django.template import defaulttags
from django.template.base import Parser, Token
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from amtsweg.lib.per_render import per_render
from amtsweg.lib.urls import UrlBase, reverse_kept, url_base

register = template.Library()

#: The key of :func:`_url_base`'s values in a render context.
_URL_BASE = f"{__name__}.url_base"


def _url_base(context: template.Context) -> UrlBase:
    """The URL configuration's resolver and the script prefix, read once per page render:
    each read of them is dear (``amtsweg.lib.per_render``)."""
    return per_render(context, _URL_BASE, url_base)


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
