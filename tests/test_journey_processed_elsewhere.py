"""A journey on an offering that another cluster member processes (IKZ): the journey pages
read the processing municipality only when it is not the offering's own (drafts
.get_owned_submission, catalog.services.get_live_offering), so this one is read on use."""

import pytest
from django.urls import reverse

from amtsweg.submissions.models import Submission
from tests.form_filling import valid_step_post

pytestmark = pytest.mark.django_db


def test_an_offering_processed_elsewhere_names_its_processor(client, ikz_offering):
    """When another cluster member processes the offering (not joined with the draft), the
    offering page, the summary and the confirmation still name it and the submit records it."""
    page = client.get(reverse("catalog:offering", args=["modautal", "hund-anmelden"]))
    assert "Ober-Ramstadt" in page.content.decode()
    location = client.post(reverse("submissions:start", args=["modautal", "hund-anmelden"]))[
        "Location"
    ]
    steps = {step["key"]: step for step in ikz_offering.solution_version.form_definition["steps"]}
    while "/schritt/" in location:
        key = location.split("/schritt/")[1].strip("/")
        location = client.post(location, valid_step_post(steps[key]))["Location"]
    assert "Ober-Ramstadt" in client.get(location).content.decode()
    confirmation = client.post(location)["Location"]
    assert "Ober-Ramstadt" in client.get(confirmation).content.decode()
    submission = Submission.objects.get(offering=ikz_offering)
    assert submission.processing_municipality.slug == "ober-ramstadt"
