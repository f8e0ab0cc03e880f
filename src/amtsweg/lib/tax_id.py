"""The German tax identification number (steuerliche Identifikationsnummer, IdNr, § 139b AO).

Eleven digits: ten that identify the person and a check digit (ISO 7064 MOD 11,10). The ten
are issued so that the first is never 0 and exactly one digit occurs more than once — twice,
or (for numbers issued since 2016) three times, but then not in three neighbouring places; so
one or two of the ten digits 0–9 do not occur at all.
"""

import enum
import re
from collections import Counter

_ELEVEN_DIGITS = re.compile(r"[0-9]{11}", re.ASCII)


class TaxIdProblem(enum.Enum):
    SHAPE = "shape"  # not 11 digits
    LEADING_ZERO = "leading_zero"  # the first digit is 0
    DIGIT_PATTERN = "digit_pattern"  # the first ten digits break the repetition rule
    CHECK_DIGIT = "check_digit"  # the eleventh digit does not match


def tax_id_check_digit(first_ten: str) -> str:
    """The check digit of the first ten digits (ISO 7064 MOD 11,10)."""
    product = 10
    for char in first_ten:
        total = (int(char) + product) % 10 or 10
        product = total * 2 % 11
    check = 11 - product
    return "0" if check == 10 else str(check)


def digit_pattern_is_valid(first_ten: str) -> bool:
    """Whether exactly one digit repeats — twice, or three times but not in three neighbouring
    places — and every other digit occurs at most once."""
    repeated = [(digit, count) for digit, count in Counter(first_ten).items() if count > 1]
    if len(repeated) != 1:
        return False
    digit, count = repeated[0]
    if count == 2:
        return True
    return count == 3 and digit * 3 not in first_ten


def tax_id_problem(value: str) -> TaxIdProblem | None:
    """What is wrong with an IdNr given as 11 digits without spaces, or None if it is valid."""
    if not _ELEVEN_DIGITS.fullmatch(value):
        return TaxIdProblem.SHAPE
    if value[0] == "0":
        return TaxIdProblem.LEADING_ZERO
    if not digit_pattern_is_valid(value[:10]):
        return TaxIdProblem.DIGIT_PATTERN
    if tax_id_check_digit(value[:10]) != value[10]:
        return TaxIdProblem.CHECK_DIGIT
    return None


def group_tax_id(value: str) -> str:
    """An IdNr as printed on tax letters: 86 095 742 719."""
    return f"{value[:2]} {value[2:5]} {value[5:8]} {value[8:]}"
