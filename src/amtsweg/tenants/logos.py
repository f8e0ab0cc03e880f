"""A municipality's logo or coat of arms: PNG, JPEG or SVG, small, and checked by content.

The file is shown only through ``<img>`` (where an SVG cannot run scripts) and served by
``tenants.views.municipality_logo`` with a sandboxing Content-Security-Policy. An SVG is
refused outright when it carries anything active (scripts, event handlers, embedded
documents, links to other files or a DOCTYPE with entities), so a stored logo stays inert
even when opened directly.
"""

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
    """What makes ``content`` unacceptable as an SVG logo, or "" when it is a plain drawing."""
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        return _("The SVG may not contain a DOCTYPE or entities.")
    try:
        root = ET.fromstring(content)  # noqa: S314 - DOCTYPE refused above: no entities
    except ET.ParseError:
        return _("The SVG file cannot be read; export it again from your drawing program.")
    if root.tag != f"{_SVG}svg":
        return _("The file is not an SVG drawing.")
    for element in root.iter():
        local = str(element.tag).rsplit("}", 1)[-1]
        if local in _ACTIVE_ELEMENTS:
            return _("The SVG may not contain scripts or embedded content (%(element)s).") % {
                "element": local
            }
        for attribute, value in element.attrib.items():
            name = attribute.rsplit("}", 1)[-1].lower()
            if name.startswith("on"):
                return _("The SVG may not contain scripts or embedded content (%(element)s).") % {
                    "element": name
                }
            if name == "href" and not value.startswith("#"):
                return _("The SVG may not link to other files.")
            if "url(" in value.replace(" ", "") and "url(#" not in value.replace(" ", ""):
                return _("The SVG may not link to other files.")
        if local == "style" and (
            "@import" in (element.text or "") or "url(" in (element.text or "")
        ):
            return _("The SVG may not link to other files.")
    return ""
