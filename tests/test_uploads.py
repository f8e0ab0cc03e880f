"""File uploads from the online assistant to the clerk's download: checked by content, size and
count, kept across re-posts, removable, verified at submit, scoped to the case's municipality,
and gone from the storage with their draft."""

import hashlib
import html
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from amtsweg.forms.definition import DefinitionError, check_definition
from amtsweg.forms.registry import FieldError, registry
from amtsweg.forms.services import BoundField, validate_submission
from amtsweg.submissions.attachments import (
    display_name,
    download_name,
    sniff_content_type,
    store_uploads,
)
from amtsweg.submissions.models import Attachment, Submission
from amtsweg.submissions.services import (
    SubmissionIncomplete,
    save_step,
    start_draft,
    submit_application,
)
from amtsweg.submissions.tasks import delete_expired_drafts
from tests.factories import (
    VALID_ANSWERS,
    OfferingFactory,
    SolutionVersionFactory,
    expire,
    form_definition,
)
from tests.staff_login import login_staff

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The messages are compared in English (the msgids); German is the catalogue's job."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def upload_definition() -> dict[str, Any]:
    """The applicant step of the test form, then a step with three kinds of file field."""
    applicant = form_definition()["steps"][0]
    documents = {
        "key": "documents",
        "title": {"de": "Nachweise", "en": "Documents"},
        "fields": [
            {
                "key": "proof",
                "type": "file",
                "required": True,
                "label": {"de": "Nachweis", "en": "Proof"},
            },
            {
                "key": "photos",
                "type": "file",
                "max_files": 3,
                "max_size_mb": 1,
                "accept": ["image/png", "image/jpeg"],
                "label": {"de": "Fotos", "en": "Photos"},
            },
            {
                "key": "dogs",
                "type": "group",
                "repeatable": True,
                "label": {"de": "Hunde", "en": "Dogs"},
                "item_label": {"de": "Hund", "en": "Dog"},
                "fields": [
                    {"key": "name", "type": "text", "label": {"de": "Name", "en": "Name"}},
                    {
                        "key": "photo",
                        "type": "file",
                        "accept": ["image/png"],
                        "label": {"de": "Foto", "en": "Photo"},
                    },
                ],
            },
        ],
    }
    return {"schema_version": 1, "steps": [applicant, documents]}


@pytest.fixture
def upload_offering(darmstadt):
    version = SolutionVersionFactory(
        solution__publisher=darmstadt, form_definition=upload_definition()
    )
    return OfferingFactory(municipality=darmstadt, solution_version=version, slug="nachweise")


@pytest.fixture
def documents_url(client, upload_offering) -> str:
    """The URL of the documents step of a fresh draft owned by ``client``'s session."""
    response = client.post(reverse("submissions:start", args=["darmstadt", "nachweise"]))
    response = client.post(response["Location"], VALID_ANSWERS["applicant"])
    assert response.status_code == 302
    assert response["Location"].endswith("/schritt/documents/")
    return response["Location"]


def draft_of(url: str) -> Submission:
    return Submission.objects.get(uuid=url.split("/antrag/")[1].split("/")[0])


def pdf(name: str = "antrag.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "foto.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def hidden_values(page: str, name: str) -> list[str]:
    """What the hidden inputs named ``name`` carry, as the browser would send it back."""
    pattern = rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)"'
    return [html.unescape(value) for value in re.findall(pattern, page)]


def stored_files(draft: Submission) -> list[str]:
    folder = f"attachments/{draft.uuid}"
    if not default_storage.exists(folder):
        return []
    return default_storage.listdir(folder)[1]


# --- recognising and naming files ----------------------------------------------------------


@pytest.mark.parametrize(
    ("first_bytes", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (EXE, None),
        (b"", None),
        (b"%PD", None),
        (b"GIF89a", None),
        (b"PK\x03\x04", None),
        (b" %PDF-1.7", None),
    ],
)
def test_type_is_read_from_the_first_bytes(first_bytes, expected):
    assert sniff_content_type(first_bytes) == expected


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("antrag.pdf", "antrag.pdf"),
        ("C:\\Users\\erika\\Scan 1.pdf", "Scan 1.pdf"),
        ("../../etc/passwd", "passwd"),
        ("bad\x00na\nme\r.pdf", "bad na me .pdf"),
        ("rech\u202enungfdp.exe", "rech nungfdp.exe"),
        ("Bescheinigung\u00a0für  Hund.pdf", "Bescheinigung für Hund.pdf"),
        ("...", "file"),
    ],
)
def test_display_name_is_safe(sent, shown):
    assert display_name(sent) == shown


