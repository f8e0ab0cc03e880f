"""The public transparency page: which OZG services a municipality offers online (with
their maturity) and which it plans, for anyone, without signing in."""

import datetime

import pytest
from django.urls import reverse

from amtsweg.progress.models import ImplementationState, OzgLeikaKey, OzgService, ServiceProgress
from tests.factories import (
    OfferingFactory,
    ServiceFactory,
    SolutionFactory,
    SolutionVersionFactory,
)

pytestmark = pytest.mark.django_db


def ozg(ozg_id, name, key=None):
    service = OzgService.objects.create(
        ozg_id=ozg_id, name=name, themenfeld="Querschnitt", lebenslage="Querschnitt Bürger"
    )
    if key:
        OzgLeikaKey.objects.create(ozg_service=service, leika_key=key)
    return service


def test_online_and_planned_services_are_listed(client, darmstadt, modautal):
    ozg("10160", "Hundehaltung", "99102013002000")
    waste = ozg("10110", "Abfallentsorgung")
    quiet = ozg("10019", "Kindertagesbetreuung")
    version = SolutionVersionFactory(
        solution=SolutionFactory(service=ServiceFactory(leika_key="99102013002000")),
        trust_level="substantial",
    )
    OfferingFactory(municipality=darmstadt, solution_version=version)
    ServiceProgress.objects.create(
        municipality=darmstadt,
        ozg_service=waste,
        state=ImplementationState.PLANNED,
        planned_for=datetime.date(2027, 6, 30),
        note="intern: Budget fehlt",
    )
    ServiceProgress.objects.create(
        municipality=modautal, ozg_service=quiet, state=ImplementationState.ONLINE, maturity=2
    )
    response = client.get(reverse("transparency:municipality", args=[darmstadt.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    online = page.split('id="online-heading"')[1].split('id="coming-heading"')[0]
    coming = page.split('id="coming-heading"')[1]
    assert "Hundehaltung" in online and ("3 von 4" in online or "3 of 4" in online)
    assert "Abfallentsorgung" in coming and "2027" in coming
    assert "Kindertagesbetreuung" not in page  # Modautal's, not Darmstadt's
    assert "Budget fehlt" not in page  # notes are internal


def test_an_unknown_municipality_is_404(client, db):
    assert client.get(reverse("transparency:municipality", args=["nirgendwo"])).status_code == 404


def test_the_address(darmstadt):
    assert reverse("transparency:municipality", args=["darmstadt"]) == (
        "/kommunen/darmstadt/digitale-dienste/"
    )
