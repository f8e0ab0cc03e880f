"""Portable solution packages: export a published version as one JSON file with schema and
checksum, import it into another installation keeping its provenance, refuse damaged,
tampered, oversized and duplicate files without writing anything."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from amtsweg.audit.models import AuditEvent
from amtsweg.catalog.models import Service, Solution, SolutionVersion
from amtsweg.catalog.packages import (
    MAX_PACKAGE_BYTES,
    SCHEMA_PATH,
    PackageRefused,
    checksum,
    export_package,
    import_package,
)
from amtsweg.tenants.models import Municipality, Role
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
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

    done = import_package(package, importer=elsewhere)

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


def test_publisher_known_here_stays_the_publisher(solution_version, package, darmstadt):
    _move_to_another_installation(solution_version)
    version = import_package(package).version
    assert version.solution.publisher == darmstadt


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


def test_unknown_publisher_without_importer_is_refused(package, elsewhere):
    _refused(package, None, "not a municipality of this installation")


def test_command_imports_and_refuses(tmp_path: Path, package, elsewhere):
    file = tmp_path / "hund.amtsweg.json"
    file.write_bytes(package)
    out = StringIO()
    call_command("import_solution", str(file), "--municipality", elsewhere.ags, stdout=out)
    assert "imported" in out.getvalue()
    assert SolutionVersion.objects.filter(provenance__isnull=False).count() == 1
    with pytest.raises(CommandError, match="imported already"):
        call_command("import_solution", str(file), "--municipality", elsewhere.ags)
    with pytest.raises(CommandError, match="No file"):
        call_command("import_solution", str(tmp_path / "missing.json"))


def test_back_office_export_and_upload(client, solution_version, package, elsewhere):
    designer = UserFactory(username="ks.designer")
    MembershipFactory(user=designer, municipality=elsewhere, role=Role.DESIGNER)
    login_staff(client, designer)
    upload = SimpleUploadedFile("x.json", package, content_type="application/json")
    page = client.post(
        reverse("designer:import_package"), {"package": upload, "municipality": elsewhere.pk}
    )
    assert page.status_code == 302
    assert Solution.objects.get(provenance__isnull=False).publisher == elsewhere

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

    import_package(first_package, importer=kassel)
    done = import_package(second_package, importer=kassel)
    assert not done.created_solution
    assert list(done.version.solution.versions.values_list("number", flat=True)) == [2, 1]
    assert done.version.release_notes == "Neu"
