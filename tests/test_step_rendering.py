"""A step page renders each field with its own type's template and nothing more: the wrapper,
label, hints, error, aria-describedby and visibility come from Python tags (field_parts), not
from five included templates per field; an unanswered field's markup is kept in the worker's
memory (issue 9: the CPU of a step page)."""

import re
import uuid

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from amtsweg.forms.bound import BoundGroup
from amtsweg.forms.field_types.files import encode
from amtsweg.forms.services import BoundField
from amtsweg.forms.templatetags import field_parts
from amtsweg.submissions.attachments import asks_for_files


@pytest.fixture
def nothing_kept():
    field_parts._unanswered.clear()
    yield field_parts._unanswered
    field_parts._unanswered.clear()


def _rendered(bound: BoundField, language: str = "de") -> str:
    with translation.override(language):
        return render_to_string(
            "submissions/_validated_field.html", {"field": bound, "validate_url": "/check/"}
        )


def test_a_step_page_includes_at_most_two_templates_per_field(client, offering, nothing_kept):
    start = client.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
    response = client.get(start["Location"])
    assert response.status_code == 200
    fields = response.context["fields"]
    rendered = [t.name for t in response.templates if t.name.startswith("forms/fields/")]
    assert fields and len(rendered) <= 2 * len(fields) + 1  # + the error summary


def test_every_part_of_a_field_is_there_and_linked():
    bound = BoundField(
        {
            "key": "name",
            "type": "text",
            "label": "Name <b>",
            "help": "As in the passport",
            "visible_if": {"==": [{"var": "kind"}, "person"]},
        },
        "name",
        value="Ada",
        error="Too short.",
        shown=False,
        readonly=True,
    )
    with translation.override("en"):
        html = render_to_string(bound.template, {"field": bound, "validate_url": "/check/"})
    assert '<label class="kern-label" for="field-name">Name &lt;b&gt; <span' in html
    assert '<span class="kern-label__optional">– optional</span></label>' in html
    assert '<div class="kern-hint" id="field-name-source">From your BundID account' in html
    assert '<div class="kern-hint" id="field-name-hint">As in the passport</div>' in html
    assert '<p class="kern-error" id="field-name-error">' in html and "Too short." in html
    assert (
        ' aria-describedby="field-name-source field-name-hint field-name-error"'
        ' aria-invalid="true">'
    ) in html
    assert (
        ' data-visible-if="{&quot;==&quot;: [{&quot;var&quot;: &quot;kind&quot;}, '
        '&quot;person&quot;]}" data-name="name" hidden>'
    ) in html


def test_the_wrapper_asks_for_the_inline_check_only_where_it_can_be_made():
    def wrapped(**kwargs: object) -> str:
        return _rendered(BoundField({"key": "a.b", "type": "text", "label": "A"}, "a.b", **kwargs))

    checked = wrapped()
    assert '<div class="amtsweg-field" id="field-a-b-field" data-inline-validation' in checked
    assert 'hx-post="/check/"' in checked and 'hx-vals=\'{"_field": "a.b"}\'' in checked
    assert "data-inline-validation" not in wrapped(readonly=True)


def _field_templates(response) -> list[str]:
    return [
        t.name
        for t in response.templates
        if t.name.startswith("forms/fields/")
        and t.name not in {"forms/fields/group.html", "forms/fields/_error_summary.html"}
    ]


def test_the_second_applicant_gets_the_unanswered_fields_from_memory(
    client, offering, nothing_kept
):
    pages = []
    for browser in (client, Client()):
        start = browser.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
        pages.append(browser.get(start["Location"]))
    first, second = pages
    assert _field_templates(first) and not _field_templates(second)

    def comparable(page) -> str:
        """The page without what differs by applicant: the draft's id, the CSRF token."""
        html = page.content.decode()
        html = html.replace(str(page.context["draft"].uuid), "DRAFT")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)

    assert comparable(first) == comparable(second)
    assert "DRAFT" in comparable(first)  # the draft's id was there, outside the kept markup
    drafts = [str(page.context["draft"].uuid) for page in pages]
    assert nothing_kept
    assert not any(draft in html for draft in drafts for _, html in nothing_kept.values())


def test_an_answered_or_locked_field_is_rendered_every_time_and_never_kept(nothing_kept):
    definition = {"key": "name", "type": "text", "label": "Name"}
    answered = _rendered(BoundField(definition, "name", value="Zoë Müller 🐕"))
    locked = _rendered(BoundField(definition, "name", value="", readonly=True))
    assert 'value="Zoë Müller 🐕"' in answered and " readonly" in locked
    assert not nothing_kept
    assert 'value="Zoë' not in _rendered(BoundField(definition, "name"))
    assert len(nothing_kept) == 1


