"""REST API for applications: read an offering's form and submit a complete data set."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.params import Header

from amtsweg.api.problems import pointer, problem
from amtsweg.catalog.models import Offering, TrustLevel
from amtsweg.catalog.services import get_live_offering_by_uuid, get_live_offering_for_submit
from amtsweg.forms.export import data_schema
from amtsweg.lib.urls import shared_link
from amtsweg.submissions.services import SubmissionIncomplete, submit_data

router = Router(tags=["applications"])


class OfferingOut(Schema):
    uuid: UUID
    title: str
    municipality: str
    municipality_ags: str
    processing_municipality: str
    leika_key: str
    solution_version: int
    trust_level: str
    fee: str
    form_definition: dict[str, Any]


class SubmissionIn(Schema):
    data: dict[str, Any]


class SubmissionOut(Schema):
    reference_number: str
    status_url: str
    access_code: str | None
    created: bool


def _offering(
    offering_uuid: UUID,
    lookup: Callable[[UUID], Offering | None] = get_live_offering_by_uuid,
) -> Offering:
    """The live offering, 404 if none; the submit passes a leaner ``lookup``."""
    offering = lookup(offering_uuid)
    if offering is None:
        raise Http404(_("No live offering has this id."))
    return offering


@router.get("/offerings/{offering_uuid}", response=OfferingOut)
def get_offering(request: HttpRequest, offering_uuid: UUID) -> dict[str, Any]:
    """An offering with the form definition of the version it currently uses."""
    offering = _offering(offering_uuid)
    version = offering.solution_version
    return {
        "uuid": offering.uuid,
        "title": offering.title,
        "municipality": offering.municipality.short_name,
        "municipality_ags": offering.municipality.ags,
        "processing_municipality": offering.processing_municipality.short_name,
        "leika_key": version.solution.service.leika_key,
        "solution_version": version.number,
        "trust_level": version.trust_level,
        "fee": str(offering.fee),
        "form_definition": version.form_definition,
    }


@router.get("/offerings/{offering_uuid}/schema", response=dict[str, Any])
def get_data_schema(request: HttpRequest, offering_uuid: UUID) -> dict[str, Any]:
    """The JSON Schema (2020-12) of the data the offering's form produces."""
    offering = _offering(offering_uuid)
    version = offering.solution_version
    return data_schema(
        version.form_definition,
        solution_uuid=version.solution.uuid,
        version=version.number,
        title=offering.title,
    )


@router.post(
    "/offerings/{offering_uuid}/submissions",
    response={201: SubmissionOut, 200: SubmissionOut},
)
def create_submission(
    request: HttpRequest,
    offering_uuid: UUID,
    payload: SubmissionIn,
    idempotency_key: Header[str | None] = None,
) -> HttpResponse | Status:
    """Submit a complete data set. Send an ``Idempotency-Key`` header: a retry with the same
    key returns the first submission (200) instead of a second one (201)."""
    offering = _offering(offering_uuid, get_live_offering_for_submit)
    if offering.solution_version.trust_level != TrustLevel.NONE:
        return problem(
            request,
            403,
            "login-required",
            _("This service needs a BundID log-in"),
            _("Apply through the online assistant, where you can log in with BundID."),
        )
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 100:
        return problem(
            request,
            400,
            "invalid-idempotency-key",
            _("The Idempotency-Key header is invalid"),
            _("Send 1 to 100 characters, e.g. a UUID."),
        )
    try:
        receipt = submit_data(
            offering,
            payload.data,
            idempotency_key=idempotency_key,
            language=getattr(request, "LANGUAGE_CODE", "de"),
        )
    except SubmissionIncomplete as incomplete:
        return problem(
            request,
            422,
            "invalid-submission",
            _("The data set is not valid"),
            _("Correct the answers listed under errors and send the data set again."),
            errors=[
                {"pointer": pointer(name), "detail": message}
                for name, message in sorted(incomplete.problems.items())
            ],
        )
    submission = receipt.submission
    body = {
        "reference_number": submission.reference_number,
        "status_url": request.build_absolute_uri(shared_link("submissions:status")),
        "access_code": receipt.access_code,
        "created": receipt.created,
    }
    return Status(201 if receipt.created else 200, body)
