"""Attachment preview in the case view (issue 6 point 2): PDF and images shown in the browser
with a safe type, ``nosniff`` and a Content-Security-Policy that lets nothing run; SVG, HTML
and anything else only ever downloaded; SHA-256 and size shown; only the processing
municipality's staff get the files."""

import hashlib
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation

from amtsweg.cases.models import Case, Message, MessageAttachment, MessageDirection
from amtsweg.submissions.models import Attachment, Submission
from amtsweg.submissions.services import submit_application
from tests.factories import make_complete_draft
from tests.staff_login import login_staff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n% Impfpass\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><script>alert(document.cookie)</script></html>"


def attach(submission: Submission, name: str, content: bytes, content_type: str) -> Attachment:
    return Attachment.objects.create(
        submission=submission,
        field_path="proof",
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        file=ContentFile(content, name="upload"),
    )


def preview_url(case: Case, attachment: Attachment) -> str:
    return reverse("cases:attachment_preview", args=[case.uuid, attachment.uuid])


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def files(darmstadt_case: Case) -> dict[str, Attachment]:
    submission = darmstadt_case.submission
    return {
        "png": attach(submission, "Foto.png", PNG, "image/png"),
        "pdf": attach(submission, "Impfpass.pdf", PDF, "application/pdf"),
        "svg": attach(submission, "bild.svg", SVG, "image/svg+xml"),
        "html": attach(submission, "seite.html", HTML, "text/html"),
    }


def test_case_view_shows_images_inline_links_pdfs_and_lists_checksums(
    client, darmstadt_case, darmstadt_clerk, files
):
    login_staff(client, darmstadt_clerk)
    html = client.get(reverse("cases:detail", args=[darmstadt_case.uuid])).content.decode()

    assert (
        f'<img class="amtsweg-preview" src="{preview_url(darmstadt_case, files["png"])}"' in html
    )
    assert 'alt="Vorschau von Foto.png"' in html or 'alt="Preview of Foto.png"' in html
    assert f'href="{preview_url(darmstadt_case, files["pdf"])}" target="_blank"' in html
    for kind in ("svg", "html"):  # downloads only: no preview link, no image
        assert preview_url(darmstadt_case, files[kind]) not in html
        download = reverse("cases:attachment", args=[darmstadt_case.uuid, files[kind].uuid])
        assert f'href="{download}" download' in html
    for attachment in files.values():
        assert attachment.sha256 in html
    with translation.override("de"):
        assert filesizeformat(len(PNG)) in html


@pytest.mark.parametrize("kind,content_type", [("png", "image/png"), ("pdf", "application/pdf")])
def test_pdf_and_images_open_inline_with_a_policy_that_runs_nothing(
    client, darmstadt_case, darmstadt_clerk, files, kind, content_type
):
    login_staff(client, darmstadt_clerk)
    response = client.get(preview_url(darmstadt_case, files[kind]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'")
    assert "script-src" not in policy and "frame-ancestors 'none'" in policy
    assert ("sandbox" in policy) == (kind == "png")
    assert response["Cache-Control"] == "private, no-store"
    assert body(response) == {"png": PNG, "pdf": PDF}[kind]


@pytest.mark.parametrize("kind", ["svg", "html"])
def test_svg_and_html_are_never_shown_inline(client, darmstadt_case, darmstadt_clerk, files, kind):
    login_staff(client, darmstadt_clerk)
    response = client.get(preview_url(darmstadt_case, files[kind]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_another_municipality_gets_404_for_preview_and_download(
    client, darmstadt_case, modautal_clerk, files
):
    login_staff(client, modautal_clerk)
    for name in ("cases:attachment_preview", "cases:attachment"):
        url = reverse(name, args=[darmstadt_case.uuid, files["png"].uuid])
        assert client.get(url).status_code == 404


def test_an_attachment_of_another_case_is_404(client, offering, darmstadt_clerk, files):
    other = submit_application(make_complete_draft(offering)).submission.case
    login_staff(client, darmstadt_clerk)
    assert client.get(preview_url(other, files["png"])).status_code == 404


def test_under_ikz_only_the_processing_office_opens_the_files(
    client, ikz_offering, modautal_clerk, ober_ramstadt_clerk
):
    case = submit_application(make_complete_draft(ikz_offering)).submission.case
    photo = attach(case.submission, "Foto.png", PNG, "image/png")

    login_staff(client, ober_ramstadt_clerk)
    assert client.get(preview_url(case, photo)).status_code == 200
    client.logout()
    login_staff(client, modautal_clerk)  # the offering municipality: the case, not the files
    page = client.get(reverse("cases:detail", args=[case.uuid])).content.decode()
    assert "Foto.png" in page and preview_url(case, photo) not in page
    assert client.get(preview_url(case, photo)).status_code == 404
    download = reverse("cases:attachment", args=[case.uuid, photo.uuid])
    assert client.get(download).status_code == 404


def test_a_file_sent_with_an_answer_previews_too(client, darmstadt_case, darmstadt_clerk):
    message = Message.objects.create(
        case=darmstadt_case, direction=MessageDirection.TO_OFFICE, subject="Antwort", body="Foto"
    )
    photo = MessageAttachment(
        message=message,
        original_name="Nachweis.png",
        content_type="image/png",
        size=len(PNG),
        sha256=hashlib.sha256(PNG).hexdigest(),
    )
    photo.file.save("x", ContentFile(PNG), save=False)
    photo.save()
    login_staff(client, darmstadt_clerk)
    url = reverse("cases:message_attachment_preview", args=[darmstadt_case.uuid, photo.uuid])

    page = client.get(reverse("cases:detail", args=[darmstadt_case.uuid])).content.decode()
    response = client.get(url)

    assert f'src="{url}"' in page
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == PNG
