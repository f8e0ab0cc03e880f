"""Prefill from the BundID identity, and locking: fields declaring ``prefill`` get the
identity's value while empty; locked ones are read-only and the server uses the identity's
value whatever the browser sends."""

import copy
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator

import amtsweg.forms
from amtsweg.forms.services import (
    DefinitionError,
    bind_step,
    check_definition,
    lock_answers,
    mark_locked,
    with_prefill,
)
from amtsweg.submissions.models import Submission
from tests.factories import OfferingFactory, SolutionVersionFactory, form_definition
from tests.form_filling import valid_step_post
from tests.saml_flow import (
    english,  # noqa: F401 (fixture)
    log_in,
    saml_settings,  # noqa: F401 (fixture)
    saml_var_dir,  # noqa: F401 (fixture)
)

IDENTITY = {
    "given_name": "Erika",
    "family_name": "Mustermann",
    "email": "erika.mustermann@example.org",
    "street_and_number": "Luisenplatz 5",
    "postcode": "64283",
    "birth_date": "1964-08-12",
    "address": {
        "street": "Luisenplatz",
        "house_number": "5",
        "postcode": "64283",
        "city": "Darmstadt",
    },
}


def prefilled_definition() -> dict:
    """The test form with its applicant prefilled: names locked, e-mail and postcode not."""
    definition = form_definition()
    fields = {f["key"]: f for step in definition["steps"] for f in step["fields"]}
    fields["given_name"].update(prefill="bundid.given_name", locked=True)
    fields["family_name"].update(prefill="bundid.family_name", locked=True)
    fields["email"].update(prefill="bundid.email")
    fields["street"].update(prefill="bundid.street_and_number", locked=True)
    fields["postcode"].update(prefill="bundid.postcode")
    return definition


def step(definition: dict, key: str) -> dict:
    return next(s for s in definition["steps"] if s["key"] == key)


# --- the forms layer ------------------------------------------------------------------------


def test_prefill_fills_empty_answers_and_locked_ones_always():
    applicant = step(prefilled_definition(), "applicant")
    saved = {"given_name": "Eri", "email": "own@example.org"}

    shown = with_prefill(applicant, saved, IDENTITY)

    assert shown["given_name"] == "Erika"  # locked: the identity's
    assert shown["family_name"] == "Mustermann"  # empty: filled
    assert shown["email"] == "own@example.org"  # not locked, answered: kept


def test_locked_answers_replace_what_the_browser_sent():
    applicant = step(prefilled_definition(), "applicant")
    raw = {"given_name": ["Mallory"], "family_name": ["Mustermann"], "email": ["x@example.org"]}

    lock_answers(applicant, raw, IDENTITY)

    assert raw["given_name"] == ["Erika"]
    assert raw["email"] == ["x@example.org"]


def test_nothing_is_filled_or_locked_without_an_identity():
    applicant = step(prefilled_definition(), "applicant")
    raw = {"given_name": ["Mallory"]}
    assert lock_answers(applicant, raw, {}) == {"given_name": ["Mallory"]}
    fields = mark_locked(bind_step(applicant, with_prefill(applicant, {}, {})), applicant, {})
    assert not any(field.readonly for field in fields)


def test_address_and_date_fields_and_groups():
    page = {
        "key": "person",
        "title": "Person",
        "fields": [
            {"key": "born", "type": "date", "label": "Geboren", "prefill": "bundid.birth_date"},
            {
                "key": "home",
                "type": "group",
                "label": "Wohnung",
                "fields": [
                    {
                        "key": "address",
                        "type": "address",
                        "label": "Anschrift",
                        "prefill": "bundid.address",
                        "locked": True,
                    }
                ],
            },
        ],
    }
    check_definition({"schema_version": 1, "steps": [page]})

    shown = with_prefill(page, {}, IDENTITY)
    fields = mark_locked(bind_step(page, shown), page, IDENTITY)

    assert shown == {"born": "1964-08-12", "home": {"address": IDENTITY["address"]}}
    assert fields[0].readonly is False
    assert fields[1].children[0].readonly is True
    raw = lock_answers(page, {"home.address.city": ["Elsewhere"]}, IDENTITY)
    assert raw["home.address.city"] == ["Darmstadt"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"prefill": "bundid.shoe_size"}, "unknown prefill source"),
        ({"prefill": "bundid.address"}, "cannot be prefilled from"),
        ({"locked": True}, "locked but has no prefill source"),
        ({"prefill": "bundid.given_name", "locked": "yes"}, "locked must be true or false"),
    ],
)
def test_check_definition_refuses_bad_prefill(change, problem):
    definition = form_definition()
    definition["steps"][0]["fields"][0].update(change)
    with pytest.raises(DefinitionError) as refused:
        check_definition(definition)
    assert problem in str(refused.value)


