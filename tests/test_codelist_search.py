"""Long code lists are searchable: a text input with suggestions, answered by label or code."""

from django.template.loader import render_to_string

from amtsweg.forms.services import summarize, validate_step

CODES = [{"code": f"{n:03d}", "label": f"Staat {n}"} for n in range(1, 61)]
STEP = {
    "key": "s",
    "title": "Staat",
    "fields": [
        {
            "key": "nationality",
            "type": "codelist",
            "label": "Staatsangehörigkeit",
            "required": True,
            "codelist": {
                "uri": "urn:de:dsmeld:schluesseltabelle:staat",
                "version": "1",
                "codes": CODES,
            },
        }
    ],
}


def test_label_typed_in_any_case_is_stored_as_its_code():
    assert validate_step(STEP, {"nationality": ["staat 42"]}).values == {"nationality": "042"}
    assert validate_step(STEP, {"nationality": ["042"]}).values == {"nationality": "042"}


def test_unknown_text_is_refused_with_a_hint():
    result = validate_step(STEP, {"nationality": ["Atlantis"]})
    assert [bound.name for bound in result.errors] == ["nationality"]
    assert result.errors[0].error


def test_renders_a_searchable_input_that_shows_the_label_again():
    bound = validate_step(STEP, {"nationality": ["Staat 7"]}).fields[0]
    bound.value = "Staat 7"
    html = render_to_string(bound.template, {"field": bound})
    assert 'list="field-nationality-list"' in html
    assert html.count("<option") == 60
    data = {"nationality": "007"}
    definition = {"schema_version": 1, "steps": [STEP]}
    assert summarize(definition, data)[0]["rows"][0]["value"] == "Staat 7"


def test_short_lists_stay_radio_buttons():
    short = {**STEP["fields"][0], "codelist": {"codes": CODES[:5]}}
    bound = validate_step({**STEP, "fields": [short]}, {}).fields[0]
    assert bound.widget == "radio"
