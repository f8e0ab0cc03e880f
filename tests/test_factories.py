"""The factories and personas build rows that pass the models' own validation."""

import pytest

from amtsweg.catalog.models import VersionStatus
from amtsweg.forms.services import check_definition
from amtsweg.submissions.services import missing_steps
from amtsweg.tenants.models import Municipality
from tests.factories import (
    FORM_DEFINITION,
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    ServiceFactory,
    SolutionVersionFactory,
)

pytestmark = pytest.mark.django_db


def test_factory_municipalities_are_valid_and_distinct():
    first, second = MunicipalityFactory(), MunicipalityFactory()
    for municipality in (first, second):
        municipality.full_clean()
    assert first.ags != second.ags
    assert first.ars != second.ars
    assert first.reference_prefix != second.reference_prefix


def test_personas_carry_their_official_keys(darmstadt, modautal, ober_ramstadt):
    for municipality in (darmstadt, modautal, ober_ramstadt):
        municipality.full_clean()
    assert Municipality.objects.get(ags="06432013").ars == "064320013013"
    assert Municipality.objects.get(ags="06432016").short_name == "Ober-Ramstadt"


def test_catalogue_factories_are_valid():
    ServiceFactory().full_clean()
    MembershipFactory().full_clean()
    offering = OfferingFactory()
    offering.full_clean()
    assert offering.solution_version.status == VersionStatus.PUBLISHED
    assert offering.processing_municipality == offering.municipality


def test_unpublished_version_on_request():
    version = SolutionVersionFactory(publish=False)
    assert version.status == VersionStatus.DRAFT
    assert version.published_at is None


def test_form_definition_is_valid():
    check_definition(FORM_DEFINITION)


def test_complete_draft_has_no_missing_step(complete_draft):
    assert missing_steps(complete_draft) == []
    assert complete_draft.data["postcode"] == "64283"
    assert complete_draft.data["dog_count"] == 2
    assert complete_draft.data["insured"] is True
    assert complete_draft.data["moved_in"] == "2024-03-01"
