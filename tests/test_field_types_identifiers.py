"""Field types iban, tax_id and ags, and their checks in amtsweg.lib.iban / amtsweg.lib.tax_id.

Valid tax IDs are built here by computing the check digit (ISO 7064 MOD 11,10) independently
of the code under test; 12 345 678 995 is also the worked example published for the method.
"""

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from amtsweg.forms.registry import FieldError, registry
from amtsweg.lib.iban import IbanProblem, compact_iban, iban_check_digits, iban_problem
from amtsweg.lib.tax_id import TaxIdProblem, digit_pattern_is_valid, tax_id_problem


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


FIELD = {"key": "f", "label": "F"}


def parse(type_name: str, value: str):
    return registry[type_name].parse({**FIELD, "type": type_name}, [value])


def rejection(type_name: str, value: str) -> str:
    with pytest.raises(FieldError) as raised:
        parse(type_name, value)
    message = str(raised.value)
    assert message
    return message


def mod_11_10(first_ten: str) -> str:
    """The IdNr check digit, written out as the method is published."""
    carry = 10
    for digit in first_ten:
        total = (int(digit) + carry) % 10
        if total == 0:
            total = 10
        carry = (total * 2) % 11
    check = 11 - carry
    return "0" if check == 10 else str(check)


def de_iban(bban: str) -> str:
    """A German IBAN with check digits computed from scratch: D=13, E=14, then 98 − n mod 97."""
    return f"DE{98 - int(bban + '131400') % 97:02d}{bban}"


# --- IBAN ---------------------------------------------------------------------------------

VALID_IBANS = [
    "DE02120300000000202051",
    "DE89370400440532013000",
    "AT611904300234573201",
    "CH9300762011623852957",
    "NL91ABNA0417164300",
    "FR1420041010050500013M02606",
    "IT60X0542811101000000123456",
    "ES9121000418450200051332",
    "BE68539007547034",
    "LU280019400644750000",
    "PL61109010140000071219812874",
]


class TestIban:
    @pytest.mark.parametrize("iban", VALID_IBANS)
    def test_published_examples_pass(self, iban):
        assert iban_problem(iban) is None
        assert parse("iban", iban) == iban

    @pytest.mark.parametrize(
        "typed",
        [
            "DE02 1203 0000 0000 2020 51",
            "de02120300000000202051",
            " de02 1203 0000 0000 2020 51 ",
            "DE02\u00a01203\u00a00000\u00a00000\u00a02020\u00a051",
        ],
    )
    def test_spaces_and_lower_case(self, typed):
        assert parse("iban", typed) == "DE02120300000000202051"

    def test_shown_in_groups_of_four(self):
        iban = registry["iban"]
        field = {**FIELD, "type": "iban"}
        assert iban.as_text(field, "DE02120300000000202051") == "DE02 1203 0000 0000 2020 51"
        assert iban.as_input(field, "NL91ABNA0417164300") == "NL91 ABNA 0417 1643 00"
        assert iban.as_text(field, None) == ""

    def test_wrong_check_digits(self):
        message = rejection("iban", "DE02120300000000202052")
        assert "not correct" in message
        assert "bank card" in message

    @pytest.mark.parametrize("check", ["00", "01", "99"])
    def test_check_digits_never_issued(self, check):
        # 99 ≡ 2 (mod 97): the remainder test alone would pass DE99 1203 0000 0000 2020 51.
        iban = f"DE{check}120300000000202051"
        assert iban_problem(iban) is IbanProblem.CHECK_DIGITS

    def test_german_length(self):
        message = rejection("iban", "DE0212030000000020205")
        assert "22 characters" in message
        assert "You entered 21" in message

    def test_german_letters_in_the_account(self):
        assert rejection("iban", "DE02A20300000000202051") == (
            "Enter an IBAN: DE followed by 20 digits, e.g. DE02 1203 0000 0000 2020 51."
        )

    def test_other_country_length(self):
        message = rejection("iban", "AT61190430023457320")
        assert "starting with AT has 20 characters; you entered 19" in message

    def test_other_country_structure(self):
        assert "starting with NL" in rejection("iban", "NL9112340417164300")

    def test_unknown_country_generic_length(self):
        assert iban_problem("XK051212012345678906") is None  # Kosovo: not in the table
        assert "15 to 34 characters" in rejection("iban", "XK05121201")
        assert "15 to 34 characters" in rejection("iban", "XK05" + "1" * 31)

    @pytest.mark.parametrize(
        "typed",
        ["1234", "D E", "DEXX120300000000202051", "DE02-1203-0000", "🏦", "ＤＥ０２１２", "DE02ß"],
    )
    def test_not_an_iban(self, typed):
        assert "two letters for the country" in rejection("iban", typed)

    def test_overlong(self):
        assert "You entered 1002 characters" in rejection("iban", "DE" + "1" * 1000)

    def test_non_ascii_is_not_upper_cased_into_letters(self):
        # "ß".upper() is "SS": it must not become part of an IBAN.
        assert compact_iban("de02ß") == "de02ß"

    def test_check_digits_for_a_bban(self):
        assert iban_check_digits("DE", "120300000000202051") == "02"
        assert iban_check_digits("NL", "ABNA0417164300") == "91"


