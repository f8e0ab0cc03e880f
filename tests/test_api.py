"""The REST API: read an offering, submit a data set, errors as RFC 9457 problem details,
idempotent retries, and the committed OpenAPI description."""

import json
import os
from pathlib import Path

import pytest

from amtsweg.api.api import api
from amtsweg.cases.models import Case
from amtsweg.catalog.models import TrustLevel
from amtsweg.submissions.models import Submission
from tests.factories import SolutionVersionFactory, make_complete_draft

SNAPSHOT = Path(__file__).parent / "data" / "openapi.json"


@pytest.fixture
def valid_data(offering) -> dict:
    return make_complete_draft(offering).data


def url(offering, suffix: str = "") -> str:
    return f"/api/v1/offerings/{offering.uuid}{suffix}"


def test_offering_with_its_form(client, offering):
    body = client.get(url(offering)).json()
    assert body["municipality_ags"] == "06411000"
    assert body["form_definition"] == offering.solution_version.form_definition
    schema = client.get(url(offering, "/schema")).json()
    assert schema["$schema"].startswith("https://json-schema.org/draft/2020-12")


def test_submit_then_retry_with_the_same_key(client, offering, valid_data):
    headers = {"Idempotency-Key": "3f1c-retry-test"}
    first = client.post(
        url(offering, "/submissions"), {"data": valid_data}, "application/json", headers=headers
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["reference_number"].startswith("DA-")
    assert len(body["access_code"]) == 14
    retry = client.post(
        url(offering, "/submissions"), {"data": valid_data}, "application/json", headers=headers
    )
    assert retry.status_code == 200
    assert retry.json()["reference_number"] == body["reference_number"]
    assert retry.json()["access_code"] is None
    submission = Submission.objects.get(reference_number=body["reference_number"])
    assert Case.objects.filter(submission=submission).count() == 1
    assert Submission.objects.filter(idempotency_key="3f1c-retry-test").count() == 1


def test_invalid_answers_give_problem_details_and_write_nothing(client, offering, valid_data):
    before = Submission.objects.count()
    data = {**valid_data, "postcode": "6428", "favourite_colour": "blau"}
    response = client.post(url(offering, "/submissions"), {"data": data}, "application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:amtsweg:problem:invalid-submission"
    pointers = {error["pointer"] for error in problem["errors"]}
    assert pointers == {"/data/postcode", "/data/favourite_colour"}
    assert Submission.objects.count() == before


@pytest.mark.parametrize("body", ['{"data": [1, 2]}', "not json", "{}"])
def test_malformed_requests_are_problems_too(client, offering, body):
    response = client.post(url(offering, "/submissions"), body, "application/json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code


def test_unknown_offering_is_a_404_problem(client, db):
    response = client.get("/api/v1/offerings/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["type"] == "urn:amtsweg:problem:not-found"


def test_services_that_need_bundid_are_refused(client, offering, valid_data):
    version = SolutionVersionFactory(
        solution=offering.solution_version.solution, number=2, trust_level=TrustLevel.SUBSTANTIAL
    )
    offering.solution_version = version
    offering.save()
    response = client.post(url(offering, "/submissions"), {"data": valid_data}, "application/json")
    assert response.status_code == 403
    assert response.json()["type"] == "urn:amtsweg:problem:login-required"


def test_openapi_description_matches_the_snapshot():
    """A change to the API must be deliberate: regenerate the snapshot with
    AMTSWEG_UPDATE_SNAPSHOTS=1 and commit it together with the change."""
    current = json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False)
    if os.environ.get("AMTSWEG_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current + "\n", encoding="utf-8")
    assert SNAPSHOT.read_text(encoding="utf-8") == current + "\n"


def test_no_page_loads_scripts_from_a_third_party(client, db):
    assert client.get("/api/v1/docs").status_code == 404
    assert client.get("/api/v1/openapi.json").status_code == 200
