"""How many SQL statements a submit costs (issue 9): it is the request a peak consists of, so
every statement counts, and those after the reference number hold the municipality's lock."""

import copy
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amtsweg.cases.search import search_text_for
from amtsweg.catalog.services import get_live_offering_for_submit
from amtsweg.forms.services import steps_of, validate_step
from amtsweg.submissions import services
from amtsweg.submissions.models import Submission
from amtsweg.submissions.services import save_step, submit_application, submit_data
from tests.factories import answers, make_complete_draft

pytestmark = pytest.mark.django_db

#: Statements of one submit through the API (the offering lookup included) and of one draft's
#: submit, savepoints included; 35 and 29 before issue 9's work on the submit, 20 and 20
#: before the lean offering lookup and the receipt's single INSERT, 18 and 17 before one job
#: row per submit (``follow_up_submission``) and no attachment query for the API's new row, and
#: the API's 16 before it stopped asking for its idempotency key ahead of the INSERT.
API_SUBMIT_STATEMENTS = 15
DRAFT_SUBMIT_STATEMENTS = 16


@pytest.fixture
def warm(offering):
    """After a first submit the year's counter row and the chain head exist, as in production."""
    submit_application(make_complete_draft(offering))


def test_api_submit(offering, warm):
    data = make_complete_draft(offering).data
    with CaptureQueriesContext(connection) as queries:
        receipt = submit_data(
            get_live_offering_for_submit(offering.uuid), data, idempotency_key=uuid.uuid4().hex
        )
    assert receipt.created
    assert len(queries) <= API_SUBMIT_STATEMENTS, [q["sql"][:80] for q in queries]


def test_draft_submit(offering, warm):
    draft = make_complete_draft(offering)
    with CaptureQueriesContext(connection) as queries:
        receipt = submit_application(draft)
    assert receipt.created
    assert len(queries) <= DRAFT_SUBMIT_STATEMENTS, [q["sql"][:80] for q in queries]


def test_shared_rows_come_last(offering, warm):
    """Every submit of a municipality waits for the reference counter and the chain head, from
    the moment they are taken to the commit. Taken last, they are held only by the statements
    that need them: the number onto submission and case, the audit event onto its chain."""
    with CaptureQueriesContext(connection) as queries:
        submit_application(make_complete_draft(offering))
    statements = [q["sql"] for q in queries]
    counter = next(i for i, sql in enumerate(statements) if "referencesequence" in sql)
    tables = (re.search(r'(?:FROM|INTO|UPDATE) "(\w+)"', sql) for sql in statements[counter + 1 :])
    assert [table.group(1) for table in tables if table] == [  # savepoints name no table
        "submissions_submission",
        "cases_case",
        "audit_auditchainhead",
        "audit_auditevent",
        "audit_auditchainhead",
    ]


def test_search_text_written_once_is_the_full_text(offering, warm):
    """The case's search text gets the reference number put in front instead of being
    summarised again after numbering; it must equal what a full rewrite would give."""
    receipt = submit_application(make_complete_draft(offering))
    case = receipt.submission.case
    case.refresh_from_db()
    assert case.search_text == search_text_for(receipt.submission)
    assert case.search_text.startswith(receipt.submission.reference_number.casefold() + " ")


@pytest.mark.parametrize("way", ["api", "draft"])
def test_the_search_text_is_made_before_the_transaction(offering, warm, monkeypatch, way):
    """Summarising the answers for the search is the submit's largest piece of Python work;
    on SQLite every other writer waits while the submit's transaction is open."""
    depths = []
    make = services.search_text_for

    def noting_depth(submission):
        depths.append(len(connection.atomic_blocks))
        return make(submission)

    monkeypatch.setattr(services, "search_text_for", noting_depth)
    outside = len(connection.atomic_blocks)
    draft = make_complete_draft(offering)
    if way == "api":
        receipt = submit_data(get_live_offering_for_submit(offering.uuid), draft.data)
    else:
        receipt = submit_application(draft)
    assert depths == [outside]
    case = receipt.submission.case
    case.refresh_from_db()
    assert case.search_text == search_text_for(receipt.submission)


def test_answers_changed_in_another_tab_are_submitted_and_searched_as_stored(offering):
    """The submit works out the row's values and the search text before its transaction; a
    step saved meanwhile (another tab) makes it do both again from the locked row."""
    draft = make_complete_draft(offering, family_name="Altmann")
    stale = copy.copy(draft)
    other_tab = Submission.objects.get(pk=draft.pk)
    step = steps_of(other_tab.solution_version.form_definition)[0]
    result = validate_step(step, answers(family_name="Neumann")[step["key"]])
    save_step(other_tab, step["key"], result.values)

    receipt = submit_application(stale)

    stored = Submission.objects.get(pk=draft.pk)
    assert stored.data["family_name"] == "Neumann" and "Neumann" in stored.applicant_name
    assert "neumann" in stored.case.search_text and "altmann" not in stored.case.search_text
    assert receipt.created and receipt.access_code
