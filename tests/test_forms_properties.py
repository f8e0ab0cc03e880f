"""Property tests of the forms engine: valid answers always pass, a broken one is always named."""

from typing import Any

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from amtsweg.forms.services import check_definition, validate_submission

DEFINITION: dict[str, Any] = {
    "schema_version": 1,
    "steps": [
        {
            "key": "one",
            "title": "Eins",
            "fields": [
                {"key": "name", "type": "text", "label": "Name", "required": True},
                {"key": "count", "type": "number", "label": "Anzahl", "min": 0, "max": 100},
            ],
        },
        {
            "key": "two",
            "title": "Zwei",
            "fields": [
                {"key": "postcode", "type": "postcode", "label": "PLZ", "required": True},
                {
                    "key": "colour",
                    "type": "choice",
                    "label": "Farbe",
                    "required": True,
                    "options": [
                        {"value": "red", "label": "Rot"},
                        {"value": "green", "label": "Grün"},
                        {"value": "blue", "label": "Blau"},
                    ],
                },
            ],
        },
    ],
}
check_definition(DEFINITION)

names = (
    st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=80)
    .map(str.strip)
    .filter(bool)
)
valid_data = st.fixed_dictionaries(
    {
        "name": names,
        "postcode": st.from_regex(r"[0-9]{5}", fullmatch=True),
        "colour": st.sampled_from(["red", "green", "blue"]),
    },
    optional={"count": st.integers(min_value=0, max_value=100)},
)


@settings(max_examples=200, deadline=None)
@given(valid_data)
def test_valid_data_passes(data):
    assert validate_submission(DEFINITION, data) == {}


@st.composite
def postcode_with_a_letter(draw: st.DrawFn) -> str:
    digits = draw(st.from_regex(r"[0-9]{5}", fullmatch=True))
    letter = draw(st.characters(categories=("L",)))
    position = draw(st.integers(min_value=0, max_value=5))
    replace = draw(st.booleans())
    return digits[:position] + letter + digits[position + (1 if replace else 0) :]


@settings(max_examples=200, deadline=None)
@given(valid_data, postcode_with_a_letter())
def test_postcode_with_a_letter_is_named(data, postcode):
    with translation.override("en"):
        problems = validate_submission(DEFINITION, {**data, "postcode": postcode})
    assert list(problems) == ["postcode"]
    assert "5 digits" in problems["postcode"]


broken_values = st.one_of(
    st.tuples(st.just("count"), st.integers().filter(lambda n: not 0 <= n <= 100)),
    st.tuples(
        st.just("colour"),
        st.text(max_size=10).filter(
            lambda v: v.strip() and v.strip() not in {"red", "green", "blue"}
        ),
    ),
    st.tuples(
        st.just("name"), st.text(st.characters(categories=("L",)), min_size=201, max_size=260)
    ),
    st.tuples(st.just("postcode"), st.from_regex(r"[0-9]{1,4}|[0-9]{6,8}", fullmatch=True)),
)


@settings(max_examples=200, deadline=None)
@given(valid_data, broken_values)
def test_one_broken_value_is_named_under_its_key(data, broken):
    key, value = broken
    problems = validate_submission(DEFINITION, {**data, key: value})
    assert list(problems) == [key]
    assert problems[key]
