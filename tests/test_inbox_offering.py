"""The offering stored on the case (``Case.offering``, migration cases/0011): set when the
case is opened, filled for existing cases by the migration, kept on hand-over, and what the
inbox filters and counts by, without joining each case to its submission (ADR 0007)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amtsweg.cases.models import Case, CaseStatus
from amtsweg.cases.services import change_case_status, claim_case, hand_over_case
from amtsweg.submissions.services import submit_application
from tests.factories import OfferingFactory, SolutionVersionFactory, make_complete_draft
from tests.staff_login import login_staff


def new_case(offering) -> Case:
    return submit_application(make_complete_draft(offering)).submission.case


def test_opening_a_case_stores_the_submissions_offering(offering):
    case = new_case(offering)
    assert Case.objects.get(pk=case.pk).offering_id == offering.pk == case.submission.offering_id


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_offering_of_existing_cases(offering, darmstadt):
    other = OfferingFactory(municipality=darmstadt, solution_version=SolutionVersionFactory())
    first, second = new_case(offering), new_case(other)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("cases")
    try:
        executor.migrate([("cases", "0010_inbox_count_indexes")])  # drops the column
        with connection.cursor() as cursor:
            table = connection.introspection.get_table_description(cursor, "cases_case")
        assert "offering_id" not in {column.name for column in table}
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert dict(Case.objects.values_list("pk", "offering_id")) == {
        first.pk: offering.pk,
        second.pk: other.pk,
    }


def test_a_handed_over_case_keeps_its_offering_and_the_new_inbox_filters_by_it(
    ikz_offering, ober_ramstadt_clerk, modautal, modautal_clerk, client
):
    case = new_case(ikz_offering)
    hand_over_case(case, modautal, actor=ober_ramstadt_clerk)
    assert Case.objects.get(pk=case.pk).offering_id == ikz_offering.pk
    login_staff(client, modautal_clerk)
    response = client.get(
        reverse("cases:inbox", args=[modautal.slug]), {"offering": str(ikz_offering.uuid)}
    )
    assert [c.pk for c in response.context["page"].object_list] == [case.pk]


def test_the_filtered_page_joins_nothing_to_filter(client, darmstadt, darmstadt_clerk, offering):
    """Filtered by service, status and clerk (the benchmark's filtered page): the two counts
    read only the cases (an index-only scan on PostgreSQL), and the list filters on the case's
    own columns; only the page's rows are joined, for what the list shows."""
    other = OfferingFactory(municipality=darmstadt, solution_version=SolutionVersionFactory())
    wanted, elsewhere = new_case(offering), new_case(other)
    for case in (wanted, elsewhere):
        claim_case(case, actor=darmstadt_clerk)
        change_case_status(case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    login_staff(client, darmstadt_clerk)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            reverse("cases:inbox", args=[darmstadt.slug]),
            {
                "offering": str(offering.uuid),
                "status": CaseStatus.IN_REVIEW,
                "assignee": darmstadt_clerk.get_username(),
                "sort": "deadline",
            },
        )
    assert [c.pk for c in response.context["page"].object_list] == [wanted.pk]
    counts = {value: n for value, _label, n in response.context["status_counts"]}
    assert counts[CaseStatus.IN_REVIEW] == 1
    on_cases = [q["sql"] for q in captured if q["sql"].startswith('SELECT "cases_case"."')]
    assert len(on_cases) == 3, on_cases
    *count_statements, page = on_cases
    for sql in count_statements:
        assert "JOIN" not in sql, sql
    where = page.split(" WHERE ", 1)[1]
    assert '"cases_case"."offering_id" = (SELECT' in where
    assert '"cases_case"."assignee_id" = (SELECT' in where
    assert "submissions_submission" not in where
    html = response.content.decode()
    # The service column is read from the joined offering of each row, no query per row.
    assert offering.title in html
    # The lean select template (no include per option) still marks the chosen filters.
    assert f'<option value="{offering.uuid}" selected>' in html
    assert f'<option value="{CaseStatus.IN_REVIEW}" selected>' in html
    assert html.count(" selected>") == 5  # service, status, clerk, deadline "any", sort
