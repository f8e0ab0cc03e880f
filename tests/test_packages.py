"""Portable solution packages: export a published version as one JSON file with schema and
checksum, import it into another installation keeping its provenance, refuse damaged,
tampered, oversized and duplicate files without writing anything. The importer publishes the
imported copy, after the four-eyes review, and never in another municipality's name."""

import datetime
import json
from io import StringIO
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from amtsweg.audit.models import AuditEvent
from amtsweg.catalog.models import Service, Solution, SolutionVersion, VersionStatus
from amtsweg.catalog.packages import (
    MAX_PACKAGE_BYTES,
    SCHEMA_PATH,
    PackageRefused,
    checksum,
    export_package,
    import_package,
)
from amtsweg.catalog.versions import (
    VersionChangeRefused,
    approve_version,
    switch_overdue_offerings,
)
from amtsweg.tenants.models import Municipality, Role
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    SolutionVersionFactory,
    UserFactory,
)
from tests.staff_login import login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _move_to_another_installation(version: SolutionVersion) -> None:
    """Simulate the other installation: this one's copy of the solution is gone (it is kept
    by PROTECT, so delete versions and solution in order) and so is its service."""
    solution = version.solution
    service = solution.service
    SolutionVersion.objects.filter(solution=solution).delete()
    solution.delete()
    service.delete()


@pytest.fixture
def package(solution_version: SolutionVersion) -> bytes:
    return export_package(solution_version)


@pytest.fixture
def elsewhere(solution_version: SolutionVersion, package: bytes) -> Municipality:
    """The importing municipality on the 'other installation' (Darmstadt is unknown there)."""
    _move_to_another_installation(solution_version)
    solution_version.solution.publisher.delete()
    return MunicipalityFactory(short_name="Kassel")


def test_export_is_valid_against_the_shipped_schema(package, solution_version):
    document = json.loads(package)
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["checksum"]["value"] == checksum(document["content"])
    provenance = document["content"]["provenance"]
    assert provenance["publisher"]["ags"] == "06411000"
    assert provenance["publisher"]["ars"] == "064110000000"
    assert provenance["solution_uuid"] == str(solution_version.solution.uuid)
    assert provenance["version"] == 1
    assert document["content"]["version"]["licence"] == "EUPL-1.2"


def test_round_trip_keeps_form_and_provenance(solution_version, package, elsewhere):
    definition = solution_version.form_definition
    uuid = solution_version.solution.uuid

    done = import_package(package, importer=elsewhere, publish=True)

    version = done.version
    assert done.created_solution
    assert version.status == "published"
    assert version.form_definition == definition
    assert version.solution.uuid == uuid
    assert version.solution.publisher == elsewhere
    assert version.solution.provenance["publisher"]["ags"] == "06411000"
    assert version.provenance["installation"] == "http://127.0.0.1:8000" or version.provenance[
        "installation"
    ].startswith("http")
    assert version.provenance["checksum"] == checksum(json.loads(package)["content"])
    assert Service.objects.get(leika_key="99036011001000").name == "Hundesteuer Anmeldung"
    assert AuditEvent.objects.filter(action="solution_version.imported").count() == 1


def _designer(username: str, municipality: Municipality) -> Any:
    user = UserFactory(username=username)
    MembershipFactory(user=user, municipality=municipality, role=Role.DESIGNER)
    return user


def test_the_importer_publishes_even_when_the_original_publisher_is_here(
    solution_version, package, darmstadt, modautal
):
    """Darmstadt is a municipality of this installation, but a Modautal designer imports: the
    copy is Modautal's, in review; the provenance still names Darmstadt for display."""
    _move_to_another_installation(solution_version)
    designer = _designer("mod.designer", modautal)

    version = import_package(package, importer=modautal, actor=designer).version

    assert version.solution.publisher == modautal
    assert version.status == VersionStatus.REVIEW
    assert version.published_at is None
    assert version.review_requested_by == designer
    assert version.solution.provenance["publisher"]["ags"] == darmstadt.ags
    assert version.provenance["publisher"]["ags"] == darmstadt.ags
    assert not Solution.objects.filter(publisher=darmstadt).exists()


def test_an_imported_version_is_approved_by_a_second_person(package, elsewhere):
    importer = _designer("ks.designer", elsewhere)
    version = import_package(package, importer=elsewhere, actor=importer).version
    with pytest.raises(VersionChangeRefused, match="Another designer or admin"):
        approve_version(version, actor=importer)
    approved = approve_version(version, actor=_designer("ks.second", elsewhere))
    assert approved.status == VersionStatus.PUBLISHED
    assert approved.review_requested_by == importer


