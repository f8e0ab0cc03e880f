"""The submissions app's public door: drafts, steps and the submit that creates the case."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from amtsweg.audit.services import record_event
from amtsweg.cases.services import (
    add_reference_to_search_text,
    open_case_for,
    search_text_for,
)
from amtsweg.catalog.models import Offering
from amtsweg.documents.services import request_receipt
from amtsweg.forms.services import (
    applicant_attributes,
    clean_submission,
    validate_submission,
    visible_steps,
)
from amtsweg.identity.bundid.identity import CitizenIdentity
from amtsweg.identity.bundid.services import citizen_account
from amtsweg.lib.rows import copied, delete_referring, insert_row, locked_values, update_row
from amtsweg.submissions.attachments import check_attachments
from amtsweg.submissions.models import (
    ResumeLink,
    Submission,
    SubmissionStatus,
    draft_expiry,
)
from amtsweg.submissions.reference import (
    access_code_matches,
    hash_access_code,
    new_access_code,
    next_reference_number,
)
from amtsweg.submissions.tasks import follow_up_submission, send_resume_link


class SubmissionIncomplete(Exception):
    """The data set is not complete or not valid; ``problems`` maps field keys to messages."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the submission")
        self.problems = problems


@dataclass(frozen=True)
class Receipt:
    """What the applicant gets back for a submit: the plain access code exists only here."""

    submission: Submission
    access_code: str | None
    created: bool


def start_draft(offering: Offering) -> Submission:
    """Open a draft for the offering's current solution version; it expires unless saved.

    Every journey starts here, so the row is written with ``insert_row``, without the ORM's
    compiler (issue 9)."""
    draft = Submission(
        offering=offering,
        solution_version=offering.solution_version,
        expires_at=draft_expiry(),
    )
    insert_row(draft)
    return draft


def record_applicant(draft: Submission, identity: CitizenIdentity | None) -> None:
    """Note who applies when logged in with BundID: the citizen account, the trust level
    reached and, for an organisation account, for whom the application is made.

    Called when a logged-in citizen starts and again before the submit, because the citizen
    may have logged in (again, at a higher level) in between. Without a log-in nothing
    changes: an anonymous draft stays anonymous.
    """
    if identity is None or draft.is_submitted:
        return
    organisation = identity.organisation
    draft.citizen = citizen_account(identity)
    draft.trust_level = identity.trust_level
    draft.on_behalf_of_name = organisation.name[:200] if organisation else ""
    draft.on_behalf_of_id = organisation.identifier[:100] if organisation else ""
    draft.save(
        update_fields=[
            "citizen",
            "trust_level",
            "on_behalf_of_name",
            "on_behalf_of_id",
            "updated_at",
        ]
    )


def save_step(draft: Submission, step_key: str, values: dict[str, Any]) -> None:
    """Store the answers of one step of a draft; a submitted application is never changed.

    The step's earlier answers are replaced, not merged, so an answer to a field that has since
    been hidden is not kept; answers of steps the new answers have made unnecessary go too.

    The answers are merged into the draft as this request read it, and stored with one
    ``UPDATE`` that applies only while the row is still that draft (same ``updated_at``, not
    submitted): no transaction and no lock, so on PostgreSQL three round trips fewer per step
    (issue 9). Where another request changed the row meanwhile (a second tab, a double
    click), the row is read again under a lock and the answers merged into that.
    """
    definition = draft.solution_version.form_definition
    step = next((s for s in definition["steps"] if s["key"] == step_key), None)
    if step is None:
        raise ValueError(f"The form has no step {step_key!r}.")
    if draft.updated_at is not None and draft.status == SubmissionStatus.DRAFT:
        read = {"status": SubmissionStatus.DRAFT, "updated_at": draft.updated_at}
        merged = _merged(draft, definition, step, draft.data, draft.completed_steps, values)
        if update_row(merged, _STEP_FIELDS, unchanged=read):
            _take_over(draft, merged)
            return
    with transaction.atomic():  # only what is read and written (statements built once)
        locked = locked_values(Submission, draft.pk, ["status", "data", "completed_steps"])
        if locked is None:
            raise Submission.DoesNotExist
        status, stored, stored_steps = locked
        if status == SubmissionStatus.SUBMITTED:
            raise ValueError("A submitted application cannot be changed.")
        merged = _merged(draft, definition, step, stored, stored_steps, values)
        update_row(merged, _STEP_FIELDS)
    _take_over(draft, merged)


