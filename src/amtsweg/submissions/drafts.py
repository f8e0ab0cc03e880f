"""Which drafts belong to the browser session in front of us.

An anonymous applicant owns a draft through their session: the draft's UUID alone (say, from
a shared screen or a log) opens nothing.
"""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from amtsweg.submissions.models import Submission

SESSION_KEY = "amtsweg_submissions"
MAX_REMEMBERED = 50


def remember(request: HttpRequest, submission: Submission) -> None:
    owned = [
        value for value in request.session.get(SESSION_KEY, []) if value != str(submission.uuid)
    ]
    request.session[SESSION_KEY] = [*owned, str(submission.uuid)][-MAX_REMEMBERED:]


def get_owned_submission(request: HttpRequest, submission_uuid: object) -> Submission:
    """The session's draft or submission with this UUID, with what the journey needs preloaded."""
    if str(submission_uuid) not in request.session.get(SESSION_KEY, []):
        raise Http404(_("This application was not found in your browser session."))
    try:
        submission = Submission.objects.select_related(
            "offering__municipality", "solution_version", "processing_municipality"
        ).get(uuid=submission_uuid)
    except Submission.DoesNotExist:
        raise Http404(_("This application no longer exists.")) from None
    if submission.is_expired():  # gone for the applicant, even before the clean-up runs
        raise Http404(_("This draft has expired."))
    return submission
