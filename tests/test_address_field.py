"""The address group field: one answer from five inputs, checked and shown as a postal address."""

from django.template.loader import render_to_string

from amtsweg.forms.services import summarize, validate_step, validate_submission

STEP = {
    "key": "s",
    "title": "Anschrift",
    "fields": [{"key": "home", "type": "address", "label": "Wohnanschrift", "required": True}],
}
DEFINITION = {"schema_version": 1, "steps": [STEP]}


def sent(**parts: str) -> dict[str, list[str]]:
    address = {
        "street": "Luisenplatz",
        "house_number": "5a",
        "addition": "",
        "postcode": "64283",
        "city": "Darmstadt",
    }
    address.update(parts)
    return {f"home.{part}": [value] for part, value in address.items()}


def test_a_complete_address_is_one_answer():
    result = validate_step(STEP, sent(addition="Hinterhaus"))
    assert result.is_valid
    assert result.values["home"] == {
        "street": "Luisenplatz",
        "house_number": "5a",
        "addition": "Hinterhaus",
        "postcode": "64283",
        "city": "Darmstadt",
    }


def test_missing_and_wrong_parts_are_named():
    missing = validate_step(STEP, sent(city="", house_number=""))
    assert "Hausnummer" in missing.errors[0].error or "House number" in missing.errors[0].error
    wrong_postcode = validate_step(STEP, sent(postcode="6428"))
    assert "5" in wrong_postcode.errors[0].error
    wrong_number = validate_step(STEP, sent(house_number="fünf"))
    assert [bound.name for bound in wrong_number.errors] == ["home"]
    empty = validate_step(STEP, {})
    assert [bound.name for bound in empty.errors] == ["home"]


def test_stored_address_round_trips_and_reads_as_a_postal_address():
    value = validate_step(STEP, sent()).values
    assert validate_submission(DEFINITION, value) == {}
    assert validate_submission(DEFINITION, {"home": {**value["home"], "postcode": "x"}})
    rows = summarize(DEFINITION, value)[0]["rows"]
    assert rows[0]["value"] == "Luisenplatz 5a\n64283 Darmstadt"


def test_template_keeps_the_entered_parts():
    bound = validate_step(STEP, sent(postcode="6428")).fields[0]
    html = render_to_string(bound.template, {"field": bound})
    assert 'name="home.postcode"' in html
    assert 'value="6428"' in html
    assert 'id="field-home-street"' in html
    assert 'aria-invalid="true"' in html