#: What storing a step writes into the draft's row.
_STEP_FIELDS = ["data", "completed_steps", "expires_at", "updated_at"]


def _merged(
    draft: Submission,
    definition: dict[str, Any],
    step: dict[str, Any],
    stored: dict[str, Any],
    stored_steps: list[str],
    values: dict[str, Any],
) -> Submission:
    """A copy of the draft whose answers and completed steps are ``stored`` (and
    ``stored_steps``) with ``step``'s answers replaced by ``values``; the draft itself changes
    only once the copy is stored (``_take_over``)."""
    data = {k: v for k, v in stored.items() if k not in _item_keys(step)}
    data.update(values)
    visible = visible_steps(definition, data, draft.form_options)
    hidden = [s for s in definition["steps"] if s not in visible]
    hidden_items = set().union(*(_item_keys(hidden_step) for hidden_step in hidden))
    data = {k: v for k, v in data.items() if k not in hidden_items}
    hidden_steps = {s["key"] for s in hidden}
    completed = [key for key in stored_steps if key not in hidden_steps]
    merged = copied(draft)
    merged.data = data
    merged.completed_steps = completed if step["key"] in completed else [*completed, step["key"]]
    merged.expires_at = draft_expiry()  # an applicant who keeps working keeps the draft
    return merged


def _take_over(draft: Submission, stored: Submission) -> None:
    """Give ``draft`` what was stored from its copy, for the rest of the request."""
    for name in _STEP_FIELDS:
        setattr(draft, name, getattr(stored, name))


def _item_keys(step: dict[str, Any]) -> set[str]:
    return {item["key"] for item in step.get("fields", [])}


def missing_steps(draft: Submission) -> list[str]:
    """Keys of steps the applicant has not completed yet, in form order."""
    done = set(draft.completed_steps)
    return [
        step["key"]
        for step in visible_steps(
            draft.solution_version.form_definition, draft.data, draft.form_options
        )
        if step["key"] not in done
    ]


def submit_application(
    draft: Submission, *, idempotency_key: str | None = None, language: str = "de"
) -> Receipt:
    """Turn a complete draft into a submission with its case, audit event and follow-up task.

    Everything happens in one transaction: when the applicant sees a reference number, the
    submission, the case, the audit event and the confirmation job are all committed. A repeated
    call (a double click, a retried request) returns the existing submission instead of a second
    one; its access code is then not shown again.

    The data is validated, and the row's new values and the case's search text are worked out,
    before the transaction, so that SQLite's write lock (taken at BEGIN) is not held through
    it; inside, the locked row must still hold exactly that data (else all is done again).
    """
    submission = copied(draft)  # callers may share the object (a double click's threads)
    try:
        if idempotency_key and (
            earlier := _submitted_with_key_for(draft.offering, idempotency_key)
        ):
            return Receipt(submission=earlier, access_code=None, created=False)
        if submission.is_submitted:
            return Receipt(submission=submission, access_code=None, created=False)
        _check(submission)
        access_code = _fill_in(submission, idempotency_key, language)
        search_text = search_text_for(submission)
        with transaction.atomic():
            locked = locked_values(Submission, draft.pk, ["status", "data", "completed_steps"])
            if locked is None:  # removed meanwhile (the expired drafts' clean-up)
                raise Submission.DoesNotExist
            status, data, steps = locked
            if status == SubmissionStatus.SUBMITTED:  # a concurrent submit of this draft won
                return Receipt(
                    submission=Submission.objects.get(pk=draft.pk), access_code=None, created=False
                )
            if (data, steps) != (submission.data, submission.completed_steps):
                submission.data, submission.completed_steps = data, steps  # changed meanwhile
                _check(submission)
                access_code = _fill_in(submission, idempotency_key, language)
                search_text = search_text_for(submission)
            if problems := check_attachments(submission):
                raise SubmissionIncomplete(problems)
            update_row(submission, _SUBMIT_FIELDS)  # claims the idempotency key
            # Resume links end with the draft; their e-mail addresses are not needed any more.
            delete_referring(ResumeLink, "submission", submission)
            return _record_submit(submission, access_code, search_text)
    except IntegrityError:
        # A retry with the same key that raced the first submit past the lookup above ends at
        # the unique constraint; by now the first one is committed, so answer with it.
        if idempotency_key and (
            earlier := _submitted_with_key_for(draft.offering, idempotency_key)
        ):
            return Receipt(submission=earlier, access_code=None, created=False)
        raise


