"""PDF from a Django template: WeasyPrint, PDF/A, A4, fonts embedded, nothing fetched.

WeasyPrint (with Pango underneath) is imported inside the function: it takes a while to load
and needs system libraries, so web processes that never render a PDF should not pay for it
(ruff bans a module-level import). Every document (receipt, decision) goes through
:func:`render_pdf`, so the archival properties hold for all of them in one place:

- PDF/A-3b by default (ISO 19005-3): fonts embedded (subsets), sRGB output intent, XMP metadata
  with the PDF/A identification; PDF/A-3 also allows embedded files, which carry the
  machine-readable data next to the human-readable pages.
- Metadata from the template's ``<title>``, ``<meta name="author">`` (the authority) and
  ``<html lang>``: templates extend ``documents/pdf_base.html``, which sets them.
- No network and no local files: the URL fetcher allows ``data:`` URLs only, so a value typed
  by an applicant can never make the renderer fetch anything. Fonts come from fontconfig
  (DejaVu Sans, Debian's fonts-dejavu-core, installed by ``make install``).
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from amtsweg.lib.niceness import at_niceness

#: The variant every archived document uses unless a caller has a reason for another.
DEFAULT_VARIANT = "pdf/a-3b"


@dataclass(frozen=True)
class EmbeddedFile:
    """A file carried inside the PDF (PDF/A-3 "associated file").

    ``relationship`` is the AFRelationship of ISO 32000-2 (7.11.3): ``Data`` for data the
    document was made from, ``Source`` for its source, ``Alternative`` for another form of it.
    """

    name: str
    content: bytes
    description: str = ""
    media_type: str = "application/octet-stream"
    relationship: str = "Data"
    created: datetime | None = None


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    metadata: Mapping[str, Any] = field(default_factory=dict)


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    attachments: Iterable[EmbeddedFile] = (),
    pdf_variant: str | None = DEFAULT_VARIANT,
    language: str,
) -> bytes:
    """The PDF bytes of ``template_name`` rendered with ``context`` in ``language``."""
    return render_pdf_document(
        template_name,
        context,
        attachments=attachments,
        pdf_variant=pdf_variant,
        language=language,
    ).content


def render_pdf_document(
    template_name: str,
    context: Mapping[str, Any],
    *,
    attachments: Iterable[EmbeddedFile] = (),
    pdf_variant: str | None = DEFAULT_VARIANT,
    language: str,
    niceness: int = 0,
    idle: bool = False,
) -> RenderedPdf:
    """Like :func:`render_pdf`, also telling the page count (stored with the document).

    The template is rendered in the calling thread (it may read the database); the PDF, which
    takes nearly all of the CPU, at ``niceness`` and, with ``idle``, under the idle scheduling
    policy (``amtsweg.lib.niceness``)."""
    with translation.override(language):
        html = render_to_string(template_name, {**context, "document_language": language})
    return at_niceness(niceness, _pdf_from_html, html, list(attachments), pdf_variant, idle=idle)


def _pdf_from_html(
    html: str, attachments: list[EmbeddedFile], pdf_variant: str | None
) -> RenderedPdf:
    """WeasyPrint's part: no Django, no database, so it may run in any thread."""
    # WeasyPrint reports every rendering step at INFO, its import included (it parses its
    # default style sheets then); a worker's log needs none of that.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    import weasyprint  # noqa: TID251  (lazy on purpose, see the module docstring)

    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    embedded = [
        weasyprint.Attachment(
            string=item.content,
            name=item.name,
            description=item.description or None,
            created=item.created,
            modified=item.created,
            relationship=item.relationship,
            url_fetcher=fetcher,
        )
        for item in attachments
    ]
    options: dict[str, Any] = {
        "pdf_variant": pdf_variant,
        "attachments": embedded,
        "pdf_identifier": None,
    }
    document = weasyprint.HTML(string=html, base_url="data:,", url_fetcher=fetcher).render(
        **options
    )
    content = document.write_pdf(**options)
    metadata = document.metadata
    return RenderedPdf(
        content=content,
        page_count=len(document.pages),
        metadata={
            "title": metadata.title,
            "authors": list(metadata.authors),
            "lang": metadata.lang,
        },
    )
