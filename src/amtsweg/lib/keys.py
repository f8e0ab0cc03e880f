"""Official German area keys: AGS (Amtlicher Gemeindeschlüssel), ARS (Amtlicher Regionalschlüssel).

AGS: 8 digits = Land (2) + Regierungsbezirk (1) + Kreis (2) + Gemeinde (3).
ARS: 12 digits = Land (2) + Regierungsbezirk (1) + Kreis (2) + Gemeindeverband (4) + Gemeinde (3).
A Landkreis has no 8-digit AGS; it is identified by its 5-digit Kreisschlüssel.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_LAND_CODES = {f"{n:02d}" for n in range(1, 17)}
_AGS = re.compile(r"[0-9]{8}")
_KREIS = re.compile(r"[0-9]{5}")
_ARS = re.compile(r"[0-9]{12}")


def validate_ags(value: str) -> None:
    """Accept an 8-digit AGS (a Landkreis: its 5-digit Kreisschlüssel) with a real Land code."""
    if not (_AGS.fullmatch(value) or _KREIS.fullmatch(value)):
        raise ValidationError(
            _("An AGS has exactly 8 digits (a district key 5 digits), e.g. 06411000."),
            code="ags_format",
        )
    if value[:2] not in _LAND_CODES:
        raise ValidationError(
            _("The first two digits of an AGS name a federal state (01 to 16)."),
            code="ags_land",
        )


def validate_ars(value: str) -> None:
    """Accept a 12-digit ARS with a real Land code."""
    if not _ARS.fullmatch(value):
        raise ValidationError(
            _("An ARS has exactly 12 digits, e.g. 064110000000."), code="ars_format"
        )
    if value[:2] not in _LAND_CODES:
        raise ValidationError(
            _("The first two digits of an ARS name a federal state (01 to 16)."),
            code="ars_land",
        )


def ags_matches_ars(ags: str, ars: str) -> bool:
    """Whether an AGS and an ARS name the same place.

    The ARS repeats the AGS's Land, Regierungsbezirk and Kreis in its first five digits and the
    Gemeinde number in its last three; a Landkreis's ARS is its Kreisschlüssel padded with zeros.
    """
    if len(ags) == 5:
        return ars == ags + "0" * 7
    return ars[:5] == ags[:5] and ars[9:] == ags[5:]
