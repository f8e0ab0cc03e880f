"""The inbox's full-text search over reference number, applicant name and form answers.

One plain column, ``Case.search_text``, on every database: the case-folded reference number
(also split at its hyphens, so "000042" finds "DA-2026-000042"), the applicant's name and
the text of every answer as the case view shows it. It is written when the case is opened
and rewritten whenever those change (``refresh_search_text``); no triggers, nothing that
exists on one database only in the model.

- PostgreSQL: ``to_tsvector('german', search_text) @@ websearch_to_tsquery('german', q)``,
  served by a GIN expression index on exactly that expression (migration 0004, created on
  PostgreSQL only), so stemming finds "Hunde" for "Hund" and the search stays fast.
- SQLite (and anything else): every word of the query must occur in ``search_text``;
  both are case-folded in Python, since SQLite's LIKE folds only ASCII letters.

An exact reference number also matches on both, through its unique index.
"""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from amtsweg.cases.models import Case
from amtsweg.forms.services import summarize
from amtsweg.lib.rows import update_row
from amtsweg.submissions.models import Submission

SEARCH_CONFIG = "german"


def search_text_for(submission: Submission) -> str:
    """What the search looks through for this submission's case, case-folded."""
    reference = submission.reference_number or ""
    parts = [reference, reference.replace("-", " "), submission.applicant_name]
    if submission.data:
        for section in summarize(
            submission.solution_version.form_definition, submission.data, submission.form_options
        ):
            parts.extend(str(row["value"]) for row in section["rows"] if row["value"])
    return " ".join(part for part in parts if part).casefold()


def refresh_search_text(case: Case) -> None:
    """Rewrite the case's search text from its submission (saved at once)."""
    case.search_text = search_text_for(case.submission)
    Case.objects.filter(pk=case.pk).update(search_text=case.search_text)


def add_reference_to_search_text(case: Case, reference: str) -> None:
    """Put a just-given reference number in front of the search text (saved at once).

    The submit opens the case before it takes the number; this gives the same text as
    ``search_text_for`` would now, without summarising the answers a second time.
    """
    case.search_text = " ".join(
        part
        for part in (
            reference.casefold(),
            reference.replace("-", " ").casefold(),
            case.search_text,
        )
        if part
    )
    update_row(case, ["search_text"])  # precompiled: it runs under the counter's lock


def search_vector() -> SearchVector:
    """The indexed expression; the index in migration 0004 must stay identical to it."""
    return SearchVector("search_text", config=SEARCH_CONFIG)


def search_cases(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    query = " ".join(query.split())
    if not query:
        return cases
    # A scalar subquery, not a join: OR-ed with the full-text match on the same table, both
    # sides are index scans (PostgreSQL combines them with a BitmapOr); a join made PostgreSQL
    # compute to_tsvector for every case of the inbox (docs/benchmarks.md, back office).
    by_reference = Q(
        submission_id=Subquery(
            Submission.objects.filter(reference_number=query.upper()).values("pk")[:1]
        )
    )
    if connection.vendor == "postgresql":
        matched = cases.alias(search=search_vector()).filter(
            Q(search=SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch"))
            | by_reference
        )
        return _by_ids(cases, matched)
    words = Q()
    for word in query.casefold().split():
        words &= Q(search_text__contains=word)
    return cases.filter(words | by_reference)


def _by_ids(cases: QuerySet[Case], matched: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` limited to the ids ``matched`` finds, fetched first as an array.

    Filtered directly, the inbox's "newest first, 25 per page" made PostgreSQL walk the
    inbox's date index and compute to_tsvector on every case until 25 matched: seconds for a
    rare word among 170,000 cases (docs/benchmarks.md, back office). ``id = ANY(ARRAY(…))``
    is computed once, through the full-text index, and then read by primary key.
    """
    sql, params = matched.order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(Case._meta.db_table)
    return cases.filter(
        RawSQL(f"{table}.id = ANY(ARRAY({sql}))", params, output_field=BooleanField())  # noqa: S611
    )
