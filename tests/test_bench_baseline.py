"""The bare-insert baseline of the submission benchmark (``amtsweg.core.bench_views``)."""

import json
from datetime import timedelta

from django.test import RequestFactory

from amtsweg.core import bench_views
from amtsweg.submissions.models import Submission, SubmissionStatus, draft_expiry
from amtsweg.submissions.tasks import delete_expired_drafts


def test_a_bare_insert_stores_a_draft_that_expires_like_a_started_one(offering):
    """Not expired at once: the daily clean-up must not have the benchmark's inserts to delete
    while the benchmark measures."""
    request = RequestFactory().post(
        "/_bench/insert/", json.dumps({"data": {"name": "Erika"}}), "application/json"
    )

    response = bench_views.insert(request, offering.uuid)

    assert response.status_code == 201
    row = Submission.objects.get(uuid=json.loads(response.content)["uuid"])
    assert (row.status, row.data, row.offering_id) == (
        SubmissionStatus.DRAFT,
        {"name": "Erika"},
        offering.pk,
    )
    assert abs(row.expires_at - draft_expiry()) < timedelta(minutes=1)
    assert delete_expired_drafts.call()["deleted"] == 0
    assert Submission.objects.filter(pk=row.pk).exists()