def test_long_names_are_cut_keeping_the_extension():
    name = display_name("a" * 500 + ".pdf")
    assert len(name) == 200
    assert name.endswith("a.pdf")


# --- the field type ------------------------------------------------------------------------


VALUE = {
    "id": "0b0c4a8e-7d43-4a6e-9b0e-2a8a4b7c1d11",
    "name": "antrag.pdf",
    "size": 1_258_291,
    "type": "application/pdf",
    "sha256": "a" * 64,
}


def test_field_type_round_trips_its_values():
    field_type = registry["file"]
    field = {"key": "proof", "type": "file", "label": "Nachweis"}
    sent = field_type.as_input(field, [VALUE])
    assert field_type.parse(field, sent) == [VALUE]
    assert field_type.parse(field, []) is None
    with translation.override("de"):
        assert field_type.as_text(field, [VALUE]) == "antrag.pdf (1,2\xa0MB)"


@pytest.mark.parametrize(
    "sent",
    [
        ["not json"],
        [json.dumps({**VALUE, "size": "12"})],
        [json.dumps({**VALUE, "type": "application/x-msdownload"})],
        [json.dumps({**VALUE, "extra": 1})],
        [json.dumps([VALUE])],
    ],
)
def test_field_type_refuses_values_it_did_not_make(sent):
    with pytest.raises(FieldError):
        registry["file"].parse({"key": "proof", "type": "file", "label": "Nachweis"}, sent)


def test_field_type_checks_count_type_and_required():
    field_type = registry["file"]
    field = {"key": "p", "type": "file", "label": "Fotos", "accept": ["image/png"]}
    with pytest.raises(FieldError, match="not a PNG"):
        field_type.parse(field, field_type.as_input(field, [VALUE]))
    two = [VALUE, {**VALUE, "id": "1b0c4a8e-7d43-4a6e-9b0e-2a8a4b7c1d11"}]
    with pytest.raises(FieldError, match="at most 1 file"):
        registry["file"].parse(
            {**field, "accept": ["application/pdf"]}, [json.dumps(v) for v in two]
        )
    with pytest.raises(FieldError, match="Upload “Fotos”"):
        field_type.parse({**field, "required": True}, [])


def test_stored_data_passes_the_submit_check_unchanged():
    definition = upload_definition()
    data = {
        "given_name": "Erika",
        "family_name": "Mustermann",
        "email": "erika@example.de",
        "proof": [VALUE],
        "dogs": [{"name": "Bello", "photo": [{**VALUE, "type": "image/png", "name": "b.png"}]}],
    }
    assert validate_submission(definition, data) == {}


def test_definition_checks(settings):
    settings.AMTSWEG_MAX_UPLOAD_MB = 20
    check_definition(upload_definition())
    definition = upload_definition()
    definition["steps"][1]["fields"][1].update(
        {"max_files": 0, "max_size_mb": 50, "accept": ["image/png", "image/gif"]}
    )
    with pytest.raises(DefinitionError) as raised:
        check_definition(definition)
    problems = " ".join(raised.value.problems)
    assert "max_files 0" in problems
    assert "max_size_mb 50" in problems
    assert "image/gif" in problems


def test_template_lists_uploaded_files_with_hidden_values():
    field = {"key": "photos", "type": "file", "label": "Fotos", "help": "Hinweis"}
    field.update({"max_files": 3, "accept": ["image/png", "image/jpeg"]})
    bound = BoundField(field, "photos", value=[json.dumps(VALUE)], error="Zu groß.")
    page = render_to_string(bound.template, {"field": bound})
    assert hidden_values(page, "photos") == [registry["file"].as_input(field, [VALUE])[0]]
    assert f'name="photos.__remove" type="checkbox" value="{VALUE["id"]}"' in page
    file_input = re.search(r'<input class="kern-form-input__input[^>]*>', page).group(0)
    assert 'type="file"' in file_input
    assert 'accept="image/png,.png,image/jpeg,.jpg,.jpeg"' in file_input
    assert " multiple" in file_input
    assert 'aria-describedby="field-photos-hint field-photos-limits field-photos-error"' in (
        file_input
    )
    assert "PNG or JPEG, up to 10 MB per file, at most 3 files." in page


# --- uploading through the online assistant ------------------------------------------------


