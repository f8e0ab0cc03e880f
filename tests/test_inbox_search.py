"""Full-text search in the inbox over reference number, applicant name and answers: German
full-text search on PostgreSQL, case-folded substring search on SQLite."""

import pytest
from django.db import connection
from django.urls import reverse

from amtsweg.cases.models import Case
from amtsweg.cases.services import refresh_search_text
from amtsweg.submissions.services import submit_application
from tests.factories import OfferingFactory, make_complete_draft
from tests.staff_login import login_staff

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def cases(offering) -> tuple[Case, Case]:
    erika = submit_application(make_complete_draft(offering)).submission.case
    hans = submit_application(
        make_complete_draft(
            offering,
            given_name="Hans",
            family_name="Groß",
            email="hans@example.de",
            breed="mixed",
            remarks="Ruhig",
        )
    ).submission.case
    return erika, hans


def search(client, user, municipality, query: str) -> set[str]:
    login_staff(client, user)
    response = client.get(reverse("cases:inbox", args=[municipality.slug]), {"q": query})
    assert response.status_code == 200
    return {c.submission.reference_number for c in response.context["page"].object_list}


def test_search_text_holds_reference_name_and_answers(cases):
    erika, _hans = cases
    text = erika.search_text
    assert erika.submission.reference_number.casefold() in text
    assert "erika mustermann" in text
    assert "dackel" in text  # the choice's label, as the case view shows it
    assert "bello bellt nachts" in text
    assert text == text.casefold()


@pytest.mark.parametrize("query", ["Mustermann", "mustermann", "Dackel", "Bello"])
def test_search_by_name_and_answers(client, darmstadt_clerk, darmstadt, cases, query):
    erika, _hans = cases
    assert search(client, darmstadt_clerk, darmstadt, query) == {erika.submission.reference_number}


def test_search_by_reference_number(client, darmstadt_clerk, darmstadt, cases):
    _erika, hans = cases
    reference = hans.submission.reference_number
    assert search(client, darmstadt_clerk, darmstadt, reference) == {reference}
    assert search(client, darmstadt_clerk, darmstadt, reference.lower()) == {reference}
    number = reference.rsplit("-", 1)[1]
    assert search(client, darmstadt_clerk, darmstadt, number) == {reference}


def test_search_finds_non_ascii_names_case_insensitively(
    client, darmstadt_clerk, darmstadt, cases
):
    _erika, hans = cases
    # Upper-case "ß" stays "ß" in Python's upper(); case-folding handles it on both databases.
    assert search(client, darmstadt_clerk, darmstadt, "GROß") == {hans.submission.reference_number}


def test_search_stays_within_the_municipality(
    client, modautal_clerk, modautal, cases, solution_version
):
    OfferingFactory(municipality=modautal, solution_version=solution_version)
    assert search(client, modautal_clerk, modautal, "Mustermann") == set()


def test_every_word_must_match(client, darmstadt_clerk, darmstadt, cases):
    assert search(client, darmstadt_clerk, darmstadt, "Mustermann Ruhig") == set()


def test_refresh_rewrites_the_text(cases):
    erika, _hans = cases
    Case.objects.filter(pk=erika.pk).update(search_text="")
    refresh_search_text(erika)
    assert "mustermann" in Case.objects.get(pk=erika.pk).search_text


@pytest.mark.skipif(not POSTGRES, reason="German full-text search runs on PostgreSQL only")
def test_postgres_stems_german_words_and_has_the_index(client, darmstadt_clerk, darmstadt, cases):
    erika, _hans = cases
    # "nachts" in the remarks is found as "Nacht" (German stemming).
    assert search(client, darmstadt_clerk, darmstadt, "Nacht") == {
        erika.submission.reference_number
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'case_search_german_idx'"
        )
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "german" in definition


@pytest.mark.skipif(POSTGRES, reason="the fallback is for SQLite")
def test_sqlite_fallback_matches_fragments(client, darmstadt_clerk, darmstadt, cases):
    erika, _hans = cases
    assert search(client, darmstadt_clerk, darmstadt, "SCHLÜSSEL") == {
        erika.submission.reference_number
    }
    assert search(client, darmstadt_clerk, darmstadt, "muster") == {
        erika.submission.reference_number
    }