def test_check_definition_refuses_prefill_in_repeatable_groups():
    definition = form_definition()
    definition["steps"][2]["fields"].append(
        {
            "key": "owners",
            "type": "group",
            "label": "Halter",
            "repeatable": True,
            "fields": [
                {"key": "name", "type": "text", "label": "Name", "prefill": "bundid.family_name"}
            ],
        }
    )
    with pytest.raises(DefinitionError, match="repeatable; its fields cannot be prefilled"):
        check_definition(definition)


def test_the_definition_schema_knows_prefill_and_locked():
    path = Path(amtsweg.forms.__file__).parent / "schema" / "form-definition.schema.json"
    validator = Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))
    applicant = step(prefilled_definition(), "applicant")
    definition = {"schema_version": 1, "steps": [applicant]}
    check_definition(definition)
    assert list(validator.iter_errors(definition)) == []
    broken = copy.deepcopy(definition)
    broken["steps"][0]["fields"][0]["prefill"] = "bundid.shoe_size"
    assert list(validator.iter_errors(broken))


# --- the step pages -------------------------------------------------------------------------


@pytest.fixture
def prefilled_offering(darmstadt):
    version = SolutionVersionFactory(trust_level="low", form_definition=prefilled_definition())
    return OfferingFactory(municipality=darmstadt, solution_version=version, slug="prefill")


@pytest.mark.django_db
@pytest.mark.usefixtures("saml_settings", "english")
def test_step_page_shows_prefilled_values_and_locks_them(client, prefilled_offering):
    offering_page = reverse("catalog:offering", args=["darmstadt", "prefill"])
    log_in(client, "erika", "low", next_url=offering_page)
    step_url = client.post(reverse("submissions:start", args=["darmstadt", "prefill"]))["Location"]

    page = client.get(step_url).content.decode()

    given = re.search(r'<input [^>]*name="given_name"[^>]*>', page).group(0)
    assert 'value="Erika"' in given and " readonly" in given
    email = re.search(r'<input [^>]*name="email"[^>]*>', page).group(0)
    assert 'value="erika.mustermann@example.org"' in email and "readonly" not in email
    assert "From your BundID account" in page


@pytest.mark.django_db
@pytest.mark.usefixtures("saml_settings", "english")
def test_a_tampered_value_for_a_locked_field_is_ignored(client, prefilled_offering):
    offering_page = reverse("catalog:offering", args=["darmstadt", "prefill"])
    log_in(client, "erika", "low", next_url=offering_page)
    step_url = client.post(reverse("submissions:start", args=["darmstadt", "prefill"]))["Location"]
    applicant = step(prefilled_offering.solution_version.form_definition, "applicant")
    post = valid_step_post(applicant)
    post.update(given_name=["Mallory"], family_name=["Mallory"], email=["own@example.org"])

    assert client.post(step_url, post).status_code == 302

    draft = Submission.objects.get()
    assert draft.data["given_name"] == "Erika"
    assert draft.data["family_name"] == "Mustermann"
    assert draft.data["email"] == "own@example.org"  # not locked: the applicant's own answer


@pytest.mark.django_db
def test_without_log_in_prefilled_fields_are_ordinary_fields(client, darmstadt):
    version = SolutionVersionFactory(trust_level="none", form_definition=prefilled_definition())
    OfferingFactory(municipality=darmstadt, solution_version=version, slug="anonym")
    step_url = client.post(reverse("submissions:start", args=["darmstadt", "anonym"]))["Location"]
    page = client.get(step_url).content.decode()
    given = re.search(r'<input [^>]*name="given_name"[^>]*>', page).group(0)
    assert "readonly" not in given
    client.post(step_url, {"given_name": "Max", "family_name": "Muster", "email": "m@example.de"})
    assert Submission.objects.get().data["given_name"] == "Max"
