"""Assigning a case to a named clerk, reassigning and unassigning; handing it over to another
municipality of the cluster (IKZ); all audited, read-only staff refused."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from amtsweg.audit.models import AuditEvent
from amtsweg.audit.services import verify_chain
from amtsweg.cases.inbox import offerings_in
from amtsweg.cases.models import Case
from amtsweg.cases.services import (
    TransitionRefused,
    assign_case,
    claim_case,
    hand_over_case,
    handover_targets,
)
from amtsweg.submissions.services import submit_application
from tests.factories import MembershipFactory, OfferingFactory, make_complete_draft
from tests.staff_login import login_staff


@pytest.fixture
def second_clerk(darmstadt):
    membership = MembershipFactory(municipality=darmstadt, user__username="da.zweite")
    return membership.user


def test_admin_assigns_reassigns_and_unassigns(
    darmstadt_case, darmstadt_admin, darmstadt_clerk, second_clerk, darmstadt
):
    assign_case(darmstadt_case, darmstadt_clerk, actor=darmstadt_admin)
    assign_case(darmstadt_case, second_clerk, actor=darmstadt_admin)
    unassigned = assign_case(darmstadt_case, None, actor=darmstadt_admin)
    assert unassigned.assignee is None
    events = AuditEvent.objects.filter(object_id=str(darmstadt_case.uuid)).exclude(
        action="case.status_changed"
    )
    assert [(e.action, e.data["previous_assignee"], e.data["assignee"]) for e in events] == [
        ("case.assigned", "", "da.clerk"),
        ("case.assigned", "da.clerk", "da.zweite"),
        ("case.unassigned", "da.zweite", ""),
    ]
    assert all(e.actor == darmstadt_admin and e.chain == darmstadt.ags for e in events)
    assert verify_chain(darmstadt.ags) is None


def test_current_assignee_may_pass_the_case_on(darmstadt_case, darmstadt_clerk, second_clerk):
    claim_case(darmstadt_case, actor=darmstadt_clerk)
    assert assign_case(darmstadt_case, second_clerk, actor=darmstadt_clerk).assignee == (
        second_clerk
    )


def test_other_clerk_may_not_assign(darmstadt_case, darmstadt_clerk, second_clerk):
    claim_case(darmstadt_case, actor=second_clerk)
    with pytest.raises(PermissionDenied):
        assign_case(darmstadt_case, darmstadt_clerk, actor=darmstadt_clerk)


def test_read_only_may_not_assign_or_claim(darmstadt_case, darmstadt_readonly, darmstadt_clerk):
    with pytest.raises(PermissionDenied):
        assign_case(darmstadt_case, darmstadt_clerk, actor=darmstadt_readonly)
    with pytest.raises(PermissionDenied):
        claim_case(darmstadt_case, actor=darmstadt_readonly)


def test_assignee_must_work_in_the_municipality(
    darmstadt_case, darmstadt_admin, modautal_clerk, darmstadt_readonly
):
    for outsider in (modautal_clerk, darmstadt_readonly):
        with pytest.raises(TransitionRefused):
            assign_case(darmstadt_case, outsider, actor=darmstadt_admin)
    assert Case.objects.get(pk=darmstadt_case.pk).assignee is None


def test_assign_through_the_case_page(client, darmstadt_case, darmstadt_admin, darmstadt_clerk):
    login_staff(client, darmstadt_admin)
    url = reverse("cases:assign", args=[darmstadt_case.uuid])
    assert client.post(url, {"assignee": "da.clerk"}).status_code == 302
    assert Case.objects.get(pk=darmstadt_case.pk).assignee == darmstadt_clerk
    assert client.post(url, {"assignee": "nobody-here"}).status_code == 400
    assert client.post(url, {"assignee": ""}).status_code == 302
    assert Case.objects.get(pk=darmstadt_case.pk).assignee is None


def test_read_only_gets_403_for_every_action(client, darmstadt_case, darmstadt_readonly):
    login_staff(client, darmstadt_readonly)
    assert client.get(reverse("cases:detail", args=[darmstadt_case.uuid])).status_code == 200
    for name, data in [
        ("cases:claim", {}),
        ("cases:assign", {"assignee": ""}),
        ("cases:change_status", {"status": "in_review"}),
        ("cases:handover", {"municipality": "darmstadt"}),
        ("cases:extend_deadline", {"deadline": "2099-01-01", "reason": "x"}),
    ]:
        response = client.post(reverse(name, args=[darmstadt_case.uuid]), data)
        assert response.status_code == 403, name


# --- hand-over (IKZ) ------------------------------------------------------------------------


@pytest.fixture
def ikz_case(ikz_offering) -> Case:
    """A Modautal application, processed by Ober-Ramstadt."""
    return submit_application(make_complete_draft(ikz_offering)).submission.case


def test_handover_to_the_offerings_municipality_and_back(
    ikz_case, ober_ramstadt_clerk, modautal_clerk, modautal, ober_ramstadt
):
    claim_case(ikz_case, actor=ober_ramstadt_clerk)
    assert [m.pk for m in handover_targets(ikz_case)] == [modautal.pk]
    moved = hand_over_case(ikz_case, modautal, actor=ober_ramstadt_clerk)
    assert (moved.municipality, moved.assignee) == (modautal, None)
    for chain in (modautal.ags, ober_ramstadt.ags):
        event = AuditEvent.objects.get(action="case.handed_over", chain=chain)
        assert event.data == {
            "from": ober_ramstadt.ags,
            "to": modautal.ags,
            "previous_assignee": "ora.clerk",
        }
        assert verify_chain(chain) is None
    back = hand_over_case(Case.objects.get(pk=ikz_case.pk), ober_ramstadt, actor=modautal_clerk)
    assert back.municipality == ober_ramstadt


def test_the_new_inbox_filters_by_the_service_of_a_handed_over_case(
    ikz_case, ikz_offering, ober_ramstadt_clerk, modautal
):
    """Modautal's inbox offers the service in its filter once a case of it is handed over
    there; the flag lets the inbox find such cases without reading all of its cases."""
    assert ikz_offering not in offerings_in(modautal)  # processed by Ober-Ramstadt
    hand_over_case(ikz_case, modautal, actor=ober_ramstadt_clerk)
    assert Case.objects.get(pk=ikz_case.pk).handed_over is True
    assert ikz_offering in offerings_in(modautal)


def test_handover_refused_outside_the_offering_or_cluster(
    ikz_case, ober_ramstadt_clerk, darmstadt, darmstadt_case, darmstadt_clerk, modautal
):
    with pytest.raises(TransitionRefused):
        hand_over_case(ikz_case, darmstadt, actor=ober_ramstadt_clerk)
    # Darmstadt processes its own offering: there is nowhere to hand it.
    assert handover_targets(darmstadt_case) == []
    with pytest.raises(TransitionRefused):
        hand_over_case(darmstadt_case, modautal, actor=darmstadt_clerk)


def test_handover_needs_a_shared_cluster(darmstadt, modautal, solution_version, darmstadt_clerk):
    # An offering processed elsewhere without a cluster (written around Offering.clean).
    offering = OfferingFactory(
        municipality=modautal, processing_municipality=darmstadt, solution_version=solution_version
    )
    case = submit_application(make_complete_draft(offering)).submission.case
    assert handover_targets(case) == []
    with pytest.raises(TransitionRefused):
        hand_over_case(case, modautal, actor=darmstadt_clerk)


def test_handover_by_clerk_of_another_municipality_is_refused(ikz_case, modautal_clerk, modautal):
    with pytest.raises(PermissionDenied):
        hand_over_case(ikz_case, modautal, actor=modautal_clerk)


def test_handover_through_the_case_page(client, ikz_case, ober_ramstadt_clerk, modautal):
    login_staff(client, ober_ramstadt_clerk)
    url = reverse("cases:handover", args=[ikz_case.uuid])
    assert client.post(url, {"municipality": "darmstadt"}).status_code == 400
    response = client.post(url, {"municipality": "modautal"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:home")
    assert Case.objects.get(pk=ikz_case.pk).municipality == modautal
    assert client.get(reverse("cases:detail", args=[ikz_case.uuid])).status_code == 404
