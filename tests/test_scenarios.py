"""Logic scenarios (amtsweg.forms.scenarios): every demo form's scenarios pass, and a wrong
expectation is reported as a failure a designer can read."""

import copy
from typing import Any

import pytest
from django.utils import translation

from amtsweg.demo.catalogue import SOLUTIONS
from amtsweg.forms.definition import DefinitionError
from amtsweg.forms.scenarios import run_scenarios

DOGS = {
    "schema_version": 1,
    "steps": [
        {
            "key": "household",
            "title": "Haushalt",
            "fields": [
                {
                    "key": "dogs",
                    "type": "group",
                    "label": "Hunde",
                    "repeatable": True,
                    "min_items": 1,
                    "fields": [
                        {"key": "name", "type": "text", "label": "Name", "required": True},
                        {"key": "listed", "type": "yesno", "label": "Listenhund"},
                        {
                            "key": "certificate",
                            "type": "text",
                            "label": "Wesenstest",
                            "visible_if": {"var": "item.listed"},
                            "required_if": {"var": "item.listed"},
                        },
                    ],
                },
                {
                    "key": "count",
                    "type": "computed",
                    "label": "Anzahl",
                    "decimal_places": 0,
                    "value": {"count": [{"var": "dogs"}]},
                },
            ],
        },
        {
            "key": "permit",
            "title": "Erlaubnis",
            "visible_if": {"some": [{"var": "dogs"}, {"var": "listed"}]},
            "fields": [{"key": "permit_number", "type": "text", "label": "Nr.", "required": True}],
        },
    ],
}
TWO_DOGS = {"dogs": [{"name": "Bruno", "listed": False}, {"name": "Rex", "listed": True}]}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(answers: dict[str, Any], **expect: Any) -> list[str]:
    """The failures of one scenario on the small dogs form."""
    definition = {**DOGS, "scenarios": [{"name": "s", "answers": answers, "expect": expect}]}
    [result] = run_scenarios(definition)
    assert result.name == "s"
    assert result.passed == (not result.failures)
    return result.failures


@pytest.mark.parametrize("spec", SOLUTIONS, ids=lambda spec: spec.slug)
def test_every_demo_forms_scenarios_pass(spec):
    results = run_scenarios(spec.definition)
    assert len(results) >= 3
    assert {result.name: result.failures for result in results if not result.passed} == {}


def test_the_demo_scenarios_cover_what_the_forms_promise():
    names = {spec.slug: [s["name"] for s in spec.definition["scenarios"]] for spec in SOLUTIONS}
    assert any("990 €" in name for name in names["hundesteuer"])
    assert any("Ende vor dem Beginn" in name for name in names["sondernutzung"])
    assert any("Nicht Halter" in name for name in names["bewohnerparkausweis"])


def test_a_wrong_expectation_on_a_demo_form_is_reported():
    definition = copy.deepcopy(next(s for s in SOLUTIONS if s.slug == "hundesteuer").definition)
    two_dogs = next(s for s in definition["scenarios"] if "990" in s["name"])
    two_dogs["expect"] = {"hidden_steps": ["listenhund"], "values": {"annual_tax": "900.00"}}
    results = {result.name: result for result in run_scenarios(definition)}
    assert not results[two_dogs["name"]].passed
    assert results[two_dogs["name"]].failures == [
        "expected step 'listenhund' to be hidden, it is visible",
        "expected 'annual_tax' to be '900.00', it is '990.00'",
    ]
    assert sum(not result.passed for result in results.values()) == 1


def test_conditions_inside_repeatable_groups_are_per_entry():
    assert (
        run(
            TWO_DOGS,
            visible_steps=["permit"],
            visible=["dogs.1.certificate", "dogs.0.name"],
            hidden=["dogs.0.certificate"],
            required=["dogs.1.certificate", "permit_number", "dogs"],
            values={"count": "2", "dogs.1.name": "Rex"},
            valid=False,
            errors=["dogs.1.certificate", "permit_number"],
        )
        == []
    )


def test_every_kind_of_wrong_expectation_reads_plainly():
    assert run(
        TWO_DOGS,
        visible_steps=["household", "fees"],
        hidden_steps=["permit"],
        visible=["dogs.0.certificate", "dogs.5.name"],
        hidden=["dogs.1.certificate"],
        required=["dogs.0.certificate", "dogs.0.listed", "permit_number"],
        values={"count": 2, "dogs.0.certificate": "A1"},
        valid=True,
        errors=["dogs.0.name"],
    ) == [
        "the form has no step 'fees'",
        "expected step 'permit' to be hidden, it is visible",
        "expected 'dogs.0.certificate' to be visible, it is hidden",
        "the form has no item 'dogs.5.name' (for these answers)",
        "expected 'dogs.1.certificate' to be hidden, it is visible",
        "expected 'dogs.0.certificate' to be required, it is hidden",
        "expected 'dogs.0.listed' to be required, it is optional",
        "expected 'count' to be 2, it is '2'",
        "expected 'dogs.0.certificate' to be 'A1', it has no value",
        "expected the answers to be valid, they are not (dogs.1.certificate: Enter “Wesenstest”.; "
        "permit_number: Enter “Nr.”.)",
        "expected an error on 'dogs.0.name', there is none "
        "(errors on: dogs.1.certificate, permit_number)",
    ]


def test_valid_answers_expected_invalid_are_reported():
    answers = {"dogs": [{"name": "Bruno", "listed": False}]}
    assert run(answers, valid=True, hidden_steps=["permit"]) == []
    assert run(answers, valid=False) == ["expected the answers to be invalid, they are valid"]


def test_hidden_answers_are_not_values():
    answers = {"dogs": [{"name": "Bruno", "listed": False, "certificate": "X"}]}
    assert run(answers, hidden=["dogs.0.certificate"]) == []
    assert run(answers, values={"dogs.0.certificate": "X"}) == [
        "expected 'dogs.0.certificate' to be 'X', it has no value"
    ]
    assert run(answers, valid=False, errors=["dogs.0.certificate"]) == []


def test_malformed_scenarios_fail_instead_of_crashing():
    definition = {
        **DOGS,
        "scenarios": [
            {"name": "no answers", "expect": {"valid": True}},
            {"name": "no expectations", "answers": {}},
            {"name": "typo", "answers": {}, "expect": {"visble": ["dogs"]}},
            "not a scenario",
        ],
    }
    assert [(result.name, result.failures) for result in run_scenarios(definition)] == [
        ("no answers", ["the scenario has no answers (an object of answers is needed)"]),
        ("no expectations", ["the scenario expects nothing"]),
        ("typo", ["unknown expectation 'visble'"]),
        ("Scenario 4", ["the scenario has no answers (an object of answers is needed)"]),
    ]


def test_a_form_without_scenarios_has_no_results():
    assert run_scenarios(DOGS) == []


def test_a_broken_definition_is_refused():
    broken = copy.deepcopy(DOGS)
    broken["steps"][1]["fields"][0]["visible_if"] = {"var": "cats"}
    with pytest.raises(DefinitionError, match="cats"):
        run_scenarios(broken)
