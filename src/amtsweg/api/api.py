"""The REST API: one NinjaAPI, one router per resource, errors as RFC 9457 problem details."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from amtsweg.api.problems import problem
from amtsweg.submissions.api import router as submissions_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Amtsweg API",
    version="1",
    description=(
        "Applications for municipal online services. Errors are RFC 9457 problem details "
        "(application/problem+json)."
    ),
    urls_namespace="api",
    # The interactive docs page would load Swagger UI from a public CDN, handing every
    # visitor's address to a third party; the OpenAPI description itself stays available.
    docs_url=None,
)
api.add_router("/", submissions_router)


@api.exception_handler(ValidationError)
def request_invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return problem(
        request,
        422,
        "invalid-request",
        _("The request is not valid"),
        _("Check the request body and parameters against the API description."),
        errors=[
            {
                "pointer": "/" + "/".join(str(part) for part in item.get("loc", ())),
                "detail": str(item.get("msg", "")),
            }
            for item in error.errors
        ],
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem(request, 404, "not-found", _("Not found"), str(error) or "")


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return problem(request, 403, "forbidden", _("Not allowed"), str(error) or "")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    """Errors ninja raises itself: a body that is not JSON (400), a missing log-in (401)."""
    kinds = {400: "bad-request", 401: "unauthenticated", 403: "forbidden", 429: "too-many"}
    return problem(
        request,
        error.status_code,
        kinds.get(error.status_code, "http-error"),
        _("The request could not be processed"),
        str(error),
    )


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("Unexpected error in the API")
    return problem(
        request,
        500,
        "server-error",
        _("Something went wrong on our side"),
        _("Nothing was saved. Please try again later."),
    )
