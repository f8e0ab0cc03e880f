"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the API returns has this one shape, so a Fachverfahren or a state portal can handle
them all the same way: ``type`` names the kind of problem, ``title`` says it in words,
``detail`` says what to do, and ``errors`` points at each wrong answer with a JSON pointer.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "urn:amtsweg:problem:"


def problem(
    request: HttpRequest,
    status: int,
    kind: str,
    title: str,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind,
        "title": title,
        "status": status,
        "instance": request.path,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def pointer(html_name: str) -> str:
    """The JSON pointer of an answer (``dogs.0.name`` → ``/data/dogs/0/name``)."""
    if html_name.startswith("__rule_"):
        return "/data"
    escaped = (part.replace("~", "~0").replace("/", "~1") for part in html_name.split("."))
    return "/data/" + "/".join(escaped)
