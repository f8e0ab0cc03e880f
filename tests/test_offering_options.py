"""Configurable options in the form engine: a publisher's conditions read the adopter's choice
(``$options.<key>``), every place that evaluates an application's conditions uses its
offering's values, a submission keeps the values it was made with, and a definition may read
only options its version declares."""

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator
from pypdf import PdfReader

import amtsweg.forms
from amtsweg.catalog.models import Offering, SolutionVersion
from amtsweg.catalog.views import preview_steps
from amtsweg.documents.receipts import render_receipt
from amtsweg.forms.services import (
    DefinitionError,
    check_definition,
    run_scenarios,
    validate_submission,
    visible_steps,
)
from amtsweg.submissions.models import Submission
from amtsweg.submissions.services import (
    SubmissionIncomplete,
    start_draft,
    submit_application,
)
from tests.factories import (
    OfferingFactory,
    SolutionVersionFactory,
    fill_draft,
    form_definition,
    make_complete_draft,
)
from tests.staff_login import login_staff

pytestmark = pytest.mark.django_db
BY_POST = {"==": [{"var": "$options.pickup"}, "post"]}
PICKUP = [
    {
        "key": "pickup",
        "label": {"de": "Ausgabe", "en": "Hand-out"},
        "choices": [
            {"value": "office", "label": {"de": "Abholung", "en": "At the office"}},
            {"value": "post", "label": {"de": "Per Post", "en": "By post"}},
        ],
        "default": "office",
    }
]
ADDRESS = "Postfach 12, 64397 Modautal"
SCHEMA_VALIDATOR = Draft202012Validator(
    json.loads(
        (
            Path(amtsweg.forms.__file__).parent / "schema" / "form-definition.schema.json"
        ).read_text()
    )
)


def with_delivery() -> dict[str, Any]:
    """The test form with a postal address that is shown, and required, only by post."""
    definition = form_definition()
    dog = next(step for step in definition["steps"] if step["key"] == "dog")
    dog["fields"].append(
        {
            "key": "postal_address",
            "type": "textarea",
            "label": {"de": "Versandanschrift", "en": "Postal address"},
            "visible_if": BY_POST,
            "required_if": BY_POST,
        }
    )
    return definition


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def version(solution_version: SolutionVersion) -> SolutionVersion:
    return SolutionVersionFactory(
        solution=solution_version.solution,
        number=2,
        form_definition=with_delivery(),
        options=PICKUP,
    )


@pytest.fixture
def at_office(darmstadt: Any, version: SolutionVersion) -> Offering:
    return OfferingFactory(
        municipality=darmstadt, solution_version=version, option_values={"pickup": "office"}
    )


@pytest.fixture
def by_post(modautal: Any, version: SolutionVersion) -> Offering:
    return OfferingFactory(
        municipality=modautal, solution_version=version, option_values={"pickup": "post"}
    )


def _browser_draft(client: Any, offering: Offering, skip: tuple[str, ...] = ()) -> Submission:
    """A draft started in the browser (so the session owns it), filled but for ``skip``; the
    steps are checked without options, as if they were filled before the offering chose."""
    start = client.post(
        reverse("submissions:start", args=[offering.municipality.slug, offering.slug])
    )
    return fill_draft(Submission.objects.get(uuid=start["Location"].split("/")[2]), skip=skip)


def _dog_step(client: Any, offering: Offering) -> tuple[Submission, str]:
    """Start an application in the browser, fill the steps before the dog, show the dog step."""
    draft = _browser_draft(client, offering, skip=("dog",))
    page = client.get(reverse("submissions:step", args=[draft.uuid, "dog"]))
    assert page.status_code == 200
    return draft, page.content.decode()


def _address_wrapper(html: str) -> str:
    """The opening tag of the element holding the postal-address field."""
    match = re.search(r"<div[^>]*data-name=\"postal_address\"[^>]*>", html)
    assert match, "the page has no postal-address field"
    return match.group(0)


DOG_POST = {"dog_count": "1", "breed": "mixed", "insured": "yes"}