def test_upload_is_stored_under_uuids_with_its_checksum(client, documents_url):
    response = client.post(documents_url, {"proof": pdf()})
    assert response.status_code == 302, response.content.decode()[:3000]
    draft = draft_of(documents_url)
    attachment = Attachment.objects.get(submission=draft)
    assert draft.data["proof"] == [attachment.as_value()]
    assert attachment.original_name == "antrag.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.field_path == "proof"
    assert attachment.file.name == f"attachments/{draft.uuid}/{attachment.uuid}"
    with default_storage.open(attachment.file.name, "rb") as stored:
        assert stored.read() == PDF


def test_the_type_comes_from_the_content_not_the_name(client, documents_url):
    response = client.post(documents_url, {"proof": pdf(), "photos": png("scan.pdf")})
    assert response.status_code == 302
    photo = Attachment.objects.get(field_path="photos")
    assert (photo.original_name, photo.content_type) == ("scan.pdf", "image/png")
    assert download_name(photo) == "scan.png"


def test_a_renamed_program_is_refused(client, documents_url):
    response = client.post(documents_url, {"proof": pdf("virus.pdf", EXE)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file “virus.pdf” is not a PDF, PNG or JPEG. Upload one of those types." in page
    assert not Attachment.objects.exists()
    assert stored_files(draft_of(documents_url)) == []


def test_a_field_for_one_type_says_which(client, documents_url):
    response = client.post(
        documents_url,
        {
            "proof": pdf(),
            "dogs.__items": "1",
            "dogs.0.name": "Bello",
            "dogs.0.photo": pdf("b.pdf"),
        },
    )
    page = response.content.decode()
    assert "The file “b.pdf” is not a PNG. Upload a PNG file." in page
    assert 'id="field-dogs-0-photo"' in page
    # The valid upload of the same post is kept for the next try.
    assert len(hidden_values(page, "proof")) == 1


def test_a_file_over_the_limit_is_refused(client, documents_url):
    big = png("gross.png", PNG + b"\0" * (2 * MB))
    response = client.post(documents_url, {"proof": pdf(), "photos": big})
    page = response.content.decode()
    assert re.search(r"The file “gross.png” is 2[,.]1 MB; the limit is 1 MB.", page), page
    assert not Attachment.objects.filter(field_path="photos").exists()


class EndlessUpload(UploadedFile):
    """An upload that never ends and may lie about its size; counts the chunks read."""

    def __init__(self, size: int | None = None) -> None:
        super().__init__(file=None, name="endlos.png", content_type="image/png", size=size)
        self.chunks_read = 0

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        chunk_size = chunk_size or 64 * 1024
        self.chunks_read += 1
        yield PNG + b"\0" * (chunk_size - len(PNG))
        while True:
            self.chunks_read += 1
            yield b"\0" * chunk_size

    def seek(self, position: int) -> None:
        pass


def test_the_size_check_stops_reading_at_the_limit(upload_offering):
    draft = start_draft(upload_offering)
    field = upload_definition()["steps"][1]["fields"][1]  # photos, 1 MB
    endless = EndlessUpload(size=None)
    with pytest.raises(FieldError, match="the limit is 1 MB"):
        store_uploads(draft, field, "photos", [endless])
    assert endless.chunks_read == MB // (64 * 1024) + 1
    announced = EndlessUpload(size=2 * 1024 * MB)
    with pytest.raises(FieldError, match="the limit is 1 MB"):
        store_uploads(draft, field, "photos", [announced])
    assert announced.chunks_read == 0
    assert not Attachment.objects.exists()


def test_the_installation_cap_wins_over_the_form(settings, upload_offering):
    settings.AMTSWEG_MAX_UPLOAD_MB = 1
    draft = start_draft(upload_offering)
    field = {"key": "proof", "type": "file", "label": "Nachweis", "max_size_mb": 10}
    with pytest.raises(FieldError, match="the limit is 1 MB"):
        store_uploads(draft, field, "proof", [pdf(content=PDF + b"\0" * (MB + 1))])


def test_at_most_max_files(client, documents_url):
    def photos(count: int) -> list[SimpleUploadedFile]:
        return [png(f"foto{number}.png") for number in range(count)]

    response = client.post(documents_url, {"proof": pdf(), "photos": photos(4)})
    assert "Upload at most 3 files." in response.content.decode()
    assert not Attachment.objects.filter(field_path="photos").exists()
    # Two now, two more later: together still too many, and the first two stay.
    assert client.post(documents_url, {"proof": pdf(), "photos": photos(2)}).status_code == 302
    page = client.get(documents_url).content.decode()
    assert 'enctype="multipart/form-data"' in page  # a step with file fields
    kept = hidden_values(page, "photos")
    assert len(kept) == 2
    post = {"proof": hidden_values(page, "proof"), "photos": [*kept, *photos(2)]}
    page = client.post(documents_url, post).content.decode()
    assert "Upload at most 3 files." in page
    assert hidden_values(page, "photos") == kept
    assert Attachment.objects.filter(field_path="photos").count() == 2


def refuse_everything(upload: UploadedFile) -> str:
    return "Eicar-Test-Signature"


def broken_scanner(upload: UploadedFile) -> None:
    raise ConnectionError("clamd is not answering")


SCANNED: list[bytes] = []


def remember_scanned(upload: UploadedFile) -> None:
    SCANNED.append(upload.read())


def test_virus_scanner_refuses(client, documents_url, settings):
    settings.AMTSWEG_VIRUS_SCANNER = "tests.test_uploads.refuse_everything"
    page = client.post(documents_url, {"proof": pdf()}).content.decode()
    assert (
        "The virus check refused the file “antrag.pdf”: Eicar-Test-Signature. "
        "Upload a clean copy." in page
    )
    assert not Attachment.objects.exists()


def test_a_failing_virus_scanner_refuses_too(client, documents_url, settings):
    settings.AMTSWEG_VIRUS_SCANNER = "tests.test_uploads.broken_scanner"
    page = client.post(documents_url, {"proof": pdf()}).content.decode()
    assert "could not be checked for viruses just now" in page
    assert not Attachment.objects.exists()


def test_virus_scanner_sees_the_whole_file(client, documents_url, settings):
    settings.AMTSWEG_VIRUS_SCANNER = "tests.test_uploads.remember_scanned"
    SCANNED.clear()
    assert client.post(documents_url, {"proof": pdf()}).status_code == 302
    assert SCANNED == [PDF]


def test_reposting_keeps_the_earlier_upload(client, documents_url):
    assert client.post(documents_url, {"proof": pdf()}).status_code == 302
    draft = draft_of(documents_url)
    stored = draft.data["proof"]
    page = client.get(documents_url).content.decode()
    assert "antrag.pdf" in page
    kept = hidden_values(page, "proof")
    # An error elsewhere on the step shows the kept file again ...
    page = client.post(documents_url, {"proof": kept, "photos": pdf("x.pdf")}).content.decode()
    assert "not a PNG or JPEG" in page
    assert hidden_values(page, "proof") == kept
    # ... and sending it back stores the same value, with no second copy.
    assert client.post(documents_url, {"proof": kept}).status_code == 302
    draft.refresh_from_db()
    assert draft.data["proof"] == stored
    assert Attachment.objects.filter(submission=draft).count() == 1


def test_a_new_file_replaces_the_one_of_a_single_file_field(client, documents_url):
    client.post(documents_url, {"proof": pdf("alt.pdf")})
    kept = hidden_values(client.get(documents_url).content.decode(), "proof")
    assert client.post(documents_url, {"proof": [*kept, pdf("neu.pdf")]}).status_code == 302
    assert [value["name"] for value in draft_of(documents_url).data["proof"]] == ["neu.pdf"]


def test_removing_a_file(client, documents_url):
    photos = [png("eins.png"), png("zwei.png")]
    assert client.post(documents_url, {"proof": pdf(), "photos": photos}).status_code == 302
    page = client.get(documents_url).content.decode()
    first_id = json.loads(hidden_values(page, "photos")[0])["id"]
    post = {
        "proof": hidden_values(page, "proof"),
        "photos": hidden_values(page, "photos"),
        "photos.__remove": first_id,
    }
    assert client.post(documents_url, post).status_code == 302
    assert [v["name"] for v in draft_of(documents_url).data["photos"]] == ["zwei.png"]
    # Removing the only file of a required field asks for one.
    proof_id = json.loads(post["proof"][0])["id"]
    response = client.post(documents_url, {"proof": post["proof"], "proof.__remove": proof_id})
    assert response.status_code == 200
    assert "Upload “Proof”." in response.content.decode()


def test_another_drafts_file_cannot_be_claimed_in_the_browser(
    client, documents_url, upload_offering
):
    other = start_draft(upload_offering)
    field = upload_definition()["steps"][1]["fields"][0]
    [foreign] = store_uploads(other, field, "proof", [pdf("fremd.pdf")])
    response = client.post(documents_url, {"proof": json.dumps(foreign)})
    assert response.status_code == 200
    assert "Upload “Proof”." in response.content.decode()
    assert "fremd.pdf" not in response.content.decode()


def test_files_in_a_repeatable_group_follow_their_entry(client, documents_url):
    post = {
        "proof": pdf(),
        "dogs.__items": "2",
        "dogs.0.name": "Bello",
        "dogs.0.photo": png("bello.png"),
        "dogs.1.name": "Wuffi",
        "dogs.1.photo": png("wuffi.png"),
    }
    assert client.post(documents_url, post).status_code == 302
    dogs = draft_of(documents_url).data["dogs"]
    assert [dog["photo"][0]["name"] for dog in dogs] == ["bello.png", "wuffi.png"]
    page = client.get(documents_url).content.decode()
    keep = {
        "proof": hidden_values(page, "proof"),
        "dogs.__items": "2",
        "dogs.0.name": "Bello",
        "dogs.0.photo": hidden_values(page, "dogs.0.photo"),
        "dogs.1.name": "Wuffi",
        "dogs.1.photo": hidden_values(page, "dogs.1.photo"),
        "_remove": "dogs.0",
    }
    page = client.post(documents_url, keep).content.decode()
    assert [json.loads(v)["name"] for v in hidden_values(page, "dogs.0.photo")] == ["wuffi.png"]


def test_summary_shows_the_file_name(client, documents_url):
    client.post(documents_url, {"proof": pdf("Meldebescheinigung.pdf")})
    draft = draft_of(documents_url)
    page = client.get(reverse("submissions:summary", args=[draft.uuid])).content.decode()
    assert "Meldebescheinigung.pdf (" in page


# --- submit, download, deletion ------------------------------------------------------------


def uploaded_draft(offering, name: str = "antrag.pdf") -> Submission:
    """A complete draft of the upload form, its proof uploaded the way the step view does."""
    draft = start_draft(offering)
    steps = offering.solution_version.form_definition["steps"]
    save_step(
        draft,
        "applicant",
        {"given_name": "Erika", "family_name": "Mustermann", "email": "erika@example.de"},
    )
    stored = store_uploads(draft, steps[1]["fields"][0], "proof", [pdf(name)])
    save_step(draft, "documents", {"proof": stored})
    return draft


def test_submit_refuses_another_drafts_attachment(upload_offering):
    draft, other = uploaded_draft(upload_offering), uploaded_draft(upload_offering, "fremd.pdf")
    draft.data["proof"] = other.data["proof"]
    draft.save()
    with pytest.raises(SubmissionIncomplete) as incomplete:
        submit_application(draft)
    assert "proof" in incomplete.value.problems
    assert "fremd.pdf" in incomplete.value.problems["proof"]


def test_submit_refuses_a_changed_checksum(upload_offering):
    draft = uploaded_draft(upload_offering)
    draft.data["proof"][0]["sha256"] = "0" * 64
    draft.save()
    with pytest.raises(SubmissionIncomplete) as incomplete:
        submit_application(draft)
    assert list(incomplete.value.problems) == ["proof"]


def test_submit_keeps_only_the_files_submitted(
    upload_offering, django_capture_on_commit_callbacks
):
    draft = uploaded_draft(upload_offering, "alt.pdf")
    old = Attachment.objects.get(submission=draft)
    field = upload_definition()["steps"][1]["fields"][0]
    save_step(
        draft, "documents", {"proof": store_uploads(draft, field, "proof", [pdf("neu.pdf")])}
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit_application(draft)
    assert [a.original_name for a in draft.attachments.all()] == ["neu.pdf"]
    assert not default_storage.exists(old.file.name)


@pytest.fixture
def submitted_with_file(upload_offering) -> Submission:
    draft = uploaded_draft(upload_offering, "Antrag Müller.pdf")
    return submit_application(draft).submission


def test_clerk_downloads_the_attachment(client, submitted_with_file, darmstadt_clerk):
    attachment = submitted_with_file.attachments.get()
    case = submitted_with_file.case
    login_staff(client, darmstadt_clerk)
    detail = client.get(reverse("cases:detail", args=[case.uuid])).content.decode()
    url = reverse("cases:attachment", args=[case.uuid, attachment.uuid])
    assert url in detail
    assert attachment.sha256 in detail
    assert "Antrag Müller.pdf" in detail
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Antrag%20M%C3%BCller.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_another_municipality_cannot_download(client, submitted_with_file, modautal_clerk):
    attachment = submitted_with_file.attachments.get()
    url = reverse("cases:attachment", args=[submitted_with_file.case.uuid, attachment.uuid])
    login_staff(client, modautal_clerk)
    assert client.get(url).status_code == 404


def test_an_attachment_is_reached_only_through_its_own_case(
    client, submitted_with_file, upload_offering, darmstadt_clerk
):
    other_case = submit_application(uploaded_draft(upload_offering)).submission.case
    attachment = submitted_with_file.attachments.get()
    login_staff(client, darmstadt_clerk)
    url = reverse("cases:attachment", args=[other_case.uuid, attachment.uuid])
    assert client.get(url).status_code == 404


def test_deleting_a_draft_deletes_its_files(upload_offering, django_capture_on_commit_callbacks):
    draft = uploaded_draft(upload_offering)
    path = Attachment.objects.get(submission=draft).file.name
    assert default_storage.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        draft.delete()
    assert not Attachment.objects.exists()
    assert not default_storage.exists(path)
    assert stored_files(draft) == []


def test_deleting_drafts_in_bulk_deletes_their_files(
    upload_offering, django_capture_on_commit_callbacks
):
    """The retention clean-up deletes drafts with a query, not one by one."""
    drafts = [uploaded_draft(upload_offering), uploaded_draft(upload_offering)]
    paths = [Attachment.objects.get(submission=draft).file.name for draft in drafts]
    with django_capture_on_commit_callbacks(execute=True):
        Submission.objects.filter(pk__in=[draft.pk for draft in drafts]).delete()
    assert not any(default_storage.exists(path) for path in paths)


def test_a_rolled_back_deletion_keeps_the_file(
    upload_offering, django_capture_on_commit_callbacks
):
    draft = uploaded_draft(upload_offering)
    path = Attachment.objects.get(submission=draft).file.name
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        draft.delete()
        raise RuntimeError("something else failed")
    assert callbacks == []
    assert default_storage.exists(path)
    assert Attachment.objects.filter(file=path).exists()


def test_a_failed_store_leaves_no_file(upload_offering, monkeypatch):
    draft = start_draft(upload_offering)
    field = upload_definition()["steps"][1]["fields"][1]

    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Attachment, "save", fail)
    with pytest.raises(OSError, match="disk full"):
        store_uploads(draft, field, "photos", [png("eins.png")])
    assert stored_files(draft) == []


def test_uploads_are_read_in_chunks_from_a_file(upload_offering):
    """A file bigger than one chunk is hashed over all chunks."""
    content = PDF + bytes(range(256)) * 1000
    draft = start_draft(upload_offering)
    field = upload_definition()["steps"][1]["fields"][0]
    upload = UploadedFile(io.BytesIO(content), "gross.pdf", "application/pdf", len(content))
    [value] = store_uploads(draft, field, "proof", [upload])
    assert value["sha256"] == hashlib.sha256(content).hexdigest()
    assert value["size"] == len(content)


def test_the_daily_clean_up_deletes_expired_drafts_without_reading_their_answers(
    upload_offering, django_capture_on_commit_callbacks
):
    """Deleting needs only the drafts' keys: their answers are neither read nor decrypted,
    while the uploaded files still go with their drafts."""
    drafts = [uploaded_draft(upload_offering), uploaded_draft(upload_offering)]
    kept = uploaded_draft(upload_offering)
    paths = [Attachment.objects.get(submission=draft).file.name for draft in drafts]
    expire(*drafts)
    quote = connection.ops.quote_name
    table = quote(Submission._meta.db_table)
    data_column = f"{table}.{quote(Submission._meta.get_field('data').column)}"

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert delete_expired_drafts.call()["deleted"] == 2

    assert not Submission.objects.filter(pk__in=[draft.pk for draft in drafts]).exists()
    assert not any(default_storage.exists(path) for path in paths)
    assert default_storage.exists(Attachment.objects.get(submission=kept).file.name)
    reads = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    # The deletion's own look-up of the drafts by key, then nothing that reads the answers.
    assert [sql for sql in reads if sql.startswith(f"SELECT {table}.") and " IN (" in sql]
    assert not [sql for sql in reads if data_column in sql]