def test_the_back_office_cannot_skip_the_review(package, elsewhere):
    with pytest.raises(PermissionDenied):
        import_package(
            package, importer=elsewhere, actor=_designer("ks.designer", elsewhere), publish=True
        )
    assert not SolutionVersion.objects.exists()


def test_a_designer_of_another_municipality_cannot_import_in_its_name(package, elsewhere):
    with pytest.raises(PermissionDenied):
        import_package(
            package, importer=elsewhere, actor=_designer("mod.designer", MunicipalityFactory())
        )
    assert not SolutionVersion.objects.exists()


def test_a_new_version_of_another_municipalitys_import_is_refused(solution_version, darmstadt):
    """Darmstadt looks after an imported solution; a Modautal designer's file with 'version 2'
    of it must not come out under Darmstadt (nor under Modautal in Darmstadt's solution)."""
    second = SolutionVersionFactory(solution=solution_version.solution, number=2)
    first_package, second_package = export_package(solution_version), export_package(second)
    SolutionVersion.objects.filter(pk=second.pk).delete()
    _move_to_another_installation(solution_version)
    imported = import_package(first_package, importer=darmstadt, publish=True).version
    modautal = MunicipalityFactory(short_name="Modautal")

    before = SolutionVersion.objects.count()
    with pytest.raises(PackageRefused, match="only Darmstadt can import its new versions"):
        import_package(
            second_package, importer=modautal, actor=_designer("mod.designer", modautal)
        )
    assert SolutionVersion.objects.count() == before
    assert list(imported.solution.versions.values_list("number", flat=True)) == [1]


def test_a_required_update_deadline_in_the_file_is_not_taken_over(solution_version, darmstadt):
    """A past deadline in a file would let the daily job move every adopter's live offering;
    here it is the local publisher's decision, so the file's deadline is only recorded."""
    second = SolutionVersionFactory(
        solution=solution_version.solution,
        number=2,
        publish=False,
        required_by=datetime.date(2020, 1, 1),
        required_reason="Sicherheitslücke",
    )
    second.publish()
    first_package, second_package = export_package(solution_version), export_package(second)
    SolutionVersion.objects.filter(pk=second.pk).delete()
    _move_to_another_installation(solution_version)
    first = import_package(first_package, importer=darmstadt, publish=True).version
    adopter = OfferingFactory(municipality=MunicipalityFactory(), solution_version=first)

    version = import_package(second_package, importer=darmstadt, publish=True).version

    assert version.required_by is None
    assert version.required_reason == ""
    assert version.provenance["required_by_origin"] == {
        "required_by": "2020-01-01",
        "reason": "Sicherheitslücke",
    }
    assert switch_overdue_offerings(datetime.date(2026, 1, 1)).switched == []
    adopter.refresh_from_db()
    assert adopter.solution_version == first


def _refused(data: bytes, importer: Municipality | None, message: str) -> None:
    before = (Solution.objects.count(), SolutionVersion.objects.count(), Service.objects.count())
    with pytest.raises(PackageRefused) as refused:
        import_package(data, importer=importer)
    assert message in str(refused.value)
    after = (Solution.objects.count(), SolutionVersion.objects.count(), Service.objects.count())
    assert after == before


def test_tampered_package_is_refused(package, elsewhere):
    document = json.loads(package)
    document["content"]["version"]["form_definition"]["steps"][0]["title"]["de"] = "Gefälscht"
    _refused(json.dumps(document).encode(), elsewhere, "checksum does not match")


def test_tampered_fee_with_recomputed_nothing_is_refused(package, elsewhere):
    document = json.loads(package)
    document["content"]["version"]["fee"] = "999.00"
    _refused(json.dumps(document).encode(), elsewhere, "checksum does not match")


