"""A municipality's logo or coat of arms: PNG, JPEG or SVG, small, and checked by content.

The file is shown only through ``<img>`` (where an SVG cannot run scripts) and served by
``tenants.views.municipality_logo`` with a sandboxing Content-Security-Policy. An SVG is
refused outright when it carries anything active (scripts, event handlers, embedded
documents, links to other files or a DOCTYPE with entities), so a stored logo stays inert
even when opened directly.
"""

import re
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

MAX_LOGO_BYTES = 200 * 1024
CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}
_MAGIC = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",)}
_SVG = "{http://www.w3.org/2000/svg}"
_ACTIVE_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video"}
#: Animations that can set another attribute (a link, an event handler) after the check.
_ANIMATIONS = {"animate", "set"}
#: A CSS url() to anything but a fragment of the drawing itself; any case, as CSS reads it.
_CSS_URL = re.compile(r"url\s*\(\s*['\"]?\s*[^#\s'\"]", re.IGNORECASE)
#: In a style sheet also @import, image-set() and escapes, which can spell either.
_CSS = re.compile(_CSS_URL.pattern + r"|@import|image-set|\\", re.IGNORECASE)


def logo_suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def validate_logo(file: File) -> None:
    """Refuse a logo that is too big, of another kind than its name says, or an active SVG."""
    suffix = logo_suffix(file.name or "")
    if suffix not in CONTENT_TYPES:
        raise ValidationError(_("Upload the logo as PNG, JPEG or SVG."), code="type")
    if file.size is not None and file.size > MAX_LOGO_BYTES:
        raise ValidationError(
            _("The logo may be at most 200 KB; this file has %(size)d KB.")
            % {"size": -(-file.size // 1024)},
            code="size",
        )
    file.seek(0)
    content = file.read(MAX_LOGO_BYTES + 1)
    file.seek(0)
    if suffix == ".svg":
        problem = svg_problem(content)
        if problem:
            raise ValidationError(problem, code="svg")
    elif not content.startswith(_MAGIC[suffix]):
        raise ValidationError(
            _("The file is not a %(kind)s image; save it again as PNG, JPEG or SVG.")
            % {"kind": suffix[1:].upper()},
            code="content",
        )


def svg_problem(content: bytes) -> str:
    """What makes ``content`` unacceptable as an SVG logo, or "" when it is a plain drawing.

    The text is read as UTF-8 only: in another encoding (UTF-16, say) a DOCTYPE would not be
    seen by the check below. CSS is matched without regard to case and refused with escapes,
    as browsers read ``URL(`` and ``@\\69mport`` too. Animations may not set a link or an
    event handler, which the attributes' own check would not see.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("Save the SVG as UTF-8 text; other encodings are not accepted.")
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return _("The SVG may not contain a DOCTYPE or entities.")
    try:
        root = ET.fromstring(text)  # noqa: S314 - DOCTYPE refused above: no entities
    except ET.ParseError:
        return _("The SVG file cannot be read; export it again from your drawing program.")
    if root.tag != f"{_SVG}svg":
        return _("The file is not an SVG drawing.")
    for element in root.iter():
        local = str(element.tag).rsplit("}", 1)[-1]
        if problem := _element_problem(element, local):
            return problem
    return ""


def _element_problem(element: ET.Element, local: str) -> str:
    active = _("The SVG may not contain scripts or embedded content (%(element)s).")
    links = _("The SVG may not link to other files.")
    if local in _ACTIVE_ELEMENTS:
        return active % {"element": local}
    if local in _ANIMATIONS:
        target = element.get("attributeName", "").rsplit(":", 1)[-1].lower()
        if target == "href" or target.startswith("on"):
            return active % {"element": f"{local} {target}"}
    for attribute, value in element.attrib.items():
        name = attribute.rsplit("}", 1)[-1].lower()
        if name.startswith("on"):
            return active % {"element": name}
        if name == "href" and not value.startswith("#"):
            return links
        if (_CSS if name == "style" else _CSS_URL).search(value):
            return links
    if local == "style" and _CSS.search(element.text or ""):
        return links
    return ""
