"""How many SQL statements each page of the citizen journey costs (issue 9, STYLE.md practice
10): at a peak every applicant fetches and posts each of them, so a statement more per page is
a statement more per applicant and step. The counts include the session's own statements."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amtsweg.catalog.models import Offering
from amtsweg.catalog.services import published_version
from tests.form_filling import valid_step_post

pytestmark = pytest.mark.django_db

#: Statements of each page, measured with the demo's dog-tax form; a change that adds one
#: (an N+1, a lazy load, a session write on a page that changes nothing) fails here.
MAX_STATEMENTS = {
    # the session, the municipality, the offering (its version from memory), its solution
    # and service
    "offering page GET": 4,
    # the session, municipality, offering, the draft's INSERT, the session's save
    "start POST": 7,
    "step GET": 2,  # the session, the draft with its offering (its version from memory)
    # the session, the draft, and its UPDATE on condition that it is still the draft read
    # (ADR 0011; 6 before, with the row read again under a lock inside a savepoint)
    "step POST": 3,
    "summary GET": 2,  # nothing but the session and the draft
    "submit POST": 22,  # the submit (tests/test_submit_queries.py), the session write
    "confirmation GET": 2,
}


@pytest.fixture
def hundesteuer(demo_once: None) -> Offering:
    return Offering.objects.select_related("solution_version").get(
        municipality__slug="darmstadt", slug="hundesteuer"
    )


def _journey(client: Client, offering: Offering) -> Iterator[tuple[str, str, dict | None]]:
    """(label, path, POST data or None) of each request of one application, in order; the
    caller sends them, so that the Location of one answer decides the next."""
    steps = {step["key"]: step for step in offering.solution_version.form_definition["steps"]}
    yield "offering page GET", reverse("catalog:offering", args=["darmstadt", "hundesteuer"]), None
    start = reverse("submissions:start", args=["darmstadt", "hundesteuer"])
    location = yield "start POST", start, {}
    while "/schritt/" in location:
        key = location.split("/schritt/")[1].strip("/")
        yield "step GET", location, None
        location = yield "step POST", location, valid_step_post(steps[key])
    yield "summary GET", location, None
    location = yield "submit POST", location, {}
    yield "confirmation GET", location, None


def test_each_page_of_a_journey(client, hundesteuer):
    client.get(reverse("catalog:offering", args=["darmstadt", "hundesteuer"]))  # warm-up:
    client.post(reverse("submissions:start", args=["darmstadt", "hundesteuer"]))  # the session
    published_version(hundesteuer.solution_version_id)  # and the worker's cache
    counted: dict[str, list[int]] = {}
    journey = _journey(client, hundesteuer)
    label, path, data = next(journey)
    while True:
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(path) if data is None else client.post(path, data)
        assert answer.status_code in (200, 302), (label, answer.status_code)
        counted.setdefault(label, []).append(len(queries))
        try:
            label, path, data = journey.send(answer.get("Location"))
        except StopIteration:
            break
    assert set(counted) == set(MAX_STATEMENTS)
    assert len(counted["step GET"]) == 3  # every step of the form was fetched and posted
    for page, statements in counted.items():
        assert max(statements) <= MAX_STATEMENTS[page], (page, statements)


def test_published_version_comes_from_memory(client, hundesteuer):
    """After a worker has read a published version once, a step page reads only the session
    and the draft; the version is not read again."""
    start = reverse("submissions:start", args=["darmstadt", "hundesteuer"])
    step = client.post(start)["Location"]
    client.get(step)
    with CaptureQueriesContext(connection) as queries:
        client.get(step)
    tables = " ".join(query["sql"] for query in queries)
    assert "catalog_solutionversion" not in tables
    assert len(queries) == MAX_STATEMENTS["step GET"]


def test_a_draft_version_is_read_every_time(hundesteuer):
    """Versions the designer still changes are never kept: each read sees the latest save."""
    version = hundesteuer.solution_version
    draft = type(version).objects.create(
        solution=version.solution, number=version.number + 100, form_definition={"steps": []}
    )
    assert published_version(draft.pk).form_definition == {"steps": []}
    type(version).objects.filter(pk=draft.pk).update(form_definition={"steps": [{"k": 1}]})
    assert published_version(draft.pk).form_definition == {"steps": [{"k": 1}]}


def _sql(client: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in queries]


def test_the_draft_is_read_without_joins_the_page_does_not_use(client, hundesteuer):
    """The draft query of every journey page joins only the offering and its municipality:
    no citizen account without a log-in, no second municipality when the offering's own
    processes it (each joined column costs compilation on every request)."""
    start = reverse("submissions:start", args=["darmstadt", "hundesteuer"])
    step = client.post(start)["Location"]
    client.get(step)
    (draft,) = [sql for sql in _sql(client, step) if "submissions_submission" in sql]
    assert draft.count(" JOIN ") == 2
    assert "bundid_citizen" not in draft


def test_the_offering_page_does_not_read_the_version_again(client, hundesteuer):
    """The offering page and the start take the published version from memory; the page
    reads only the service's name and key with the solution."""
    page = reverse("catalog:offering", args=["darmstadt", "hundesteuer"])
    client.get(page)
    statements = _sql(client, page)
    assert not any('"catalog_solutionversion"."form_definition"' in sql for sql in statements)
    assert len(statements) == MAX_STATEMENTS["offering page GET"] - 1  # no session yet


def test_each_reader_gets_its_own_copy_of_a_kept_version(hundesteuer):
    """The kept version is shared by every request of the worker: what one request caches
    on or changes in its copy stays out of the kept one and the next request's copy."""
    version_id = hundesteuer.solution_version_id
    first = published_version(version_id)
    assert first.solution.service  # read and cached on this copy
    first.number += 100
    second = published_version(version_id)
    assert second is not first
    assert second.number == first.number - 100
    assert not type(second).solution.is_cached(second)
    assert second.form_definition == first.form_definition
    assert (second._state.adding, second._state.db) == (False, "default")
    assert second._state is not first._state
