"""The root URL patterns are ordered for speed (``amtsweg/urls.py``): the journey's pages first.
That is only safe while no URL matches two of them, so that the order decides nothing."""

import re
import uuid
from types import ModuleType

from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from amtsweg import urls

#: Values for the converters that are not words; ``slug`` and ``str`` get every fixed word of
#: every route as well, so that a pattern with a slug where another has that word is tried
#: against it.
SAMPLES = {"uuid": [str(uuid.uuid4())], "int": ["5"], "path": ["a/b"]}
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")


def _routes(patterns, prefix=""):
    """The routes of the site's ``path()`` patterns, joined with their includes' prefixes
    (the admin's few regular-expression patterns are left out)."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern.pattern, RoutePattern):
            yield route


def _sample_urls(routes):
    """For each route: a URL with a plain value for each converter, and then with each fixed
    word of the site, one converter at a time, in place of each ``slug`` or ``str``."""
    words = {word for route in routes for word in CONVERTER.sub("", route).split("/") if word}
    for route in routes:
        parts = re.split(r"(<[^>]+>)", route)
        plain = [
            SAMPLES.get(converter.group(1) or "str", ["darmstadt"])[0] if converter else part
            for part, converter in ((part, CONVERTER.fullmatch(part)) for part in parts)
        ]
        yield "/" + "".join(plain)
        for position, part in enumerate(parts):
            converter = CONVERTER.fullmatch(part)
            if converter and (converter.group(1) or "str") in ("slug", "str"):
                for word in words:
                    yield "/" + "".join([*plain[:position], word, *plain[position + 1 :]])


def _view(url, urlconf=None):
    try:
        return resolve(url, urlconf).view_name
    except Resolver404:
        return None


def test_no_url_depends_on_the_order_of_the_root_patterns():
    reversed_order = ModuleType("reversed_urls")  # hashable, as Django's resolver cache needs
    reversed_order.urlpatterns = list(reversed(urls.urlpatterns))
    routes = list(_routes(get_resolver().url_patterns))
    checked = set(_sample_urls(routes))

    assert len(routes) > 200
    assert "submissions:step" in {_view(url) for url in checked}
    differing = {url for url in checked if _view(url) != _view(url, reversed_order)}
    assert not differing
