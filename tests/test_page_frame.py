"""The page frame (header and footer) is rendered once per municipality and language in a
worker (``{% per_municipality %}``), and still shows every change of the municipality at once,
in the visitor's language, with the parts that belong to the request kept per request."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import translation

from amtsweg.core.templatetags import page_frame
from amtsweg.lib import per_render
from amtsweg.tenants.models import Municipality
from tests.test_municipality_look import CLEAN_SVG


def offering_page(client, offering, language: str = "de") -> tuple[str, list[str]]:
    """The offering page's HTML (its CSRF token, new each time, left out) and the templates
    rendered for it."""
    client.cookies["django_language"] = language
    response = client.get(reverse("catalog:offering", args=["darmstadt", offering.slug]))
    assert response.status_code == 200
    page = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
    return page, [template.name for template in response.templates]


def test_the_frame_is_rendered_once_and_then_kept(client, offering):
    first, first_templates = offering_page(client, offering)
    again, again_templates = offering_page(client, offering)
    assert "core/_municipality_contact.html" in first_templates
    assert "core/_municipality_contact.html" not in again_templates
    assert again == first


def test_an_edited_municipality_shows_at_once(client, offering, darmstadt):
    offering_page(client, offering)  # the frame as it was is kept now
    darmstadt.short_name = "Wissenschaftsstadt"
    darmstadt.accent_colour = "#00549f"
    darmstadt.phone = "+49 6151 1234"
    darmstadt.opening_hours = "Mo–Fr 8–12 Uhr"
    darmstadt.logo.save("wappen.svg", SimpleUploadedFile("wappen.svg", CLEAN_SVG))
    page, _templates = offering_page(client, offering)
    header, footer = page.split("<main", 1)[0], page.split("<footer", 1)[1]
    assert "<span>Wissenschaftsstadt</span>" in header
    assert "--amtsweg-accent: #00549f;" in header and "amtsweg-header--accent" in header
    assert f"?v={darmstadt.logo.name}" in header.replace("%2F", "/")
    assert "Kontakt Wissenschaftsstadt" in footer and 'href="tel:+4961511234"' in footer
    assert "Mo–Fr 8–12 Uhr" in footer

    darmstadt.logo.delete()
    page, _templates = offering_page(client, offering)
    assert "amtsweg-logo" not in page


def test_each_language_gets_its_own_frame(client, offering):
    german, _templates = offering_page(client, offering, "de")
    english, _templates = offering_page(client, offering, "en")
    german_again, _templates = offering_page(client, offering, "de")
    assert "Impressum" in german and "Zum Hauptinhalt springen" in german
    assert "Imprint" in english and "Skip to main content" in english
    assert "Impressum" not in english and german_again == german
    assert 'value="en" lang="en"' in german and 'value="de" lang="de"' in english


def test_what_belongs_to_the_request_is_not_kept(client, offering, darmstadt):
    offering_page(client, offering)
    page = client.get(reverse("catalog:municipality", args=["darmstadt"])).content.decode()
    path = reverse("catalog:municipality", args=["darmstadt"])
    accessibility = reverse("core:accessibility", args=["darmstadt"])
    assert f'href="{accessibility}?von={path}"' in page
    assert f'name="next" value="{path}"' in page
    assert f'href="{reverse("bundid:login")}?next={path}"' in page
    assert page.count('name="csrfmiddlewaretoken"') == 1


def test_a_changed_setting_is_not_served_from_before(client, offering, settings):
    start = client.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
    step = start["Location"]
    assert f'data-expires-in="{settings.SESSION_COOKIE_AGE}"' in client.get(step).content.decode()
    settings.SESSION_COOKIE_AGE = 1234
    assert 'data-expires-in="1234"' in client.get(step).content.decode()


def test_a_page_reads_the_language_once(monkeypatch):
    """Each read of the active language is dear (``amtsweg.lib.per_render``): a page's frame
    blocks read it once between them, and the next page reads it again."""
    reads = []
    monkeypatch.setattr(per_render, "get_language", lambda: reads.append(1) or "en")
    page = Template(
        "{% load page_frame %}{% per_municipality %}A{% endper_municipality %}"
        "{% per_municipality %}B{% endper_municipality %}"
        "{% per_municipality %}C{% endper_municipality %}"
    )
    assert page.render(Context({})) == "ABC"
    assert len(reads) == 1
    page.render(Context({}))
    assert len(reads) == 2


def test_a_language_block_gets_its_own_frame():
    """Inside ``{% language %}`` the blocks get its language (``language_read_afresh``), and
    the rest of the page the page's."""
    page = Template(
        "{% load i18n page_frame %}"
        "{% per_municipality %}{{ LANGUAGE_CODE }}{% endper_municipality %}"
        "{% language 'en' %}{% per_municipality %}|{{ LANGUAGE_CODE }}{% endper_municipality %}"
        "{% endlanguage %}{% per_municipality %}|{{ LANGUAGE_CODE }}.{% endper_municipality %}"
    )
    with translation.override("de"):
        assert page.render(Context({})) == "de|en|de."


def test_a_step_page_shows_the_form_texts_in_the_visitors_language(client, offering):
    """The step titles take the language the page read once at its top
    (``localized:LANGUAGE_CODE``), in the page title, the heading and the progress list."""
    for language, first, second in (
        ("en", "Applicant", "Address"),
        ("de", "Antragstellende Person", "Anschrift"),
    ):
        client.cookies["django_language"] = language
        start = client.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
        page = client.get(start["Location"]).content.decode()
        assert f"<title>{first} – Hund anmelden" in page
        assert re.search(rf"<h1[^>]*>.*: {first}</h1>", page)
        assert f"<strong>{first}</strong>" in page and second in page


def test_a_pages_blocks_work_out_the_municipalitys_key_once(monkeypatch):
    """The key (every column of the municipality) is worked out once per page render and
    municipality, and afresh for the next render."""
    worked_out = []
    original = page_frame._municipality_key
    monkeypatch.setattr(
        page_frame,
        "_municipality_key",
        lambda municipality: worked_out.append(municipality.slug) or original(municipality),
    )
    page = Template(
        "{% load page_frame %}"
        "{% per_municipality %}{{ municipality.slug }}{% endper_municipality %}"
        "{% per_municipality %}-{% endper_municipality %}"
        "{% with municipality=other %}{% per_municipality %}{{ municipality.slug }}"
        "{% endper_municipality %}{% endwith %}{% per_municipality %}.{% endper_municipality %}"
    )
    context = {
        "municipality": Municipality(name="Roßdorf", slug="rossdorf"),
        "other": Municipality(name="Modautal", slug="modautal"),
    }
    with translation.override("de"):
        assert page.render(Context(context)) == "rossdorf-modautal."
        assert worked_out == ["rossdorf", "modautal"]
        page.render(Context(context))
    assert worked_out == ["rossdorf", "modautal", "rossdorf", "modautal"]


def test_a_block_inside_the_frame_is_refused():
    """A ``{% block %}`` inside would be kept with the fragment, and Django's search for a
    parent template's blocks does not look inside."""
    with pytest.raises(TemplateSyntaxError, match="cannot hold a block"):
        Template(
            "{% load page_frame %}{% per_municipality %}{% block title %}x{% endblock %}"
            "{% endper_municipality %}"
        )
