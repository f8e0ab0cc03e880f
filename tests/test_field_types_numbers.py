"""Field types decimal and currency: German and international input, exact storage, display."""

import pytest
from django.utils import translation

from amtsweg.forms.registry import FieldError, registry
from amtsweg.forms.services import DefinitionError, check_definition

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English; the German catalogue may change its wording."""
    with translation.override("en"):
        yield


def field(type_name: str, **definition) -> dict:
    return {"key": "f", "type": type_name, "label": "F", **definition}


def parse(type_name: str, value: str, **definition):
    return registry[type_name].parse(field(type_name, **definition), [value])


def rejection(type_name: str, value: str, **definition) -> str:
    with pytest.raises(FieldError) as raised:
        parse(type_name, value, **definition)
    message = str(raised.value)
    assert message, "a rejection must say what to fix"
    return message


def problems(*fields) -> list[str]:
    definition = {"schema_version": 1, "steps": [{"key": "s", "title": "S", "fields": fields}]}
    with pytest.raises(DefinitionError) as raised:
        check_definition(definition)
    return raised.value.problems


class TestDecimal:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("12,5", "12.50"),
            ("12.5", "12.50"),
            (" 12,50 ", "12.50"),
            ("12", "12.00"),
            ("0,1", "0.10"),
            ("-3,25", "-3.25"),
            ("-0", "0.00"),
            ("12,500", "12.50"),  # trailing zeros lose nothing
            ("007", "7.00"),
        ],
    )
    def test_accepts_comma_and_point(self, typed, stored):
        assert parse("decimal", typed) == stored

    def test_stored_exactly_with_its_decimal_places(self):
        assert parse("decimal", "0,1", decimal_places=3) == "0.100"
        assert parse("decimal", "1234567,125", decimal_places=3) == "1234567.125"
        assert parse("decimal", "3", decimal_places=0) == "3"
        assert parse("decimal", "0", decimal_places=10) == "0.0000000000"

    @pytest.mark.parametrize(
        "typed", ["12,5,0", "1.234,5", "12,", ",5", "1e3", "zwölf", "12 5", "+5", "--1", "NaN"]
    )
    def test_rejects_what_is_no_number(self, typed):
        assert "e.g. 12,5" in rejection("decimal", typed)

    def test_too_many_decimals(self):
        assert "at most 2 decimal places" in rejection("decimal", "12,555")
        assert "at most 1 decimal place, e.g. 12.5." in rejection(
            "decimal", "1,25", decimal_places=1
        )
        assert "without decimals" in rejection("decimal", "1,5", decimal_places=0)

    def test_too_many_digits(self):
        assert "15 digits" in rejection("decimal", "1" * 16)
        assert parse("decimal", "9" * 15) == "9" * 15 + ".00"

    def test_min_and_max(self):
        assert "at least 0.5" in rejection("decimal", "0,4", min=0.5)
        assert "at most 100" in rejection("decimal", "100,01", max=100)
        assert parse("decimal", "0,5", min="0.5", max=100) == "0.50"
        with translation.override("de"):
            assert "5,5" in rejection("decimal", "5", min="5.5")

    def test_shown_in_the_language_of_the_reader(self):
        decimal = registry["decimal"]
        definition = field("decimal", decimal_places=3)
        assert decimal.as_text(definition, "1234567.125") == "1,234,567.125"
        assert decimal.as_input(definition, "1234567.125") == "1234567.125"
        with translation.override("de"):
            assert decimal.as_text(definition, "1234567.125") == "1.234.567,125"
            assert decimal.as_input(definition, "1234567.125") == "1234567,125"
            assert decimal.parse(definition, [decimal.as_input(definition, "0.500")]) == "0.500"
        assert decimal.as_text(definition, None) == ""
        assert decimal.as_input(definition, None) == ""

    def test_definition_problems(self):
        assert problems(field("decimal", min=10, max=1)) == [
            "Field 'f' has a min greater than its max."
        ]
        assert problems(field("decimal", decimal_places=11)) == [
            "Field 'f' has decimal_places 11; use a whole number from 0 to 10."
        ]
        assert problems(field("decimal", min="zehn")) == [
            "Field 'f' has a min that is not a number."
        ]
        check_definition(
            {
                "schema_version": 1,
                "steps": [{"key": "s", "title": "S", "fields": [field("decimal", min=0)]}],
            }
        )


class TestCurrency:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("1.234,56 €", "1234.56"),
            ("1.234,56", "1234.56"),
            ("1234,56", "1234.56"),
            ("1234.56", "1234.56"),
            ("1 234,56 €", "1234.56"),
            (f"1{NBSP}234,56{NBSP}€", "1234.56"),
            ("€ 12", "12.00"),
            ("EUR 12,5", "12.50"),
            ("12 eur", "12.00"),
            ("12 Euro", "12.00"),
            ("12,-", "12.00"),
            ("12,–", "12.00"),
            ("0,99", "0.99"),
            ("1.234", "1234.00"),  # a point before three digits groups thousands
            ("1.000.000", "1000000.00"),
            ("1.23", "1.23"),
        ],
    )
    def test_accepts_what_people_type(self, typed, stored):
        assert parse("currency", typed) == stored

    @pytest.mark.parametrize(
        "typed", ["12,345", "1,234.56", "1.23.45", "12,5,0", "€", "zwölf Euro", "12 $", "1.2345"]
    )
    def test_rejects_what_is_no_amount(self, typed):
        message = rejection("currency", typed)
        assert "amount in euros" in message
        assert "1.234,56" in message

    def test_not_negative_unless_allowed(self):
        assert "at least 0.00 €" in rejection("currency", "-5").replace(NBSP, " ")
        assert parse("currency", "-5", min=-100) == "-5.00"

    def test_max(self):
        message = rejection("currency", "1.000,01", max=1000)
        assert message.replace(NBSP, " ") == "Enter an amount of at most 1,000.00 €."
        with translation.override("de"):
            message = rejection("currency", "1.000,01", max=1000)
        assert "1.000,00" in message

    def test_too_large(self):
        assert "12 digits" in rejection("currency", "1" * 13)

    def test_shown_in_german_with_the_euro_sign(self):
        currency = registry["currency"]
        with translation.override("de"):
            assert currency.as_text(field("currency"), "1234.56") == f"1.234,56{NBSP}€"
            assert currency.as_text(field("currency"), "0.50") == f"0,50{NBSP}€"
            assert currency.as_input(field("currency"), "1234.56") == "1234,56"
        assert currency.as_text(field("currency"), "1234.56") == f"1,234.56{NBSP}€"
        assert currency.as_input(field("currency"), "1234.56") == "1234.56"
        assert currency.as_text(field("currency"), None) == ""

    @pytest.mark.parametrize("language", ["de", "en"])
    def test_redisplayed_value_reads_back_the_same(self, language):
        currency = registry["currency"]
        with translation.override(language):
            for stored in ["0.00", "0.05", "1234.56", "999999999999.99"]:
                shown = currency.as_input(field("currency"), stored)
                assert currency.parse(field("currency"), [shown]) == stored