#: What the submit writes into a draft's row before it is numbered (``_fill_in``).
_SUBMIT_FIELDS = [
    "submitted_at",
    "expires_at",
    "processing_municipality",
    "access_code_hash",
    "idempotency_key",
    "language",
    "applicant_name",
    "applicant_email",
    "option_values",
    "updated_at",
]


def _check(submission: Submission) -> None:
    """Raise SubmissionIncomplete unless the stored answers are complete and valid."""
    definition = submission.solution_version.form_definition
    problems = validate_submission(definition, submission.data, submission.form_options)
    if missing := missing_steps(submission):
        problems.setdefault("__steps__", ", ".join(missing))
    if problems:
        raise SubmissionIncomplete(problems)


def _fill_in(submission: Submission, idempotency_key: str | None, language: str) -> str:
    """Set what a submit adds to the row, but not yet its status and number; return the plain
    access code, which only the receipt carries."""
    applicant = applicant_attributes(submission.solution_version.form_definition, submission.data)
    access_code = new_access_code()
    submission.submitted_at = timezone.now()
    submission.expires_at = None
    submission.processing_municipality = submission.offering.processing_municipality
    submission.access_code_hash = hash_access_code(access_code)
    submission.idempotency_key = idempotency_key
    submission.language = language
    submission.applicant_name = " ".join(
        part for part in (applicant.get("given_name"), applicant.get("family_name")) if part
    )[:200]
    submission.applicant_email = applicant.get("email", "")
    submission.option_values = submission.form_options  # the case renders with these later
    return access_code


def _record_submit(submission: Submission, access_code: str, search_text: str) -> Receipt:
    """The rest of the submit transaction, for a row that ``_fill_in`` has prepared and whose
    case will have ``search_text``.

    Every submit of a municipality shares two rows: its reference counter and its audit chain
    head. They are taken last, each in as few statements as possible, so that one submit holds
    them only for its last few statements and the commit, not for all of its work: the
    submits of a municipality wait for each other only that long (docs/benchmarks.md).
    """
    offering = submission.offering
    case = open_case_for(submission, search_text)
    request_receipt(submission, case)  # the receipt PDF's row, in this transaction
    follow_up_submission.enqueue(submission.pk)  # one job: the receipt, then the mail
    # From here on the shared rows are locked until COMMIT.
    submission.reference_number = next_reference_number(
        submission.processing_municipality, timezone.localdate(submission.submitted_at).year
    )
    submission.status = SubmissionStatus.SUBMITTED
    update_row(submission, ["status", "reference_number"])
    add_reference_to_search_text(case, submission.reference_number)  # found by it too
    record_event(
        "submission.submitted",
        submission,
        actor_label="applicant",
        chain=submission.processing_municipality.ags,
        data={
            "reference_number": submission.reference_number,
            "offering": str(offering.uuid),
            "case": str(case.uuid),
            "solution_version": submission.solution_version_id,
        },
    )
    return Receipt(submission=submission, access_code=access_code, created=True)


