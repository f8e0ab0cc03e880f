"""Solution versions are immutable once published; offerings need a published version."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from amtsweg.catalog.models import Offering, SolutionVersion, VersionStatus
from amtsweg.catalog.services import get_live_offering, live_offerings
from tests.factories import OfferingFactory, SolutionVersionFactory

pytestmark = pytest.mark.django_db


def test_publish_sets_status_and_time():
    version = SolutionVersionFactory(publish=False)
    assert version.published_at is None

    version.publish()

    stored = SolutionVersion.objects.get(pk=version.pk)
    assert stored.status == VersionStatus.PUBLISHED
    assert stored.published_at is not None
    assert stored.published_at == version.published_at


def test_publishing_twice_keeps_the_first_time():
    version = SolutionVersionFactory()
    first = version.published_at
    version.publish()
    assert SolutionVersion.objects.get(pk=version.pk).published_at == first


def test_published_version_cannot_be_saved_again():
    version = SolutionVersionFactory()
    version.form_definition["steps"][0]["title"] = "Geändert"
    version.processing_days = 1
    with pytest.raises(ValidationError):
        version.save()
    stored = SolutionVersion.objects.get(pk=version.pk)
    assert stored.processing_days == 14
    assert stored.form_definition["steps"][0]["title"] != "Geändert"


def test_fresh_copy_of_a_published_version_cannot_be_saved_either():
    version = SolutionVersionFactory()
    copy = SolutionVersion.objects.get(pk=version.pk)
    copy.trust_level = "high"
    with pytest.raises(ValidationError):
        copy.save()


def test_draft_version_can_be_changed():
    version = SolutionVersionFactory(publish=False)
    version.processing_days = 30
    version.save()
    assert SolutionVersion.objects.get(pk=version.pk).processing_days == 30


def test_only_a_published_version_can_be_offered():
    draft = SolutionVersionFactory(publish=False)
    offering = OfferingFactory.build(solution_version=draft)
    offering.municipality.save()
    with pytest.raises(ValidationError) as raised:
        offering.full_clean()
    assert "solution_version" in raised.value.message_dict


@pytest.mark.parametrize("is_active", [True, False])
@pytest.mark.parametrize("days_to_go_live", [None, -1, 0, 1])
def test_is_live_says_what_live_selects(offering, is_active, days_to_go_live):
    """The journey's lookups check one offering with ``is_live``; lists filter with
    ``live()``. They must agree."""
    today = timezone.localdate()
    offering.is_active = is_active
    offering.go_live = None if days_to_go_live is None else today + dt.timedelta(days_to_go_live)
    offering.save()
    selected = Offering.objects.live().filter(pk=offering.pk).exists()
    assert offering.is_live() is selected
    assert selected is (is_active and (days_to_go_live is None or days_to_go_live <= 0))


def test_live_offerings(darmstadt, offering):
    assert list(live_offerings(darmstadt)) == [offering]
    assert get_live_offering(darmstadt, "hund-anmelden") == offering
    Offering.objects.filter(pk=offering.pk).update(is_active=False)
    assert list(live_offerings(darmstadt)) == []
