"""The retention task also deletes a case's documents: a receipt holds the whole data set."""

from datetime import timedelta

from django.utils import timezone

from amtsweg.cases.models import Case, CaseResult, CaseStatus
from amtsweg.cases.services import change_case_status
from amtsweg.cases.tasks import delete_expired_personal_data
from amtsweg.documents.models import Document
from amtsweg.documents.tasks import generate_receipt


def test_expired_case_loses_its_receipt_pdf(
    darmstadt_case, darmstadt_clerk, django_capture_on_commit_callbacks
):
    submission = darmstadt_case.submission
    assert generate_receipt.call(submission.pk) == "generated"
    receipt = Document.objects.get(submission=submission)
    storage, name = receipt.file.storage, receipt.file.name
    assert storage.exists(name)
    for target in (CaseStatus.IN_REVIEW, CaseStatus.DECIDED):
        change_case_status(darmstadt_case, target, actor=darmstadt_clerk)
    change_case_status(
        darmstadt_case, CaseStatus.CLOSED, actor=darmstadt_clerk, result=CaseResult.REJECTED
    )
    Case.objects.filter(pk=darmstadt_case.pk).update(
        delete_personal_data_after=timezone.now() - timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = delete_expired_personal_data.call()

    assert result["deleted"][0]["documents"] == 1
    assert not Document.objects.filter(submission=submission).exists()
    assert not storage.exists(name)
