"""Uploaded files as HTTP responses: as a download, or shown in the browser (preview).

Only types a browser shows without running anything of the file's own are ever inline: PDF,
PNG and JPEG, judged by the type found in the content when the file was uploaded
(``submissions.attachments.check_upload``), never by its name. Anything else, SVG and HTML
above all (they can carry scripts), is a download. Every response says ``nosniff``, forbids
caching and framing, and carries a Content-Security-Policy that allows nothing to load or run;
images are also sandboxed. A PDF is not sandboxed because Chromium refuses to show a PDF in a
sandboxed document; its viewer runs the file's scripts (if at all) isolated from this site.
"""

import logging

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from amtsweg.cases.models import MessageAttachment
from amtsweg.submissions.attachments import download_name
from amtsweg.submissions.models import Attachment

logger = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
#: Shown in the browser; everything else is only ever downloaded.
INLINE_TYPES = IMAGE_TYPES | {"application/pdf"}

DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"
IMAGE_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; "
    "frame-ancestors 'none'"
)
PDF_POLICY = "default-src 'none'; object-src 'self'; frame-ancestors 'none'"


def can_preview(stored: Attachment | MessageAttachment) -> bool:
    return stored.content_type in INLINE_TYPES


def is_image(stored: Attachment | MessageAttachment) -> bool:
    return stored.content_type in IMAGE_TYPES


def stored_file_response(
    stored: Attachment | MessageAttachment, *, inline: bool = False
) -> FileResponse:
    """The stored upload, inline when asked for and its type allows it, else as a download
    under a cleaned name; 404 (and an error in the log) when its file is missing."""
    try:
        content = stored.file.open("rb")
    except FileNotFoundError:
        logger.error("Attachment %s has no file at %s in the storage", stored.uuid, stored.file)
        raise Http404(_("The file of this attachment is missing from the storage.")) from None
    show = inline and can_preview(stored)
    response = FileResponse(
        content,
        as_attachment=not show,
        filename=download_name(stored),  # type: ignore[arg-type]
        content_type=stored.content_type if show else _download_type(stored),
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not show:
        response["Content-Security-Policy"] = DOWNLOAD_POLICY
    elif is_image(stored):
        response["Content-Security-Policy"] = IMAGE_POLICY
    else:
        response["Content-Security-Policy"] = PDF_POLICY
    response["Cache-Control"] = "private, no-store"
    return response


def _download_type(stored: Attachment | MessageAttachment) -> str:
    """A download keeps its detected type when it is one we know, else a neutral one, so
    that no browser is told to treat an unknown upload as a page."""
    return (
        stored.content_type
        if stored.content_type in INLINE_TYPES
        else ("application/octet-stream")
    )
