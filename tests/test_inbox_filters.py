"""The inbox's GET filters: service, status, assignee, deadline, date range, sort, pagination,
counts per status without the status filter, clear errors for bad values, and a query count
that is the same for 3 and 30 cases."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsweg.cases.inbox import FINAL_COUNT_DAYS
from amtsweg.cases.models import Case, CaseStatus
from amtsweg.cases.services import assign_case, change_case_status, claim_case
from amtsweg.submissions.services import submit_application
from tests.factories import OfferingFactory, SolutionVersionFactory, make_complete_draft
from tests.staff_login import login_staff


def new_case(offering) -> Case:
    return submit_application(make_complete_draft(offering)).submission.case


def shown(response) -> set[str]:
    return {case.submission.reference_number for case in response.context["page"].object_list}


def ref(case: Case) -> str:
    return case.submission.reference_number


@pytest.fixture
def logged_in(client, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    return client


def test_filter_by_service(logged_in, inbox_url, offering, darmstadt):
    other = OfferingFactory(
        municipality=darmstadt,
        solution_version=SolutionVersionFactory(),
        title="Sperrmüll anmelden",
    )
    dog, bulky = new_case(offering), new_case(other)
    response = logged_in.get(inbox_url, {"offering": str(other.uuid)})
    assert shown(response) == {ref(bulky)}
    assert ref(dog) not in shown(response)


def test_filter_by_status_and_counts_ignore_the_status_filter(
    logged_in, inbox_url, offering, darmstadt_clerk
):
    first, second, third = new_case(offering), new_case(offering), new_case(offering)
    change_case_status(first, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    response = logged_in.get(inbox_url, {"status": CaseStatus.IN_REVIEW})
    assert shown(response) == {ref(first)}
    counts = {value: count for value, _label, count in response.context["status_counts"]}
    assert counts[CaseStatus.RECEIVED] == 2
    assert counts[CaseStatus.IN_REVIEW] == 1
    assert response.context["open_total"] == 3
    assert {ref(second), ref(third)} == shown(
        logged_in.get(inbox_url, {"status": CaseStatus.RECEIVED})
    )


def test_filter_by_assignee(logged_in, inbox_url, offering, darmstadt_clerk, darmstadt_admin):
    mine, theirs, nobodys = new_case(offering), new_case(offering), new_case(offering)
    claim_case(mine, actor=darmstadt_clerk)
    claim_case(theirs, actor=darmstadt_admin)
    assert shown(logged_in.get(inbox_url, {"assignee": "mine"})) == {ref(mine)}
    assert shown(logged_in.get(inbox_url, {"assignee": "none"})) == {ref(nobodys)}
    assert shown(logged_in.get(inbox_url, {"assignee": "da.admin"})) == {ref(theirs)}
    assign_case(theirs, None, actor=darmstadt_admin)
    assert shown(logged_in.get(inbox_url, {"assignee": "none"})) == {ref(nobodys), ref(theirs)}


def test_filter_by_deadline_and_overdue_badge(logged_in, inbox_url, offering):
    today = timezone.localdate()
    overdue, soon, later = new_case(offering), new_case(offering), new_case(offering)
    Case.objects.filter(pk=overdue.pk).update(deadline=today - timedelta(days=1))
    Case.objects.filter(pk=soon.pk).update(deadline=today + timedelta(days=3))
    Case.objects.filter(pk=later.pk).update(deadline=today + timedelta(days=4))
    response = logged_in.get(inbox_url, {"deadline": "overdue"})
    assert shown(response) == {ref(overdue)}
    # Not by colour alone: the badge says so in words.
    assert "overdue" in response.content.decode() or "überfällig" in response.content.decode()
    assert shown(logged_in.get(inbox_url, {"deadline": "due_soon"})) == {ref(soon)}


def test_filter_by_received_date_range(logged_in, inbox_url, offering):
    old, new = new_case(offering), new_case(offering)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate()
    response = logged_in.get(inbox_url, {"received_from": str(today - timedelta(days=1))})
    assert shown(response) == {ref(new)}
    german = (today - timedelta(days=5)).strftime("%d.%m.%Y")
    assert shown(logged_in.get(inbox_url, {"received_to": german})) == {ref(old)}


def test_sort_by_deadline_and_reference(logged_in, inbox_url, offering):
    first, second = new_case(offering), new_case(offering)
    Case.objects.filter(pk=first.pk).update(deadline=timezone.localdate() + timedelta(days=30))
    listed = logged_in.get(inbox_url, {"sort": "deadline"}).context["page"].object_list
    assert [ref(case) for case in listed] == [ref(second), ref(first)]
    listed = logged_in.get(inbox_url, {"sort": "reference"}).context["page"].object_list
    assert [ref(case) for case in listed] == sorted([ref(first), ref(second)])


def test_pagination_keeps_the_filters(logged_in, inbox_url, offering, monkeypatch):
    monkeypatch.setattr("amtsweg.cases.views.PAGE_SIZE", 2)
    for _ in range(3):
        new_case(offering)
    response = logged_in.get(inbox_url, {"assignee": "none", "sort": "received"})
    assert response.context["page"].has_next
    assert "assignee=none&amp;sort=received&amp;page=2" in response.content.decode()
    second = logged_in.get(inbox_url, {"assignee": "none", "page": "2"}).context["page"]
    assert len(second) == 1
    assert not second.has_next
    assert second.has_previous
    # Not a page number: the first page, as before.
    assert logged_in.get(inbox_url, {"page": "zwei"}).context["page"].number == 1


@pytest.mark.parametrize(
    "params",
    [
        {"status": "no-such-status"},
        {"deadline": "yesterday"},
        {"received_from": "31.02.2026"},
        {"received_from": "2026-05-02", "received_to": "2026-05-01"},
        {"assignee": "somebody-else"},
        {"offering": "not-a-uuid"},
        {"sort": "; DROP TABLE"},
        {"q": "x" * 500},
    ],
)
def test_bad_filter_values_give_a_form_error(logged_in, inbox_url, offering, params):
    new_case(offering)
    response = logged_in.get(inbox_url, params)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    # The valid rest still shows cases.
    assert len(response.context["page"].object_list) == 1


def test_query_count_is_the_same_for_3_and_30_cases(
    logged_in, inbox_url, offering, darmstadt_clerk
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = logged_in.get(inbox_url, {"assignee": "", "q": ""})
        assert response.status_code == 200
        return len(captured)

    cases = [new_case(offering) for _ in range(3)]
    claim_case(cases[0], actor=darmstadt_clerk)
    few = queries()
    for number in range(27):
        case = new_case(offering)
        if number % 3 == 0:
            claim_case(case, actor=darmstadt_clerk)
    assert queries() == few


def test_final_statuses_are_counted_over_the_last_30_days_open_ones_in_full(
    logged_in, inbox_url, offering
):
    """ADR 0007: a case closed long ago is not counted (but listed); open cases always are."""
    old_open, recent, long_ago = new_case(offering), new_case(offering), new_case(offering)
    Case.objects.filter(pk=old_open.pk).update(created_at=timezone.now() - timedelta(days=900))
    now = timezone.now()
    Case.objects.filter(pk=recent.pk).update(
        status=CaseStatus.CLOSED, closed_at=now - timedelta(days=FINAL_COUNT_DAYS - 1)
    )
    Case.objects.filter(pk=long_ago.pk).update(
        status=CaseStatus.CLOSED, closed_at=now - timedelta(days=FINAL_COUNT_DAYS, minutes=1)
    )
    response = logged_in.get(inbox_url)
    counts = {value: count for value, _label, count in response.context["status_counts"]}
    assert counts[CaseStatus.CLOSED] == 1
    assert counts[CaseStatus.RECEIVED] == 1
    assert response.context["open_total"] == 1
    html = response.content.decode()
    assert "1*" in html
    assert "30" in html.split('id="counts-note"')[1].split("</p>")[0]
    assert shown(logged_in.get(inbox_url, {"status": CaseStatus.CLOSED})) == {
        ref(recent),
        ref(long_ago),
    }


def test_the_page_reads_the_cases_in_three_statements(logged_in, inbox_url, offering):
    """Open counts, recently finished counts, the page (one row beyond it): no COUNT(*) for
    the pagination and no statement over the cases for the filter's choices (ADR 0007)."""
    for _ in range(3):
        new_case(offering)
    with CaptureQueriesContext(connection) as captured:
        response = logged_in.get(inbox_url, {"assignee": "none", "sort": "deadline"})
    assert response.status_code == 200
    # (The service filter's choices read only the handed-over cases, a subquery there.)
    on_cases = [
        query["sql"] for query in captured if query["sql"].startswith('SELECT "cases_case"."')
    ]
    assert len(on_cases) == 3, on_cases
    assert sum("COUNT(*)" in sql for sql in on_cases) == 2
    assert "LIMIT 26" in on_cases[-1]


