"""The forms engine: field types, step and submission validation, definitions, summaries."""

import datetime

import pytest
from django.utils import timezone, translation

from amtsweg.forms import validation
from amtsweg.forms.registry import FieldError, registry
from amtsweg.forms.services import (
    DefinitionError,
    applicant_attributes,
    bind_step,
    check_definition,
    summarize,
    validate_step,
    validate_submission,
)
from amtsweg.forms.text import localized
from tests.factories import FORM_DEFINITION, form_definition


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English; the German catalogue may change its wording."""
    with translation.override("en"):
        yield


def parse(type_name: str, value: str, **definition):
    field = {"key": "f", "type": type_name, "label": "F", **definition}
    return registry[type_name].parse(field, [value])


def rejection(type_name: str, value: str, **definition) -> str:
    with pytest.raises(FieldError) as raised:
        parse(type_name, value, **definition)
    message = str(raised.value)
    assert message, "a rejection must say what to fix"
    return message


RAW_ANSWERS = {
    "given_name": ["Erika"],
    "family_name": ["Mustermann"],
    "email": ["erika@example.de"],
    "street": ["Luisenplatz 5"],
    "postcode": ["64283"],
    "moved_in": ["2024-03-01"],
    "dog_count": ["1"],
    "breed": ["mixed"],
    "insured": ["no"],
}


def valid_data() -> dict:
    """The stored answers of a complete application of FORM_DEFINITION."""
    data = {}
    for step in FORM_DEFINITION["steps"]:
        result = validate_step(step, RAW_ANSWERS)
        assert result.is_valid
        data.update(result.values)
    return data


class TestText:
    def test_accepts_and_strips(self):
        assert parse("text", "  Erika  ") == "Erika"

    def test_empty_is_no_answer(self):
        assert parse("text", "   ") is None

    def test_too_long(self):
        assert "200" in rejection("text", "x" * 201)
        assert parse("text", "x" * 200) == "x" * 200

    def test_own_max_length(self):
        assert "10" in rejection("text", "x" * 11, max_length=10)

    def test_textarea_allows_more(self):
        assert parse("textarea", "x" * 2000) == "x" * 2000
        assert "2000" in rejection("textarea", "x" * 2001)

    @pytest.mark.parametrize("type_name", ["text", "textarea"])
    def test_nul_character_is_refused(self, type_name):
        # Checked for every type where answers enter: PostgreSQL's JSON cannot store NUL.
        step = {"key": "s", "fields": [{"key": "a", "type": type_name, "label": "A"}]}
        result = validate_step(step, {"a": ["Eri\x00ka"]})
        assert [bound.name for bound in result.errors] == ["a"]
        assert "control characters" in result.errors[0].error


class TestPostcode:
    def test_accepts_five_digits(self):
        assert parse("postcode", "64283") == "64283"
        assert parse("postcode", " 64397 ") == "64397"

    @pytest.mark.parametrize(
        "value", ["6428", "642830", "64283a", "D-64283", "64 283", "🐕🐕🐕🐕🐕"]
    )
    def test_rejects(self, value):
        message = rejection("postcode", value)
        assert "5 digits" in message
        assert "64283" in message

    @pytest.mark.parametrize("value", ["６４２８３", "٦٤٢٨٣"])
    def test_rejects_non_ascii_digits(self, value):
        rejection("postcode", value)


class TestEmail:
    @pytest.mark.parametrize("value", ["erika@example.de", "a.b+c@stadt.darmstadt.de"])
    def test_accepts(self, value):
        assert parse("email", value) == value

    @pytest.mark.parametrize("value", ["erika", "erika@", "@example.de", "erika@exa mple.de"])
    def test_rejects(self, value):
        assert "name@example.de" in rejection("email", value)

    def test_too_long(self):
        assert "254" in rejection("email", "a" * 250 + "@example.de")


class TestNumber:
    def test_accepts_whole_numbers(self):
        assert parse("number", "3") == 3
        assert parse("number", "-7") == -7
        assert parse("number", " 4 ") == 4

    @pytest.mark.parametrize("value", ["2.5", "2,5", "1e3", "zwei", "--1", "1" * 13])
    def test_rejects_what_is_no_whole_number(self, value):
        assert "whole number" in rejection("number", value)

    def test_min(self):
        assert "at least 1" in rejection("number", "0", min=1)
        assert parse("number", "1", min=1) == 1

    def test_max(self):
        assert "at most 5" in rejection("number", "6", max=5)
        assert parse("number", "5", max=5) == 5


class TestDate:
    def test_iso(self):
        assert parse("date", "2026-02-28") == "2026-02-28"

    @pytest.mark.parametrize(
        ("value", "stored"),
        [("28.02.2026", "2026-02-28"), ("1.3.2026", "2026-03-01"), ("29.02.2024", "2024-02-29")],
    )
    def test_german(self, value, stored):
        assert parse("date", value) == stored

    @pytest.mark.parametrize(
        "value", ["31.02.2026", "29.02.2026", "2026-02-31", "32.01.2026", "00.01.2026", "morgen"]
    )
    def test_rejects_dates_that_do_not_exist(self, value):
        assert "real date" in rejection("date", value)

    def test_not_before_today(self):
        today = timezone.localdate()
        yesterday = today - datetime.timedelta(days=1)
        message = rejection("date", yesterday.isoformat(), not_before_today=True)
        assert "today or in the future" in message
        assert parse("date", today.isoformat(), not_before_today=True) == today.isoformat()

    def test_not_after_today(self):
        today = timezone.localdate()
        tomorrow = today + datetime.timedelta(days=1)
        message = rejection("date", tomorrow.strftime("%d.%m.%Y"), not_after_today=True)
        assert "today or in the past" in message
        assert parse("date", today.isoformat(), not_after_today=True) == today.isoformat()

    def test_shown_in_the_local_format(self):
        field = {"key": "f", "type": "date"}
        with translation.override("de"):
            assert registry["date"].as_text(field, "2026-12-24") == "24.12.2026"


class TestChoice:
    FIELD = FORM_DEFINITION["steps"][2]["fields"][2]

    def test_accepts_an_option(self):
        assert registry["choice"].parse(self.FIELD, ["mixed"]) == "mixed"

    @pytest.mark.parametrize("value", ["poodle", "Mixed", "Mischling"])
    def test_rejects_unknown_value(self, value):
        with pytest.raises(FieldError, match="one of the options"):
            registry["choice"].parse(self.FIELD, [value])

    def test_shows_the_label(self):
        assert registry["choice"].as_text(self.FIELD, "dachshund") == "Dachshund"
        with translation.override("de"):
            assert registry["choice"].as_text(self.FIELD, "dachshund") == "Dackel"


class TestYesNo:
    def test_accepts(self):
        assert parse("yesno", "yes") is True
        assert parse("yesno", "no") is False

    @pytest.mark.parametrize("value", ["ja", "maybe", "true", "1"])
    def test_rejects(self, value):
        assert "yes or no" in rejection("yesno", value)

    def test_redisplays(self):
        field = {"key": "f", "type": "yesno"}
        assert registry["yesno"].as_input(field, False) == "no"
        assert registry["yesno"].as_text(field, True) == "Yes"


class TestValidateStep:
    STEP = FORM_DEFINITION["steps"][1]

    def test_valid_step_gives_cleaned_values(self):
        result = validate_step(
            self.STEP,
            {"street": [" Luisenplatz 5 "], "postcode": ["64283"], "moved_in": ["1.3.2024"]},
        )
        assert result.is_valid
        assert result.values == {
            "street": "Luisenplatz 5",
            "postcode": "64283",
            "moved_in": "2024-03-01",
        }

    def test_required_empty_names_the_label(self):
        result = validate_step(self.STEP, {"street": [""], "postcode": ["64283"]})
        errors = {field.key: field.error for field in result.errors}
        assert set(errors) == {"street", "moved_in"}
        assert "Street and number" in errors["street"]
        assert "Moved in on" in errors["moved_in"]

    def test_required_message_uses_the_active_language(self):
        with translation.override("de"):
            result = validate_step(self.STEP, {})
        errors = {field.key: field.error for field in result.errors}
        assert "Postleitzahl" in errors["postcode"]

    def test_required_choice_asks_to_choose(self):
        step = FORM_DEFINITION["steps"][2]
        result = validate_step(step, {"dog_count": ["1"]})
        errors = {field.key: field.error for field in result.errors}
        assert set(errors) == {"breed", "insured"}
        assert errors["breed"] == "Choose an answer for “Breed”."

    def test_wrong_value_is_kept_for_correction(self):
        result = validate_step(
            self.STEP, {"street": ["Luisenplatz 5"], "postcode": ["6428"], "moved_in": ["x"]}
        )
        bound = {field.key: field for field in result.errors}
        assert bound["postcode"].value == "6428"
        assert "postcode" not in result.values
        assert result.values == {"street": "Luisenplatz 5"}

    def test_each_answer_is_parsed_once(self, monkeypatch):
        """The step's conditions read answers parsed leniently; the checks take those same
        results, a valid answer's value and a wrong one's error alike, instead of parsing
        every answer a second time: at the top, in each entry of a repeatable group, and for
        a field of several inputs (an address)."""
        step = {
            "key": "s",
            "fields": [
                {"key": "plz", "type": "postcode", "label": "PLZ"},
                {
                    "key": "dogs",
                    "type": "group",
                    "label": "Dogs",
                    "repeatable": True,
                    "fields": [{"key": "plz", "type": "postcode", "label": "PLZ"}],
                },
                {"key": "home", "type": "address", "label": "Home"},
            ],
        }
        address = {
            "home.street": ["Luisenplatz"],
            "home.house_number": ["5"],
            "home.postcode": ["64283"],
            "home.city": ["Darmstadt"],
        }
        raw = {"plz": ["64283"], "dogs.__items": ["2"], "dogs.0.plz": ["6428"]}
        raw |= {"dogs.1.plz": ["64297"], **address}
        parsed = []
        for type_name, method in (("postcode", "parse"), ("address", "parse_parts")):
            field_type = type(registry[type_name])
            original = getattr(field_type, method)

            def counting(self, item, sent, original=original):
                parsed.append(sent if isinstance(sent, list) else sent["street"])
                return original(self, item, sent)

            monkeypatch.setattr(field_type, method, counting)
        result = validate_step(step, raw)
        assert sorted(map(str, parsed)) == ["Luisenplatz", "['6428']", "['64283']", "['64297']"]
        assert [field.name for field in result.errors] == ["dogs.0.plz"]
        assert "6428" in result.errors[0].value
        valid = validate_step(step, raw | {"dogs.0.plz": ["64285"]})
        assert valid.is_valid
        assert valid.values["dogs"] == [{"plz": "64285"}, {"plz": "64297"}]
        assert valid.values["home"]["city"] == "Darmstadt"


class TestValidateSubmission:
    def test_complete_data_passes(self):
        assert validate_submission(FORM_DEFINITION, valid_data()) == {}

    def test_unknown_key_is_flagged(self):
        data = {**valid_data(), "is_admin": True}
        problems = validate_submission(FORM_DEFINITION, data)
        assert list(problems) == ["is_admin"]
        assert "does not belong" in problems["is_admin"]

    def test_notice_holds_no_answer(self):
        problems = validate_submission(FORM_DEFINITION, {**valid_data(), "tax_notice": "x"})
        assert list(problems) == ["tax_notice"]

    def test_missing_required_is_flagged(self):
        data = valid_data()
        del data["family_name"]
        problems = validate_submission(FORM_DEFINITION, data)
        assert list(problems) == ["family_name"]
        assert "Family name" in problems["family_name"]

    @pytest.mark.parametrize(
        ("key", "value"),
        [("postcode", "6428"), ("dog_count", 9), ("breed", "poodle"), ("moved_in", "2026-02-31")],
    )
    def test_stored_value_is_checked_again(self, key, value):
        problems = validate_submission(FORM_DEFINITION, {**valid_data(), key: value})
        assert list(problems) == [key]

    @pytest.mark.parametrize(
        ("key", "value"), [("insured", "vielleicht"), ("street", {"$ne": ""})]
    )
    def test_value_of_the_wrong_type_is_flagged(self, key, value):
        """A stored value that the step would never have produced is refused, even when its
        text form parses (found in the first engine, where "vielleicht" passed as "yes")."""
        problems = validate_submission(FORM_DEFINITION, {**valid_data(), key: value})
        assert list(problems) == [key]


def one_step(*fields, **step):
    return {
        "schema_version": 1,
        "steps": [{"key": "s", "title": "S", "fields": list(fields), **step}],
    }


class TestCheckDefinition:
    """Designer messages are English and may be reworded: the tests look for what they name."""

    def test_valid_definition(self):
        check_definition(form_definition())

    def problems(self, definition) -> list[str]:
        with pytest.raises(DefinitionError) as raised:
            check_definition(definition)
        assert raised.value.problems
        assert str(raised.value) == "; ".join(raised.value.problems)
        return raised.value.problems

    def test_duplicate_field_key(self):
        definition = form_definition()
        definition["steps"][1]["fields"].append(
            {"key": "postcode", "type": "postcode", "label": "PLZ des Hundes"}
        )
        problems = self.problems(definition)
        assert all("'postcode'" in problem and "twice" in problem for problem in problems)

    def test_duplicate_step_key(self):
        definition = form_definition()
        definition["steps"][1]["key"] = "applicant"
        problems = self.problems(definition)
        assert all("'applicant'" in problem and "twice" in problem for problem in problems)

    def test_unknown_type(self):
        problems = self.problems(one_step({"key": "a", "type": "signature", "label": "A"}))
        assert len(problems) == 1
        assert "'signature'" in problems[0] and "unknown type" in problems[0]

    def test_choice_without_options(self):
        problems = self.problems(one_step({"key": "a", "type": "choice", "label": "A"}))
        assert len(problems) == 1
        assert "'a'" in problems[0] and "no options" in problems[0]

    def test_choice_with_duplicate_values(self):
        options = [{"value": "x", "label": "X"}, {"value": "x", "label": "Y"}]
        problems = self.problems(
            one_step({"key": "a", "type": "choice", "label": "A", "options": options})
        )
        assert len(problems) == 1
        assert "duplicate" in problems[0]

    def test_missing_label(self):
        problems = self.problems(one_step({"key": "a", "type": "text"}))
        assert len(problems) == 1
        assert "'a'" in problems[0] and "no label" in problems[0]

    def test_notice_needs_no_label(self):
        check_definition(one_step({"key": "n", "type": "notice", "text": "Hinweis"}))

    def test_unknown_applicant_attribute(self):
        problems = self.problems(
            one_step({"key": "a", "type": "text", "label": "A", "applicant": "iban"})
        )
        assert len(problems) == 1
        assert "'iban'" in problems[0]

    def test_schema_version_and_steps(self):
        problems = self.problems({"schema_version": 2, "steps": []})
        assert len(problems) == 2
        assert "schema_version" in problems[0]
        assert "step" in problems[1]

    def test_step_without_title(self):
        problems = self.problems(one_step({"key": "a", "type": "text", "label": "A"}, title=""))
        assert len(problems) == 1
        assert "title" in problems[0]

    def test_every_problem_is_listed(self):
        problems = self.problems(
            one_step(
                {"key": "a", "type": "text"},
                {"key": "b", "type": "nope", "label": "B"},
                {"key": "c", "type": "choice", "label": "C"},
                title="",
            )
        )
        assert len(problems) == 4

    def test_choice_without_key_is_reported(self):
        """Reported, not a KeyError (as in the first engine)."""
        problems = self.problems(one_step({"type": "choice", "label": "A"}))
        assert len(problems) == 1
        assert "missing" in problems[0]

    def test_option_without_value_is_reported(self):
        field = {"key": "a", "type": "choice", "label": "A", "options": [{"label": "X"}]}
        self.problems(one_step(field))


class TestSummarize:
    def test_labels_not_keys(self):
        summary = summarize(FORM_DEFINITION, valid_data())
        assert [step["title"] for step in summary] == ["Applicant", "Address", "Dog"]
        rows = {row["label"]: row["value"] for step in summary for row in step["rows"]}
        assert rows["Family name"] == "Mustermann"
        assert rows["Breed"] == "Mixed breed"
        assert rows["Liability insured"] == "No"
        assert rows["Number of dogs"] == "1"
        assert rows["Remarks"] == ""
        assert "family_name" not in rows
        assert "breed" not in rows

    def test_notices_are_left_out(self):
        keys = [row["key"] for step in summarize(FORM_DEFINITION, {}) for row in step["rows"]]
        assert "tax_notice" not in keys
        assert len(keys) == 10

    def test_german(self):
        with translation.override("de"):
            summary = summarize(FORM_DEFINITION, valid_data())
        rows = {row["label"]: row["value"] for step in summary for row in step["rows"]}
        assert rows["Rasse"] == "Mischling"
        assert rows["Eingezogen am"] == "01.03.2024"


def test_applicant_attributes():
    assert applicant_attributes(FORM_DEFINITION, valid_data()) == {
        "given_name": "Erika",
        "family_name": "Mustermann",
        "email": "erika@example.de",
    }


def test_localized_falls_back_to_german():
    assert localized({"de": "Hund", "en": "Dog"}) == "Dog"
    assert localized({"de": "Hund"}) == "Hund"
    assert localized("Hund") == "Hund"
    assert localized(None) == ""
    with translation.override("de"):
        assert localized({"de": "Hund", "en": "Dog"}) == "Hund"


def test_a_step_keeps_the_language_it_was_checked_in():
    """The validator reads the active language once per step (each read is dear, see
    ``amtsweg.lib.per_render``): the labels of its bound fields are in that language, also
    where they are read while another is active, and a caller may name the language."""
    step = FORM_DEFINITION["steps"][0]
    with translation.override("de"):
        german = validate_step(step, {})
    with translation.override("en"):
        given_name = next(bound for bound in german.fields if bound.key == "given_name")
        assert (given_name.language, given_name.label) == ("de", "Vorname")
        assert "Vorname" in given_name.error
        assert validate_step(step, {}).fields[0].label == "Given name"
    with translation.override("de"):
        assert validate_step(step, {}, language="en").fields[0].label == "Given name"


def test_a_step_shown_again_writes_no_messages(monkeypatch):
    """``bind_step`` drops the errors, so it does not write the messages of missing answers:
    a first visit misses them all, and each reads the active language (issue 9)."""
    written = []
    message = validation._required_message
    monkeypatch.setattr(
        validation, "_required_message", lambda *args: written.append(args) or message(*args)
    )
    step = FORM_DEFINITION["steps"][0]
    bound = bind_step(step, {})
    assert written == []
    assert [item.error for item in bound] == ["" for _ in bound]
    assert [item.key for item in bound] == [item["key"] for item in step["fields"]]
    assert validate_step(step, {}).errors and written  # the checked step still explains


def test_the_localized_filter_takes_the_language_it_is_given():
    from django.template import Context, Template

    page = Template("{% load forms_text %}{{ text|localized:given }}|{{ text|localized }}")
    text = {"de": "Hund", "en": "Dog"}
    with translation.override("de"):
        assert page.render(Context({"text": text, "given": "en"})) == "Dog|Hund"
        assert page.render(Context({"text": text, "given": ""})) == "Hund|Hund"  # the active
