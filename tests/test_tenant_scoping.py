"""Tenant isolation in the service layer: staff see and change only their municipalities' cases."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.models import CaseStatus, StatusEntry
from amtsweg.cases.services import (
    can_work_on,
    cases_for,
    change_case_status,
    claim_case,
    get_case_for_user,
    get_inbox_municipality,
    inbox,
    status_counts,
)
from amtsweg.tenants.models import Role
from amtsweg.tenants.services import has_role, municipalities_for
from tests.factories import MembershipFactory, UserFactory


def test_clerk_of_the_municipality_gets_the_case(darmstadt_case, darmstadt_clerk):
    assert get_case_for_user(darmstadt_clerk, str(darmstadt_case.uuid)) == darmstadt_case
    assert list(cases_for(darmstadt_clerk)) == [darmstadt_case]


def test_clerk_of_another_municipality_gets_404(darmstadt_case, modautal_clerk):
    with pytest.raises(Http404):
        get_case_for_user(modautal_clerk, str(darmstadt_case.uuid))
    assert list(cases_for(modautal_clerk)) == []


def test_uuid_object_is_accepted(darmstadt_case, darmstadt_clerk):
    assert get_case_for_user(darmstadt_clerk, darmstadt_case.uuid) == darmstadt_case


def test_unknown_uuid_gives_404(darmstadt_case, darmstadt_clerk):
    with pytest.raises(Http404):
        get_case_for_user(darmstadt_clerk, str(uuid.uuid4()))


@pytest.mark.parametrize("malformed", ["not-a-uuid", "1", "", "🐕"])
def test_malformed_uuid_gives_404(darmstadt_case, darmstadt_clerk, malformed):
    with pytest.raises(Http404):
        get_case_for_user(darmstadt_clerk, malformed)


def test_membership_in_two_municipalities_sees_both(
    darmstadt_case, darmstadt, modautal, darmstadt_clerk
):
    MembershipFactory(user=darmstadt_clerk, municipality=modautal, role=Role.CLERK)
    assert set(municipalities_for(darmstadt_clerk)) == {darmstadt, modautal}
    assert list(cases_for(darmstadt_clerk)) == [darmstadt_case]


def test_read_only_user_sees_but_cannot_change(darmstadt_case, darmstadt_readonly):
    case = get_case_for_user(darmstadt_readonly, str(darmstadt_case.uuid))
    assert case == darmstadt_case
    assert not can_work_on(darmstadt_readonly, case)

    with pytest.raises(PermissionDenied):
        claim_case(case, actor=darmstadt_readonly)
    with pytest.raises(PermissionDenied):
        change_case_status(case, CaseStatus.IN_REVIEW, actor=darmstadt_readonly)

    case.refresh_from_db()
    assert case.assignee is None
    assert case.status == CaseStatus.RECEIVED
    assert StatusEntry.objects.filter(case=case).count() == 1
    assert not AuditEvent.objects.filter(action__startswith="case.").exists()


def test_admin_may_work_on_cases(darmstadt_case, darmstadt_admin):
    claim_case(darmstadt_case, actor=darmstadt_admin)
    darmstadt_case.refresh_from_db()
    assert darmstadt_case.assignee == darmstadt_admin


def test_designer_role_does_not_see_cases(darmstadt_case, darmstadt):
    designer = UserFactory()
    MembershipFactory(user=designer, municipality=darmstadt, role=Role.DESIGNER)
    assert list(cases_for(designer)) == []
    with pytest.raises(Http404):
        get_case_for_user(designer, str(darmstadt_case.uuid))


def test_clerk_of_another_municipality_cannot_change(darmstadt_case, modautal_clerk):
    with pytest.raises(PermissionDenied):
        claim_case(darmstadt_case, actor=modautal_clerk)
    with pytest.raises(PermissionDenied):
        change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=modautal_clerk)
    darmstadt_case.refresh_from_db()
    assert darmstadt_case.assignee is None
    assert darmstadt_case.status == CaseStatus.RECEIVED


def test_inactive_user_sees_nothing(darmstadt_case, darmstadt_clerk, darmstadt):
    darmstadt_clerk.is_active = False
    darmstadt_clerk.save()

    assert list(cases_for(darmstadt_clerk)) == []
    assert list(municipalities_for(darmstadt_clerk)) == []
    assert not has_role(darmstadt_clerk, darmstadt, frozenset(Role))
    with pytest.raises(Http404):
        get_case_for_user(darmstadt_clerk, str(darmstadt_case.uuid))
    with pytest.raises(PermissionDenied):
        claim_case(darmstadt_case, actor=darmstadt_clerk)


def test_anonymous_user_sees_nothing(darmstadt_case):
    anonymous = AnonymousUser()
    assert list(cases_for(anonymous)) == []
    with pytest.raises(Http404):
        get_case_for_user(anonymous, str(darmstadt_case.uuid))


def test_user_without_membership_sees_nothing(darmstadt_case):
    outsider = UserFactory(is_staff=True)
    assert list(cases_for(outsider)) == []
    with pytest.raises(Http404):
        get_case_for_user(outsider, str(darmstadt_case.uuid))


def test_inbox_municipality_is_scoped(darmstadt, darmstadt_clerk, modautal_clerk):
    assert get_inbox_municipality(darmstadt_clerk, "darmstadt") == darmstadt
    with pytest.raises(Http404):
        get_inbox_municipality(modautal_clerk, "darmstadt")
    with pytest.raises(Http404):
        get_inbox_municipality(darmstadt_clerk, "no-such-place")


def test_inbox_and_counts_hold_only_the_municipalitys_cases(
    darmstadt_case, darmstadt, modautal, solution_version
):
    from amtsweg.submissions.services import submit_application
    from tests.factories import OfferingFactory, make_complete_draft

    modautal_offering = OfferingFactory(municipality=modautal, solution_version=solution_version)
    modautal_case = submit_application(make_complete_draft(modautal_offering)).submission.case

    assert list(inbox(darmstadt)) == [darmstadt_case]
    assert list(inbox(modautal)) == [modautal_case]
    assert list(inbox(darmstadt, status=CaseStatus.CLOSED)) == []
    counts = status_counts(darmstadt)
    assert set(counts) == set(CaseStatus.values)
    assert counts[CaseStatus.RECEIVED] == 1
    assert sum(counts.values()) == 1
