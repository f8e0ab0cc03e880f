"""Every back-office URL, tried by a clerk of another municipality, answers 404 (or 403).

The URL list is read from the URL configuration, so a new staff URL is covered the day it is
added: an unknown URL parameter fails the test until this file learns how to fill it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from amtsweg.cases.models import Case
from tests.staff_login import login_staff

# Reachable before the second factor (amtsweg.identity.staff: views marked @staff_public).
PUBLIC_STAFF_URLS = {
    "identity:login",
    "identity:logout",
    "identity:otp_verify",
    "identity:otp_enrol",
    "identity:password_reset",
    "identity:password_reset_done",
    "identity:password_reset_confirm",
    "identity:password_reset_complete",
    "identity:oidc_start",
    "identity:oidc_callback",
}
DEMO_PASSWORD = "Amtsweg-Demo-2026"
# Shared by design: the solution library shows published solution versions, which exist to be
# reused by every municipality (amtsweg.catalog.library); drafts never appear there.
SHARED_STAFF_URLS = {
    "library:list",
    "library:version",
    "library:preview",
    "library:diff",
    "library:export",
}


def staff_url_names() -> list[tuple[str, list[str]]]:
    """(namespaced name, parameter names) of every URL below /backoffice/."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and route.startswith("backoffice/"):
                name = f"{namespace}:{entry.name}"
                if name not in PUBLIC_STAFF_URLS:
                    found.append((name, list(entry.pattern.converters)))

    walk(get_resolver().url_patterns, "", "")
    return found


@pytest.fixture
def darmstadt_case(demo_once, db) -> Case:
    return Case.objects.filter(municipality__slug="darmstadt").first()


def fill(parameters: list[str], case: Case) -> dict[str, object]:
    version = case.submission.solution_version
    values = {
        "case_uuid": case.uuid,
        "municipality_slug": case.municipality.slug,
        "solution_uuid": version.solution.uuid,
        "number": version.number,
        # A real attachment where the case has one; otherwise any UUID, since the case is
        # refused before its attachments are looked at.
        "attachment_uuid": (
            case.submission.attachments.values_list("uuid", flat=True).first() or case.uuid
        ),
        "document_uuid": (
            case.submission.documents.values_list("uuid", flat=True).first() or case.uuid
        ),
        "ozg_id": "10160",  # Hundehaltung, from the OZG catalogue the demo loads
        "offering_uuid": case.submission.offering.uuid,
    }
    unknown = set(parameters) - set(values)
    assert not unknown, f"Teach this test how to fill {unknown}"
    return {name: values[name] for name in parameters}


def test_the_matrix_covers_the_back_office():
    names = {name for name, _ in staff_url_names()}
    assert {"cases:inbox", "cases:detail", "cases:claim", "cases:change_status"} <= names


@pytest.mark.parametrize(
    "name,parameters",
    [
        (name, parameters)
        for name, parameters in staff_url_names()
        if name not in SHARED_STAFF_URLS
    ],
)
def test_clerk_of_another_municipality_is_refused(client, darmstadt_case, name, parameters):
    login_staff(client, "modautal-sb", DEMO_PASSWORD)
    url = reverse(name, kwargs=fill(parameters, darmstadt_case))
    before = (darmstadt_case.status, darmstadt_case.assignee_id)
    for method in (client.get, client.post):
        response = method(url, {"status": "in_review"})
        if name == "cases:home":
            # The landing page is the user's own; it must not mention the other inbox.
            assert (
                "darmstadt" not in response.content.decode().lower() or response.status_code == 405
            )
            continue
        assert response.status_code in (403, 404, 405), (name, method, response.status_code)
    darmstadt_case.refresh_from_db()
    assert (darmstadt_case.status, darmstadt_case.assignee_id) == before


@pytest.mark.parametrize("name,parameters", staff_url_names())
def test_anonymous_visitor_is_sent_to_login(client, darmstadt_case, name, parameters):
    url = reverse(name, kwargs=fill(parameters, darmstadt_case))
    response = client.get(url)
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("identity:login"))


def test_own_clerk_is_let_in(client, darmstadt_case):
    login_staff(client, "darmstadt-sb", DEMO_PASSWORD)
    assert client.get(reverse("cases:detail", args=[darmstadt_case.uuid])).status_code == 200
    assert client.get(reverse("cases:inbox", args=["darmstadt"])).status_code == 200
