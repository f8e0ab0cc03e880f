"""The demo's OZG progress: the shipped catalogue is loaded once, the six cluster members get
their plans, and a second run changes nothing (an admin's later change stays)."""

import pytest

from amtsweg.demo.services import load_demo
from amtsweg.progress.derivation import progress_of
from amtsweg.progress.models import CatalogueLoad, OzgService, ServiceProgress
from amtsweg.tenants.models import Municipality


@pytest.mark.django_db
def test_the_demo_loads_catalogue_and_progress_once():
    load_demo()
    assert OzgService.objects.count() == 557
    entries = ServiceProgress.objects.count()
    assert entries >= 12
    states = set(ServiceProgress.objects.values_list("state", flat=True))
    assert {"planned", "in_progress"} <= states
    assert ServiceProgress.objects.filter(planned_for__isnull=False).count() >= 8
    assert ServiceProgress.objects.values("municipality").distinct().count() == 6

    ober_ramstadt = Municipality.objects.get(slug="ober-ramstadt")
    dogs = OzgService.objects.get(ozg_id="10160")
    shown = progress_of([ober_ramstadt.pk])[(ober_ramstadt.pk, dogs.pk)]
    assert (shown.state, shown.maturity, shown.is_derived) == ("online", 4, True)

    waste = ServiceProgress.objects.get(
        municipality__slug="fischbachtal", ozg_service=OzgService.objects.get(ozg_id="10110")
    )
    waste.note = "vom Admin geändert"
    waste.save()
    load_demo()
    assert CatalogueLoad.objects.count() == 1
    assert ServiceProgress.objects.count() == entries
    waste.refresh_from_db()
    assert waste.note == "vom Admin geändert"
