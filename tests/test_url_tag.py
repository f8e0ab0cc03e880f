"""The ``url`` tag of every template (``amtsweg.core.templatetags.urls``) writes what Django's
``reverse`` returns, works each URL out once per process, and never serves a URL that a
changed script prefix, URL configuration or argument has made wrong."""

import uuid

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import override_settings
from django.urls import (
    LocalePrefixPattern,
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    path,
    reverse,
    set_script_prefix,
)
from django.utils.functional import Promise
from django.utils.html import conditional_escape

from amtsweg.core.templatetags import urls
from amtsweg.lib import urls as kept_urls

DRAFT = uuid.UUID("5b4d3c2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a")

#: (template arguments, context, what Django's reverse is asked for)
LINKS = [
    ("'set_language'", {}, ("set_language", [])),
    ("'bundid:login'", {}, ("bundid:login", [])),
    (
        "'catalog:municipality' slug",
        {"slug": "darmstadt"},
        ("catalog:municipality", ["darmstadt"]),
    ),
    ("'core:accessibility' 'ober-ramstadt'", {}, ("core:accessibility", ["ober-ramstadt"])),
    (
        "'submissions:step' draft step",
        {"draft": DRAFT, "step": "halter"},
        ("submissions:step", [DRAFT, "halter"]),
    ),
    (
        "'submissions:step' draft_uuid=draft step_key='hund'",
        {"draft": DRAFT},
        ("submissions:step", {"draft_uuid": DRAFT, "step_key": "hund"}),
    ),
    (
        "'submissions:save_for_later' draft",
        {"draft": str(DRAFT)},
        ("submissions:save_for_later", [str(DRAFT)]),
    ),
]


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def django_reverse(name: str, arguments: list[object] | dict[str, object]) -> str:
    if isinstance(arguments, dict):
        return reverse(name, kwargs=arguments)
    return reverse(name, args=arguments)


@pytest.mark.parametrize(("arguments", "context", "expected"), LINKS)
def test_writes_what_django_reverses(
    arguments: str, context: dict[str, object], expected: tuple[str, object]
) -> None:
    wanted = django_reverse(*expected)
    assert render(f"{{% url {arguments} %}}", **context) == wanted
    assert render(f"{{% url {arguments} %}}", **context) == wanted  # now from the store
    assert render(f"{{% url {arguments} as link %}}[{{{{ link }}}}]", **context) == f"[{wanted}]"


def test_every_template_gets_the_kept_tag_and_reverses_once() -> None:
    template = Template("{% url 'set_language' %}")
    assert isinstance(template.nodelist[0], urls.KeptURLNode)
    kept_urls._reverse.cache_clear()
    for _ in range(5):
        template.render(Context())
    info = kept_urls._reverse.cache_info()
    assert (info.misses, info.hits) == (1, 4)


def test_an_unknown_view_still_fails_and_as_gives_an_empty_name() -> None:
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")
    with pytest.raises(NoReverseMatch):
        render("{% url 'catalog:municipality' 'not a slug' %}")
    assert render("{% url 'no-such-view' as link %}[{{ link }}]") == "[]"


def test_a_changed_script_prefix_is_honoured() -> None:
    plain = render("{% url 'set_language' %}")
    try:
        set_script_prefix("/amtsweg/")
        assert render("{% url 'set_language' %}") == "/amtsweg/" + plain.lstrip("/")
    finally:
        set_script_prefix("/")
    assert render("{% url 'set_language' %}") == plain


def _elsewhere(request: object) -> HttpResponse:
    return HttpResponse()


urlpatterns = [path("anderswo/sprache/", _elsewhere, name="set_language")]


def test_a_changed_url_configuration_is_honoured() -> None:
    assert render("{% url 'set_language' %}") == reverse("set_language")
    with override_settings(ROOT_URLCONF=__name__):
        assert render("{% url 'set_language' %}") == "/anderswo/sprache/"
    assert render("{% url 'set_language' %}") == reverse("set_language")


class ChangingSlug:
    """An argument whose text changes: a model instance whose ``__str__`` reads a field."""

    def __init__(self, slug: str) -> None:
        self.slug = slug

    def __str__(self) -> str:
        return self.slug