def test_an_option_shows_a_field_to_one_offering_and_hides_it_from_the_other(
    client, at_office, by_post
):
    office_draft, office_page = _dog_step(client, at_office)
    post_draft, post_page = _dog_step(client, by_post)
    assert " hidden" in _address_wrapper(office_page)
    assert " hidden" not in _address_wrapper(post_page)
    # The browser's logic script gets the offering's choice as well.
    assert '<script id="form-options" type="application/json">{"pickup": "office"}' in office_page
    assert '<script id="form-options" type="application/json">{"pickup": "post"}' in post_page

    # By post the address is required; at the office it is neither asked for nor stored.
    refused = client.post(reverse("submissions:step", args=[post_draft.uuid, "dog"]), DOG_POST)
    assert refused.status_code == 200
    assert "Enter “Postal address”" in refused.content.decode()
    client.post(
        reverse("submissions:step", args=[office_draft.uuid, "dog"]),
        {**DOG_POST, "postal_address": ADDRESS},
    )
    office_draft.refresh_from_db()
    assert "dog" in office_draft.completed_steps
    assert "postal_address" not in office_draft.data
    client.post(
        reverse("submissions:step", args=[post_draft.uuid, "dog"]),
        {**DOG_POST, "postal_address": ADDRESS},
    )
    post_draft.refresh_from_db()
    assert post_draft.data["postal_address"] == ADDRESS
    summary = client.get(reverse("submissions:summary", args=[post_draft.uuid]))
    assert ADDRESS in summary.content.decode()


def test_the_submit_checks_a_field_required_by_an_option(client, at_office, by_post):
    # A draft filled without the option-dependent answer (the pages before a change, say).
    post_draft = _browser_draft(client, by_post)
    response = client.post(reverse("submissions:summary", args=[post_draft.uuid]))
    assert response.status_code == 200  # refused: the summary again, nothing submitted
    assert "Enter “Postal address”" in response.content.decode()
    assert Submission.objects.get(pk=post_draft.pk).status == "draft"
    with pytest.raises(SubmissionIncomplete) as refused:
        submit_application(post_draft)
    assert "postal_address" in refused.value.problems

    office_draft = _browser_draft(client, at_office)
    submitted = client.post(reverse("submissions:summary", args=[office_draft.uuid]))
    assert submitted["Location"] == reverse("submissions:confirmation", args=[office_draft.uuid])
    assert Submission.objects.get(pk=office_draft.pk).option_values == {"pickup": "office"}


def test_the_api_checks_answers_against_the_offering_s_options(client, at_office, by_post):
    data = make_complete_draft(at_office).data

    def post(offering: Offering, answers: dict[str, Any]) -> Any:
        return client.post(
            f"/api/v1/offerings/{offering.uuid}/submissions", {"data": answers}, "application/json"
        )

    missing = post(by_post, data)
    assert missing.status_code == 422
    assert {error["pointer"] for error in missing.json()["errors"]} == {"/data/postal_address"}
    foreign = post(at_office, {**data, "postal_address": ADDRESS})
    assert foreign.status_code == 422
    assert {error["pointer"] for error in foreign.json()["errors"]} == {"/data/postal_address"}
    assert not Submission.objects.filter(status="submitted").exists()

    created = post(by_post, {**data, "postal_address": ADDRESS})
    assert created.status_code == 201, created.content
    submission = Submission.objects.get(reference_number=created.json()["reference_number"])
    assert submission.option_values == {"pickup": "post"}
    assert post(at_office, data).status_code == 201


def test_an_old_case_renders_with_the_options_it_was_made_with(client, by_post, modautal_clerk):
    draft = make_complete_draft(by_post)
    draft.data = {**draft.data, "postal_address": ADDRESS}
    draft.save(update_fields=["data"])
    submission = submit_application(draft).submission
    assert Submission.objects.get(pk=submission.pk).option_values == {"pickup": "post"}

    # The municipality changes its mind: new applications no longer ask for an address ...
    Offering.objects.filter(pk=by_post.pk).update(option_values={"pickup": "office"})
    by_post.refresh_from_db()
    fresh = start_draft(by_post)
    assert fresh.form_options == {"pickup": "office"}
    assert validate_submission(
        by_post.solution_version.form_definition,
        {**submission.data},
        fresh.form_options,
    ) == {"postal_address": "This answer does not belong to the form."}

    # ... but the old case still shows the address it was made with, on screen and on paper.
    old = Submission.objects.select_related("offering", "solution_version").get(pk=submission.pk)
    assert old.form_options == {"pickup": "post"}
    login_staff(client, modautal_clerk)
    page = client.get(reverse("cases:detail", args=[old.case.uuid])).content.decode()
    assert "Postal address" in page and ADDRESS in page
    pdf = render_receipt(old).content
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Postfach 12" in text