@pytest.mark.parametrize("page", ["99999999999999999999", "1" + "0" * 40])
def test_an_absurd_page_number_is_an_empty_page_not_a_server_error(
    logged_in, inbox_url, offering, page
):
    """A page number beyond any database integer must not reach the OFFSET (a 500 before)."""
    new_case(offering)
    response = logged_in.get(inbox_url, {"page": page})
    assert response.status_code == 200
    assert shown(response) == set()
    assert response.context["page"].has_next is False


def test_open_cases_are_counted_when_another_workflow_ends_in_a_status_of_that_name(
    logged_in, inbox_url, offering, darmstadt
):
    """A solution's own workflow may close with a key that is an open status of the default
    one ("decided"); the note's number of open cases still counts the open cases in it."""
    ends_decided = {
        "initial": "new",
        "statuses": [
            {"key": "new", "label": {"de": "neu"}},
            {"key": "decided", "label": {"de": "erledigt"}, "kind": "closed"},
            {"key": "gone", "label": {"de": "zurückgezogen"}, "kind": "withdrawn"},
        ],
        "transitions": [{"from": "new", "to": "decided"}],
    }
    custom = OfferingFactory(
        municipality=darmstadt, solution_version=SolutionVersionFactory(workflow=ends_decided)
    )
    new_case(custom)
    decided = new_case(offering)
    Case.objects.filter(pk=decided.pk).update(status=CaseStatus.DECIDED)  # open, default flow
    response = logged_in.get(inbox_url)
    assert response.context["open_total"] == 2