def test_a_date_is_kept_only_while_none_of_its_parts_is_answered(nothing_kept):
    definition = {"key": "born", "type": "date", "label": "Geboren"}
    begun = _rendered(BoundField(definition, "born", value={"day": "3", "month": "", "year": ""}))
    assert 'value="3"' in begun and not nothing_kept
    empty = _rendered(BoundField(definition, "born", value={"day": "", "month": "", "year": ""}))
    assert 'value="3"' not in empty and len(nothing_kept) == 1


def test_kept_markup_is_told_apart_by_language_error_visibility_and_definition(nothing_kept):
    definition = {"key": "name", "type": "text", "label": {"de": "Name", "en": "Surname"}}
    another = dict(definition, label="Anders")
    variants = {
        "plain": lambda: _rendered(BoundField(definition, "name")),
        "english": lambda: _rendered(BoundField(definition, "name"), "en"),
        "error": lambda: _rendered(BoundField(definition, "name", error="Fehlt.")),
        "hidden": lambda: _rendered(BoundField(definition, "name", shown=False)),
        "other name": lambda: _rendered(BoundField(definition, "person.name")),
        "another definition": lambda: _rendered(BoundField(another, "name")),
    }
    first = {name: render() for name, render in variants.items()}
    assert len(set(first.values())) == len(variants)
    label = '<label class="kern-label" for="field-name">'
    assert label + "Name " in first["plain"] and label + "Surname " in first["english"]
    assert "Fehlt." in first["error"] and "Fehlt." not in first["plain"]
    assert " hidden" in first["hidden"] and " hidden" not in first["plain"]
    assert 'id="field-person-name"' in first["other name"]
    assert label + "Anders " in first["another definition"]
    assert len(nothing_kept) == len(variants)
    assert {name: render() for name, render in variants.items()} == first  # now from memory
    assert len(nothing_kept) == len(variants)


def test_the_least_recently_used_markup_goes_first(nothing_kept, monkeypatch):
    monkeypatch.setattr(field_parts, "MAX_UNANSWERED", 3)
    definitions = [{"key": f"f{n}", "type": "text", "label": f"F{n}"} for n in range(4)]
    for definition in definitions[:3]:
        _rendered(BoundField(definition, definition["key"]))
    _rendered(BoundField(definitions[0], "f0"))  # used again: now the most recent
    _rendered(BoundField(definitions[3], "f3"))
    kept = {definition["key"] for definition, _ in nothing_kept.values()}
    assert kept == {"f0", "f2", "f3"}


def test_a_value_that_cannot_be_a_key_is_rendered_and_not_kept(nothing_kept):
    definition = {"key": "home", "type": "address", "label": "Anschrift"}
    odd = {"street": [], "house_number": "", "postcode": "", "city": ""}
    assert 'id="field-home' in _rendered(BoundField(definition, "home", value=odd))
    assert not nothing_kept


def test_a_file_field_is_kept_only_without_a_stored_file(nothing_kept):
    definition = {"key": "proof", "type": "file", "label": "Nachweis"}
    stored = encode(
        {"id": str(uuid.uuid4()), "name": "zoë.pdf", "size": 3, "type": "application/pdf"}
        | {"sha256": "0" * 64}
    )
    with_file = _rendered(BoundField(definition, "proof", value=[stored]))
    assert "zoë.pdf" in with_file and not nothing_kept
    assert "zoë.pdf" not in _rendered(BoundField(definition, "proof", value=[]))
    assert len(nothing_kept) == 1


def test_fields_of_a_group_entry_are_kept_by_their_own_names(nothing_kept):
    child = {"key": "name", "type": "text", "label": "Name"}
    group = BoundGroup(
        {"key": "dogs", "type": "group", "label": "Hunde", "repeatable": True, "fields": [child]},
        "dogs",
        items=[
            [BoundField(child, "dogs.0.name", value="Bello")],
            [BoundField(child, "dogs.1.name")],
        ],
    )
    html = _rendered(group)
    assert 'value="Bello"' in html and 'id="field-dogs-1-name"' in html
    assert [key[2] for key in nothing_kept] == ["dogs.1.name"]


def test_only_a_step_with_a_file_field_is_sent_as_multipart():
    """A plain form costs the server far less to read than multipart/form-data (issue 9)."""
    text = {"key": "name", "type": "text", "label": "Name"}
    photo = {"key": "photo", "type": "file", "label": "Foto"}
    in_a_group = {"key": "dogs", "type": "group", "label": "Hunde", "fields": [text, photo]}
    assert asks_for_files({"key": "s", "fields": [text, in_a_group]})
    assert not asks_for_files({"key": "s", "fields": [text, dict(in_a_group, fields=[text])]})
    assert not asks_for_files({"key": "s"})
