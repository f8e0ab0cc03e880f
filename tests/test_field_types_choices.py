"""Field types select, multichoice and codelist: parsing, display, definitions, and a whole
form with every new type going through a step, the submit check and the summary."""

import pytest
from django.utils import translation

from amtsweg.forms.registry import FieldError, registry
from amtsweg.forms.services import (
    DefinitionError,
    check_definition,
    summarize,
    validate_step,
    validate_submission,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


OPTIONS = [
    {"value": "dog", "label": {"de": "Hund", "en": "Dog"}},
    {"value": "do", "label": "Do"},  # a prefix of another value
    {"value": "cat", "label": {"de": "Katze", "en": "Cat"}},
]
SELECT = {"key": "animal", "type": "select", "label": "Animal", "options": OPTIONS}
MULTI = {"key": "pets", "type": "multichoice", "label": "Pets", "options": OPTIONS}
CODES = [
    {"code": "1", "label": {"de": "ledig", "en": "single"}},
    {"code": "2", "label": {"de": "verheiratet", "en": "married"}},
    {"code": "3", "label": "verwitwet"},
]
CODELIST = {
    "key": "status",
    "type": "codelist",
    "label": "Marital status",
    "codelist": {"uri": "urn:de:example:familienstand", "version": "1", "codes": CODES},
}


def one_step(*fields) -> dict:
    return {"schema_version": 1, "steps": [{"key": "s", "title": "S", "fields": list(fields)}]}


def problems(*fields) -> list[str]:
    with pytest.raises(DefinitionError) as raised:
        check_definition(one_step(*fields))
    return raised.value.problems


class TestSelect:
    def test_accepts_an_option(self):
        assert registry["select"].parse(SELECT, ["cat"]) == "cat"
        assert registry["select"].as_text(SELECT, "cat") == "Cat"

    def test_the_empty_first_entry_is_no_answer(self):
        assert registry["select"].parse(SELECT, [""]) is None

    @pytest.mark.parametrize("value", ["horse", "Cat", "🐈", "ｃａｔ", "c" * 1000])
    def test_rejects_what_is_not_offered(self, value):
        with pytest.raises(FieldError, match="one of the options"):
            registry["select"].parse(SELECT, [value])

    def test_definition_problems(self):
        base = {"key": "a", "type": "select", "label": "A"}
        assert problems(base) == ["Field 'a' of type select has no options."]
        assert problems({**base, "options": [{"label": "X"}]}) == [
            "Field 'a' has an entry in its options without a value."
        ]
        assert problems({**base, "options": [{"value": "x"}]}) == [
            "Field 'a' has the entry 'x' without a label."
        ]
        twice = [{"value": "x", "label": "X"}, {"value": "x", "label": "Y"}]
        assert problems({**base, "options": twice}) == ["Field 'a' has duplicate options."]


class TestMultichoice:
    def test_several_values_under_one_name(self):
        assert registry["multichoice"].parse(MULTI, ["cat", "dog"]) == ["dog", "cat"]

    def test_one_value(self):
        assert registry["multichoice"].parse(MULTI, ["do"]) == ["do"]

    def test_nothing_ticked_is_no_answer(self):
        assert registry["multichoice"].parse(MULTI, []) is None
        assert registry["multichoice"].parse(MULTI, [""]) is None

    def test_duplicates_count_once(self):
        assert registry["multichoice"].parse(MULTI, ["cat", "cat", " cat "]) == ["cat"]

    @pytest.mark.parametrize(
        "sent", [["horse"], ["dog", "horse"], ["🐕"], ["ｄｏｇ"], ["d" * 999]]
    )
    def test_rejects_what_is_not_offered(self, sent):
        with pytest.raises(FieldError, match="only from the options"):
            registry["multichoice"].parse(MULTI, sent)

    def test_min_and_max_selected(self):
        field = {**MULTI, "min_selected": 2, "max_selected": 2}
        with pytest.raises(FieldError, match=r"Choose at least 2 options\."):
            registry["multichoice"].parse(field, ["dog"])
        with pytest.raises(FieldError, match=r"Choose at most 2 options\."):
            registry["multichoice"].parse(field, ["dog", "do", "cat"])
        assert registry["multichoice"].parse(field, ["dog", "cat"]) == ["dog", "cat"]
        with pytest.raises(FieldError, match=r"Choose at most 1 option\."):
            registry["multichoice"].parse({**MULTI, "max_selected": 1}, ["dog", "cat"])

    def test_shown_as_labels_and_redisplayed_as_a_list(self):
        multichoice = registry["multichoice"]
        assert multichoice.as_text(MULTI, ["dog", "cat"]) == "Dog, Cat"
        with translation.override("de"):
            assert multichoice.as_text(MULTI, ["dog", "cat"]) == "Hund, Katze"
        assert multichoice.as_text(MULTI, None) == ""
        assert multichoice.as_input(MULTI, ["dog", "cat"]) == ["dog", "cat"]
        assert multichoice.as_input(MULTI, None) == []

    def test_step_keeps_every_ticked_value(self):
        step = {"key": "s", "title": "S", "fields": [MULTI]}
        result = validate_step(step, {"pets": ["cat", "dog"]})
        assert result.values == {"pets": ["dog", "cat"]}
        result = validate_step(step, {"pets": ["cat", "horse"]})
        assert result.errors[0].value == ["cat", "horse"]

    def test_required_asks_to_choose(self):
        step = {"key": "s", "title": "S", "fields": [{**MULTI, "required": True}]}
        result = validate_step(step, {})
        assert result.errors[0].error == "Choose an answer for “Pets”."

    def test_definition_problems(self):
        base = {"key": "a", "type": "multichoice", "label": "A"}
        assert problems(base) == ["Field 'a' of type multichoice has no options."]
        assert problems({**MULTI, "min_selected": 3, "max_selected": 2}) == [
            "Field 'pets' has min_selected greater than max_selected."
        ]
        assert problems({**MULTI, "min_selected": 4}) == [
            "Field 'pets' asks for more options than it offers."
        ]
        assert problems({**MULTI, "max_selected": "2"}) == [
            "Field 'pets' has a max_selected that is not a whole number ≥ 0."
        ]
        assert problems({**MULTI, "max_selected": 0}) == [
            "Field 'pets' has max_selected 0; no option could be chosen."
        ]


class TestCodelist:
    def test_stores_the_code_and_shows_the_label(self):
        codelist = registry["codelist"]
        assert codelist.parse(CODELIST, ["2"]) == "2"
        assert codelist.as_text(CODELIST, "2") == "married"
        assert codelist.as_text(CODELIST, "3") == "verwitwet"
        with translation.override("de"):
            assert codelist.as_text(CODELIST, "2") == "verheiratet"
        assert codelist.choices(CODELIST)[0] == {"value": "1", "label": "single"}

    @pytest.mark.parametrize("value", ["4", "single", "０１", "🙂", "1" * 500])
    def test_rejects_unknown_codes(self, value):
        with pytest.raises(FieldError, match="one of the options"):
            registry["codelist"].parse(CODELIST, [value])

    def test_definition_problems(self):
        base = {"key": "a", "type": "codelist", "label": "A"}
        assert problems(base) == ["Field 'a' of type codelist has no codelist."]
        assert problems({**base, "codelist": {"uri": "urn:x", "codes": []}}) == [
            "Field 'a' of type codelist has no codes."
        ]
        assert problems({**base, "codelist": {"uri": "urn:x"}}) == [
            "Field 'a' of type codelist has no codes."
        ]
        codes = [{"code": "1", "label": "A"}, {"code": "1", "label": "B"}, {"label": "C"}]
        assert problems({**base, "codelist": {"version": 1, "codes": codes}}) == [
            "Field 'a' has a codelist version that is not a text.",
            "Field 'a' has an entry in its codes without a code.",
            "Field 'a' has duplicate codes.",
        ]
        check_definition(one_step(CODELIST))


# --- every new type in one form --------------------------------------------------------------

FORM = one_step(
    {"key": "area", "type": "decimal", "label": "Area", "decimal_places": 1, "min": 0},
    {"key": "fee", "type": "currency", "label": "Fee", "required": True},
    {"key": "opens", "type": "time", "label": "Opens"},
    {"key": "phone", "type": "phone", "label": "Phone"},
    {"key": "iban", "type": "iban", "label": "IBAN", "required": True},
    {"key": "tax_id", "type": "tax_id", "label": "Tax ID"},
    {"key": "ags", "type": "ags", "label": "Municipality key"},
    SELECT,
    MULTI,
    CODELIST,
)
SENT = {
    "area": ["120,5"],
    "fee": ["1.234,56 €"],
    "opens": ["9.30"],
    "phone": ["+49 6151  12345"],
    "iban": ["de02 1203 0000 0000 2020 51"],
    "tax_id": ["12 345 678 995"],
    "ags": ["06411000"],
    "animal": ["cat"],
    "pets": ["cat", "do"],
    "status": ["2"],
}
STORED = {
    "area": "120.5",
    "fee": "1234.56",
    "opens": "09:30",
    "phone": "+49 6151 12345",
    "iban": "DE02120300000000202051",
    "tax_id": "12345678995",
    "ags": "06411000",
    "animal": "cat",
    "pets": ["do", "cat"],
    "status": "2",
}


def test_form_with_every_new_type_passes_the_definition_check():
    check_definition(FORM)


@pytest.mark.parametrize("language", ["de", "en"])
def test_step_stores_and_the_submit_check_reads_back(language):
    """What a step stores passes the submit check unchanged (it redisplays each value with
    as_input and parses it again), in either language."""
    with translation.override(language):
        result = validate_step(FORM["steps"][0], SENT)
        assert result.is_valid, [bound.error for bound in result.errors]
        assert result.values == STORED
        assert validate_submission(FORM, STORED) == {}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("area", "120.55"),
        ("fee", "-1.00"),
        ("iban", "DE02120300000000202052"),
        ("tax_id", "12345678996"),
        ("pets", ["horse"]),
        ("status", "9"),
        ("fee", "1234.5"),  # not as a step would store it
        ("pets", ["cat", "do"]),  # not in the order of the options
    ],
)
def test_submit_check_flags_changed_values(key, value):
    problems = validate_submission(FORM, {**STORED, key: value})
    assert problems
    assert {path.split(".")[0] for path in problems} == {key}


def test_summary_shows_readable_values():
    with translation.override("de"):
        rows = {row["key"]: row["value"] for row in summarize(FORM, STORED)[0]["rows"]}
    assert rows == {
        "area": "120,5",
        "fee": "1.234,56\u00a0€",
        "opens": "09:30",
        "phone": "+49 6151 12345",
        "iban": "DE02 1203 0000 0000 2020 51",
        "tax_id": "12 345 678 995",
        "ags": "06411000",
        "animal": "Katze",
        "pets": "Do, Katze",
        "status": "verheiratet",
    }


@pytest.mark.parametrize("field", FORM["steps"][0]["fields"], ids=lambda field: field["type"])
@pytest.mark.parametrize("typed", ["🙂", "１２", "1" * 1000, "a\x00b"], ids=repr)
def test_every_new_type_refuses_junk_with_a_message(field, typed):
    with pytest.raises(FieldError) as raised:
        registry[field["type"]].parse(field, [typed])
    assert len(str(raised.value)) > 20, "a rejection must say what is wrong and how to fix it"
