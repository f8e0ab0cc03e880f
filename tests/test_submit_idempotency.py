"""A repeated submit (double click, retried request) never creates a second application."""

import threading
import time

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.models import Case
from amtsweg.catalog.services import get_live_offering_for_submit
from amtsweg.submissions import tasks
from amtsweg.submissions.models import ReferenceSequence, Submission, SubmissionStatus
from amtsweg.submissions.services import Receipt, submit_application, submit_data
from amtsweg.submissions.tasks import follow_up_submission
from tests.factories import make_complete_draft


def confirmation_jobs():
    """The submit's follow-up jobs (confirmation mail and receipt: one per submission)."""
    return DBTaskResult.objects.filter(task_path=follow_up_submission.module_path)


def test_second_submit_of_the_same_draft_returns_the_first(complete_draft):
    first = submit_application(complete_draft)
    again = submit_application(complete_draft)

    assert first.created is True and first.access_code
    assert again.created is False
    assert again.access_code is None
    assert again.submission.pk == first.submission.pk
    assert again.submission.reference_number == first.submission.reference_number
    assert Case.objects.count() == 1
    assert confirmation_jobs().count() == 1
    assert AuditEvent.objects.filter(action="submission.submitted").count() == 1
    assert ReferenceSequence.objects.get().last_number == 1


def test_second_submit_with_the_same_key_returns_the_first(complete_draft):
    first = submit_application(complete_draft, idempotency_key="browser-42")
    again = submit_application(complete_draft, idempotency_key="browser-42")
    assert again.created is False
    assert again.submission.pk == first.submission.pk
    assert Case.objects.count() == 1


def test_same_key_on_another_draft_of_the_offering_returns_the_first(offering):
    first_draft = make_complete_draft(offering)
    other_draft = make_complete_draft(offering, given_name="Max")

    first = submit_application(first_draft, idempotency_key="browser-42")
    again = submit_application(other_draft, idempotency_key="browser-42")

    assert again.created is False
    assert again.access_code is None
    assert again.submission.pk == first.submission.pk
    assert Submission.objects.get(pk=other_draft.pk).status == SubmissionStatus.DRAFT
    assert Case.objects.count() == 1
    assert confirmation_jobs().count() == 1


@pytest.mark.parametrize("changed", [{}, {"postcode": "6428"}], ids=["same data", "refused data"])
def test_api_retry_after_the_first_committed_returns_the_first(offering, changed):
    """The API's submit asks for the key only through its INSERT (or when the data is refused):
    a retry still gets the first submission, and nothing of its own is written."""
    data = make_complete_draft(offering).data
    api_offering = get_live_offering_for_submit(offering.uuid)
    first = submit_data(api_offering, data, idempotency_key="api-9")
    rows = Submission.objects.count()

    again = submit_data(api_offering, {**data, **changed}, idempotency_key="api-9")

    assert (again.created, again.access_code) == (False, None)
    assert again.submission.pk == first.submission.pk
    assert Submission.objects.count() == rows
    assert Case.objects.count() == 1
    assert confirmation_jobs().count() == 1
    assert AuditEvent.objects.filter(action="submission.submitted").count() == 1


def test_same_key_on_another_offering_is_another_application(offering, darmstadt):
    from tests.factories import OfferingFactory

    other_offering = OfferingFactory(
        municipality=darmstadt, solution_version=offering.solution_version
    )
    first = submit_application(make_complete_draft(offering), idempotency_key="k")
    second = submit_application(make_complete_draft(other_offering), idempotency_key="k")
    assert second.created is True
    assert second.submission.pk != first.submission.pk
    assert Case.objects.count() == 2


def _submit_the_draft(draft: Submission, key: str) -> Receipt:
    return submit_application(draft, idempotency_key=key)


def _submit_its_data(draft: Submission, key: str) -> Receipt:
    """The REST API's way: the draft only supplies a complete data set; the lookup is the one
    every API submit makes (``submit_data`` asks for the key only through its INSERT)."""
    return submit_data(
        get_live_offering_for_submit(draft.offering.uuid), draft.data, idempotency_key=key
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("submit", [_submit_the_draft, _submit_its_data], ids=["draft", "api"])
def test_retry_while_the_first_request_commits_returns_the_first(offering, monkeypatch, submit):
    """An API client times out and retries with the same key while the first submit (of another
    draft, as a create-and-submit call makes one per request) is still in its transaction."""
    first_draft = make_complete_draft(offering)
    retry_draft = make_complete_draft(offering)
    first_is_writing, release_first = threading.Event(), threading.Event()
    real_enqueue = tasks.follow_up_submission.enqueue

    class HoldingTask:
        def enqueue(self, *args):
            if threading.current_thread().name == "first":
                first_is_writing.set()
                release_first.wait(timeout=30)
            return real_enqueue(*args)

    monkeypatch.setattr("amtsweg.submissions.services.follow_up_submission", HoldingTask())
    receipts, errors = {}, []

    def run(name, draft):
        try:
            receipts[name] = submit(draft, "api-7")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first", first_draft), name="first")
    first.start()
    assert first_is_writing.wait(timeout=30)
    retry = threading.Thread(target=run, args=("retry", retry_draft), name="retry")
    retry.start()
    wait_until_blocked(retry)
    release_first.set()
    first.join(timeout=60)
    retry.join(timeout=60)

    if errors:
        raise errors[0]
    assert receipts["first"].created is True
    assert receipts["retry"].created is False
    assert receipts["retry"].submission.pk == receipts["first"].submission.pk
    assert Case.objects.count() == 1
    assert Submission.objects.filter(status=SubmissionStatus.SUBMITTED).count() == 1
    assert Submission.objects.get(pk=retry_draft.pk).status == SubmissionStatus.DRAFT


def wait_until_blocked(thread: threading.Thread) -> None:
    """Give the retry time to run into the first transaction's locks."""
    if connection.vendor != "postgresql":
        time.sleep(0.3)  # SQLite: it waits in BEGIN IMMEDIATE; nothing to observe.
        return
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the retry never waited for the first request's lock")
