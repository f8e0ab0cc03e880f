"""Texts in form definitions may be one string or a mapping of language code to string."""

from django.utils.translation import get_language

LocalizedText = str | dict[str, str]


def localized(text: LocalizedText | None, language: str | None = None) -> str:
    """Pick the text for ``language`` (default: the active one), falling back to German."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    language = (language or get_language() or "de")[:2]
    return text.get(language) or text.get("de") or next(iter(text.values()), "")