def test_damaged_json_is_refused(package, elsewhere):
    _refused(package[: len(package) // 2], elsewhere, "not valid JSON")
    _refused(b"\xff\xfe", elsewhere, "not valid JSON")
    # A number beyond Python's int digit limit (4,300 digits) is a ValueError of its own.
    _refused(b'{"format_version": ' + b"1" * 5000 + b"}", elsewhere, "not valid JSON")


def test_schema_violation_is_refused_naming_the_place(package, elsewhere):
    document = json.loads(package)
    document["content"]["service"]["leika_key"] = "12345"
    document["checksum"]["value"] = checksum(document["content"])
    _refused(json.dumps(document).encode(), elsewhere, "content/service/leika_key")


def test_oversized_file_is_refused(elsewhere):
    _refused(b" " * (MAX_PACKAGE_BYTES + 1), elsewhere, "larger than 5 MB")


def test_broken_form_in_a_consistent_package_is_refused(package, elsewhere):
    document = json.loads(package)
    document["content"]["version"]["form_definition"]["steps"] = []
    document["checksum"]["value"] = checksum(document["content"])
    _refused(json.dumps(document).encode(), elsewhere, "cannot be used here")


def test_duplicate_import_is_refused(package, elsewhere):
    import_package(package, importer=elsewhere)
    _refused(package, elsewhere, "has been imported already")


def test_importing_into_the_origin_installation_is_refused(package, darmstadt):
    _refused(package, darmstadt, "where the solution was published")


def test_command_imports_for_review_and_refuses(tmp_path: Path, package, elsewhere):
    file = tmp_path / "hund.amtsweg.json"
    file.write_bytes(package)
    with pytest.raises(CommandError, match="--municipality"):
        call_command("import_solution", str(file))
    out = StringIO()
    call_command("import_solution", str(file), "--municipality", elsewhere.ags, stdout=out)
    assert "imported for review (publisher here: Kassel)" in out.getvalue()
    version = SolutionVersion.objects.get(provenance__isnull=False)
    assert (version.status, version.solution.publisher) == (VersionStatus.REVIEW, elsewhere)
    with pytest.raises(CommandError, match="imported already"):
        call_command("import_solution", str(file), "--municipality", elsewhere.ags)
    with pytest.raises(CommandError, match="No file"):
        call_command("import_solution", str(tmp_path / "missing.json"), "--municipality", "1")


def test_command_publishes_when_told(tmp_path: Path, package, elsewhere):
    file = tmp_path / "hund.amtsweg.json"
    file.write_bytes(package)
    out = StringIO()
    call_command(
        "import_solution", str(file), "--municipality", elsewhere.ags, "--publish", stdout=out
    )
    assert "imported and published" in out.getvalue()
    assert SolutionVersion.objects.get().status == VersionStatus.PUBLISHED


def test_back_office_export_and_upload(client, solution_version, package, elsewhere):
    designer = UserFactory(username="ks.designer")
    MembershipFactory(user=designer, municipality=elsewhere, role=Role.DESIGNER)
    login_staff(client, designer)
    upload = SimpleUploadedFile("x.json", package, content_type="application/json")
    page = client.post(
        reverse("designer:import_package"), {"package": upload, "municipality": elsewhere.pk}
    )
    imported = SolutionVersion.objects.get(provenance__isnull=False)
    assert page["Location"] == reverse("designer:version", args=[imported.solution.uuid, 1])
    assert imported.solution.publisher == elsewhere
    assert (imported.status, imported.review_requested_by) == (VersionStatus.REVIEW, designer)
    assert client.get(page["Location"]).status_code == 200

    tampered = package.replace(b"Vorname", b"Vornamx")
    upload = SimpleUploadedFile("y.json", tampered, content_type="application/json")
    page = client.post(
        reverse("designer:import_package"), {"package": upload, "municipality": elsewhere.pk}
    )
    assert page.status_code == 400
    assert "checksum does not match" in page.content.decode()


def test_library_download_is_the_package(client, darmstadt_clerk, solution_version):
    login_staff(client, darmstadt_clerk)
    url = reverse("library:export", args=[solution_version.solution.uuid, 1])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.amtsweg.json"')
    document = json.loads(response.content)
    assert document["checksum"]["value"] == checksum(document["content"])


def test_a_later_version_joins_the_imported_solution(solution_version):
    second = SolutionVersionFactory(
        solution=solution_version.solution, number=2, release_notes="Neu"
    )
    first_package, second_package = export_package(solution_version), export_package(second)
    SolutionVersion.objects.filter(pk=second.pk).delete()
    _move_to_another_installation(solution_version)
    solution_version.solution.publisher.delete()
    kassel = MunicipalityFactory(short_name="Kassel")

    import_package(first_package, importer=kassel, publish=True)
    done = import_package(second_package, importer=kassel)
    assert not done.created_solution
    assert list(done.version.solution.versions.values_list("number", flat=True)) == [2, 1]
    assert done.version.release_notes == "Neu"
