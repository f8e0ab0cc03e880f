"""A municipality's accent colour, checked against WCAG 2.1 contrast before it is accepted.

The accent is drawn as the brand name (text on white) and as the band above the page header;
white is the only colour it meets, so one ratio against white decides. Text needs 4.5:1
(WCAG 1.4.3, AA); KERN UX keeps its own colours for buttons, links and focus, so an accent
can never weaken them.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
MINIMUM_CONTRAST = 4.5
WHITE = "#ffffff"


def _channel(value: int) -> float:
    """One sRGB channel (0–255) made linear, as WCAG's relative luminance defines it."""
    share = value / 255
    return share / 12.92 if share <= 0.04045 else ((share + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def validate_accent_colour(value: str) -> None:
    """Refuse anything but ``#rrggbb``, and colours too light to carry text on white."""
    if not HEX_COLOUR.fullmatch(value):
        raise ValidationError(
            _("Enter the colour as # and six hexadecimal digits, e.g. #004b87."), code="format"
        )
    ratio = contrast_ratio(value, WHITE)
    if ratio < MINIMUM_CONTRAST:
        raise ValidationError(
            _(
                "The colour %(colour)s has a contrast of only %(ratio)s:1 to white; text needs "
                "at least 4.5:1 (WCAG 2.1 AA). Choose a darker shade."
            )
            % {"colour": value, "ratio": number_format(ratio, 2)},
            code="contrast",
        )