def test_a_definition_may_read_only_declared_options(version):
    definition = with_delivery()
    check_definition(definition, PICKUP)  # declared: fine
    with pytest.raises(DefinitionError) as undeclared:
        check_definition(definition, [])
    assert undeclared.value.problems == [
        "The logic reads the option 'pickup' ($options.pickup), which this version does not "
        "declare (declared options: none)."
    ]
    definition["steps"][0]["visible_if"] = {"var": "$options.delivery"}
    with pytest.raises(DefinitionError) as unknown:
        check_definition(definition, PICKUP)
    assert any(
        "'delivery'" in problem and "pickup" in problem for problem in unknown.value.problems
    )
    # "$" cannot start an answer key, so no answer can shadow the options.
    clash = form_definition()
    clash["steps"][0]["fields"][0]["key"] = "$options"
    with pytest.raises(DefinitionError, match="kept for \\$options"):
        check_definition(clash)


def test_the_designer_cannot_drop_an_option_the_conditions_read(darmstadt_admin, version):
    from amtsweg.catalog.services import save_draft_definition

    draft = SolutionVersionFactory(
        solution=version.solution, number=3, form_definition=with_delivery(), publish=False
    )
    with pytest.raises(DefinitionError, match="does not declare"):
        save_draft_definition(draft, with_delivery(), actor=darmstadt_admin)
    draft.options = []
    with pytest.raises(Exception, match="keep it among the options"):
        draft.full_clean()


def test_preview_and_scenarios_choose_option_values(version):
    def address_shown(options: dict[str, str] | None) -> bool:
        steps, problems = preview_steps(version, options)
        assert problems == []
        dog = next(entry for entry in steps if entry["step"]["key"] == "dog")
        return next(f for f in dog["fields"] if f.key == "postal_address").shown

    assert not address_shown(None)  # the declared default: at the office
    assert address_shown({"pickup": "post"})
    assert not address_shown({"pickup": "unknown"})  # an unknown value falls back

    definition = with_delivery()
    definition["scenarios"] = [
        {"name": "default", "answers": {}, "expect": {"hidden": ["postal_address"]}},
        {
            "name": "by post",
            "options": {"pickup": "post"},
            "answers": {},
            "expect": {"required": ["postal_address"]},
        },
        {"name": "undeclared", "options": {"colour": "red"}, "answers": {}, "expect": {}},
    ]
    results = {result.name: result for result in run_scenarios(definition, PICKUP)}
    assert results["default"].passed and results["by post"].passed
    assert not results["undeclared"].passed


def test_demo_cluster_members_choose_differently_for_the_same_version():
    from amtsweg.demo.services import load_demo

    load_demo()
    parking = {
        offering.municipality.short_name: offering
        for offering in Offering.objects.filter(slug="bewohnerparkausweis").select_related(
            "municipality", "solution_version"
        )
    }
    post, office = parking["Modautal"], parking["Roßdorf"]
    assert post.solution_version_id == office.solution_version_id
    assert (post.option_values, office.option_values) == (
        {"ausgabe": "post"},
        {"ausgabe": "abholung"},
    )
    definition = post.solution_version.form_definition
    steps = {
        name: [step["key"] for step in visible_steps(definition, {}, offering.option_values)]
        for name, offering in (("post", post), ("office", office))
    }
    assert "versand" in steps["post"] and "versand" not in steps["office"]
    assert all(
        result.passed for result in run_scenarios(definition, post.solution_version.options)
    )
    load_demo()  # idempotent: the choices stay
    post.refresh_from_db()
    assert post.option_values == {"ausgabe": "post"}


def test_the_format_schema_describes_option_conditions_and_scenario_options():
    from amtsweg.demo.forms.bewohnerparkausweis import DEFINITION, with_delivery

    definition = with_delivery(DEFINITION)  # the demo's version 2: a step and a notice on options
    assert SCHEMA_VALIDATOR.is_valid(definition)
    assert any("options" in scenario for scenario in definition["scenarios"])
    broken = {**definition, "scenarios": [{**definition["scenarios"][0], "options": ["post"]}]}
    assert not SCHEMA_VALIDATOR.is_valid(broken)
