"""Field types time (HH:MM) and phone (as typed, 6 to 20 digits)."""

import pytest
from django.utils import translation

from amtsweg.forms.registry import FieldError, registry


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def parse(type_name: str, value: str, **definition):
    field = {"key": "f", "type": type_name, "label": "F", **definition}
    return registry[type_name].parse(field, [value])


def rejection(type_name: str, value: str) -> str:
    with pytest.raises(FieldError) as raised:
        parse(type_name, value)
    return str(raised.value)


class TestTime:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("09:30", "09:30"),
            ("9:30", "09:30"),
            ("9.30", "09:30"),
            ("9.30 Uhr", "09:30"),
            ("14:05 h", "14:05"),
            ("00:00", "00:00"),
            ("23:59", "23:59"),
        ],
    )
    def test_accepts(self, typed, stored):
        assert parse("time", typed) == stored

    @pytest.mark.parametrize(
        "typed", ["24:00", "12:60", "930", "9:5", "09:30:00", "halb zehn", "１２:００", "-1:00"]
    )
    def test_rejects(self, typed):
        assert "between 00:00 and 23:59" in rejection("time", typed)

    def test_shown_as_stored(self):
        field = {"key": "f", "type": "time"}
        assert registry["time"].as_text(field, "09:30") == "09:30"
        assert registry["time"].as_input(field, "09:30") == "09:30"


class TestPhone:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("06151 12345", "06151 12345"),
            ("+49 6151 12345", "+49 6151 12345"),
            ("+49 (0)6151 12345", "+49 (0)6151 12345"),
            ("06151/12345-0", "06151/12345-0"),
            ("  06151   12345 ", "06151 12345"),
            ("06151\u00a012345", "06151 12345"),
            ("123456", "123456"),
            ("+" + "1" * 20, "+" + "1" * 20),
        ],
    )
    def test_accepts_and_normalises_spaces(self, typed, stored):
        assert parse("phone", typed) == stored

    @pytest.mark.parametrize(
        "typed", ["0615112345a", "06151 12345 +", "++49 6151", "06151.12345", "📞 06151 12345"]
    )
    def test_rejects_other_characters(self, typed):
        assert "e.g. +49 6151 12345" in rejection("phone", typed)

    @pytest.mark.parametrize("typed", ["(06151 12345", "06151) 12345", "((0)6151) 1", "() 615112"])
    def test_rejects_unpaired_brackets(self, typed):
        assert "brackets" in rejection("phone", typed)

    def test_digit_count(self):
        assert "you entered 5" in rejection("phone", "12345")
        assert "you entered 21" in rejection("phone", "1" * 21)

    def test_overlong(self):
        assert "at most 40 characters" in rejection("phone", "1 " * 30)

    def test_full_width_digits(self):
        assert "e.g. +49 6151 12345" in rejection("phone", "０６１５１ １２３４５")
