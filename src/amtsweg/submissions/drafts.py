"""Which drafts and applications the visitor in front of us may open.

An anonymous applicant owns a draft through their browser session: the draft's UUID alone
(say, from a shared screen or a log) opens nothing. A draft started by a citizen logged in
with BundID belongs to their account instead: they can go on with it in any later session
once logged in (it is listed under "Mein Amtsweg"), and nobody else can open it, not even
another citizen logging in on the same browser.
"""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from amtsweg.catalog.services import published_version
from amtsweg.identity.bundid.identity import CitizenIdentity
from amtsweg.identity.bundid.services import current_citizen
from amtsweg.lib.rows import joined_row
from amtsweg.submissions.models import Submission

SESSION_KEY = "amtsweg_submissions"
MAX_REMEMBERED = 50


def remember(request: HttpRequest, submission: Submission) -> None:
    owned = [
        value for value in request.session.get(SESSION_KEY, []) if value != str(submission.uuid)
    ]
    request.session[SESSION_KEY] = [*owned, str(submission.uuid)][-MAX_REMEMBERED:]


def may_open(
    request: HttpRequest, submission: Submission, identity: CitizenIdentity | None
) -> bool:
    """Whether this visitor may open ``submission`` (its ``citizen`` preloaded).

    A logged-in citizen opens exactly their own account's applications. Without a log-in, a
    citizen's draft stays closed (the log-in opens it); anything else opens for the session
    that started it, or found it with reference number and access code. ``identity`` is
    the session's logged-in citizen (``current_citizen``).
    """
    if submission.citizen_id is not None and identity is not None:
        return submission.citizen.pseudonym == identity.pseudonym
    if submission.citizen_id is not None and not submission.is_submitted:
        return False
    return str(submission.uuid) in request.session.get(SESSION_KEY, [])


def get_owned_submission(request: HttpRequest, submission_uuid: object) -> Submission:
    """The visitor's draft or submission with this UUID (``may_open``), with what the
    journey needs preloaded in one query (its version from ``published_version``); 404 for
    anyone else's, with the same message as for none.

    Every page of a journey runs this query, so its statement is built once per process
    (``joined_row``) and joins only what the page will read: the citizen account only when a
    citizen is logged in (``may_open`` compares it), and the processing municipality not at
    all when it is the offering's own (nearly always; else it is read when first used)."""
    identity = current_citizen(request)
    related = ["offering__municipality", *(["citizen"] if identity is not None else [])]
    submission = joined_row(Submission, {"uuid": submission_uuid}, related)
    if submission is not None:  # published versions come from the worker's memory
        submission.solution_version = published_version(submission.solution_version_id)
        # The summary names the offering's processing municipality and the submit copies it
        # onto the submission; a submitted one has (nearly always) that same one.
        offering = submission.offering
        if offering.processing_municipality_id == offering.municipality_id:
            offering.processing_municipality = offering.municipality
        if submission.processing_municipality_id == offering.municipality_id:
            submission.processing_municipality = offering.municipality
    remembered = str(submission_uuid) in request.session.get(SESSION_KEY, [])
    if submission is None and remembered:
        raise Http404(_("This application no longer exists."))
    if submission is None or not may_open(request, submission, identity):
        raise Http404(_("This application was not found in your browser session."))
    if submission.is_expired():  # gone for the applicant, even before the clean-up runs
        raise Http404(_("This draft has expired."))
    return submission
