"""IBAN (ISO 13616): normalise, check length and structure per country, verify the check digits.

An IBAN is a two-letter country code, two check digits and the national account number (BBAN).
The check digits make the whole number, read with the country code and check digits moved to
the end and letters replaced by 10…35, leave the remainder 1 when divided by 97 (ISO 7064
MOD 97-10). That catches every single mistyped character and almost all other typing errors.
"""

import enum
import re

#: Length of the whole IBAN and the BBAN's structure for the countries we see most; other
#: countries get the generic checks (15 to 34 letters and digits) and the check digits.
COUNTRIES: dict[str, tuple[int, str]] = {
    "AD": (24, "[0-9]{8}[0-9A-Z]{12}"),
    "AT": (20, "[0-9]{16}"),
    "BE": (16, "[0-9]{12}"),
    "BG": (22, "[A-Z]{4}[0-9]{6}[0-9A-Z]{8}"),
    "CH": (21, "[0-9]{5}[0-9A-Z]{12}"),
    "CY": (28, "[0-9]{8}[0-9A-Z]{16}"),
    "CZ": (24, "[0-9]{20}"),
    "DE": (22, "[0-9]{18}"),
    "DK": (18, "[0-9]{14}"),
    "EE": (20, "[0-9]{16}"),
    "ES": (24, "[0-9]{20}"),
    "FI": (18, "[0-9]{14}"),
    "FR": (27, "[0-9]{10}[0-9A-Z]{11}[0-9]{2}"),
    "GB": (22, "[A-Z]{4}[0-9]{14}"),
    "GR": (27, "[0-9]{7}[0-9A-Z]{16}"),
    "HR": (21, "[0-9]{17}"),
    "HU": (28, "[0-9]{24}"),
    "IE": (22, "[A-Z]{4}[0-9]{14}"),
    "IS": (26, "[0-9]{22}"),
    "IT": (27, "[A-Z][0-9]{10}[0-9A-Z]{12}"),
    "LI": (21, "[0-9]{5}[0-9A-Z]{12}"),
    "LT": (20, "[0-9]{16}"),
    "LU": (20, "[0-9]{3}[0-9A-Z]{13}"),
    "LV": (21, "[A-Z]{4}[0-9A-Z]{13}"),
    "MC": (27, "[0-9]{10}[0-9A-Z]{11}[0-9]{2}"),
    "MT": (31, "[A-Z]{4}[0-9]{5}[0-9A-Z]{18}"),
    "NL": (18, "[A-Z]{4}[0-9]{10}"),
    "NO": (15, "[0-9]{11}"),
    "PL": (28, "[0-9]{24}"),
    "PT": (25, "[0-9]{21}"),
    "RO": (24, "[A-Z]{4}[0-9A-Z]{16}"),
    "SE": (24, "[0-9]{20}"),
    "SI": (19, "[0-9]{15}"),
    "SK": (24, "[0-9]{20}"),
    "SM": (27, "[A-Z][0-9]{10}[0-9A-Z]{12}"),
}
MIN_LENGTH = 15
MAX_LENGTH = 34

_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[0-9A-Z]+", re.ASCII)
_SPACES = re.compile(r"[ \u00a0\u202f]")


class IbanProblem(enum.Enum):
    SHAPE = "shape"  # not two letters, two digits and then letters and digits
    LENGTH = "length"  # wrong length for the country (or outside 15–34 for others)
    STRUCTURE = "structure"  # the account part has letters where the country has digits
    CHECK_DIGITS = "check_digits"  # the check digits do not match


def compact_iban(value: str) -> str:
    """The IBAN without spaces (as printed in groups of four), in upper case.

    Text with other than ASCII characters is left as it is (and then fails the checks): upper
    case would turn "ß" into "SS" and full-width letters stay full-width anyway.
    """
    compact = _SPACES.sub("", value)
    return compact.upper() if compact.isascii() else compact


def group_iban(iban: str) -> str:
    """A compact IBAN in groups of four, as on a bank card: DE02 1203 0000 0000 2020 51."""
    return " ".join(iban[start : start + 4] for start in range(0, len(iban), 4))


def expected_length(country: str) -> int | None:
    """The IBAN length of ``country``, or None where this module does not know it."""
    known = COUNTRIES.get(country)
    return known[0] if known else None


def _as_number(text: str) -> int:
    """Letters become 10…35, digits stay: the number ISO 7064 MOD 97-10 works on."""
    return int("".join(str(int(char, 36)) for char in text))


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits for ``country`` and ``bban`` (both upper case)."""
    return f"{98 - _as_number(bban + country + '00') % 97:02d}"


def iban_problem(iban: str) -> IbanProblem | None:
    """What is wrong with a compact, upper-case IBAN, or None if it is well-formed and checks."""
    if not _SHAPE.fullmatch(iban):
        return IbanProblem.SHAPE
    country, check, bban = iban[:2], iban[2:4], iban[4:]
    known = COUNTRIES.get(country)
    if known:
        length, structure = known
        if len(iban) != length:
            return IbanProblem.LENGTH
        if not re.fullmatch(structure, bban):
            return IbanProblem.STRUCTURE
    elif not MIN_LENGTH <= len(iban) <= MAX_LENGTH:
        return IbanProblem.LENGTH
    # 00, 01 and 99 pass the remainder test for some accounts but are never issued (02…98).
    if check in {"00", "01", "99"} or _as_number(bban + country + check) % 97 != 1:
        return IbanProblem.CHECK_DIGITS
    return None
