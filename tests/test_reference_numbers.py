"""Reference numbers (Aktenzeichen): DA-2026-000001, consecutive per municipality and year."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsweg.audit.services import verify_chain
from amtsweg.cases.models import Case
from amtsweg.submissions.models import ReferenceSequence
from amtsweg.submissions.reference import next_reference_number
from amtsweg.submissions.services import submit_application
from amtsweg.submissions.tasks import follow_up_submission
from tests.factories import make_complete_draft


def confirmation_jobs():
    """The submit's follow-up jobs (confirmation mail and receipt: one per submission)."""
    return DBTaskResult.objects.filter(task_path=follow_up_submission.module_path)


pytestmark = pytest.mark.django_db


def test_format(darmstadt):
    assert next_reference_number(darmstadt, 2026) == "DA-2026-000001"


def test_consecutive_per_municipality_and_year(darmstadt):
    numbers = [next_reference_number(darmstadt, 2026) for _ in range(3)]
    assert numbers == ["DA-2026-000001", "DA-2026-000002", "DA-2026-000003"]
    assert ReferenceSequence.objects.get(municipality=darmstadt, year=2026).last_number == 3


def test_independent_between_municipalities(darmstadt, modautal):
    assert next_reference_number(darmstadt, 2026) == "DA-2026-000001"
    assert next_reference_number(modautal, 2026) == "MOD-2026-000001"
    assert next_reference_number(darmstadt, 2026) == "DA-2026-000002"
    assert next_reference_number(modautal, 2026) == "MOD-2026-000002"


def test_independent_between_years(darmstadt):
    assert next_reference_number(darmstadt, 2026) == "DA-2026-000001"
    assert next_reference_number(darmstadt, 2027) == "DA-2027-000001"
    assert next_reference_number(darmstadt, 2026) == "DA-2026-000002"
    assert ReferenceSequence.objects.filter(municipality=darmstadt).count() == 2


def test_six_digits_grow_beyond(darmstadt):
    ReferenceSequence.objects.create(municipality=darmstadt, year=2026, last_number=999_999)
    assert next_reference_number(darmstadt, 2026) == "DA-2026-1000000"


def test_submissions_are_numbered_in_order(offering):
    year = timezone.localdate().year
    numbers = [
        submit_application(make_complete_draft(offering)).submission.reference_number
        for _ in range(3)
    ]
    assert numbers == [f"DA-{year}-{n:06d}" for n in (1, 2, 3)]


THREADS = 8


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_test_database_locks_like_production(settings):
    """The concurrency tests below need SQLite as it runs in production: a file in WAL mode
    with BEGIN IMMEDIATE (not the shared in-memory database), and never the var/ one."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    name = str(connection.settings_dict["NAME"])
    assert name.endswith("amtsweg-test.sqlite3")
    assert not name.startswith(str(settings.VAR_DIR))


def submit_concurrently(drafts) -> tuple[list[str], list[BaseException]]:
    """Submit each draft in its own thread (own database connection), all released at once."""
    barrier = threading.Barrier(len(drafts))
    numbers: list[str] = []
    errors: list[BaseException] = []

    def run(draft):
        try:
            barrier.wait(timeout=30)
            numbers.append(submit_application(draft).submission.reference_number)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a submit hung"
    close_old_connections()
    return numbers, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(3))
def test_concurrent_submits_get_distinct_consecutive_numbers(offering, darmstadt, run):
    """On PostgreSQL the sequence row lock serialises the writers; on SQLite, BEGIN IMMEDIATE
    (WAL) does. Either way: no number twice, none skipped, every case and job written."""
    drafts = [make_complete_draft(offering) for _ in range(THREADS)]

    numbers, errors = submit_concurrently(drafts)

    assert errors == []
    year = timezone.localdate().year
    assert sorted(numbers) == [f"DA-{year}-{n:06d}" for n in range(1, THREADS + 1)]
    assert ReferenceSequence.objects.get(municipality=darmstadt, year=year).last_number == THREADS
    assert Case.objects.filter(municipality=darmstadt).count() == THREADS
    assert confirmation_jobs().count() == THREADS
    assert verify_chain(darmstadt.ags) is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_of_one_draft_creates_one_case(complete_draft):
    numbers, errors = submit_concurrently([complete_draft] * 4)
    assert errors == []
    assert len(set(numbers)) == 1
    assert Case.objects.count() == 1
    assert confirmation_jobs().count() == 1
