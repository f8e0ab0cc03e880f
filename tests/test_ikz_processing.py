"""Interkommunale Zusammenarbeit: a cluster member may process another member's cases."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.models import Case
from amtsweg.cases.services import can_work_on, cases_for, get_case_for_user
from amtsweg.submissions.services import submit_application
from amtsweg.tenants.services import share_a_cluster
from tests.factories import MunicipalityFactory, OfferingFactory, make_complete_draft
from tests.staff_login import login_staff


def test_case_goes_to_the_processing_municipality(ikz_offering, ober_ramstadt, modautal):
    submission = submit_application(make_complete_draft(ikz_offering)).submission

    assert submission.processing_municipality == ober_ramstadt
    assert submission.reference_number == f"ORA-{timezone.localdate().year}-000001"
    case = Case.objects.get(submission=submission)
    assert case.municipality == ober_ramstadt
    assert AuditEvent.objects.get(action="submission.submitted").chain == ober_ramstadt.ags
    assert not Case.objects.filter(municipality=modautal).exists()


def test_processing_clerk_works_on_the_case_offering_clerk_only_looks(
    ikz_offering, ober_ramstadt_clerk, modautal_clerk, darmstadt_clerk
):
    case = submit_application(make_complete_draft(ikz_offering)).submission.case
    assert get_case_for_user(ober_ramstadt_clerk, str(case.uuid)) == case
    assert can_work_on(ober_ramstadt_clerk, case)
    # Modautal stays the responsible authority (cases.letters): it sees, but cannot change.
    assert list(cases_for(modautal_clerk)) == [case]
    assert not can_work_on(modautal_clerk, case)
    assert list(cases_for(darmstadt_clerk)) == []  # a third member of the cluster: nothing


def test_offering_municipality_gets_a_read_only_case_view(
    client, ikz_offering, modautal_clerk, darmstadt_clerk
):
    case = submit_application(make_complete_draft(ikz_offering)).submission.case
    login_staff(client, modautal_clerk)
    page = client.get(reverse("cases:detail", args=[case.uuid]))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.submission.reference_number in html
    assert reverse("cases:claim", args=[case.uuid]) not in html
    assert client.post(reverse("cases:claim", args=[case.uuid])).status_code == 403
    data = {"status": "in_review"}
    assert client.post(reverse("cases:change_status", args=[case.uuid]), data).status_code == 403
    case.refresh_from_db()
    assert (case.status, case.assignee_id) == ("received", None)
    client.logout()
    login_staff(client, darmstadt_clerk)
    assert client.get(reverse("cases:detail", args=[case.uuid])).status_code == 404


def test_processor_numbers_continue_across_offerings(
    ikz_offering, ober_ramstadt, solution_version
):
    own = OfferingFactory(municipality=ober_ramstadt, solution_version=solution_version)
    year = timezone.localdate().year
    first = submit_application(make_complete_draft(ikz_offering)).submission
    second = submit_application(make_complete_draft(own)).submission
    assert [first.reference_number, second.reference_number] == [
        f"ORA-{year}-000001",
        f"ORA-{year}-000002",
    ]


def test_cluster_members_share_a_cluster(cluster, darmstadt, modautal, ober_ramstadt):
    assert share_a_cluster(modautal, ober_ramstadt)
    assert share_a_cluster(darmstadt, modautal)
    assert not share_a_cluster(modautal, MunicipalityFactory())


def test_offering_within_the_cluster_is_valid(ikz_offering):
    ikz_offering.full_clean()


@pytest.mark.django_db
def test_processing_municipality_outside_every_shared_cluster_is_refused(
    cluster, modautal, solution_version
):
    outsider = MunicipalityFactory()
    offering = OfferingFactory.build(
        municipality=modautal, processing_municipality=outsider, solution_version=solution_version
    )
    with pytest.raises(ValidationError) as raised:
        offering.full_clean()
    assert list(raised.value.message_dict) == ["processing_municipality"]


@pytest.mark.django_db
def test_without_a_cluster_only_the_municipality_itself_processes(
    modautal, ober_ramstadt, solution_version
):
    offering = OfferingFactory.build(
        municipality=modautal,
        processing_municipality=ober_ramstadt,
        solution_version=solution_version,
    )
    with pytest.raises(ValidationError):
        offering.full_clean()
    offering.processing_municipality = modautal
    offering.full_clean()


def test_offering_municipality_lists_the_cases_processed_for_it(
    client, django_assert_max_num_queries, ikz_offering, offering, modautal_clerk, ober_ramstadt
):
    cases = [submit_application(make_complete_draft(ikz_offering)).submission.case for _ in "ab"]
    own_darmstadt = submit_application(make_complete_draft(offering)).submission.case
    login_staff(client, modautal_clerk)
    url = reverse("cases:ikz_cases", args=["modautal"])

    with django_assert_max_num_queries(12):  # no query per case
        page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    for case in cases:
        assert reverse("cases:detail", args=[case.uuid]) in html
    assert own_darmstadt.submission.reference_number not in html
    assert ober_ramstadt.short_name in html
    assert client.get(reverse("cases:ikz_cases", args=["ober-ramstadt"])).status_code == 404