def submit_data(
    offering: Offering,
    data: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    language: str = "de",
) -> Receipt:
    """Submit a complete data set in one go (the REST API's way in): checked and cleaned with
    the same code as the online assistant, then submitted like a finished draft.

    A retry with the same ``idempotency_key`` returns the first submission; a refused data set
    leaves nothing behind. The cleaned data is the form engine's own output, so it is not
    validated a second time; the row is inserted once, complete but for its number.

    The key is claimed by that INSERT (unique per offering), and a retry is found there: one
    that comes after the first has committed fails at the constraint at once, one that races
    it waits there for the first's commit; either then answers with the first submission. So
    the submit does not ask for the key beforehand, a look-up that almost never finds anything
    (issue 9); only a data set that is refused asks, so that a retry gets the first submission
    whatever it sends.
    """
    definition = offering.solution_version.form_definition
    options = offering.solution_version.resolve_options(offering.option_values)
    cleaned, problems = clean_submission(definition, data, options)
    if not problems:
        submission = Submission(
            offering=offering,
            solution_version=offering.solution_version,
            data=cleaned,
            option_values=options,
            completed_steps=[step["key"] for step in visible_steps(definition, cleaned, options)],
        )
        problems = check_attachments(submission)  # a file value names no upload of its own
    if problems:
        if idempotency_key and (earlier := _submitted_with_key_for(offering, idempotency_key)):
            return Receipt(submission=earlier, access_code=None, created=False)
        raise SubmissionIncomplete(problems)
    access_code = _fill_in(submission, idempotency_key, language)
    search_text = search_text_for(submission)  # before the transaction, like the checks
    try:
        with transaction.atomic():
            insert_row(submission)  # as a draft until numbered; claims the idempotency key
            return _record_submit(submission, access_code, search_text)
    except IntegrityError:
        if idempotency_key and (earlier := _submitted_with_key_for(offering, idempotency_key)):
            return Receipt(submission=earlier, access_code=None, created=False)
        raise


def _submitted_with_key_for(offering: Offering, idempotency_key: str) -> Submission | None:
    return Submission.objects.filter(
        offering=offering, idempotency_key=idempotency_key, status=SubmissionStatus.SUBMITTED
    ).first()


def find_submission_by_reference(reference_number: str, access_code: str) -> Submission | None:
    """The submission with this reference number, if ``access_code`` is the right one for it."""
    submission = (
        Submission.objects.filter(
            reference_number=reference_number.strip().upper(), status=SubmissionStatus.SUBMITTED
        )
        .select_related("offering__municipality", "case")
        .first()
    )
    if submission is None or not access_code_matches(access_code, submission.access_code_hash):
        return None
    return submission


class ResumeMailTooSoon(Exception):
    """This draft has sent a resume link less than ``RESUME_MAIL_INTERVAL`` ago."""


#: At most one resume e-mail per draft in this time, so that the form cannot be used to flood
#: someone's mailbox. Counted in the database, so it holds across processes and machines.
RESUME_MAIL_INTERVAL = timedelta(minutes=1)


def request_resume_mail(draft: Submission, *, email: str, language: str = "de") -> ResumeLink:
    """Have a link that continues ``draft`` e-mailed to ``email``.

    The link row and the job that sends it commit together; the job makes the secret token,
    so the token is never stored in plain, not even in the task queue. Raises
    :class:`ResumeMailTooSoon` within ``RESUME_MAIL_INTERVAL`` of the draft's last request.
    """
    now = timezone.now()
    with transaction.atomic():
        # The lock serialises two requests for the same draft, so both cannot pass the check.
        locked = (  # only what is read and written: no joins, no other encrypted columns
            Submission.objects.select_for_update()
            .only("status", "data", "completed_steps")
            .get(pk=draft.pk)
        )
        if locked.is_submitted or locked.is_expired(now):
            raise ValueError("Only an open draft can be continued later.")
        if locked.resume_links.filter(requested_at__gt=now - RESUME_MAIL_INTERVAL).exists():
            raise ResumeMailTooSoon
        link = ResumeLink.objects.create(
            submission=locked, email=email, language=language, requested_at=now
        )
        send_resume_link.enqueue(link.pk)
    return link
