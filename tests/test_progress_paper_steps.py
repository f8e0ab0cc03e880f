"""Paper steps: a clerk records that a case left the digital path (audited); read-only staff
and other municipalities cannot; the dashboard's paper-free share counts them."""

import pytest
from django.urls import reverse

from amtsweg.audit.models import AuditEvent
from amtsweg.progress.models import PaperStep
from tests.staff_login import login_staff


def test_the_clerk_records_a_paper_step(client, darmstadt_case, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    detail = client.get(reverse("cases:detail", args=[darmstadt_case.uuid])).content.decode()
    url = reverse("progress:paper_steps", args=[darmstadt_case.uuid])
    assert url in detail
    response = client.post(url, {"kind": "letter_sent", "note": "Original per Post"})
    assert response.status_code == 302
    step = PaperStep.objects.get(case=darmstadt_case)
    assert (step.kind, step.note, step.recorded_by) == (
        "letter_sent",
        "Original per Post",
        darmstadt_clerk,
    )
    event = AuditEvent.objects.get(action="case.paper_step_recorded")
    assert (event.chain, event.data) == (darmstadt_case.municipality.ags, {"kind": "letter_sent"})
    assert "Original per Post" in client.get(url).content.decode()


def test_an_unknown_kind_is_refused(client, darmstadt_case, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    url = reverse("progress:paper_steps", args=[darmstadt_case.uuid])
    response = client.post(url, {"kind": "fax"})
    assert response.status_code == 400 and 'id="error-summary"' in response.content.decode()
    assert not PaperStep.objects.exists()


@pytest.mark.parametrize("who,status", [("darmstadt_readonly", 403), ("modautal_clerk", 404)])
def test_others_may_not_record(client, request, darmstadt_case, who, status):
    login_staff(client, request.getfixturevalue(who))
    url = reverse("progress:paper_steps", args=[darmstadt_case.uuid])
    assert client.post(url, {"kind": "visit"}).status_code == status
    assert not PaperStep.objects.exists()
