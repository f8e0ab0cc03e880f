"""Form logic: JsonLogic conditions, required-ness, computed values, step rules, repeatable
groups, cycles refused at save, and hidden answers never stored."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from amtsweg.forms import logic
from amtsweg.forms.services import (
    DefinitionError,
    check_definition,
    summarize,
    validate_step,
    validate_submission,
)
from amtsweg.submissions.services import save_step, start_draft
from tests.factories import OfferingFactory, SolutionFactory, SolutionVersionFactory

DOGS = {"var": "dogs"}
DEFINITION = {
    "schema_version": 1,
    "steps": [
        {
            "key": "household",
            "title": {"de": "Haushalt", "en": "Household"},
            "fields": [
                {
                    "key": "dogs",
                    "type": "group",
                    "label": "Hunde",
                    "item_label": "Hund",
                    "repeatable": True,
                    "min_items": 1,
                    "max_items": 3,
                    "fields": [
                        {"key": "name", "type": "text", "label": "Name", "required": True},
                        {
                            "key": "listed",
                            "type": "yesno",
                            "label": "Listenhund",
                            "required": True,
                        },
                        {
                            "key": "certificate",
                            "type": "text",
                            "label": "Wesenstest-Nr.",
                            "visible_if": {"==": [{"var": "item.listed"}, True]},
                            "required_if": {"==": [{"var": "item.listed"}, True]},
                        },
                    ],
                },
                {
                    "key": "fee",
                    "type": "computed",
                    "label": "Jahressteuer",
                    "unit": "EUR",
                    "value": {
                        "reduce": [
                            DOGS,
                            {
                                "+": [
                                    {"var": "accumulator"},
                                    {"if": [{"var": "current.listed"}, 600, 75]},
                                ]
                            },
                            0,
                        ]
                    },
                },
                {"key": "exempt", "type": "yesno", "label": "Befreiung?", "required": True},
            ],
        },
        {
            "key": "exemption",
            "title": "Befreiung",
            "visible_if": {"==": [{"var": "exempt"}, True]},
            "fields": [{"key": "reason", "type": "textarea", "label": "Grund", "required": True}],
        },
        {
            "key": "period",
            "title": "Zeitraum",
            "fields": [
                {"key": "start", "type": "date", "label": "Beginn", "required": True},
                {"key": "end", "type": "date", "label": "Ende", "required": True},
            ],
            "rules": [
                {
                    "check": {">": [{"var": "end"}, {"var": "start"}]},
                    "field": "end",
                    "message": {
                        "de": "Das Ende muss nach dem Beginn liegen.",
                        "en": "End after start.",
                    },
                }
            ],
        },
    ],
}


def household(**raw: list[str]) -> dict[str, list[str]]:
    return {
        "dogs.__items": ["1"],
        "dogs.0.name": ["Bello"],
        "dogs.0.listed": ["no"],
        "exempt": ["no"],
        **raw,
    }


def test_definition_passes_the_check():
    check_definition(DEFINITION)


def test_evaluator_covers_the_common_operators():
    data = {"a": 3, "xs": [1, 2, 3], "s": "Amtsweg"}
    assert logic.evaluate({"and": [{">": [{"var": "a"}, 2]}, {"in": [2, {"var": "xs"}]}]}, data)
    assert logic.evaluate({"map": [{"var": "xs"}, {"*": [{"var": ""}, 2]}]}, data) == [2, 4, 6]
    assert logic.evaluate({"filter": [{"var": "xs"}, {">": [{"var": ""}, 1]}]}, data) == [2, 3]
    assert logic.evaluate({"substr": [{"var": "s"}, 0, 3]}, data) == "Amt"
    assert logic.evaluate({"missing_some": [1, ["a", "b"]]}, data) == []
    assert logic.evaluate({"!": [{"var": "nothing"}]}, data) is True
    with pytest.raises(logic.LogicError):
        logic.evaluate({"eval": ["import os"]}, data)


def test_computed_fee_and_conditional_field_in_a_repeatable_group():
    raw = household(
        **{
            "dogs.__items": ["2"],
            "dogs.1.name": ["Rex"],
            "dogs.1.listed": ["yes"],
        }
    )
    result = validate_step(DEFINITION["steps"][0], raw)
    names = {bound.name: bound.error for bound in result.errors}
    assert "dogs.1.certificate" in names  # required only because Rex is a listed dog
    assert "dogs.0.certificate" not in names
    raw["dogs.1.certificate"] = ["WT-2026-17"]
    result = validate_step(DEFINITION["steps"][0], raw)
    assert result.is_valid
    assert result.values["fee"] == "675.00"
    assert result.values["dogs"] == [
        {"name": "Bello", "listed": False},
        {"name": "Rex", "listed": True, "certificate": "WT-2026-17"},
    ]


def test_hidden_answers_are_neither_validated_nor_stored():
    raw = household(**{"dogs.0.certificate": ["sent anyway"]})
    result = validate_step(DEFINITION["steps"][0], raw)
    assert result.is_valid
    assert "certificate" not in result.values["dogs"][0]


def test_group_limits_are_enforced():
    result = validate_step(DEFINITION["steps"][0], household(**{"dogs.0.name": [""]}))
    assert {bound.name for bound in result.errors} == {"dogs.0.name"}
    too_many = household(**{"dogs.__items": ["9"]})
    for index in range(9):
        too_many[f"dogs.{index}.name"] = ["Hund"]
        too_many[f"dogs.{index}.listed"] = ["no"]
    assert len(validate_step(DEFINITION["steps"][0], too_many).values["dogs"]) == 3


def test_step_rule_names_the_field():
    result = validate_step(
        DEFINITION["steps"][2], {"start": ["2026-12-10"], "end": ["2026-12-01"]}
    )
    assert [bound.name for bound in result.errors] == ["end"]
    assert "Ende" in result.errors[0].error


def test_whole_data_set_with_conditional_step():
    data = {
        "dogs": [{"name": "Bello", "listed": False}],
        "fee": "75.00",
        "exempt": False,
        "start": "2026-12-01",
        "end": "2027-12-01",
    }
    assert validate_submission(DEFINITION, data) == {}
    assert [s["key"] for s in summarize(DEFINITION, data)] == ["household", "period"]
    with_hidden_step = {**data, "reason": "Blindenführhund"}
    assert "reason" in validate_submission(DEFINITION, with_hidden_step)
    tampered_fee = {**data, "fee": "0.00"}
    assert "fee" in validate_submission(DEFINITION, tampered_fee)
    exempt = {**data, "exempt": True}
    assert "reason" in validate_submission(DEFINITION, exempt)  # the step is now required


@pytest.mark.parametrize(
    "change,problem",
    [
        ({"visible_if": {"var": "exempt"}}, "cycle"),
        ({"visible_if": {"var": "unknown_answer"}}, "unknown answer"),
        ({"visible_if": {"shell": ["rm"]}}, "unknown operator"),
    ],
)
def test_broken_logic_is_refused_when_saved(change, problem):
    definition = {
        "schema_version": 1,
        "steps": [
            {
                "key": "s",
                "title": "S",
                "fields": [
                    {"key": "exempt", "type": "yesno", "label": "Befreiung?", **change},
                ],
            }
        ],
    }
    with pytest.raises(DefinitionError) as refused:
        check_definition(definition)
    assert problem in str(refused.value).lower()


def test_two_fields_feeding_each_other_are_a_cycle():
    definition = {
        "schema_version": 1,
        "steps": [
            {
                "key": "s",
                "title": "S",
                "fields": [
                    {"key": "a", "type": "text", "label": "A", "visible_if": {"var": "b"}},
                    {"key": "b", "type": "text", "label": "B", "visible_if": {"var": "a"}},
                ],
            }
        ],
    }
    with pytest.raises(DefinitionError, match="cycle"):
        check_definition(definition)


@pytest.fixture
def group_offering(darmstadt):
    version = SolutionVersionFactory(
        solution=SolutionFactory(publisher=darmstadt), number=1, form_definition=DEFINITION
    )
    return OfferingFactory(municipality=darmstadt, solution_version=version, slug="hunde")


def _post(client, url: str, data: dict, encoding: str):
    """A step sent as a browser sends its form: plain unless the step has a file field."""
    if encoding == "multipart":
        return client.post(url, data)
    body = urlencode(data, doseq=True)
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_add_and_remove_entries_without_javascript(client, group_offering, encoding):
    started = client.post(reverse("submissions:start", args=["darmstadt", "hunde"]))
    step_url = started["Location"]
    page = client.get(step_url).content.decode()
    assert 'name="dogs.__items" value="1"' in page
    assert 'enctype="multipart/form-data"' not in page  # no file field on this step
    added = _post(client, step_url, {**household(), "_add": "dogs"}, encoding)
    html = added.content.decode()
    assert added.status_code == 200
    assert 'name="dogs.1.name"' in html
    assert 'value="Bello"' in html  # what was typed stays
    assert 'id="error-summary"' not in html  # adding an entry is not a failed check
    removed = _post(
        client,
        step_url,
        {
            **household(
                **{"dogs.__items": ["2"], "dogs.1.name": ["Rex"], "dogs.1.listed": ["no"]}
            ),
            "_remove": "dogs.0",
        },
        encoding,
    )
    html = removed.content.decode()
    assert 'value="Rex"' in html and 'value="Bello"' not in html
    assert 'name="dogs.1.name"' not in html


def test_changing_an_answer_drops_the_answers_of_a_step_no_longer_needed(group_offering):
    draft = start_draft(group_offering)
    answers = {"dogs": [{"name": "Bello", "listed": False}], "fee": "75.00"}
    save_step(draft, "household", {**answers, "exempt": True})
    save_step(draft, "exemption", {"reason": "Rettungshund"})
    save_step(draft, "household", {**answers, "exempt": False})
    draft.refresh_from_db()
    assert "reason" not in draft.data
    assert "exemption" not in draft.completed_steps


def test_a_rule_without_a_field_is_shown_in_the_error_summary(client, darmstadt):
    definition = {
        "schema_version": 1,
        "steps": [
            {
                "key": "contact",
                "title": "Kontakt",
                "fields": [
                    {"key": "phone", "type": "text", "label": "Telefon"},
                    {"key": "mail", "type": "email", "label": "E-Mail"},
                ],
                "rules": [
                    {
                        "check": {"or": [{"var": "phone"}, {"var": "mail"}]},
                        "message": {
                            "de": "Geben Sie Telefon oder E-Mail an.",
                            "en": "Phone or e-mail.",
                        },
                    }
                ],
            }
        ],
    }
    version = SolutionVersionFactory(
        solution=SolutionFactory(publisher=darmstadt), number=1, form_definition=definition
    )
    OfferingFactory(municipality=darmstadt, solution_version=version, slug="kontakt")
    step_url = client.post(reverse("submissions:start", args=["darmstadt", "kontakt"]))["Location"]
    response = client.post(step_url, {"phone": "", "mail": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in html
    assert "Geben Sie Telefon oder E-Mail an." in html
    assert "<title>Fehler:" in html
