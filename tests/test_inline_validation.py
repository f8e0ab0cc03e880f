"""Inline validation over htmx: the step's check endpoint answers one field's fragment with its
error (the same validators as sending the step), a live-region text for screen readers, and
saves nothing. It serves only the session's own draft and only htmx requests."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from amtsweg.submissions.models import Submission
from tests.factories import VALID_ANSWERS

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "de"}


@pytest.fixture
def address_step(client, offering) -> tuple[Submission, str]:
    """A draft whose first step is done; the applicant is on the address step."""
    start = client.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
    applicant = client.post(start["Location"], VALID_ANSWERS["applicant"])
    assert applicant["Location"].endswith("/schritt/address/")
    draft = Submission.objects.get()
    return draft, reverse("submissions:validate_field", args=[draft.uuid, "address"])


def check(client: Client, url: str, field: str, **answers: str) -> str:
    response = client.post(url, {"_field": field, **answers}, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def status_text(fragment: str) -> str:
    match = re.search(
        r'<div id="inline-validation-status" hx-swap-oob="innerHTML">(.*?)</div>', fragment, re.S
    )
    assert match, fragment
    return match.group(1).strip()


def test_a_wrong_field_comes_back_with_its_error_linked_and_announced(client, address_step):
    _draft, url = address_step
    fragment = check(client, url, "postcode", street="Luisenplatz 5", postcode="6428")
    assert fragment.startswith('<div class="amtsweg-field" id="field-postcode-field"')
    assert 'hx-post="' + url + '"' in fragment  # the new fragment checks itself again
    assert 'value="6428"' in fragment and 'aria-invalid="true"' in fragment
    assert 'aria-describedby="field-postcode-error"' in fragment
    error = re.search(r'<span class="kern-sr-only">Fehler: </span>(.*?)</span>', fragment, re.S)
    assert error and "5" in error.group(1)
    assert status_text(fragment) == f"Fehler: Postleitzahl: {error.group(1).strip()}"
    assert "field-street" not in fragment  # only the field asked for


def test_a_right_field_comes_back_without_error_and_nothing_is_saved(client, address_step):
    draft, url = address_step
    fragment = check(client, url, "postcode", postcode="64283")
    assert "kern-error" not in fragment and "aria-invalid" not in fragment
    assert status_text(fragment) == ""
    draft.refresh_from_db()
    assert "postcode" not in draft.data and "address" not in draft.completed_steps


def test_required_and_date_fields_use_the_step_validators(client, address_step):
    _draft, url = address_step
    assert "Geben Sie „Postleitzahl“ an" in status_text(check(client, url, "postcode"))
    fragment = check(
        client,
        url,
        "moved_in",
        **{"moved_in.day": "1", "moved_in.month": "13", "moved_in.year": "2024"},
    )
    assert "Geben Sie einen Monat zwischen 1 und 12 an." in fragment
    assert 'id="field-moved_in-field"' in fragment and 'value="13"' in fragment


def test_the_step_page_carries_the_htmx_attributes_and_the_live_region(client, address_step):
    draft, url = address_step
    page = client.get(reverse("submissions:step", args=[draft.uuid, "address"])).content.decode()
    wrapper = re.search(r'<div class="amtsweg-field" id="field-postcode-field"[^>]*>', page)
    assert wrapper and f'hx-post="{url}"' in wrapper.group(0)
    assert 'hx-include="closest form"' in wrapper.group(0)
    assert "&quot;_field&quot;: &quot;postcode&quot;" in wrapper.group(0) or (
        '"_field": "postcode"' in wrapper.group(0)
    )
    assert '<div id="inline-validation-status" class="kern-sr-only" aria-live="polite">' in page


def test_without_htmx_the_endpoint_leads_to_the_step(client, address_step):
    draft, url = address_step
    response = client.post(url, {"_field": "postcode", "postcode": "6428"})
    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:step", args=[draft.uuid, "address"])


def test_unknown_fields_steps_and_foreign_drafts_are_not_found(client, address_step):
    draft, url = address_step
    assert client.post(url, {"_field": "nope"}, **HTMX).status_code == 404
    hidden_step = reverse("submissions:validate_field", args=[draft.uuid, "no-such-step"])
    assert client.post(hidden_step, {"_field": "postcode"}, **HTMX).status_code == 404
    stranger = Client()
    assert stranger.post(url, {"_field": "postcode", "postcode": "1"}, **HTMX).status_code == 404
    assert stranger.get(url, **HTMX).status_code in (404, 405)
