"""The clerk's workplace through HTTP: inbox with counts, case view, claim, status change,
read-only staff, refused transitions, and a query count that does not grow with the inbox."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amtsweg.cases.models import CaseStatus
from amtsweg.submissions.services import submit_application
from tests.factories import make_complete_draft
from tests.staff_login import login_staff


def login(client, user) -> None:
    login_staff(client, user)


def test_inbox_lists_newest_first_with_counts(client, offering, darmstadt_clerk):
    first = submit_application(make_complete_draft(offering)).submission
    second = submit_application(make_complete_draft(offering)).submission
    login(client, darmstadt_clerk)
    response = client.get(reverse("cases:inbox", args=[offering.municipality.slug]))
    html = response.content.decode()
    assert html.index(second.reference_number) < html.index(first.reference_number)
    assert (
        dict((value, count) for value, _label, count in response.context["status_counts"])[
            CaseStatus.RECEIVED
        ]
        == 2
    )
    filtered = client.get(
        reverse("cases:inbox", args=[offering.municipality.slug]), {"status": "closed"}
    )
    assert first.reference_number not in filtered.content.decode()


def test_inbox_query_count_does_not_grow_with_cases(client, offering, darmstadt_clerk):
    login(client, darmstadt_clerk)
    url = reverse("cases:inbox", args=[offering.municipality.slug])
    submit_application(make_complete_draft(offering))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        submit_application(make_complete_draft(offering))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_single_inbox_redirects_straight_to_it(client, darmstadt_clerk):
    login(client, darmstadt_clerk)
    response = client.get(reverse("cases:home"))
    assert response["Location"] == reverse("cases:inbox", args=["darmstadt"])


def test_claim_and_change_status(client, darmstadt_case, darmstadt_clerk):
    login(client, darmstadt_clerk)
    client.post(reverse("cases:claim", args=[darmstadt_case.uuid]))
    response = client.post(
        reverse("cases:change_status", args=[darmstadt_case.uuid]),
        {"status": CaseStatus.IN_REVIEW, "comment": "Passt."},
    )
    assert response.status_code == 302
    darmstadt_case.refresh_from_db()
    assert darmstadt_case.assignee == darmstadt_clerk
    assert darmstadt_case.status == CaseStatus.IN_REVIEW
    history = list(darmstadt_case.status_entries.values_list("status", "comment"))
    assert history == [(CaseStatus.RECEIVED, ""), (CaseStatus.IN_REVIEW, "Passt.")]


def test_refused_transition_shows_an_error_and_changes_nothing(
    client, darmstadt_case, darmstadt_clerk
):
    login(client, darmstadt_clerk)
    response = client.post(
        reverse("cases:change_status", args=[darmstadt_case.uuid]),
        {"status": CaseStatus.CLOSED},
    )
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    darmstadt_case.refresh_from_db()
    assert darmstadt_case.status == CaseStatus.RECEIVED


@pytest.mark.parametrize("url_name", ["cases:claim", "cases:change_status"])
def test_read_only_staff_may_look_but_not_change(
    client, darmstadt_case, darmstadt_readonly, url_name
):
    login(client, darmstadt_readonly)
    detail = client.get(reverse("cases:detail", args=[darmstadt_case.uuid]))
    assert detail.status_code == 200
    assert reverse("cases:claim", args=[darmstadt_case.uuid]) not in detail.content.decode()
    response = client.post(
        reverse(url_name, args=[darmstadt_case.uuid]), {"status": CaseStatus.IN_REVIEW}
    )
    assert response.status_code == 403
    darmstadt_case.refresh_from_db()
    assert (darmstadt_case.status, darmstadt_case.assignee) == (CaseStatus.RECEIVED, None)


def test_case_view_shows_labels_history_and_audit_trail(client, darmstadt_case, darmstadt_clerk):
    login(client, darmstadt_clerk)
    html = client.get(reverse("cases:detail", args=[darmstadt_case.uuid])).content.decode()
    assert darmstadt_case.submission.reference_number in html
    assert "submission.submitted" in html
    definition = darmstadt_case.submission.solution_version.form_definition
    label = definition["steps"][0]["fields"][0]["label"]
    assert (label["de"] if isinstance(label, dict) else label) in html
