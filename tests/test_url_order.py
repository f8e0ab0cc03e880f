"""The root URL patterns are ordered for speed (``amtsweg/urls.py``): the journey's pages first.
That is only safe while no URL matches two of them, so that the order decides nothing."""

import itertools
import re
import uuid
from types import ModuleType

from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from amtsweg import urls

#: Values for each converter; the slugs include the literal parts of other patterns, so that
#: a pattern with a slug where another has a fixed word is tried against that word.
SAMPLES = {
    "slug": ["darmstadt", "leistungen", "antrag", "wappen", "barrierefreiheit", "impressum"],
    "uuid": [str(uuid.uuid4())],
    "int": ["5"],
    "str": ["abc"],
    "path": ["a/b"],
}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def _sample_urls():
    for route in _routes(get_resolver().url_patterns):
        parts = re.split(r"(<[^>]+>)", route.lstrip("^").removesuffix("$"))
        choices = []
        for part in parts:
            converter = re.fullmatch(r"<(?:(\w+):)?\w+>", part)
            choices.append(SAMPLES[converter.group(1) or "str"] if converter else [part])
        for combination in itertools.product(*choices):
            yield "/" + "".join(combination)


def _view(url, urlconf=None):
    try:
        return resolve(url, urlconf).view_name
    except Resolver404:
        return None


def test_no_url_depends_on_the_order_of_the_root_patterns():
    reversed_order = ModuleType("reversed_urls")  # hashable, as Django's resolver cache needs
    reversed_order.urlpatterns = list(reversed(urls.urlpatterns))
    checked = set(_sample_urls())

    assert len(checked) > 300
    assert "submissions:step" in {_view(url) for url in checked}
    differing = {url for url in checked if _view(url) != _view(url, reversed_order)}
    assert not differing