def test_arguments_whose_text_can_change_are_not_kept() -> None:
    municipality = ChangingSlug("darmstadt")
    template = Template("{% url 'catalog:municipality' municipality %}")
    assert template.render(Context({"municipality": municipality})) == reverse(
        "catalog:municipality", args=["darmstadt"]
    )
    municipality.slug = "rossdorf"
    assert template.render(Context({"municipality": municipality})) == reverse(
        "catalog:municipality", args=["rossdorf"]
    )
    # True and 1 are equal keys; True is not kept, so it can never be served 1's URL
    assert kept_urls._keepable([True]) is False


def test_escaped_as_django() -> None:
    """A ``str`` argument may hold characters that HTML escapes (an OZG id, say)."""
    raw = reverse("progress:edit", args=["darmstadt", "a&b'c"])
    assert "&" in raw and "'" in raw
    assert render("{% url 'progress:edit' 'darmstadt' id %}", id="a&b'c") == conditional_escape(
        raw
    )
    assert (
        render(
            "{% autoescape off %}{% url 'progress:edit' 'darmstadt' id %}{% endautoescape %}",
            id="a&b'c",
        )
        == raw
    )


def _patterns(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    found = []
    for pattern in patterns:
        found.append(pattern)
        if isinstance(pattern, URLResolver):
            found.extend(_patterns(pattern.url_patterns))
    return found


def test_no_url_pattern_is_translated() -> None:
    """The store's key leaves out the language (see the module): that holds only as long as
    no pattern's text depends on it."""
    for pattern in _patterns(get_resolver().url_patterns):
        assert not isinstance(pattern.pattern, LocalePrefixPattern), pattern
        text = getattr(pattern.pattern, "_route", None) or getattr(pattern.pattern, "_regex", "")
        assert not isinstance(text, Promise), f"{pattern} is translated"


def test_one_render_reads_the_script_prefix_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each read of Django's per-request URL state is dear (see ``_url_base``): a page reads it
    once, for its own links, an included template's and a ``Context.new`` copy's alike."""
    reads = []

    def counted_prefix() -> str:
        reads.append(1)
        return "/"

    monkeypatch.setattr(kept_urls, "get_script_prefix", counted_prefix)
    page = Template(
        "{% load page_frame %}{% url 'set_language' %} {% url 'bundid:login' %} "
        "{% include 'core/language_switch.html' %} "
        "{% per_municipality %}{% url 'core:imprint' %}{% endper_municipality %}"
    )
    first = page.render(Context({}))
    assert first.startswith(f"{reverse('set_language')} {reverse('bundid:login')} ")
    assert reverse("core:imprint") in first
    assert len(reads) == 1
    page.render(Context({}))
    assert len(reads) == 2  # the next page reads it afresh


@pytest.mark.parametrize(("arguments", "context", "expected"), LINKS)
def test_views_get_the_same_urls_from_the_store(
    arguments: str, context: dict[str, object], expected: tuple[str, object]
) -> None:
    """``shared_link``, for views."""
    name, given = expected
    args, kwargs = ([], given) if isinstance(given, dict) else (given, {})
    wanted = django_reverse(*expected)
    assert kept_urls.shared_link(name, *args, **kwargs) == wanted
    assert kept_urls.shared_link(name, *args, **kwargs) == wanted  # now from the store


def test_views_honour_a_changed_script_prefix_and_changing_arguments() -> None:
    plain = kept_urls.shared_link("catalog:municipality", "darmstadt")
    try:
        set_script_prefix("/amtsweg/")
        assert kept_urls.shared_link("catalog:municipality", "darmstadt") == "/amtsweg/" + (
            plain.lstrip("/")
        )
    finally:
        set_script_prefix("/")
    municipality = ChangingSlug("darmstadt")
    assert kept_urls.shared_link("catalog:municipality", municipality) == plain
    municipality.slug = "rossdorf"
    assert kept_urls.shared_link("catalog:municipality", municipality) == reverse(
        "catalog:municipality", args=["rossdorf"]
    )
    with pytest.raises(NoReverseMatch):
        kept_urls.shared_link("no-such-view")