@settings(max_examples=300, deadline=None)
@given(bban=st.text(alphabet="0123456789", min_size=18, max_size=18), data=st.data())
def test_random_german_ibans_are_accepted_and_read_back(bban, data):
    """Any German IBAN with correct check digits passes, however it is spaced or cased, and
    what the input shows again parses to the same stored value."""
    iban = de_iban(bban)
    typed = data.draw(
        st.sampled_from([iban, iban.lower(), " ".join(iban[i : i + 4] for i in range(0, 22, 4))])
    )
    field_type, field = registry["iban"], {**FIELD, "type": "iban"}
    stored = field_type.parse(field, [typed])
    assert stored == iban
    assert field_type.parse(field, [field_type.as_input(field, stored)]) == stored
    # Changing any one digit is always caught.
    position = data.draw(st.integers(min_value=2, max_value=21))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != iban[position]]))
    with pytest.raises(FieldError):
        field_type.parse(field, [iban[:position] + digit + iban[position + 1 :]])


# --- tax identification number ------------------------------------------------------------


def tax_id(first_ten: str) -> str:
    return first_ten + mod_11_10(first_ten)


VALID_FIRST_TEN = [
    "1234567899",  # 9 twice, 0 missing: the published example 12 345 678 995
    "8609574271",  # 7 twice, 3 missing
    "5712309847",  # 7 twice, 6 missing
    "1121345678",  # 1 three times, two of them neighbours: allowed; 0 and 9 missing
    "2324256789",  # 2 three times, none neighbours: allowed; 0 and 1 missing
]


class TestTaxId:
    def test_published_example(self):
        assert mod_11_10("1234567899") == "5"
        assert parse("tax_id", "12345678995") == "12345678995"

    @pytest.mark.parametrize("first_ten", VALID_FIRST_TEN)
    def test_constructed_numbers_pass(self, first_ten):
        number = tax_id(first_ten)
        assert tax_id_problem(number) is None
        assert parse("tax_id", number) == number

    @pytest.mark.parametrize(
        "typed", ["12 345 678 995", " 12345678995 ", "12\u00a0345\u00a0678 995"]
    )
    def test_spaces_are_fine(self, typed):
        assert parse("tax_id", typed) == "12345678995"

    def test_shown_grouped(self):
        field = {**FIELD, "type": "tax_id"}
        assert registry["tax_id"].as_text(field, "12345678995") == "12 345 678 995"
        assert registry["tax_id"].parse(field, [registry["tax_id"].as_input(field, "12345678995")])

    @pytest.mark.parametrize("first_ten", VALID_FIRST_TEN)
    def test_every_wrong_check_digit_is_refused(self, first_ten):
        right = mod_11_10(first_ten)
        for digit in "0123456789":
            if digit != right:
                assert tax_id_problem(first_ten + digit) is TaxIdProblem.CHECK_DIGIT
        assert "not correct" in rejection("tax_id", first_ten + str((int(right) + 1) % 10))

    @pytest.mark.parametrize(
        "first_ten",
        [
            "1234567890",  # no digit repeated
            "1122345678",  # two digits repeated
            "1112345678",  # one digit three times in a row
            "2345111678",  # three in a row in the middle
            "1213141567",  # one digit four times
        ],
    )
    def test_digit_rule(self, first_ten):
        assert not digit_pattern_is_valid(first_ten)
        number = tax_id(first_ten)  # even with the right check digit
        assert tax_id_problem(number) is TaxIdProblem.DIGIT_PATTERN
        assert "not correct" in rejection("tax_id", number)

    def test_ten_digits(self):
        assert "has 11 digits; you entered 10" in rejection("tax_id", "1234567899")

    def test_overlong(self):
        assert "you entered 30" in rejection("tax_id", "1" * 30)

    def test_leading_zero(self):
        number = tax_id("0234567899")
        assert tax_id_problem(number) is TaxIdProblem.LEADING_ZERO
        assert "does not start with 0" in rejection("tax_id", number)

    @pytest.mark.parametrize(
        "typed", ["１２３４５６７８９９５", "１２", "12345678９95", "12-345-678-995", "🧾", "IdNr"]
    )
    def test_not_digits(self, typed):
        assert "11 digits" in rejection("tax_id", typed)


# --- AGS ----------------------------------------------------------------------------------


class TestAgs:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [("06411000", "06411000"), ("06 4 11 000", "06411000"), ("16077052", "16077052")],
    )
    def test_accepts(self, typed, stored):
        assert parse("ags", typed) == stored

    @pytest.mark.parametrize("typed", ["0641100", "064110000", "06432", "O6411000", "🏛"])
    def test_rejects_what_is_not_8_digits(self, typed):
        message = rejection("ags", typed)
        assert "8 digits" in message
        assert "06411000" in message

    def test_rejects_full_width_digits(self):
        # validate_ags alone lets these through (see tests/test_keys.py).
        assert "8 digits" in rejection("ags", "0641100０")
        assert "8 digits" in rejection("ags", "０６４１１０００")

    @pytest.mark.parametrize("typed", ["00411000", "17411000", "99000000"])
    def test_rejects_an_unknown_federal_state(self, typed):
        assert "federal state" in rejection("ags", typed)
