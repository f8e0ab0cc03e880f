"""A searched inbox matches once per statement that needs it: the counts per status in one
statement, and the page's rows read by id after the matches were sorted and cut (issue 9:
a common family name at 1,000,000 cases)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsweg.cases.inbox import FINAL_COUNT_DAYS
from amtsweg.cases.models import Case, CaseStatus
from amtsweg.submissions.services import submit_application
from tests.factories import make_complete_draft
from tests.staff_login import login_staff


def ref(case: Case) -> str:
    return case.submission.reference_number


@pytest.fixture
def searched(client, darmstadt_clerk, offering) -> list[Case]:
    """Three cases of Erika Becker (open, closed recently, closed long ago) and one of
    somebody else."""
    cases = [
        submit_application(make_complete_draft(offering, family_name="Becker")).submission.case
        for _ in "abc"
    ]
    submit_application(make_complete_draft(offering, given_name="Hans", family_name="Groß"))
    now = timezone.now()
    Case.objects.filter(pk=cases[1].pk).update(
        status=CaseStatus.CLOSED, closed_at=now - timedelta(days=1), deadline=now.date()
    )
    Case.objects.filter(pk=cases[2].pk).update(
        status=CaseStatus.CLOSED,
        closed_at=now - timedelta(days=FINAL_COUNT_DAYS + 1),
        deadline=now.date() - timedelta(days=400),
    )
    login_staff(client, darmstadt_clerk)
    return cases


def test_a_search_counts_in_one_statement_and_joins_only_the_page(client, inbox_url, searched):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(inbox_url, {"q": "Becker", "sort": "deadline"})
    assert response.status_code == 200
    counts = {value: count for value, _label, count in response.context["status_counts"]}
    assert counts[CaseStatus.RECEIVED] == 1
    assert counts[CaseStatus.CLOSED] == 1  # the one closed long ago is listed, not counted
    assert response.context["open_total"] == 1
    open_case, recent, long_ago = searched
    listed = [ref(case) for case in response.context["page"].object_list]
    assert listed == [ref(long_ago), ref(recent), ref(open_case)]

    on_cases = [q["sql"] for q in captured if 'FROM "cases_case"' in q["sql"]]
    assert sum("COUNT(" in sql for sql in on_cases) == 1
    joined = [sql for sql in on_cases if 'JOIN "submissions_submission"' in sql]
    assert len(joined) == 1
    assert "search_text" not in joined[0]  # the page's rows by id, not the search again


def test_a_searched_page_keeps_its_order_across_pages(client, inbox_url, searched, monkeypatch):
    monkeypatch.setattr("amtsweg.cases.views.PAGE_SIZE", 2)
    open_case, recent, long_ago = searched
    first = client.get(inbox_url, {"q": "Becker", "sort": "received"}).context["page"]
    assert [ref(case) for case in first.object_list] == [ref(open_case), ref(recent)]
    assert first.has_next
    second = client.get(inbox_url, {"q": "Becker", "sort": "received", "page": "2"})
    page = second.context["page"]
    assert [ref(case) for case in page.object_list] == [ref(long_ago)]
    assert not page.has_next
    assert page.has_previous
    beyond = client.get(inbox_url, {"q": "Becker", "page": "9"}).context["page"]
    assert beyond.object_list == []
