"""OZG progress: derived from live offerings, recorded by the admin or OZG coordinator
(audited), and never recorded against what a live offering proves."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from amtsweg.audit.models import AuditEvent
from amtsweg.catalog.models import TrustLevel
from amtsweg.progress.derivation import NOTHING, offering_maturity, progress_of
from amtsweg.progress.models import ImplementationState, OzgLeikaKey, OzgService, ServiceProgress
from amtsweg.progress.services import ProgressChange, ProgressRefused, record_progress
from amtsweg.tenants.models import Role
from tests.factories import (
    MembershipFactory,
    OfferingFactory,
    ServiceFactory,
    SolutionFactory,
    SolutionVersionFactory,
    UserFactory,
)
from tests.staff_login import login_staff

DOG_TAX_KEY = "99102013002000"


@pytest.fixture
def dogs(db) -> OzgService:
    service = OzgService.objects.create(
        ozg_id="10160", name="Hundehaltung", themenfeld="Engagement & Hobby", lebenslage="Tiere"
    )
    OzgLeikaKey.objects.create(ozg_service=service, leika_key=DOG_TAX_KEY)
    return service


@pytest.fixture
def waste(db) -> OzgService:
    return OzgService.objects.create(
        ozg_id="10110", name="Abfallentsorgung", themenfeld="Bauen & Wohnen", lebenslage="Umzug"
    )


@pytest.fixture
def coordinator(darmstadt):
    user = UserFactory(username="da.ozg")
    MembershipFactory(user=user, municipality=darmstadt, role=Role.COORDINATOR)
    return user


def dog_offering(municipality, trust_level=TrustLevel.NONE, **fields):
    service = ServiceFactory(leika_key=DOG_TAX_KEY, name="Hundesteuer")
    version = SolutionVersionFactory(
        solution=SolutionFactory(service=service, publisher=municipality), trust_level=trust_level
    )
    return OfferingFactory(
        municipality=municipality, solution_version=version, title="Hund anmelden", **fields
    )


def test_maturity_rule():
    assert offering_maturity(TrustLevel.NONE) == 2
    assert [offering_maturity(level) for level in ("low", "substantial", "high")] == [3, 3, 3]


def test_a_live_offering_puts_the_service_online(darmstadt, dogs):
    dog_offering(darmstadt, TrustLevel.SUBSTANTIAL)
    progress = progress_of([darmstadt.pk])[(darmstadt.pk, dogs.pk)]
    assert (progress.state, progress.maturity, progress.offerings) == (
        ImplementationState.ONLINE,
        3,
        ("Hund anmelden",),
    )


@pytest.mark.parametrize(
    "fields",
    [{"is_active": False}, {"go_live": datetime.date.today() + datetime.timedelta(days=30)}],
)
def test_an_offering_that_is_not_live_derives_nothing(darmstadt, dogs, fields):
    dog_offering(darmstadt, **fields)
    assert progress_of([darmstadt.pk]) == {}


def test_the_admin_records_progress_audited(darmstadt, waste, darmstadt_admin):
    change = ProgressChange(ImplementationState.PLANNED, 1, datetime.date(2027, 3, 31), " Kita ")
    entry = record_progress(darmstadt, waste, change, actor=darmstadt_admin)
    assert (entry.state, entry.maturity, entry.planned_for, entry.note) == (
        "planned",
        1,
        datetime.date(2027, 3, 31),
        "Kita",
    )
    event = AuditEvent.objects.get(action="progress.recorded")
    assert event.chain == darmstadt.ags
    assert event.data["before"]["state"] == "not_planned"
    assert event.data["after"] == {
        "state": "planned",
        "maturity": 1,
        "planned_for": "2027-03-31",
        "note": "Kita",
    }
    progress = progress_of([darmstadt.pk])[(darmstadt.pk, waste.pk)]
    assert (progress.state, progress.planned_for, progress.is_derived) == (
        "planned",
        datetime.date(2027, 3, 31),
        False,
    )


def test_a_clerk_or_another_municipality_may_not_record(
    darmstadt, modautal, waste, darmstadt_clerk, modautal_clerk
):
    other_admin = UserFactory()
    MembershipFactory(user=other_admin, municipality=modautal, role=Role.ADMIN)
    for user in (darmstadt_clerk, other_admin):
        with pytest.raises(PermissionDenied):
            record_progress(
                darmstadt, waste, ProgressChange(ImplementationState.PLANNED, 0), actor=user
            )
    assert not ServiceProgress.objects.exists()


@pytest.mark.parametrize(
    "state,maturity",
    [(ImplementationState.PLANNED, 1), (ImplementationState.ONLINE, 2)],
)
def test_a_live_offering_cannot_be_contradicted(darmstadt, dogs, coordinator, state, maturity):
    dog_offering(darmstadt, TrustLevel.LOW)  # derives online, level 3
    with pytest.raises(ProgressRefused, match="Hund anmelden"):
        record_progress(darmstadt, dogs, ProgressChange(state, maturity), actor=coordinator)
    assert not ServiceProgress.objects.exists()
    assert not AuditEvent.objects.filter(action="progress.recorded").exists()


def test_above_a_live_offering_a_coordinator_may_record_once_only(darmstadt, dogs, coordinator):
    dog_offering(darmstadt, TrustLevel.LOW)
    record_progress(
        darmstadt,
        dogs,
        ProgressChange(ImplementationState.ONLINE, 4, note="Nachweise aus dem Register"),
        actor=coordinator,
    )
    progress = progress_of([darmstadt.pk])[(darmstadt.pk, dogs.pk)]
    assert (progress.maturity, progress.note, progress.is_derived) == (
        4,
        "Nachweise aus dem Register",
        True,
    )


def test_values_that_do_not_fit_together_are_refused(darmstadt, waste, coordinator):
    for change in (
        ProgressChange(ImplementationState.ONLINE, 1),
        ProgressChange(ImplementationState.PLANNED, 5),
        ProgressChange("live", 2),
    ):
        with pytest.raises(ProgressRefused):
            record_progress(darmstadt, waste, change, actor=coordinator)
    assert not ServiceProgress.objects.exists()


def test_without_record_or_offering_nothing_is_planned(darmstadt, waste):
    assert progress_of([darmstadt.pk]).get((darmstadt.pk, waste.pk), NOTHING) == NOTHING


# --- the edit page -------------------------------------------------------------------------


def test_the_coordinator_edits_progress_on_the_page(client, darmstadt, waste, coordinator):
    login_staff(client, coordinator)
    url = reverse("progress:edit", args=[darmstadt.slug, waste.ozg_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"state": "in_progress", "maturity": "1", "planned_for": "2027-05-31", "note": "Test"},
    )
    assert response.status_code == 302
    entry = ServiceProgress.objects.get(municipality=darmstadt, ozg_service=waste)
    assert (entry.state, entry.planned_for, entry.updated_by) == (
        "in_progress",
        datetime.date(2027, 5, 31),
        coordinator,
    )
    assert entry.updated_at <= timezone.now()


def test_the_page_shows_why_a_live_offering_wins(client, darmstadt, dogs, coordinator):
    dog_offering(darmstadt)
    login_staff(client, coordinator)
    url = reverse("progress:edit", args=[darmstadt.slug, dogs.ozg_id])
    response = client.post(url, {"state": "planned", "maturity": "0"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page and "Hund anmelden" in page
    assert not ServiceProgress.objects.exists()


def test_the_page_refuses_a_bad_date(client, darmstadt, waste, coordinator):
    login_staff(client, coordinator)
    url = reverse("progress:edit", args=[darmstadt.slug, waste.ozg_id])
    response = client.post(url, {"state": "planned", "maturity": "0", "planned_for": "31.13.27"})
    assert response.status_code == 400
    assert 'href="#id_planned_for"' in response.content.decode()
    assert not ServiceProgress.objects.exists()


def test_another_municipalitys_coordinator_gets_404(client, darmstadt, modautal, waste):
    other = UserFactory()
    MembershipFactory(user=other, municipality=modautal, role=Role.COORDINATOR)
    login_staff(client, other)
    url = reverse("progress:edit", args=[darmstadt.slug, waste.ozg_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"state": "planned", "maturity": "0"}).status_code == 404
    assert not ServiceProgress.objects.exists()


def test_an_unknown_ozg_id_is_404(client, darmstadt, coordinator):
    login_staff(client, coordinator)
    assert client.get(reverse("progress:edit", args=[darmstadt.slug, "99999"])).status_code == 404
