"""The server-side templates of the new field types: label, hint and error linked to the input,
the right input types and keyboard hints, checkboxes and selects that show what was chosen."""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from amtsweg.forms.services import BoundField


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


OPTIONS = [
    {"value": "dog", "label": "Dog"},
    {"value": "do", "label": "Do"},
    {"value": "cat", "label": "Cat"},
]


def render(definition: dict, value="", error="", name: str | None = None) -> str:
    bound = BoundField(
        {"label": "Label", "help": "Hint", **definition},
        name or definition["key"],
        value=value,
        error=error,
    )
    return render_to_string(bound.template, {"field": bound})


def tag(html: str, element: str, **attributes: str) -> str:
    """The first opening tag of ``element`` that has all ``attributes``."""
    for match in re.finditer(rf"<{element}\b[^>]*>", html):
        if all(f'{name}="{value}"' in match.group(0) for name, value in attributes.items()):
            return match.group(0)
    raise AssertionError(f"no <{element}> with {attributes} in:\n{html}")


@pytest.mark.parametrize(
    ("type_name", "input_type", "inputmode"),
    [
        ("decimal", "text", None),
        ("currency", "text", "decimal"),
        ("time", "time", None),
        ("phone", "tel", "tel"),
        ("iban", "text", None),
        ("tax_id", "text", "numeric"),
        ("ags", "text", "numeric"),
    ],
)
def test_single_inputs(type_name, input_type, inputmode):
    html = render({"key": "x", "type": type_name, "required": True}, value="v", error="Wrong.")
    field = tag(html, "input", id="field-x", name="x", type=input_type, value="v")
    assert 'aria-describedby="field-x-hint field-x-error"' in field
    assert 'aria-invalid="true"' in field
    assert "required" in field
    assert (f'inputmode="{inputmode}"' in field) if inputmode else ("inputmode" not in field)
    tag(html, "label", **{"for": "field-x"})
    assert 'id="field-x-hint"' in html
    assert 'id="field-x-error"' in html
    assert "kern-form-input__input--error" in field


def test_without_hint_or_error_nothing_is_described():
    bound = BoundField({"key": "x", "type": "iban", "label": "IBAN"}, "x")
    html = render_to_string(bound.template, {"field": bound})
    field = tag(html, "input", id="field-x")
    assert "aria-describedby" not in field
    assert "aria-invalid" not in field
    assert 'spellcheck="false"' in field
    assert 'autocapitalize="characters"' in field
    assert "optional" in html


def test_decimal_keypad_only_where_negatives_are_not_allowed():
    html = render({"key": "x", "type": "decimal", "min": 0})
    assert 'inputmode="decimal"' in tag(html, "input", id="field-x")
    html = render({"key": "x", "type": "currency", "min": -100})
    assert "inputmode" not in tag(html, "input", id="field-x")


def test_phone_autocomplete_default_and_own():
    assert 'autocomplete="tel"' in render({"key": "x", "type": "phone"})
    own = render({"key": "x", "type": "phone", "autocomplete": "tel-national"})
    assert 'autocomplete="tel-national"' in own


def test_currency_names_the_unit():
    html = render({"key": "x", "type": "currency"})
    assert re.search(r"<label[^>]*>Label<span class=\"kern-sr-only\"> \(in euros\)</span>", html)
    assert '<span class="kern-input-group-text" aria-hidden="true">€</span>' in html


def test_field_inside_a_group_uses_the_html_name():
    html = render({"key": "income", "type": "currency"}, name="household.0.income")
    tag(html, "input", id="field-household-0-income", name="household.0.income")


def test_hidden_by_condition():
    bound = BoundField(
        {"key": "x", "type": "iban", "label": "IBAN", "visible_if": {"var": "pay"}},
        "x",
        shown=False,
    )
    html = render_to_string(bound.template, {"field": bound})
    wrapper = tag(html, "div", **{"class": "kern-form-input"})
    assert re.search(r'\sdata-visible-if="[^"]+"', wrapper)
    assert re.search(r"\shidden\s*>$", wrapper)


class TestMultichoice:
    FIELD = {"key": "pets", "type": "multichoice", "options": OPTIONS}

    def checked(self, html: str) -> list[str]:
        return re.findall(r'type="checkbox" value="(\w+)" checked', html)

    def test_checkboxes_in_a_fieldset(self):
        html = render(self.FIELD, value=["dog", "cat"], error="Choose fewer.")
        fieldset = tag(html, "fieldset", id="field-pets")
        assert 'aria-describedby="field-pets-hint field-pets-error"' in fieldset
        assert "<legend" in html
        boxes = re.findall(r"<input[^>]*>", html)
        assert len(boxes) == 3
        for number, box in enumerate(boxes, start=1):
            assert f'id="field-pets-{number}"' in box
            assert 'name="pets"' in box
            assert 'type="checkbox"' in box
            assert "kern-form-check__checkbox kern-form-check__checkbox--error" in box
            tag(html, "label", **{"for": f"field-pets-{number}"})
        assert self.checked(html) == ["dog", "cat"]

    def test_one_value_is_not_matched_as_a_substring(self):
        # One ticked box arrives as a string: "do" is in "dog" as text, but not as an answer.
        assert self.checked(render(self.FIELD, value="dog")) == ["dog"]
        assert self.checked(render(self.FIELD, value="do")) == ["do"]

    def test_nothing_ticked(self):
        assert self.checked(render(self.FIELD, value=[])) == []
        assert self.checked(render(self.FIELD, value="")) == []


class TestSelect:
    FIELD = {"key": "animal", "type": "select", "options": OPTIONS}

    def test_select_with_an_empty_first_option(self):
        html = render(self.FIELD, value="cat", error="Wrong.")
        select = tag(html, "select", id="field-animal", name="animal")
        assert 'aria-describedby="field-animal-hint field-animal-error"' in select
        assert "kern-form-input__select--error" in select
        options = re.findall(r"<option[^>]*>[^<]*</option>", html)
        assert options[0] == '<option value="">Please choose</option>'
        assert options[1:] == [
            '<option value="dog">Dog</option>',
            '<option value="do">Do</option>',
            '<option value="cat" selected>Cat</option>',
        ]
        tag(html, "label", **{"for": "field-animal"})


class TestCodelist:
    @staticmethod
    def field(count: int) -> dict:
        codes = [{"code": f"{n:02d}", "label": f"Code {n}"} for n in range(1, count + 1)]
        return {"key": "c", "type": "codelist", "codelist": {"uri": "urn:x", "codes": codes}}

    def test_up_to_seven_codes_as_radio_buttons(self):
        html = render(self.field(7), value="03")
        tag(html, "fieldset", id="field-c")
        assert html.count('type="radio"') == 7
        assert "<select" not in html
        tag(html, "input", id="field-c-3", value="03", type="radio", name="c")
        assert 'value="03" checked' in html

    def test_more_codes_as_a_select(self):
        html = render(self.field(8), value="08")
        tag(html, "select", id="field-c", name="c")
        assert 'type="radio"' not in html
        assert '<option value="08" selected>Code 8</option>' in html
