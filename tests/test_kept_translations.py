"""``{% load i18n %}`` loads ``amtsweg.core.templatetags.kept_translations``: Django's tags,
whose fixed ``{% translate %}`` texts are translated once per language and process, with the
same output as Django's own library in every language."""

from pathlib import Path

import pytest
from django.core.signals import setting_changed
from django.template import Context, Engine, engines
from django.template.defaulttags import LoadNode
from django.templatetags import i18n
from django.utils import translation
from django.utils.autoreload import file_changed

from amtsweg.core.templatetags import kept_translations
from amtsweg.core.templatetags.kept_translations import KeptLanguageNode, KeptTranslationNode
from amtsweg.lib import per_render

#: Django's own library, to compare with.
DJANGOS = Engine(libraries={"i18n": "django.templatetags.i18n"})

SOURCES = [
    '{% translate "Continue" %}',
    '{% trans "Continue" %}|{% translate "Continue" %}',
    '{% translate "Continue" noop %}',
    '{% translate "Continue" context "button" %}',
    '{% translate "Continue" context label %}',
    '{% translate "50 % uploaded" %}',
    '{% translate "<b>Continue</b>" %}',
    "{% translate text %}",
    '{% translate "Continue"|upper %}',
    '{% translate "Continue" as word %}[{{ word }}]',
    "{% blocktranslate %}Continue{% endblocktranslate %}",
    "{% get_current_language as code %}{{ code }}",
    '{% translate "Back" %} {% language "en" %}{% translate "Continue" %}{% endlanguage %} '
    '{% translate "Continue" %}',
    '{% language "en" %}{% translate "Continue" %}{% get_current_language as code %}{{ code }}'
    '{% endlanguage %} {% translate "Continue" %}{% get_current_language as code %}{{ code }}',
]


@pytest.fixture(autouse=True)
def no_kept_texts():
    kept_translations._TEXTS.clear()
    yield
    kept_translations._TEXTS.clear()


def render(source: str, engine: Engine | None = None) -> str:
    template = (engine or engines["django"].engine).from_string("{% load i18n %}" + source)
    return template.render(Context({"text": "Back", "label": "button"}))


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("language", ["de", "en"])
def test_renders_what_djangos_library_renders(source, language):
    with translation.override(language):
        expected = render(source, DJANGOS)
        assert render(source) == expected
        assert render(source) == expected  # the second time from the kept texts


def test_the_texts_are_the_languages():
    for language, word in (("de", "Weiter"), ("en", "Continue")):
        with translation.override(language):
            assert render('{% translate "Continue" %}') == word


def test_a_language_block_leaves_the_kept_texts_right():
    """The texts inside ``{% language %}`` are kept under its language, not the page's."""
    with translation.override("de"):
        assert render('{% language "en" %}{% translate "Continue" %}{% endlanguage %}') == (
            "Continue"
        )
        assert (
            render(
                '{% translate "Back" %}{% language "en" %}{% translate "Back" %}{% endlanguage %}'
            )
            == "ZurückBack"
        )
        assert render('{% translate "Continue" %}|{% translate "Back" %}') == "Weiter|Zurück"
    with translation.override("en"):
        assert render('{% translate "Continue" %}|{% translate "Back" %}') == "Continue|Back"


def test_i18n_is_this_library_in_every_template():
    libraries = engines["django"].engine.template_libraries
    assert libraries["i18n"] is kept_translations.register
    assert libraries["i18n"].tags["blocktranslate"] is i18n.register.tags["blocktranslate"]


def test_only_fixed_texts_are_kept():
    template = engines["django"].engine.from_string(
        '{% load i18n %}{% translate "Continue" %}{% translate "Continue" context "x" %}'
        '{% translate text %}{% translate "Continue"|upper %}{% translate "Continue" as word %}'
        '{% translate "Continue" context label %}{% get_current_language as code %}'
    )
    kinds = [type(node) for node in template.nodelist if not isinstance(node, LoadNode)]
    assert kinds == [
        KeptTranslationNode,
        KeptTranslationNode,
        i18n.TranslateNode,
        i18n.TranslateNode,
        i18n.TranslateNode,
        i18n.TranslateNode,
        KeptLanguageNode,
    ]


@pytest.fixture
def translated(monkeypatch):
    """Each time Django's node translates a text."""
    calls = []
    original = i18n.TranslateNode.render

    def counted(node, context):
        calls.append(node.filter_expression.var.literal)
        return original(node, context)

    monkeypatch.setattr(i18n.TranslateNode, "render", counted)
    return calls


def test_each_text_is_translated_once_per_language(translated):
    page = '{% translate "Continue" %} {% translate "Back" %} {% translate "Continue" %}'
    for language in ("de", "en", "de", "en"):
        with translation.override(language):
            render(page)
            render(page)
    assert sorted(translated) == ["Back", "Back", "Continue", "Continue"]


def test_a_changed_translation_file_drops_the_kept_texts(translated):
    with translation.override("de"):
        render('{% translate "Continue" %}')
        # the receiver alone: Django's own would drop its catalogues in the middle of the test
        forget = kept_translations._forget_on_translation_change
        forget(sender=None, file_path=Path("locale/de/LC_MESSAGES/django.po"))
        render('{% translate "Continue" %}')
        assert len(translated) == 1
        forget(sender=None, file_path=Path("locale/de/LC_MESSAGES/django.mo"))
        render('{% translate "Continue" %}')
    assert len(translated) == 2


def test_the_drops_are_connected():
    for signal, name in ((file_changed, "mo"), (setting_changed, "settings")):
        keys = [key for key, *_ref in signal.receivers]
        assert (f"{kept_translations.__name__}.{name}", id(None)) in keys


@pytest.mark.parametrize(
    "setting", ["LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"]
)
def test_changed_language_settings_drop_the_kept_texts(translated, setting):
    # the receiver alone: Django's own would drop its catalogues in the middle of the test
    forget = kept_translations._forget_on_setting_change
    with translation.override("de"):
        render('{% translate "Continue" %}')
        forget(sender=None, setting="TIME_ZONE", value="UTC", enter=True)
        render('{% translate "Continue" %}')
        assert len(translated) == 1
        forget(sender=None, setting=setting, value=None, enter=True)
        render('{% translate "Continue" %}')
    assert len(translated) == 2


def test_the_language_is_read_once_per_page(monkeypatch):
    """Each read of the active language is dear (``amtsweg.lib.per_render``)."""
    reads = []
    monkeypatch.setattr(per_render, "get_language", lambda: reads.append(1) or "de")
    page = '{% translate "Continue" %}{% translate "Back" %}{% get_current_language as code %}'
    with translation.override("de"):
        assert render(page + "{{ code }}") == "WeiterZurückde"
        assert len(reads) == 1
        render(page)
    assert len(reads) == 2
