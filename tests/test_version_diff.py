"""New versions reach adopters: a readable diff (service and page), "update available", the
adopter's audited switch, old cases still rendered with their version, and required updates
switched by the daily job after their deadline (or shown as overdue)."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amtsweg.audit.models import AuditEvent
from amtsweg.catalog.diff import diff_versions
from amtsweg.catalog.models import Offering, SolutionVersion
from amtsweg.catalog.tasks import required_updates
from amtsweg.catalog.versions import switch_overdue_offerings, update_state
from amtsweg.submissions.services import start_draft, submit_application
from amtsweg.tenants.models import Role
from tests.factories import (
    MembershipFactory,
    OfferingFactory,
    UserFactory,
    form_definition,
    make_complete_draft,
)
from tests.staff_login import login_staff

pytestmark = pytest.mark.django_db
WORKFLOW = {
    "statuses": [
        {"key": "received", "label": {"de": "Eingegangen"}},
        {"key": "checked", "label": {"de": "Geprüft"}},
        {"key": "done", "label": {"de": "Erledigt"}, "kind": "closed"},
        {"key": "withdrawn", "label": {"de": "Zurückgezogen"}, "kind": "withdrawn"},
    ],
    "transitions": [
        {"from": "received", "to": "checked"},
        {"from": "checked", "to": "done"},
    ],
}


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def second_version(first: SolutionVersion, **settings: Any) -> SolutionVersion:
    """Version 2: the dog step loses "remarks", gains "chip_number", "breed" gets a new label;
    a new step; another workflow; a fee; a higher trust level."""
    definition = form_definition()
    dog = definition["steps"][2]
    dog["fields"] = [f for f in dog["fields"] if f["key"] != "remarks"]
    dog["fields"].append(
        {"key": "chip_number", "type": "text", "label": {"de": "Chipnummer", "en": "Chip number"}}
    )
    dog["fields"][2]["label"] = {"de": "Hunderasse", "en": "Dog breed"}
    definition["steps"].append(
        {
            "key": "consent",
            "title": {"de": "Einwilligung", "en": "Consent"},
            "fields": [{"key": "ok", "type": "yesno", "label": {"de": "Einverstanden"}}],
        }
    )
    version = SolutionVersion(
        solution=first.solution,
        number=2,
        form_definition=definition,
        workflow=WORKFLOW,
        fee=Decimal("15"),
        trust_level="low",
        release_notes="Chipnummer statt Bemerkungen.",
        **settings,
    )
    version.full_clean()
    version.save()
    version.publish()
    return version


def test_diff_names_fields_steps_workflow_and_settings(solution_version):
    diff = diff_versions(solution_version, second_version(solution_version))
    assert [(c.label, c.step) for c in diff.added] == [
        ("Chip number", "Dog"),
        ("Einverstanden", "Consent"),  # no English label: the German one
    ]
    assert [c.label for c in diff.removed] == ["Remarks"]
    assert [(c.label, c.properties) for c in diff.changed] == [("Dog breed", ("label",))]
    assert diff.steps_added == ["Consent"]
    assert "Geprüft" in diff.statuses_added
    assert "Geprüft → Erledigt" in diff.transitions_added
    settings = {change.name: (change.old, change.new) for change in diff.settings}
    assert settings["Fee"] == ("set locally", "15.00 € (fixed)")
    assert diff.settings[0].name == "Fee"
    assert settings["Required trust level"] == ("none (anonymous)", "low")
    assert not diff_versions(solution_version, solution_version).fields


def test_first_version_diff_lists_everything_as_added(solution_version):
    diff = diff_versions(None, solution_version)
    assert len(diff.added) == 11
    assert diff.steps_added == ["Applicant", "Address", "Dog"]


def test_diff_pages(client, darmstadt, darmstadt_clerk, solution_version):
    version = second_version(solution_version)
    login_staff(client, darmstadt_clerk)
    page = client.get(reverse("library:diff", args=[version.solution.uuid, 2])).content.decode()
    assert "Changes from version 1 to version 2" in page
    assert "Chip number" in page and "Remarks" in page and "Geprüft" in page
    assert "Chipnummer statt Bemerkungen." in page
    designer = UserFactory(username="da.designer")
    MembershipFactory(user=designer, municipality=darmstadt, role=Role.DESIGNER)
    login_staff(client, designer)
    page = client.get(reverse("designer:diff", args=[version.solution.uuid, 2]))
    assert "Chip number" in page.content.decode()


@pytest.fixture
def admin(darmstadt: Any) -> Any:
    user = UserFactory(username="da.admin.updates")
    MembershipFactory(user=user, municipality=darmstadt, role=Role.ADMIN)
    return user


def test_update_available_switch_and_old_case_still_renders(
    client, admin, darmstadt_clerk, offering, solution_version
):
    old_case = submit_application(
        make_complete_draft(offering, remarks="Nur in Version 1")
    ).submission.case
    version = second_version(solution_version)
    login_staff(client, admin)
    listing = client.get(reverse("offerings:list")).content.decode()
    assert "version 2 available" in listing
    switch = reverse("offerings:switch", args=[offering.uuid, 2])
    page = client.get(switch).content.decode()
    assert "Chip number" in page and "Remarks" in page
    assert Offering.objects.get(pk=offering.pk).solution_version == solution_version  # GET only

    client.post(switch)
    offering.refresh_from_db()
    assert offering.solution_version == version
    assert offering.fee == Decimal("15")  # the new version fixes the fee
    event = AuditEvent.objects.get(action="offering.version_switched")
    assert (event.actor, event.data) == (admin, {"from": 1, "to": 2, "automatic": False})
    assert "up to date" in client.get(reverse("offerings:list")).content.decode()
    # New drafts use version 2; the case made with version 1 keeps it and renders with it.
    assert start_draft(offering).solution_version == version
    old_case.submission.refresh_from_db()
    assert old_case.submission.solution_version == solution_version
    login_staff(client, darmstadt_clerk)
    detail = client.get(reverse("cases:detail", args=[old_case.uuid])).content.decode()
    assert "Nur in Version 1" in detail
    assert "Remarks" in detail or "Bemerkungen" in detail


def test_a_switch_into_settings_the_new_version_forbids_is_refused(
    client, admin, offering, solution_version
):
    Offering.objects.filter(pk=offering.pk).update(fee=Decimal("30"))
    second_version(solution_version, fee_min=Decimal("10"), fee_max=Decimal("20"))
    login_staff(client, admin)
    response = client.post(reverse("offerings:switch", args=[offering.uuid, 2]))
    assert response.status_code == 400
    assert "allows a fee from 10.00 € to 20.00 €" in response.content.decode()
    assert Offering.objects.get(pk=offering.pk).solution_version == solution_version
    assert not AuditEvent.objects.filter(action="offering.version_switched").exists()


def test_required_update_shows_its_deadline_then_switches_automatically(
    client, admin, offering, modautal, solution_version
):
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    version = second_version(
        solution_version,
        required_by=deadline,
        required_reason="Sicherheitslücke",
        fee_min=Decimal("0"),
        fee_max=Decimal("20"),
    )
    expensive = OfferingFactory(
        municipality=modautal, solution_version=solution_version, fee=Decimal("30")
    )
    state = update_state(offering)
    assert (state.required, state.deadline, state.overdue) == (version, deadline, False)
    login_staff(client, admin)
    detail = client.get(reverse("offerings:detail", args=[offering.uuid])).content.decode()
    assert "Sicherheitslücke" in detail
    assert "required update by" in detail

    assert switch_overdue_offerings(deadline).switched == []  # not before the deadline
    run = switch_overdue_offerings(deadline + datetime.timedelta(days=1))
    assert run.switched == [offering]
    assert [item[0] for item in run.overdue] == [expensive]
    offering.refresh_from_db()
    assert offering.solution_version == version
    event = AuditEvent.objects.get(action="offering.version_switched")
    assert event.actor is None and event.data["automatic"] is True
    expensive.refresh_from_db()
    assert expensive.solution_version == solution_version
    assert update_state(expensive).required == version


def test_required_update_job_reads_the_versions_once_for_all_offerings(modautal, solution_version):
    deadline = timezone.localdate() - datetime.timedelta(days=1)
    version = second_version(solution_version, required_by=deadline, required_reason="Fix")
    behind = [
        OfferingFactory(municipality=modautal, solution_version=solution_version) for _ in range(3)
    ]
    with CaptureQueriesContext(connection) as queries:
        run = switch_overdue_offerings()
    assert sorted(o.pk for o in run.switched) == sorted(o.pk for o in behind)
    assert all(o.solution_version == version for o in run.switched)
    version_table = SolutionVersion._meta.db_table
    version_reads = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and f'FROM "{version_table}"' in q["sql"]
    ]
    assert len(version_reads) == 1, version_reads  # not one per offering


def test_the_periodic_job_runs_the_switch(offering, solution_version):
    second_version(
        solution_version,
        required_by=timezone.localdate() - datetime.timedelta(days=1),
        required_reason="Rechtsänderung",
    )
    result = required_updates.call()
    assert result == {"switched": [str(offering.uuid)], "overdue": []}
    assert Offering.objects.get(pk=offering.pk).solution_version.number == 2


def test_a_required_update_needs_a_reason(solution_version):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Say why"):
        SolutionVersion(
            solution=solution_version.solution,
            number=2,
            form_definition=form_definition(),
            required_by=timezone.localdate(),
        ).full_clean()


def test_submissions_keep_their_version_after_a_switch(offering, solution_version):
    draft = start_draft(offering)
    version = second_version(solution_version)
    Offering.objects.filter(pk=offering.pk).update(solution_version=version)
    draft.refresh_from_db()
    assert draft.solution_version == solution_version
